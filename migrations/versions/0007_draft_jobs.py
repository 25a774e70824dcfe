"""Draft jobs: drafts on every row of a stored dataset, queued for a background worker.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09

One new table, ``draft_jobs``; nothing else changes, so downgrading drops
just that table.  A draft job is inserted as ``running`` when it is queued
(who, when, project, dataset, the request, the RQ job and queue) and moved
exactly once to ``succeeded`` (with the DraftResult), ``failed`` (with its
error) or ``cancelled``.  See ``assistant/store/tables.py`` (``DraftJob``),
``assistant/store/drafts.py`` and ``docs/store.md``.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "draft_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("dataset_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", NAME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False, comment="offline | openai | hybrid"),
        sa.Column("graph_name", NAME, nullable=True, comment="the graph the draft is meant for (LLM exchanges name it)"),
        sa.Column("request", sa.Text, nullable=False, comment="the DraftRequest as JSON"),
        sa.Column("options", sa.Text, nullable=False, comment='the backend\'s options as JSON, e.g. {"alpha": 0.05}'),
        sa.Column("job_id", NAME, nullable=False, comment="the RQ job's id"),
        sa.Column("queue", NAME, nullable=False, comment="the RQ queue's name"),
        sa.Column("n_rows", sa.Integer, nullable=False, comment="rows of the dataset drafted on (all of them)"),
        sa.Column("data_sha256", sa.String(64), nullable=False, comment="sha256 of the dataset drafted on, hex"),
        sa.Column("result", sa.Text, nullable=True, comment="the DraftResult as JSON (succeeded)"),
        sa.Column("error", sa.Text, nullable=True, comment="the error as JSON {code, message, hint, ...}"),
        sa.Column("duration_seconds", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_jobs")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_draft_jobs_project_id_projects")),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], name=op.f("fk_draft_jobs_dataset_id_datasets")),
        sa.UniqueConstraint("job_id", name=op.f("uq_draft_jobs_job_id")),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed', 'cancelled')",
                           name=op.f("ck_draft_jobs_status")),
    )
    op.create_index(op.f("ix_draft_jobs_project_id"), "draft_jobs", ["project_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_draft_jobs_project_id"), table_name="draft_jobs")
    op.drop_table("draft_jobs")
