"""What the store hands out: plain, immutable pydantic records (never ORM objects)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

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
    """One immutable version of a graph; ``parent`` is the number it was edited from (None for v1)."""

    project: str
    graph_name: str
    number: int
    parent: int | None
    author: str
    message: str
    created_at: datetime
    content_hash: str
    status: VersionStatus
    graph: CausalGraph


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
