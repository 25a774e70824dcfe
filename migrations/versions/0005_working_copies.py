"""Working copies: an editor's unsaved edits of a graph, kept so nothing is lost by navigating away.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

One new table, ``working_copies``; nothing else changes, so downgrading drops
just that table.  A working copy is one row per (graph, user): the content the
user is editing, the version it was edited from, and the pending save
message.  It is replaced on every edit and deleted when the user saves or
discards.  Versions stay immutable; a working copy is never a version.  See
``assistant/store/tables.py`` (``WorkingCopy``) and ``docs/store.md``.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "working_copies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("graph_id", sa.Integer, nullable=False),
        sa.Column("user_name", NAME, nullable=False),
        sa.Column("base_version_id", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False, comment="the edited graph (canonical JSON)"),
        sa.Column("message", sa.Text, nullable=False, comment="the pending save message"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_copies")),
        sa.ForeignKeyConstraint(["graph_id"], ["graphs.id"], name=op.f("fk_working_copies_graph_id_graphs")),
        sa.ForeignKeyConstraint(["base_version_id"], ["graph_versions.id"],
                                name=op.f("fk_working_copies_base_version_id_graph_versions")),
        sa.UniqueConstraint("graph_id", "user_name", name=op.f("uq_working_copies_graph_id_user_name")),
    )


def downgrade() -> None:
    op.drop_table("working_copies")
