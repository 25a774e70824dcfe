"""Background drafts: a stored draft job (``draft_jobs``), recorded as ``running`` when it is queued and
ended exactly once (with its DraftResult or its error) by the worker or a canceller, as for an analysis
run.  The job holds the draft id and the job id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import AnalysisCancelledError, InputError, InvalidTransitionError, JobQueueUnavailableError
from assistant.jobs.queue import (
    RESULT_TTL_S, RUN_STATUS_OF_JOB, WAITING_JOB_STATUSES, connect, fetch_job, get_queue, job_status, job_timeout,
    safe_redis_url,
)

if TYPE_CHECKING:
    from redis import Redis

    from assistant.draft.result import DraftResult
    from assistant.draft.spec import DraftRequest
    from assistant.store import DraftJobInfo, Store


@dataclass(frozen=True)
class BackgroundDraft:
    """A queued draft: the stored draft job and the RQ job that will end it."""

    draft_id: int
    job_id: str
    queue: str


def enqueue_draft(store: "Store", project: str, dataset: str, request: "DraftRequest", *, author: str,
                  backend: str = "offline", graph_name: str | None = None, alpha: float | None = None,
                  cache: bool = True, connection: "Redis | None" = None, queue: str | None = None) -> BackgroundDraft:
    """Record a draft on every row of stored ``dataset`` (``running``: queued), then queue it for a worker.

    Nothing is written when the queue is unreachable; a failure to queue after the draft job was
    recorded ends it as ``failed`` with the reason.
    """
    store.get_dataset(project, dataset)  # NotFoundError now, not in the worker
    q = get_queue(connection, queue)  # before writing anything
    job_id = f"ca-draft-{uuid.uuid4().hex}"
    options: dict[str, Any] = {"cache": bool(cache)}
    if alpha is not None:
        options["alpha"] = float(alpha)
    info = store.start_draft(project, dataset, request, author=author, backend=backend, job_id=job_id, queue=q.name,
                             graph_name=graph_name, options=options)
    from redis.exceptions import RedisError

    try:
        q.enqueue_call("assistant.jobs.tasks.run_draft_job", args=(info.id, job_id), job_id=job_id,
                       timeout=job_timeout(), result_ttl=RESULT_TTL_S, failure_ttl=RESULT_TTL_S,
                       description=f"draft {info.id} ({backend}) on {project}/{dataset}: {info.n_rows} rows",
                       meta={"draft_id": info.id, "project": project, "dataset": dataset})
    except RedisError as exc:
        err = JobQueueUnavailableError(f"could not queue draft {info.id}: {safe_redis_url(str(exc))}")
        store.fail_draft(info.id, err)
        raise err from None
    return BackgroundDraft(draft_id=info.id, job_id=job_id, queue=q.name)


def _reconcile_draft(store: "Store", info: "DraftJobInfo", connection: "Redis | None"):
    """:func:`draft_status` on a draft job already read, also returning the RQ job (None if Redis does not know it)."""
    job = fetch_job(info.job_id, connection or connect())
    if job is None:
        return info, None, None
    status = job_status(job)
    mapped = RUN_STATUS_OF_JOB.get(status)
    if info.status == "running" and mapped in ("failed", "cancelled"):
        from assistant.errors import DraftFailedError

        err: Exception = (AnalysisCancelledError("the background job was cancelled") if mapped == "cancelled"
                          else DraftFailedError(f"the background job ended ({status}) without a result",
                                                hint="see the worker's log; the job may have timed out "
                                                     "(CAUSAL_ASSISTANT_JOB_TIMEOUT) or the worker was killed"))
        try:
            info = store.fail_draft(info.id, err, cancelled=mapped == "cancelled")
        except InvalidTransitionError:  # the worker ended it meanwhile
            info = store.get_draft(info.id)
    return info, status, job


def draft_status(store: "Store", draft_id: int, *, connection: "Redis | None" = None
                 ) -> tuple["DraftJobInfo", str | None]:
    """The stored draft job and its RQ job's status, after ending a draft job whose RQ job died without ending it.

    As :func:`run_status` for analyses: a draft job still ``running`` whose job is ``failed``/``stopped``
    or ``canceled`` is ended here (guarded, so an ended draft job is never overwritten); a job Redis
    no longer knows leaves it as it is (status ``None``).
    """
    info = store.get_draft(draft_id)
    if info.status != "running":
        job = fetch_job(info.job_id, connection or connect())
        return info, (job_status(job) if job is not None else None)
    info, status, _job = _reconcile_draft(store, info, connection)
    return info, status


def cancel_draft(store: "Store", draft_id: int, *, actor: str, connection: "Redis | None" = None) -> "DraftJobInfo":
    """Cancel a background draft: the stored draft job becomes ``cancelled``, the job is cancelled or stopped.

    Raises :class:`InvalidTransitionError` if the draft job has already ended (it is never changed then).
    A draft cannot be interrupted between steps, so on a ``SimpleWorker`` a running draft finishes its
    work, but its result is discarded: the cancellation stands.
    """
    store.get_draft(draft_id)  # NotFoundError before touching the queue
    connection = connection or connect()
    info = store.fail_draft(draft_id, AnalysisCancelledError(f"cancelled by {actor}"), cancelled=True)
    job = fetch_job(info.job_id, connection)
    if job is not None:
        status = job_status(job)
        if status in WAITING_JOB_STATUSES:
            job.cancel()
        elif status == "started":
            from rq.command import send_stop_job_command

            try:
                send_stop_job_command(connection, info.job_id)
            except Exception:  # noqa: BLE001 - e.g. not a forking worker: its result is discarded
                pass
    return info


@dataclass(frozen=True)
class BackgroundDraftState:
    """A background draft as a list shows it: the stored draft job, its RQ status, its last progress report."""

    draft: "DraftJobInfo"
    job_status: str | None = None
    progress: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        return self.draft.status == "running"

    @property
    def phase(self) -> str:
        """``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``."""
        if self.draft.status != "running":
            return self.draft.status
        return "queued" if self.job_status in WAITING_JOB_STATUSES else "running"


def list_background_drafts(store: "Store", project: str, *, refresh: bool = True, connection: "Redis | None" = None,
                           limit: int | None = None) -> list[BackgroundDraftState]:
    """The project's background drafts, newest first, at most ``limit``; unfinished ones reconciled with their jobs.

    Without ``refresh`` Redis is not asked at all (e.g. it is unreachable).
    """
    drafts = store.list_drafts(project, limit=limit)
    if refresh and any(d.status == "running" for d in drafts):
        connection = connection or connect()
    states: list[BackgroundDraftState] = []
    for info in drafts:
        if not refresh or info.status != "running":
            states.append(BackgroundDraftState(draft=info))
            continue
        info, status, job = _reconcile_draft(store, info, connection)
        progress = job.meta.get("progress") if job is not None and isinstance(job.meta, dict) else None
        states.append(BackgroundDraftState(draft=info, job_status=status,
                                           progress=progress if isinstance(progress, dict) else None))
    return states


def stored_draft_result(info: "DraftJobInfo") -> "DraftResult":
    """The DraftResult of a succeeded draft job, as the model a draft in the foreground returns."""
    from assistant.draft.result import DraftResult

    if info.result is None:
        raise InputError(f"draft {info.id} has no result ({info.status})",
                         hint="only a succeeded draft has candidates" if info.status != "running"
                         else "wait until it has finished (causal-assistant jobs status draft-ID)")
    return DraftResult.model_validate(info.result)
