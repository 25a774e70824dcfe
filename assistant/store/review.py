"""The review lifecycle of a version, and its audit trail of review events.

::

    draft --request_review--> in_review --approve--> validated
      ^                          |
      +-------withdraw-----------+--reject--> rejected

``validated`` and ``rejected`` are final for that version: to change a graph
after review, save a new version (which starts as ``draft``).  Every status
change records a review event with the matching action; comments are
recorded with :func:`add_review_event`.  Only the ``status`` column of a
version ever changes after it is written.
"""

from __future__ import annotations

from typing import Any, get_args

from sqlalchemy import Connection, Row, insert, select, update

from assistant.errors import InputError, InvalidTransitionError
from assistant.store import audit
from assistant.store.catalog import check_label, graph_row
from assistant.store.info import ReviewAction, ReviewEventInfo, VersionInfo, VersionStatus, now, utc
from assistant.store.tables import graph_versions, graphs, review_events
from assistant.store.versions import VERSION_QUERY, check_number, version_info, version_row

TRANSITIONS: dict[tuple[str, str], ReviewAction] = {
    ("draft", "in_review"): "request_review",
    ("in_review", "validated"): "approve",
    ("in_review", "rejected"): "reject",
    ("in_review", "draft"): "withdraw",
}
STATUS_ACTIONS = frozenset(TRANSITIONS.values()) | {"status_change"}
"""Actions that only :func:`set_status` records, so the trail always matches the status."""


def allowed_from(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def set_status(conn: Connection, project: str, graph_name: str, number: int, status: str, *, actor: str,
               comment: str) -> VersionInfo:
    if status not in get_args(VersionStatus):
        raise InvalidTransitionError(f"unknown status {status!r}; statuses are {', '.join(get_args(VersionStatus))}")
    check_label("actor", actor)
    g = graph_row(conn, project, graph_name)
    check_number(number)
    locked = (select(graph_versions.c.id, graph_versions.c.status)
              .where(graph_versions.c.graph_id == g.id, graph_versions.c.number == number).with_for_update())
    row = conn.execute(locked).first()
    if row is None:
        version_row(conn, g, project, number)  # raises NotFoundError with the range of versions
    current = row.status
    action = TRANSITIONS.get((current, status))
    if action is None:
        options = allowed_from(current)
        allowed = (f"from {current!r} it can go to {', '.join(map(repr, options))}" if options
                   else f"{current!r} is final; save a new version to change the graph")
        raise InvalidTransitionError(
            f"cannot change version {number} of graph {graph_name!r} from {current!r} to {status!r}: {allowed}")
    result = conn.execute(update(graph_versions)
                          .where(graph_versions.c.id == row.id, graph_versions.c.status == current)
                          .values(status=status))
    if result.rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
        raise InvalidTransitionError(f"the status of version {number} changed while updating it")
    _insert_event(conn, row.id, action, actor, comment, None)
    audit.record(conn, actor, "version.status", project=project, graph_name=graph_name, version=number,
                 details={"action": action, "from": current, "to": status, "comment": comment})
    return version_info(project, graph_name, conn.execute(VERSION_QUERY.where(graph_versions.c.id == row.id)).one())


def _insert_event(conn: Connection, version_id: int, action: str, actor: str, comment: str,
                  subject: str | None) -> Any:
    if not isinstance(comment, str):
        raise InputError(f"the comment must be text, not {type(comment).__name__}")
    values = dict(version_id=version_id, actor=actor, action=action, comment=comment, subject=subject,
                  created_at=now())
    conn.execute(insert(review_events).values(**values))
    return values


def add_review_event(conn: Connection, project: str, graph_name: str, number: int, action: str, *, actor: str,
                     comment: str, subject: str | None) -> ReviewEventInfo:
    if action not in get_args(ReviewAction):
        raise InputError(f"unknown review action {action!r}; actions are {', '.join(get_args(ReviewAction))}")
    if action in STATUS_ACTIONS:
        raise InputError(f"{action!r} changes the review status; use set_status so the status and the trail agree",
                         hint="add_review_event records comments")
    check_label("actor", actor)
    if subject is not None and not isinstance(subject, str):
        raise InputError(f"the subject must be text, not {type(subject).__name__}")
    g = graph_row(conn, project, graph_name)
    row = version_row(conn, g, project, number)
    values = _insert_event(conn, row.id, action, actor, comment, subject)
    audit.record(conn, actor, "review.comment", project=project, graph_name=graph_name, version=row.number,
                 subject=subject, details={"action": action, "comment": comment})
    return ReviewEventInfo(project=project, graph_name=graph_name, version=row.number, actor=actor,
                           action=action, comment=comment, subject=subject,  # type: ignore[arg-type]
                           created_at=values["created_at"])


def _event_info(project: str, graph_name: str, row: Row[Any]) -> ReviewEventInfo:
    return ReviewEventInfo(project=project, graph_name=graph_name, version=row.number, actor=row.actor,
                           action=row.action, comment=row.comment, subject=row.subject,
                           created_at=utc(row.created_at))


def list_review_events(conn: Connection, project: str, graph_name: str,
                       number: int | None) -> list[ReviewEventInfo]:
    """Events oldest first, for one version or (``number=None``) for every version of the graph."""
    g = graph_row(conn, project, graph_name)
    query = (select(review_events, graph_versions.c.number)
             .join(graph_versions, graph_versions.c.id == review_events.c.version_id)
             .join(graphs, graphs.c.id == graph_versions.c.graph_id)
             .where(graphs.c.id == g.id))
    if number is not None:
        query = query.where(graph_versions.c.id == version_row(conn, g, project, number).id)
    rows = conn.execute(query.order_by(review_events.c.created_at, review_events.c.id))
    return [_event_info(project, graph_name, r) for r in rows]
