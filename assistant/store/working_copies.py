"""Working copies: one user's unsaved edits of one graph, on an open connection.

A working copy is *not* a version.  It is the content a user is editing, the
version the edit started from (the parent of the eventual save) and the
pending message, so that navigating away, reloading the page or a closed
browser loses nothing.  There is at most one per (graph, user); writing it
again replaces it, and saving or discarding deletes it.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from assistant.errors import InputError
from assistant.model import CausalGraph
from assistant.store import audit
from assistant.store.catalog import check_label, graph_row
from assistant.store.info import WorkingCopyInfo, content_hash, now, utc
from assistant.store.tables import graph_versions, working_copies
from assistant.store.versions import check_graph, version_row

_QUERY = (select(working_copies, graph_versions.c.number.label("base_number"))
          .join(graph_versions, graph_versions.c.id == working_copies.c.base_version_id))


def _info(project: str, graph_name: str, row: Row[Any]) -> WorkingCopyInfo:
    return WorkingCopyInfo(project=project, graph_name=graph_name, user=row.user_name, base_version=row.base_number,
                           graph=CausalGraph.model_validate(row.content), message=row.message,
                           updated_at=utc(row.updated_at))


def put_working_copy(conn: Connection, project: str, graph_name: str, user: str, graph: CausalGraph, *,
                     base_version: int, message: str = "") -> WorkingCopyInfo:
    check_graph(graph)
    check_label("user", user)
    if not isinstance(message, str):
        raise InputError(f"the message must be text, not {type(message).__name__}")
    g = graph_row(conn, project, graph_name)
    base = version_row(conn, g, project, base_version)
    values = dict(base_version_id=base.id, content=graph.model_dump(mode="json"), message=message,
                  updated_at=now())
    existing = conn.execute(select(working_copies.c.id).where(working_copies.c.graph_id == g.id,
                                                              working_copies.c.user_name == user)).first()
    if existing is None:
        conn.execute(insert(working_copies).values(graph_id=g.id, user_name=user, **values))
    else:
        conn.execute(update(working_copies).where(working_copies.c.id == existing.id).values(**values))
    audit.record(conn, user, "working_copy.put", project=project, graph_name=graph_name, version=base.number,
                 details={"content_hash": content_hash(graph), "message": message})
    return WorkingCopyInfo(project=project, graph_name=graph_name, user=user, base_version=base.number, graph=graph,
                           message=message, updated_at=values["updated_at"])


def get_working_copy(conn: Connection, project: str, graph_name: str, user: str) -> WorkingCopyInfo | None:
    g = graph_row(conn, project, graph_name)
    row = conn.execute(_QUERY.where(working_copies.c.graph_id == g.id, working_copies.c.user_name == user)).first()
    return None if row is None else _info(project, graph_name, row)


def discard_working_copy(conn: Connection, project: str, graph_name: str, user: str) -> bool:
    g = graph_row(conn, project, graph_name)
    result = conn.execute(delete(working_copies).where(working_copies.c.graph_id == g.id,
                                                       working_copies.c.user_name == user))
    if result.rowcount > 0:
        audit.record(conn, user, "working_copy.discard", project=project, graph_name=graph_name)
    return result.rowcount > 0
