"""Where exchanges are logged: the :class:`ExchangeSink` protocol, and an in-memory sink.

:class:`~assistant.store.Store` is an ``ExchangeSink`` (its
``record_exchange`` / ``find_cached`` methods write and read the
``llm_exchanges`` table), so ``LLMClient(model, settings, sink=store)`` logs
to the database.  Without a sink the client keeps its exchanges in a
:class:`MemorySink` for its own lifetime.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from assistant.errors import InputError
from assistant.store.info import ExchangeRecord, now


@dataclass(frozen=True)
class ExchangeContext:
    """What a request is for; recorded with every exchange it causes.

    ``purpose`` defaults to the template name; ``version_id`` is a graph
    version's database id (``VersionInfo.id``).
    """

    purpose: str | None = None
    project: str | None = None
    graph_name: str | None = None
    version_id: int | None = None

    def __post_init__(self) -> None:
        for name, limit in (("purpose", 64), ("project", 200), ("graph_name", 200)):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > limit):
                raise InputError(f"ExchangeContext.{name} must be non-empty text of at most {limit} characters")
        if self.version_id is not None and (isinstance(self.version_id, bool) or not isinstance(self.version_id, int)):
            raise InputError("ExchangeContext.version_id must be a graph version's database id (an int)")


@runtime_checkable
class ExchangeSink(Protocol):
    def record_exchange(self, record: ExchangeRecord) -> int:
        """Store ``record``; return its id."""
        ...

    def find_cached(self, request_hash: str) -> ExchangeRecord | None:
        """The most recent exchange with ``request_hash`` whose answer validated, or None."""
        ...


class MemorySink:
    """An :class:`ExchangeSink` in a list (tests, and clients without a database)."""

    def __init__(self) -> None:
        self.records: list[ExchangeRecord] = []
        self._lock = threading.Lock()

    def record_exchange(self, record: ExchangeRecord) -> int:
        with self._lock:
            stored = record.model_copy(update={"id": len(self.records) + 1,
                                               "created_at": record.created_at or now()})
            self.records.append(stored)
            return stored.id  # type: ignore[return-value]

    def find_cached(self, request_hash: str) -> ExchangeRecord | None:
        with self._lock:
            for record in reversed(self.records):
                if record.request_hash == request_hash and record.error is None and record.parsed is not None:
                    return record
        return None

    def list_exchanges(self, *, limit: int = 50, project: str | None = None,
                       template: str | None = None) -> list[ExchangeRecord]:
        with self._lock:
            rows = [r for r in reversed(self.records)
                    if (project is None or r.project == project) and (template is None or r.template_name == template)]
        return rows[:limit]


def request_hash(request: dict[str, Any]) -> str:
    """sha256 of the request's canonical JSON (sorted keys, no whitespace)."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()  # a model may answer lone surrogates
