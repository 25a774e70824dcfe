"""The audit log: who changed what, and when (``audit_log``, migration 0006).

Every function of the store that writes calls :func:`record` on the same
connection, inside the same transaction as the change itself: the entry is
committed with the change or rolled back with it, so the log never claims a
change that did not happen and never misses one that did.  Entries are only
ever inserted.

Actions (``<thing>.<verb>``): ``project.create``, ``dataset.add``,
``graph.create``, ``version.save``, ``version.revert``, ``version.status``,
``review.comment``, ``working_copy.put``, ``working_copy.discard``,
``critique.record``, ``analysis.start``, ``analysis.succeeded``,
``analysis.failed``, ``analysis.cancelled``, ``draft.queue``, ``draft.succeeded``, ``draft.failed``,
``draft.cancelled``.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from assistant.errors import InputError
from assistant.store.info import AuditEntryInfo, now, utc
from assistant.store.tables import audit_log

ACTIONS = ("project.create", "dataset.add", "graph.create", "version.save", "version.revert", "version.status",
           "review.comment", "working_copy.put", "working_copy.discard", "critique.record", "analysis.start",
           "analysis.succeeded", "analysis.failed", "analysis.cancelled", "draft.queue", "draft.succeeded",
           "draft.failed", "draft.cancelled")


def record(conn: Connection, actor: str, action: str, *, project: str | None = None, graph_name: str | None = None,
           version: int | None = None, subject: str | None = None, details: dict[str, Any] | None = None) -> None:
    """Append one entry (in the caller's transaction)."""
    if action not in ACTIONS:  # a programming error: every writer names its action here
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(insert(audit_log).values(created_at=now(), actor=actor, action=action, project=project,
                                          graph_name=graph_name, version=version, subject=subject,
                                          details=details or None))


def _info(row: Row[Any]) -> AuditEntryInfo:
    return AuditEntryInfo(id=row.id, created_at=utc(row.created_at), actor=row.actor, action=row.action,
                          project=row.project, graph_name=row.graph_name, version=row.version, subject=row.subject,
                          details=row.details)


def list_entries(conn: Connection, *, project: str | None = None, graph_name: str | None = None,
                 actor: str | None = None, since: datetime | None = None, limit: int | None = None
                 ) -> list[AuditEntryInfo]:
    """Entries oldest first, optionally for one project (and graph), one actor, or since a time."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InputError(f"limit must be a positive whole number, not {limit!r}")
    query = select(audit_log)
    if project is not None:
        query = query.where(audit_log.c.project == project)
    if graph_name is not None:
        query = query.where(audit_log.c.graph_name == graph_name)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if since is not None:
        query = query.where(audit_log.c.created_at >= since)
    if limit is not None:  # the newest `limit`, still returned oldest first
        inner = query.order_by(audit_log.c.id.desc()).limit(limit).subquery()
        rows = conn.execute(select(inner).order_by(inner.c.id))
    else:
        rows = conn.execute(query.order_by(audit_log.c.id))
    return [_info(r) for r in rows]
