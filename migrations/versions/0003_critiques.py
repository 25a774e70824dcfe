"""Stored critiques: the critique engine's report on one graph version, with its counts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

One new table, ``critiques``; nothing else changes, so downgrading drops just
that table.  See ``assistant/store/tables.py`` (``Critique``) and
``docs/store.md``.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "critiques",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("graph_version_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", NAME, nullable=False),
        sa.Column("data_sha256", sa.String(64), nullable=True,
                  comment="sha256 of the data file read, hex (null: no data)"),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("infos", sa.Integer, nullable=False),
        sa.Column("rules", sa.Text, nullable=False, comment="the rule ids selected, comma-separated"),
        sa.Column("report", sa.Text, nullable=False, comment="the CritiqueReport as JSON"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_critiques")),
        sa.ForeignKeyConstraint(["graph_version_id"], ["graph_versions.id"],
                                name=op.f("fk_critiques_graph_version_id_graph_versions")),
        sa.CheckConstraint("errors >= 0 AND warnings >= 0 AND infos >= 0",
                           name=op.f("ck_critiques_counts_non_negative")),
    )
    op.create_index(op.f("ix_critiques_graph_version_id"), "critiques", ["graph_version_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_critiques_graph_version_id"), table_name="critiques")
    op.drop_table("critiques")
