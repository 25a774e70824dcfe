"""Initial store: projects, datasets, graphs, immutable graph versions and review events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

``graphs.head_version_id`` and ``graph_versions.graph_id`` point at each other,
so the graphs table is created first and its foreign key to graph_versions is
added afterwards (in batch mode, which on SQLite rebuilds the still-empty
table, since SQLite cannot add a constraint with ALTER TABLE).

Constraint names are wrapped in ``op.f()`` ("final"): they are already the
names that ``tables.NAMING_CONVENTION`` produces, and must not be run through
the convention a second time.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)
SHA256 = sa.String(64)
STATUSES = "status IN ('draft', 'in_review', 'validated', 'rejected')"
ACTIONS = "action IN ('request_review', 'approve', 'reject', 'comment', 'withdraw', 'status_change')"


def _audit() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", NAME, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", NAME, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("file_name", sa.String(1000), nullable=False),
        sa.Column("content_hash", SHA256, nullable=False, comment="sha256 of content, hex"),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_datasets_project_id_projects")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_datasets_project_id_name")),
    )
    op.create_table(
        "graphs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("head_version_id", sa.Integer, nullable=True),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graphs")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_graphs_project_id_projects")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_graphs_project_id_name")),
    )
    op.create_table(
        "graph_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("graph_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False, comment="1, 2, 3, ... within one graph"),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("author", NAME, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", SHA256, nullable=False, comment="sha256 of the canonical JSON content, hex"),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_versions")),
        sa.ForeignKeyConstraint(["graph_id"], ["graphs.id"], name=op.f("fk_graph_versions_graph_id_graphs")),
        sa.ForeignKeyConstraint(["parent_id"], ["graph_versions.id"],
                                name=op.f("fk_graph_versions_parent_id_graph_versions")),
        sa.UniqueConstraint("graph_id", "number", name=op.f("uq_graph_versions_graph_id_number")),
        sa.CheckConstraint(STATUSES, name=op.f("ck_graph_versions_status")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_graph_versions_number_positive")),
    )
    with op.batch_alter_table("graphs") as batch:
        batch.create_foreign_key(op.f("fk_graphs_head_version_id_graph_versions"), "graph_versions",
                                 ["head_version_id"], ["id"])
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True, comment='what the event is about, e.g. "a -> b"'),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
        sa.ForeignKeyConstraint(["version_id"], ["graph_versions.id"],
                                name=op.f("fk_review_events_version_id_graph_versions")),
        sa.CheckConstraint(ACTIONS, name=op.f("ck_review_events_action")),
    )
    op.create_index(op.f("ix_review_events_version_id"), "review_events", ["version_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_events_version_id"), table_name="review_events")
    op.drop_table("review_events")
    if op.get_bind().dialect.name != "sqlite":  # SQLite: env.py defers the foreign-key checks instead
        op.drop_constraint(op.f("fk_graphs_head_version_id_graph_versions"), "graphs", type_="foreignkey")
    op.drop_table("graph_versions")
    op.drop_table("graphs")
    op.drop_table("datasets")
    op.drop_table("projects")
