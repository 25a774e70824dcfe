"""Stored draft jobs: drafts on every row of a stored dataset, queued for a background worker (``draft_jobs``).

A draft job is inserted as ``running`` when it is queued (who, when, the project,
the dataset and its row count, the request, the backend, the RQ job and queue), so
it can be found again after a reload, from another session or another replica.  It
is moved exactly once to ``succeeded`` with its DraftResult, or to ``failed`` /
``cancelled`` with its error.  A draft job that has ended is never changed again.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from assistant.errors import AlreadyExistsError, InputError, InvalidTransitionError, NotFoundError
from assistant.store import audit
from assistant.store.analyses import _check_duration, _json, error_record
from assistant.store.catalog import _dataset_row, check_label, project_row
from assistant.store.info import DraftJobInfo, now, utc
from assistant.store.tables import datasets, draft_jobs, projects
from assistant.store.versions import MAX_SQL_INT

ENDED = ("succeeded", "failed", "cancelled")
BACKENDS = ("offline", "openai", "hybrid")

_QUERY = (select(draft_jobs, projects.c.name.label("project_name"), datasets.c.name.label("dataset_name"))
          .join(projects, projects.c.id == draft_jobs.c.project_id)
          .join(datasets, datasets.c.id == draft_jobs.c.dataset_id))


def _info(row: Row[Any]) -> DraftJobInfo:
    return DraftJobInfo(
        id=row.id, project=row.project_name, dataset=row.dataset_name, created_at=utc(row.created_at),
        created_by=row.created_by, status=row.status, backend=row.backend, graph_name=row.graph_name,
        request=json.loads(row.request), options=json.loads(row.options), job_id=row.job_id, queue=row.queue,
        n_rows=row.n_rows,
        data_sha256=row.data_sha256, result=None if row.result is None else json.loads(row.result),
        error=None if row.error is None else json.loads(row.error), duration_seconds=row.duration_seconds)


def _check_id(draft_id: Any) -> int:
    if isinstance(draft_id, bool) or not isinstance(draft_id, int) or abs(draft_id) > MAX_SQL_INT:
        raise InputError(f"a draft job id is a whole number, not {draft_id!r}")
    return draft_id


def start_draft(conn: Connection, project: str, dataset: str, request: Any, *, author: str, backend: str,
                job_id: str, queue: str, graph_name: str | None = None,
                options: dict[str, Any] | None = None) -> DraftJobInfo:
    check_label("author", author)
    check_label("job id", job_id)
    check_label("queue name", queue)
    if graph_name is not None:
        check_label("graph name", graph_name)
    if backend not in BACKENDS:
        raise InputError(f"unknown drafting backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    payload = _json(request, "request")
    options_json = _json(dict(options or {}), "options")
    pid = project_row(conn, project).id
    if conn.execute(select(draft_jobs.c.id).where(draft_jobs.c.job_id == job_id)).first() is not None:
        raise AlreadyExistsError(f"a draft job with job id {job_id!r} is already stored",
                                 hint="every queued job has an id of its own")
    data = _dataset_row(conn, project, dataset, [datasets.c.id, datasets.c.profile, datasets.c.content_hash])
    n_rows = int((data.profile or {}).get("n_rows") or 0)
    new_id = conn.execute(insert(draft_jobs).values(
        project_id=pid, dataset_id=data.id, created_at=now(), created_by=author, status="running", backend=backend,
        graph_name=graph_name, request=payload, options=options_json, job_id=job_id, queue=queue, n_rows=n_rows,
        data_sha256=data.content_hash).returning(draft_jobs.c.id)).scalar_one()
    info = get_draft(conn, int(new_id))
    audit.record(conn, author, "draft.queue", project=project, graph_name=graph_name, subject=f"draft {info.id}",
                 details={"dataset": dataset, "n_rows": n_rows, "backend": backend, "job_id": job_id,
                          "data_sha256": data.content_hash})
    return info


def _end(conn: Connection, draft_id: int, values: dict[str, Any]) -> DraftJobInfo:
    current = get_draft(conn, draft_id)
    if current.status in ENDED:
        raise InvalidTransitionError(f"draft job {draft_id} already ended ({current.status}); draft jobs are never "
                                     "changed once they end")
    done = conn.execute(update(draft_jobs).where(draft_jobs.c.id == draft_id, draft_jobs.c.status == "running")
                        .values(**values))
    if done.rowcount != 1:  # another writer ended it between our read and our update
        raise InvalidTransitionError(f"draft job {draft_id} was ended concurrently")
    ended = get_draft(conn, draft_id)
    details: dict[str, Any] = {"duration_seconds": ended.duration_seconds}
    if ended.error is not None:
        details["error"] = ended.error.get("code")
    audit.record(conn, ended.created_by, f"draft.{ended.status}", project=ended.project, graph_name=ended.graph_name,
                 subject=f"draft {draft_id}", details=details)
    return ended


def finish_draft(conn: Connection, draft_id: int, result: Any, *,
                 duration_seconds: float | None = None) -> DraftJobInfo:
    values = {"status": "succeeded", "result": _json(result, "result"),
              "duration_seconds": _check_duration(duration_seconds)}
    return _end(conn, _check_id(draft_id), values)


def fail_draft(conn: Connection, draft_id: int, error: Any, *, cancelled: bool = False,
               duration_seconds: float | None = None) -> DraftJobInfo:
    values = {"status": "cancelled" if cancelled else "failed", "error": _json(error_record(error), "error"),
              "duration_seconds": _check_duration(duration_seconds)}
    return _end(conn, _check_id(draft_id), values)


def list_drafts(conn: Connection, project: str, *, limit: int | None = None) -> list[DraftJobInfo]:
    """The project's draft jobs, newest first (at most ``limit``)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InputError(f"limit must be a positive whole number, not {limit!r}")
    pid = project_row(conn, project).id
    query = _QUERY.where(draft_jobs.c.project_id == pid).order_by(draft_jobs.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_info(row) for row in conn.execute(query)]


def count_drafts(conn: Connection, project: str) -> int:
    from sqlalchemy import func

    pid = project_row(conn, project).id
    return int(conn.execute(select(func.count()).select_from(draft_jobs).where(draft_jobs.c.project_id == pid))
               .scalar_one())


def get_draft(conn: Connection, draft_id: int) -> DraftJobInfo:
    row = conn.execute(_QUERY.where(draft_jobs.c.id == _check_id(draft_id))).first()
    if row is None:
        raise NotFoundError(f"no stored draft job with id {draft_id}")
    return _info(row)
