"""LLM exchange log: every request to an LLM, its answer or error, tokens and latency.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

One new table, ``llm_exchanges``; nothing else changes, so downgrading drops
just that table.  See ``assistant/store/tables.py`` (``LLMExchange``) and
``docs/llm.md``.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "llm_exchanges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("base_url", sa.String(1000), nullable=False, comment="without credentials, query or fragment"),
        sa.Column("model", NAME, nullable=False),
        sa.Column("template_name", sa.String(100), nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("method", sa.String(32), nullable=False,
                  comment="json_schema | function_calling | json_object"),
        sa.Column("request_hash", sa.String(64), nullable=False, comment="sha256 of the request, hex"),
        sa.Column("messages", sa.JSON, nullable=False, comment="the rendered messages as sent"),
        sa.Column("raw_response", sa.Text, nullable=False),
        sa.Column("parsed", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("prompt_tokens", sa.Integer, nullable=True),
        sa.Column("completion_tokens", sa.Integer, nullable=True),
        sa.Column("total_tokens", sa.Integer, nullable=True),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("cached", sa.Boolean, nullable=False, comment="true when this row records a cache hit"),
        sa.Column("project", NAME, nullable=True),
        sa.Column("graph_name", NAME, nullable=True),
        sa.Column("version_id", sa.Integer, nullable=True),
        sa.Column("purpose", sa.String(64), nullable=False, comment='e.g. "draft", "critique"'),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_exchanges")),
        sa.ForeignKeyConstraint(["version_id"], ["graph_versions.id"],
                                name=op.f("fk_llm_exchanges_version_id_graph_versions")),
    )
    op.create_index(op.f("ix_llm_exchanges_request_hash"), "llm_exchanges", ["request_hash"])
    op.create_index(op.f("ix_llm_exchanges_project"), "llm_exchanges", ["project"])


def downgrade() -> None:
    op.drop_index(op.f("ix_llm_exchanges_project"), table_name="llm_exchanges")
    op.drop_index(op.f("ix_llm_exchanges_request_hash"), table_name="llm_exchanges")
    op.drop_table("llm_exchanges")
