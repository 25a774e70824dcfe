"""What the store hands out: plain, immutable pydantic records (never ORM objects)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, computed_field

from assistant.model import CausalGraph, DatasetProfile, EdgeKind, Provenance

VersionStatus = Literal["draft", "in_review", "validated", "rejected"]
ReviewAction = Literal["request_review", "approve", "reject", "comment", "withdraw", "status_change"]


class _Info(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectInfo(_Info):
    name: str
    description: str
    created_at: datetime
    created_by: str


class DatasetInfo(_Info):
    project: str
    name: str
    file_name: str
    content_hash: str
    size_bytes: int
    profile: DatasetProfile
    created_at: datetime
    created_by: str


class GraphInfo(_Info):
    project: str
    name: str
    head: int
    head_status: VersionStatus
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class VersionInfo(_Info):
    """One immutable version of a graph; ``parent`` is the number it was edited from (None for v1).

    ``id`` is the row's database id, for records that point at a version
    (such as an LLM exchange's ``version_id``).

    ``graph`` is built from the stored content on first use: validating every graph of a long
    history costs seconds, and a history listing (``Store.log``) needs only the metadata.
    """

    project: str
    graph_name: str
    number: int
    parent: int | None
    author: str
    message: str
    created_at: datetime
    content_hash: str
    status: VersionStatus
    id: int | None = None
    content: dict[str, Any] = Field(exclude=True, repr=False, description="the stored canonical JSON")

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def graph(self) -> CausalGraph:
        # What was stored was validated on the way in: content that no longer validates was changed
        # outside causal-assistant, which is damage to report as such, not bad input from the caller.
        from pydantic import ValidationError

        from assistant.errors import CausalAssistantError, DatabaseIntegrityError

        try:
            return CausalGraph.model_validate(self.content)
        except (ValidationError, CausalAssistantError, ValueError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DatabaseIntegrityError(
                f"stored version {self.number} of graph {self.graph_name!r} in project {self.project!r} is not a "
                f"valid graph ({first}): the database was changed outside causal-assistant",
                hint="run `causal-assistant db check`, and restore the version from a backup") from None


class ReviewEventInfo(_Info):
    project: str
    graph_name: str
    version: int
    actor: str
    action: ReviewAction
    comment: str
    subject: str | None
    created_at: datetime


class EdgeBlame(_Info):
    """Who introduced an edge: the version (on the parent chain) since which it has existed unbroken."""

    source: str
    target: str
    kind: EdgeKind
    provenance: Provenance
    version: int
    author: str
    created_at: datetime
    message: str
    last_changed: int
    """The newest version that changed the edge's attributes (== ``version`` if never changed)."""

    @property
    def edge_text(self) -> str:
        return f"{self.source} {'->' if self.kind == 'directed' else '<->'} {self.target}"


class ExchangeRecord(_Info):
    """One request to an LLM and what came back (or went wrong): a row of ``llm_exchanges``.

    ``id`` and ``created_at`` are set by the store.  ``error`` is None for an
    answer that validated; ``parsed`` is then the validated JSON.  ``cached``
    rows record a request served from an earlier exchange (no tokens spent).
    No API key ever appears here; ``base_url`` has no credentials.
    """

    id: int | None = None
    created_at: datetime | None = None
    provider: str = Field(max_length=100)
    base_url: str = Field(max_length=1000)
    model: str = Field(max_length=200)
    template_name: str = Field(max_length=100)
    template_version: int
    method: str = Field(max_length=32)
    request_hash: str = Field(max_length=64)
    messages: list[dict[str, str]]
    raw_response: str = ""
    parsed: JsonValue = None
    error: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    latency_ms: int = 0
    cached: bool = False
    project: str | None = Field(default=None, max_length=200)
    graph_name: str | None = Field(default=None, max_length=200)
    version_id: int | None = None
    purpose: str = Field(default="", max_length=64)

    @property
    def status(self) -> Literal["ok", "error", "cached"]:
        if self.error is not None:
            return "error"
        return "cached" if self.cached else "ok"

    @property
    def template_ref(self) -> str:
        return f"{self.template_name}@{self.template_version}"


class CritiqueInfo(_Info):
    """A stored critique (a row of ``critiques``): the report on one graph version, never changed once written.

    ``report`` is the :class:`~assistant.critique.CritiqueReport` as plain JSON,
    exactly as recorded; :meth:`to_report` validates it back into the model.
    ``rules`` lists the ids of the rules that were selected, comma-separated.
    """

    id: int
    project: str
    graph_name: str
    version: int
    version_id: int
    created_at: datetime
    created_by: str
    data_sha256: str | None
    errors: int
    warnings: int
    infos: int
    rules: str
    report: dict[str, JsonValue]

    @property
    def counts(self) -> dict[str, int]:
        return {"error": self.errors, "warning": self.warnings, "info": self.infos}

    def to_report(self):
        """The stored report as a :class:`~assistant.critique.CritiqueReport`."""
        from assistant.critique.finding import CritiqueReport

        return CritiqueReport.model_validate(self.report)


AnalysisStatus = Literal["running", "succeeded", "failed", "cancelled"]


class AnalysisRunInfo(_Info):
    """A stored analysis run (a row of ``analysis_runs``), against the graph version it used.

    ``spec`` and ``result`` are the :mod:`assistant.analysis.spec` models as
    plain JSON; ``error`` is the typed error's ``as_dict()`` for failed and
    cancelled runs.
    """

    id: int
    project: str
    graph_name: str
    version: int
    version_id: int
    created_at: datetime
    created_by: str
    status: AnalysisStatus
    spec: dict[str, JsonValue]
    result: dict[str, JsonValue] | None = None
    error: dict[str, JsonValue] | None = None
    data_sha256: str | None = None
    duration_seconds: float | None = None


class DraftJobInfo(_Info):
    """A draft queued for a background worker (a row of ``draft_jobs``, migration 0007).

    ``request`` is the :class:`~assistant.draft.spec.DraftRequest` and ``result`` the
    :class:`~assistant.draft.result.DraftResult` (succeeded drafts) as plain JSON; ``error`` is the
    typed error's ``as_dict()`` for failed and cancelled ones.  ``n_rows`` is every row of the dataset.
    """

    id: int
    project: str
    dataset: str
    created_at: datetime
    created_by: str
    status: AnalysisStatus
    backend: str
    graph_name: str | None = None
    request: dict[str, JsonValue]
    options: dict[str, JsonValue] = Field(default_factory=dict)
    job_id: str
    queue: str
    n_rows: int
    data_sha256: str
    result: dict[str, JsonValue] | None = None
    error: dict[str, JsonValue] | None = None
    duration_seconds: float | None = None

    @property
    def question(self) -> str:
        return str(self.request.get("question") or "")


class WorkingCopyInfo(_Info):
    """A user's unsaved edits of a graph (a row of ``working_copies``); ``base_version`` is the save's parent."""

    project: str
    graph_name: str
    user: str
    base_version: int
    graph: CausalGraph
    message: str
    updated_at: datetime


class AuditEntryInfo(_Info):
    """One row of the audit log: ``actor`` did ``action`` at ``created_at`` (migration 0006)."""

    id: int
    created_at: datetime
    actor: str
    action: str
    project: str | None = None
    graph_name: str | None = None
    version: int | None = None
    subject: str | None = None
    details: dict[str, JsonValue] | None = None

    def describe(self) -> str:
        """One line: ``2026-12-02T10:00:00Z ana version.save sales/main v3 "add Z"``."""
        where = "/".join(p for p in (self.project, self.graph_name) if p)
        if self.version is not None:
            where += f" v{self.version}"
        parts = [self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), self.actor, self.action, where.strip()]
        if self.subject:
            parts.append(self.subject)
        details = self.details or {}
        for key in ("message", "from", "to", "comment", "status"):
            if details.get(key):
                parts.append(f"{key}={json.dumps(details[key], ensure_ascii=False)}")
        return " ".join(p for p in parts if p)


def canonical_json(content: Any) -> bytes:
    """The bytes that are hashed: sorted keys, no whitespace, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def content_hash(graph: CausalGraph) -> str:
    return hashlib.sha256(canonical_json(graph.model_dump(mode="json"))).hexdigest()


def utc(value: datetime) -> datetime:
    """Datetimes come back naive from SQLite; everything the store writes is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def now() -> datetime:
    return datetime.now(timezone.utc)
