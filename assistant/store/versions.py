"""Graph versions: create, save with optimistic concurrency, read, log, diff and revert.

How a save stays safe between processes
---------------------------------------
1. Lock the graph's row: ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite
   the transaction already holds the write lock (``BEGIN IMMEDIATE``).
2. Check that the head is the version the editor started from (``parent``);
   if not, raise :class:`ConflictError` with both diffs.  Nothing is written.
3. Insert the new version with number ``head + 1``.
4. Compare-and-swap the head: ``UPDATE graphs SET head_version_id = :new
   WHERE id = :graph AND head_version_id = :old``.  With the lock in step 1
   this always matches; the check is there so a locking mistake shows up as a
   conflict rather than as a lost update.

Saving content identical to the head is allowed and creates a version: the
author and message are part of the record (a re-review, a "confirmed" note).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from assistant.edit.diff import GraphDiff, diff_graphs
from assistant.errors import ConflictError, InputError, NotFoundError
from assistant.model import CausalGraph
from assistant.store import audit
from assistant.store.catalog import check_label, graph_row, insert_graph
from assistant.store.info import VersionInfo, content_hash, now, utc
from assistant.store.tables import graph_versions, graphs

_parent = graph_versions.alias("parent")
VERSION_QUERY = (select(graph_versions, _parent.c.number.label("parent_number"))
                 .outerjoin(_parent, _parent.c.id == graph_versions.c.parent_id))


#: The largest integer a database column holds (SQLite and PostgreSQL BIGINT); larger numbers cannot name a row.
MAX_SQL_INT = 2**63 - 1


def check_number(number: Any, what: str = "version") -> int:
    if isinstance(number, bool) or not isinstance(number, int) or abs(number) > MAX_SQL_INT:
        raise InputError(f"{what} must be a version number (1, 2, ...), not {number!r}")
    return number


def check_graph(graph: Any) -> CausalGraph:
    if not isinstance(graph, CausalGraph):
        raise InputError(f"expected a CausalGraph, not {type(graph).__name__}")
    return graph


def version_info(project: str, graph_name: str, row: Row[Any]) -> VersionInfo:
    return VersionInfo(project=project, graph_name=graph_name, number=row.number, parent=row.parent_number,
                       author=row.author, message=row.message, created_at=utc(row.created_at),
                       content_hash=row.content_hash, status=row.status,
                       content=row.content, id=row.id)


def version_row(conn: Connection, graph: Row[Any], project: str, number: int | None) -> Row[Any]:
    """The version ``number`` of ``graph`` (its head if None), with ``parent_number``."""
    query = VERSION_QUERY.where(graph_versions.c.graph_id == graph.id)
    if number is None:
        query = query.where(graph_versions.c.id == graph.head_version_id)
    else:
        query = query.where(graph_versions.c.number == check_number(number))
    row = conn.execute(query).first()
    if row is None:
        head = conn.execute(select(graph_versions.c.number)
                            .where(graph_versions.c.id == graph.head_version_id)).scalar_one()
        raise NotFoundError(f"graph {graph.name!r} in project {project!r} has no version {number}",
                            hint=f"its versions are 1 to {head}")
    return row


def _insert_version(conn: Connection, graph_id: int, number: int, parent_id: int | None, graph: CausalGraph,
                    author: str, message: str) -> int:
    check_label("author", author)
    if not isinstance(message, str):
        raise InputError(f"the message must be text, not {type(message).__name__}")
    result = conn.execute(insert(graph_versions).values(
        graph_id=graph_id, number=number, parent_id=parent_id, author=author, message=message,
        created_at=now(), content_hash=content_hash(graph), content=graph.model_dump(mode="json"),
        status="draft"))
    return int(result.inserted_primary_key[0])


def _move_head(conn: Connection, graph: Row[Any], new_id: int) -> None:
    """Compare-and-swap the head pointer; a mismatch means another writer got in (never expected)."""
    expected = (graphs.c.head_version_id.is_(None) if graph.head_version_id is None
                else graphs.c.head_version_id == graph.head_version_id)
    result = conn.execute(update(graphs).where(graphs.c.id == graph.id, expected).values(head_version_id=new_id))
    if result.rowcount != 1:
        raise ConflictError(f"the head of graph {graph.name!r} moved while saving; nothing was saved")


def _append(conn: Connection, project: str, graph: Row[Any], head: Row[Any], content: CausalGraph,
            author: str, message: str) -> VersionInfo:
    latest = conn.execute(select(func.max(graph_versions.c.number))
                          .where(graph_versions.c.graph_id == graph.id)).scalar_one()
    new_id = _insert_version(conn, graph.id, latest + 1, head.id, content, author, message)
    _move_head(conn, graph, new_id)
    row = conn.execute(VERSION_QUERY.where(graph_versions.c.id == new_id)).one()
    return version_info(project, graph.name, row)


def create_graph(conn: Connection, project: str, name: str, graph: CausalGraph, *, author: str,
                 message: str) -> VersionInfo:
    check_graph(graph)
    graph_id = insert_graph(conn, project, name, author)
    version_id = _insert_version(conn, graph_id, 1, None, graph, author, message)
    _move_head(conn, graph_row(conn, project, name), version_id)
    audit.record(conn, author, "graph.create", project=project, graph_name=name, version=1,
                 details={"message": message, "content_hash": content_hash(graph)})
    return version_info(project, name, conn.execute(VERSION_QUERY.where(graph_versions.c.id == version_id)).one())


def save_version(conn: Connection, project: str, graph_name: str, graph: CausalGraph, *, parent: int,
                 author: str, message: str) -> VersionInfo:
    check_graph(graph)
    check_number(parent, "parent")
    g = graph_row(conn, project, graph_name, for_update=True)
    head = version_row(conn, g, project, None)
    if parent != head.number:
        base = version_row(conn, g, project, parent)  # NotFoundError if there is no such version
        head_graph = CausalGraph.model_validate(head.content)
        concurrent = diff_graphs(CausalGraph.model_validate(base.content), head_graph)
        raise ConflictError(
            f"version {parent} of graph {graph_name!r} is no longer the head: version {head.number} was saved "
            f"since by {head.author} ({concurrent.summary()}); nothing was saved",
            head_version=head.number, parent_version=parent, diff=diff_graphs(head_graph, graph),
            concurrent_diff=concurrent)
    info = _append(conn, project, g, head, graph, author, message)
    audit.record(conn, author, "version.save", project=project, graph_name=graph_name, version=info.number,
                 details={"parent": parent, "message": message, "content_hash": info.content_hash})
    return info


def revert(conn: Connection, project: str, graph_name: str, to: int, *, author: str,
           message: str | None) -> VersionInfo:
    g = graph_row(conn, project, graph_name, for_update=True)
    target = version_row(conn, g, project, to)
    head = version_row(conn, g, project, None)
    content = CausalGraph.model_validate(target.content)
    if message is None:
        message = f"Revert to version {to}"
    info = _append(conn, project, g, head, content, author, message)
    audit.record(conn, author, "version.revert", project=project, graph_name=graph_name, version=info.number,
                 details={"parent": head.number, "to": to, "message": message, "content_hash": info.content_hash})
    return info


def get_version(conn: Connection, project: str, graph_name: str, number: int | None) -> VersionInfo:
    return version_info(project, graph_name, version_row(conn, graph_row(conn, project, graph_name), project, number))


def log(conn: Connection, project: str, graph_name: str) -> list[VersionInfo]:
    g = graph_row(conn, project, graph_name)
    rows = conn.execute(VERSION_QUERY.where(graph_versions.c.graph_id == g.id)
                        .order_by(graph_versions.c.number.desc()))
    return [version_info(project, graph_name, r) for r in rows]


def diff(conn: Connection, project: str, graph_name: str, a: int, b: int) -> GraphDiff:
    g = graph_row(conn, project, graph_name)
    old = CausalGraph.model_validate(version_row(conn, g, project, a).content)
    new = CausalGraph.model_validate(version_row(conn, g, project, b).content)
    return diff_graphs(old, new)
