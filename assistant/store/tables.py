"""The store's tables as SQLAlchemy 2 declarative models.

This module is the *target* of the migrations in ``migrations/versions``:
``alembic check`` compares it with the migrated database and must find no
difference.  Change a table here and add a migration in the same change.

Constraint names come from :data:`NAMING_CONVENTION`, so autogenerate
produces stable names on every backend.

Versions are immutable: after insertion only ``graph_versions.status``
changes (and ``graphs.head_version_id`` moves forward).  LLM exchanges and
critiques are never updated either, and the audit log is append-only.
Analysis runs and draft jobs are updated once, when they end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

VERSION_STATUSES = ("draft", "in_review", "validated", "rejected")
ANALYSIS_STATUSES = ("running", "succeeded", "failed", "cancelled")
DRAFT_STATUSES = ANALYSIS_STATUSES
REVIEW_ACTIONS = ("request_review", "approve", "reject", "comment", "withdraw", "status_change")
NAME_LENGTH = 200


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))


class Dataset(Base):
    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    file_name: Mapped[str] = mapped_column(String(1000), default="")
    content_hash: Mapped[str] = mapped_column(String(64), comment="sha256 of content, hex")
    size_bytes: Mapped[int] = mapped_column(Integer)
    profile: Mapped[Any] = mapped_column(JSON)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))


class Graph(Base):
    __tablename__ = "graphs"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # graphs and graph_versions point at each other; use_alter lets either be created first.
    head_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("graph_versions.id", use_alter=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))


class GraphVersion(Base):
    __tablename__ = "graph_versions"
    __table_args__ = (
        UniqueConstraint("graph_id", "number"),
        CheckConstraint(_in("status", VERSION_STATUSES), name="status"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id"))
    number: Mapped[int] = mapped_column(Integer, comment="1, 2, 3, ... within one graph")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("graph_versions.id"), nullable=True)
    author: Mapped[str] = mapped_column(String(NAME_LENGTH))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(64), comment="sha256 of the canonical JSON content, hex")
    content: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="draft")


class ReviewEvent(Base):
    __tablename__ = "review_events"
    __table_args__ = (CheckConstraint(_in("action", REVIEW_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("graph_versions.id"), index=True)
    actor: Mapped[str] = mapped_column(String(NAME_LENGTH))
    action: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str | None] = mapped_column(Text, nullable=True, comment='what the event is about, e.g. "a -> b"')
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LLMExchange(Base):
    """Every request to an LLM and its answer or error (migration 0002); written by ``assistant.llm``.

    Rows are never updated.  ``request_hash`` is the cache key: the sha256 of
    everything that determines the answer (provider, base URL, model,
    sampling settings, template and version, rendered messages, method, schema).
    """

    __tablename__ = "llm_exchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    provider: Mapped[str] = mapped_column(String(100))
    base_url: Mapped[str] = mapped_column(String(1000), comment="without credentials, query or fragment")
    model: Mapped[str] = mapped_column(String(NAME_LENGTH))
    template_name: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32), comment="json_schema | function_calling | json_object")
    request_hash: Mapped[str] = mapped_column(String(64), index=True, comment="sha256 of the request, hex")
    messages: Mapped[Any] = mapped_column(JSON, comment="the rendered messages as sent")
    raw_response: Mapped[str] = mapped_column(Text, default="")
    parsed: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    cached: Mapped[bool] = mapped_column(Boolean, default=False, comment="true when this row records a cache hit")
    project: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True, index=True)
    graph_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("graph_versions.id"), nullable=True)
    purpose: Mapped[str] = mapped_column(String(64), comment='e.g. "draft", "critique"')


class Critique(Base):
    """A stored critique of one graph version (migration 0003); written once and never updated.

    ``report`` is the :class:`~assistant.critique.CritiqueReport` as JSON text;
    the counts are copied out of it so that a list of critiques needs no parsing.
    """

    __tablename__ = "critiques"
    __table_args__ = (CheckConstraint("errors >= 0 AND warnings >= 0 AND infos >= 0", name="counts_non_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    graph_version_id: Mapped[int] = mapped_column(ForeignKey("graph_versions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    data_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                    comment="sha256 of the data file read, hex (null: no data)")
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    infos: Mapped[int] = mapped_column(Integer)
    rules: Mapped[str] = mapped_column(Text, comment="the rule ids selected, comma-separated")
    report: Mapped[str] = mapped_column(Text, comment="the CritiqueReport as JSON")


class AnalysisRun(Base):
    """One analysis of a graph version (migration 0004): ``running``, then ``succeeded``/``failed``/``cancelled``.

    ``spec``, ``result`` and ``error`` are JSON text (the spec and result are
    :mod:`assistant.analysis.spec` models); only the status, result, error and
    duration are ever updated, once, when the run ends.
    """

    __tablename__ = "analysis_runs"
    __table_args__ = (CheckConstraint(_in("status", ANALYSIS_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    graph_version_id: Mapped[int] = mapped_column(ForeignKey("graph_versions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(16))
    spec: Mapped[str] = mapped_column(Text, comment="the AnalysisSpec (or QuerySpec) as JSON")
    result: Mapped[str | None] = mapped_column(Text, nullable=True,
                                               comment="the AnalysisResult as JSON (succeeded runs)")
    error: Mapped[str | None] = mapped_column(Text, nullable=True,
                                              comment="the error as JSON {code, message, hint, ...}")
    data_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                    comment="sha256 of the data analysed, hex")
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class DraftJob(Base):
    """A draft queued for a background worker (migration 0007): ``running``, then ``succeeded``/``failed``/``cancelled``.

    A draft on every row of a stored dataset (the UI drafts on a sample of large data).  It is
    inserted as ``running`` when it is queued, so it survives reloads, sessions and replicas, and
    ended exactly once by the worker or a canceller: only the status, result, error and duration
    are ever updated.  ``request`` is the :class:`~assistant.draft.spec.DraftRequest` and
    ``result`` the :class:`~assistant.draft.result.DraftResult`, as JSON text.
    """

    __tablename__ = "draft_jobs"
    __table_args__ = (CheckConstraint(_in("status", DRAFT_STATUSES), name="status"), UniqueConstraint("job_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(16))
    backend: Mapped[str] = mapped_column(String(32), comment="offline | openai | hybrid")
    graph_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True,
                                                   comment="the graph the draft is meant for (LLM exchanges name it)")
    request: Mapped[str] = mapped_column(Text, comment="the DraftRequest as JSON")
    options: Mapped[str] = mapped_column(Text, comment='the backend\'s options as JSON, e.g. {"alpha": 0.05}')
    job_id: Mapped[str] = mapped_column(String(NAME_LENGTH), comment="the RQ job's id")
    queue: Mapped[str] = mapped_column(String(NAME_LENGTH), comment="the RQ queue's name")
    n_rows: Mapped[int] = mapped_column(Integer, comment="rows of the dataset drafted on (all of them)")
    data_sha256: Mapped[str] = mapped_column(String(64), comment="sha256 of the dataset drafted on, hex")
    result: Mapped[str | None] = mapped_column(Text, nullable=True, comment="the DraftResult as JSON (succeeded)")
    error: Mapped[str | None] = mapped_column(Text, nullable=True,
                                              comment="the error as JSON {code, message, hint, ...}")
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)


class WorkingCopy(Base):
    """An editor's unsaved edits of a graph (migration 0005): one row per (graph, user).

    Not a version: it is replaced on every edit and deleted on save or
    discard, so a user who navigates away (or whose browser closes) finds the
    edits again.  ``base_version_id`` is the version the edits started from,
    which a save uses as its parent.
    """

    __tablename__ = "working_copies"
    __table_args__ = (UniqueConstraint("graph_id", "user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    graph_id: Mapped[int] = mapped_column(ForeignKey("graphs.id"))
    user_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    base_version_id: Mapped[int] = mapped_column(ForeignKey("graph_versions.id"))
    content: Mapped[Any] = mapped_column(JSON, comment="the edited graph (canonical JSON)")
    message: Mapped[str] = mapped_column(Text, comment="the pending save message")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who changed what, and when (migration 0006): one row per change, written in the change's transaction.

    Rows are only ever inserted.  Names rather than foreign keys, so an entry
    reads on its own: ``project``, ``graph_name`` and ``version`` say where,
    ``action`` what (``version.save``, ``version.status``, ``dataset.add``, ...),
    ``subject`` the thing acted on when it is not a version (a dataset's name,
    ``run 12``) and ``details`` the rest (message, status from/to, hashes).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(NAME_LENGTH))
    action: Mapped[str] = mapped_column(String(64), comment='e.g. "version.save", "version.status", "dataset.add"')
    project: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True, index=True)
    graph_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True, comment="the graph version number")
    subject: Mapped[str | None] = mapped_column(Text, nullable=True, comment="what was acted on, when not a version")
    details: Mapped[Any | None] = mapped_column(JSON(none_as_null=True), nullable=True)


projects = Project.__table__
datasets = Dataset.__table__
graphs = Graph.__table__
graph_versions = GraphVersion.__table__
review_events = ReviewEvent.__table__
llm_exchanges = LLMExchange.__table__
critiques = Critique.__table__
analysis_runs = AnalysisRun.__table__
working_copies = WorkingCopy.__table__
audit_log = AuditEntry.__table__
draft_jobs = DraftJob.__table__
