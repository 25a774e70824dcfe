"""Audit log: who changed what, and when; one row per change, written in the change's own transaction.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

One new table, ``audit_log``; nothing else changes, so downgrading drops
just that table.  Every write of the store (projects, datasets, graphs,
versions, status changes, review events, working copies, critiques,
analysis runs) inserts a row in the same transaction as the change, so the
log and the data cannot disagree.  Rows are never updated.  Entries name the
project and graph instead of pointing at them with foreign keys, so each one
reads on its own.  See ``assistant/store/tables.py`` (``AuditEntry``),
``assistant/store/audit.py`` and ``docs/store.md``.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("action", sa.String(64), nullable=False,
                  comment='e.g. "version.save", "version.status", "dataset.add"'),
        sa.Column("project", NAME, nullable=True),
        sa.Column("graph_name", NAME, nullable=True),
        sa.Column("version", sa.Integer, nullable=True, comment="the graph version number"),
        sa.Column("subject", sa.Text, nullable=True, comment="what was acted on, when not a version"),
        sa.Column("details", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_project"), "audit_log", ["project"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_project"), table_name="audit_log")
    op.drop_table("audit_log")
