"""Background analyses: a stored run (``analysis_runs``) whose spec carries ``{"background": {"job_id",
"queue", "dataset"}}``.  Its status is ``running`` from the moment it is queued until the worker (or a
canceller) ends it, exactly once, as for a run in the foreground.  The job holds the run id and the job id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import (
    AnalysisCancelledError, AnalysisFailedError, AnalysisInputError, InputError, InvalidTransitionError,
    JobQueueUnavailableError,
)
from assistant.jobs.queue import (
    RESULT_TTL_S, RUN_STATUS_OF_JOB, WAITING_JOB_STATUSES, connect, fetch_job, get_queue, job_timeout, safe_redis_url,
)

if TYPE_CHECKING:
    from redis import Redis

    from assistant.analysis.spec import AnalysisSpec
    from assistant.store import AnalysisRunInfo, Store


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
    job = fetch_job(job_id, connection or connect())
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
    job = fetch_job(job_id, connection)
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
