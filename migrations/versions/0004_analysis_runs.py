"""Analysis runs: one row per DoWhy analysis of a graph version, with its spec, result or error.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

One new table, ``analysis_runs``; nothing else changes, so downgrading drops
just that table.  A run is inserted as ``running`` and then moved exactly once
to ``succeeded`` (with its result), ``failed`` (with its error) or
``cancelled``.  See ``assistant/store/tables.py`` (``AnalysisRun``) and
``docs/store.md``.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)
STATUSES = ("running", "succeeded", "failed", "cancelled")


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("graph_version_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", NAME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("spec", sa.Text, nullable=False, comment="the AnalysisSpec (or QuerySpec) as JSON"),
        sa.Column("result", sa.Text, nullable=True, comment="the AnalysisResult as JSON (succeeded runs)"),
        sa.Column("error", sa.Text, nullable=True, comment="the error as JSON {code, message, hint, ...}"),
        sa.Column("data_sha256", sa.String(64), nullable=True, comment="sha256 of the data analysed, hex"),
        sa.Column("duration_seconds", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
        sa.ForeignKeyConstraint(["graph_version_id"], ["graph_versions.id"],
                                name=op.f("fk_analysis_runs_graph_version_id_graph_versions")),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'cancelled')",
                           name=op.f("ck_analysis_runs_status")),
    )
    op.create_index(op.f("ix_analysis_runs_graph_version_id"), "analysis_runs", ["graph_version_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_analysis_runs_graph_version_id"), table_name="analysis_runs")
    op.drop_table("analysis_runs")
