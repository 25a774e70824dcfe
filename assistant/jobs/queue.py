"""Enqueue, inspect and cancel background jobs on RQ; the stored run or draft job is the source of truth.

A background analysis is an ordinary stored run (``analysis_runs``) whose spec carries
``{"background": {"job_id", "queue", "dataset"}}``.  Its status is ``running`` from the moment
it is queued until the worker (or a canceller) ends it, exactly once, as for a run in the
foreground.  The job itself holds nothing but the run id and the job id.

A background draft is a stored draft job (``draft_jobs``) with the same life: ``running`` when
queued, ended exactly once (with its DraftResult or its error).  Its job holds the draft id and
the job id.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from assistant.errors import (
    AnalysisCancelledError, AnalysisFailedError, AnalysisInputError, InputError, InvalidTransitionError,
    JobQueueUnavailableError,
)

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

    from assistant.analysis.spec import AnalysisSpec
    from assistant.draft.result import DraftResult
    from assistant.draft.spec import DraftRequest
    from assistant.store import AnalysisRunInfo, DraftJobInfo, Store

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "causal-assistant"
DEFAULT_JOB_TIMEOUT_S = 3600
RESULT_TTL_S = 7 * 24 * 3600

# RQ job status -> stored analysis run status (None: the job is still waiting or working).
RUN_STATUS_OF_JOB: dict[str, str | None] = {
    "created": None, "queued": None, "deferred": None, "scheduled": None, "started": None,
    "finished": "succeeded", "failed": "failed", "stopped": "failed", "canceled": "cancelled",
}


def redis_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("CAUSAL_ASSISTANT_REDIS_URL") or DEFAULT_REDIS_URL


def queue_name(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("CAUSAL_ASSISTANT_QUEUE") or DEFAULT_QUEUE


def job_timeout(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    raw = env.get("CAUSAL_ASSISTANT_JOB_TIMEOUT") or str(DEFAULT_JOB_TIMEOUT_S)
    try:
        return max(1, int(raw))
    except ValueError:
        raise InputError(f"CAUSAL_ASSISTANT_JOB_TIMEOUT must be a number of seconds, not {raw!r}") from None


def safe_redis_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (in the user part or a ``?password=`` parameter)."""
    from assistant.store.db import mask_password

    return mask_password(url)


def connect(url: str | None = None) -> "Redis":
    """A checked connection to the queue's Redis; :class:`JobQueueUnavailableError` if it does not answer."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = url or redis_url()
    try:
        connection = Redis.from_url(url, socket_connect_timeout=3)
        connection.ping()
    except (RedisError, ValueError, OSError) as exc:
        raise JobQueueUnavailableError(
            f"cannot reach the job queue at {safe_redis_url(url)}: {safe_redis_url(str(exc))}",
            hint="start Redis, or set CAUSAL_ASSISTANT_REDIS_URL; without it, run the analysis in the "
                 "foreground (without --background)") from None
    return connection


def get_queue(connection: "Redis | None" = None, name: str | None = None) -> "Queue":
    from rq import Queue

    return Queue(name or queue_name(), connection=connection or connect(), default_timeout=job_timeout())


@dataclass(frozen=True)
class BackgroundRun:
    """A queued analysis: the stored run and the RQ job that will end it."""

    run_id: int
    job_id: str
    queue: str


def job_id_of(run: "AnalysisRunInfo") -> str | None:
    background = run.spec.get("background")
    return background.get("job_id") if isinstance(background, dict) else None  # type: ignore[return-value]


def enqueue_analysis(store: "Store", project: str, graph: str, version: int | None, dataset: str,
                     spec: "AnalysisSpec", *, author: str, allow_unvalidated: bool = False,
                     connection: "Redis | None" = None, queue: str | None = None) -> BackgroundRun:
    """Record a run of ``spec`` on version ``version`` (head if None) with a stored dataset, and queue it.

    As in the foreground, a version that is not validated is refused unless ``allow_unvalidated``
    (the refusal is stored as a failed run, the override in the spec).  Nothing is written when
    the queue is unreachable.
    """
    info = store.get_version(project, graph, version)
    data = store.get_dataset(project, dataset)
    q = get_queue(connection, queue)  # before writing anything
    job_id = f"ca-analysis-{uuid.uuid4().hex}"
    spec = spec.model_copy(update={"allow_unvalidated": allow_unvalidated})
    refused = info.status != "validated" and not allow_unvalidated
    # A refused run is recorded without a job id: no job was ever queued for it.
    background = {"queue": q.name, "dataset": dataset} if refused else {"job_id": job_id, "queue": q.name,
                                                                         "dataset": dataset}
    payload: dict[str, Any] = {**spec.model_dump(mode="json"), "background": background}
    run = store.start_analysis(project, graph, info.number, payload, author=author, data_sha256=data.content_hash)
    if refused:
        err = AnalysisInputError(
            f"version {info.number} of {graph!r} is {info.status.replace('_', ' ')}, not validated; analyses run "
            "on validated graphs by default",
            hint="have a reviewer validate it, or allow analysing an unvalidated version (recorded with the run)")
        store.fail_analysis(run.id, err)
        raise err
    from redis.exceptions import RedisError

    try:
        q.enqueue_call("assistant.jobs.tasks.run_analysis_job", args=(run.id, job_id), job_id=job_id,
                       timeout=job_timeout(), result_ttl=RESULT_TTL_S, failure_ttl=RESULT_TTL_S,
                       description=f"analysis run {run.id}: {project}/{graph} v{info.number}",
                       meta={"run_id": run.id, "project": project, "graph": graph, "version": info.number})
    except RedisError as exc:
        err2 = JobQueueUnavailableError(f"could not queue analysis run {run.id}: {safe_redis_url(str(exc))}")
        store.fail_analysis(run.id, err2)
        raise err2 from None
    return BackgroundRun(run_id=run.id, job_id=job_id, queue=q.name)


def _fetch(job_id: str, connection: "Redis"):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None


def run_status(store: "Store", run_id: int, *, connection: "Redis | None" = None
               ) -> tuple["AnalysisRunInfo", str | None]:
    """The stored run and its job's RQ status, after ending a run whose job died without ending it.

    A worker ends its run before its job finishes.  So a run still ``running`` whose job is
    ``failed``/``stopped`` (a killed worker, a timeout) or ``canceled`` is ended here as
    ``failed``/``cancelled``; the update is guarded, so it never overwrites an ended run.
    A job that Redis no longer knows leaves the run as it is (status ``None``).
    """
    run, status, _job = _reconcile(store, store.get_analysis(run_id), connection)
    return run, status


def _reconcile(store: "Store", run: "AnalysisRunInfo", connection: "Redis | None"):
    """:func:`run_status` on a run already read, also returning the RQ job (None if Redis does not know it)."""
    run_id = run.id
    job_id = job_id_of(run)
    if job_id is None:
        return run, None, None
    job = _fetch(job_id, connection or connect())
    if job is None:
        return run, None, None
    status = job.get_status(refresh=True)
    status = status.value if hasattr(status, "value") else str(status)
    mapped = RUN_STATUS_OF_JOB.get(status)
    if run.status == "running" and mapped in ("failed", "cancelled"):
        err: Exception = (AnalysisCancelledError("the background job was cancelled") if mapped == "cancelled"
                          else AnalysisFailedError(f"the background job ended ({status}) without a result",
                                                   hint="see the worker's log; the job may have timed out "
                                                        "(CAUSAL_ASSISTANT_JOB_TIMEOUT) or the worker was killed"))
        try:
            run = store.fail_analysis(run_id, err, cancelled=mapped == "cancelled")
        except InvalidTransitionError:  # the worker ended it meanwhile
            run = store.get_analysis(run_id)
    return run, status, job


def cancel_analysis(store: "Store", run_id: int, *, actor: str, connection: "Redis | None" = None
                    ) -> "AnalysisRunInfo":
    """Cancel a background analysis: the stored run becomes ``cancelled``, the job is cancelled or stopped.

    Raises :class:`InvalidTransitionError` if the run has already ended (it is never changed then).
    A worker checks the stored status between the analysis's steps, so even a job that cannot be
    stopped from outside (``SimpleWorker``) stops at the next step and never overwrites the status.
    """
    run = store.get_analysis(run_id)
    job_id = job_id_of(run)
    if job_id is None:
        raise InputError(f"analysis run {run_id} did not run in the background, so there is no job to cancel")
    connection = connection or connect()
    run = store.fail_analysis(run_id, AnalysisCancelledError(f"cancelled by {actor}"), cancelled=True)
    job = _fetch(job_id, connection)
    if job is not None:
        status = job.get_status(refresh=True)
        status = status.value if hasattr(status, "value") else str(status)
        if status in ("created", "queued", "deferred", "scheduled"):
            job.cancel()
        elif status == "started":
            from rq.command import send_stop_job_command

            try:
                send_stop_job_command(connection, job_id)
            except Exception:  # noqa: BLE001 - e.g. not a forking worker: the job stops at its next step
                pass
    return run


# --- listing (the UI's view of a graph's background runs) ---------------------

WAITING_JOB_STATUSES = ("created", "queued", "deferred", "scheduled")


@dataclass(frozen=True)
class BackgroundRunState:
    """A background analysis as a list shows it: the stored run, its job's RQ status, its last progress report.

    ``job_status`` is None when Redis was not asked (``refresh=False``), when the run has ended (its
    job no longer matters) or when Redis no longer knows the job.  ``progress`` is the worker's
    ``{"step": ..., "fraction": ...}`` while the job works.
    """

    run: "AnalysisRunInfo"
    job_status: str | None = None
    progress: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        """Not ended yet: queued or running (the stored status is ``running`` in both cases)."""
        return self.run.status == "running"

    @property
    def phase(self) -> str:
        """``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``."""
        if self.run.status != "running":
            return self.run.status
        return "queued" if self.job_status in WAITING_JOB_STATUSES else "running"


def list_background_runs(store: "Store", project: str, graph: str, *, refresh: bool = True,
                         connection: "Redis | None" = None, limit: int | None = None
                         ) -> list[BackgroundRunState]:
    """The background analyses of a graph (every version), newest first, at most ``limit``.

    With ``refresh`` each run still ``running`` is reconciled with its job as :func:`run_status`
    does (so a job that died is shown, and stored, as ``failed``); ended runs are read from the
    store only.  Without ``refresh`` Redis is not asked at all (e.g. it is unreachable).
    """
    runs = [r for r in store.list_analyses(project, graph) if job_id_of(r) is not None]
    if limit is not None:
        runs = runs[:limit]
    if refresh and any(r.status == "running" for r in runs):
        connection = connection or connect()
    states: list[BackgroundRunState] = []
    for run in runs:
        if not refresh or run.status != "running":
            states.append(BackgroundRunState(run=run))
            continue
        run, status, job = _reconcile(store, run, connection)
        progress = job.meta.get("progress") if job is not None and isinstance(job.meta, dict) else None
        states.append(BackgroundRunState(run=run, job_status=status,
                                         progress=progress if isinstance(progress, dict) else None))
    return states


def worker_count(connection: "Redis | None" = None, queue: str | None = None) -> int:
    """How many RQ workers listen on the queue now (0: queued runs wait until one starts)."""
    from rq import Queue, Worker

    connection = connection or connect()
    return Worker.count(connection=connection, queue=Queue(queue or queue_name(), connection=connection))


# --- drafts -----------------------------------------------------------------
#
# A background draft is a stored draft job (``draft_jobs``): recorded as ``running`` when it is queued,
# ended exactly once by the worker or a canceller, as for an analysis run.  The job holds its ids only.


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


def _job_status(job) -> str:
    status = job.get_status(refresh=True)
    return status.value if hasattr(status, "value") else str(status)


def _reconcile_draft(store: "Store", info: "DraftJobInfo", connection: "Redis | None"):
    """:func:`draft_status` on a draft job already read, also returning the RQ job (None if Redis does not know it)."""
    job = _fetch(info.job_id, connection or connect())
    if job is None:
        return info, None, None
    status = _job_status(job)
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
        job = _fetch(info.job_id, connection or connect())
        return info, (_job_status(job) if job is not None else None)
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
    job = _fetch(info.job_id, connection)
    if job is not None:
        status = _job_status(job)
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
