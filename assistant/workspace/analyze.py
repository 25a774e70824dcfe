"""Analyses from the UI: validated versions by default, an explicit override that is recorded, every run stored.

Mirrors the CLI's ``--project`` behaviour (:mod:`assistant.cli.analyze_command`):
the run is written to ``analysis_runs`` before the work starts; a refusal
(the version is not validated and no override was given) is itself stored
as a failed run; the override is stored in the spec (``allow_unvalidated``).

Background runs (:func:`analyze_in_background`, :func:`background_runs`, :func:`cancel_background`)
go through :mod:`assistant.jobs` (RQ over Redis): the run is stored when it is queued and ended by a
worker, so the list is read from the store (``analysis_runs``) and survives reloads and sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import pandas as pd

from assistant.analysis.prepare import data_sha256
from assistant.analysis.recording import run_recorded
from assistant.analysis.runner import CancelToken
from assistant.analysis.spec import AnalysisResult, AnalysisSpec, QueryResult, QuerySpec
from assistant.errors import AnalysisInputError, CausalAssistantError, JobQueueUnavailableError
from assistant.store import AnalysisRunInfo, Store, VersionInfo
from assistant.workspace.roles import Identity

if TYPE_CHECKING:
    from assistant.jobs import BackgroundRun, BackgroundRunState

# How often the page polls the queue while one of the graph's background runs is queued or running.
POLL_SECONDS = 3.0
# The background runs listed on the page (newest first).
BACKGROUND_LIST_LIMIT = 20
QUEUE_HINT = ("start Redis and at least one worker (causal-assistant worker), or set CAUSAL_ASSISTANT_REDIS_URL "
              "to the queue's Redis; meanwhile, run the analysis now")


def check_validated(info: VersionInfo, allow_unvalidated: bool) -> None:
    if info.status != "validated" and not allow_unvalidated:
        raise AnalysisInputError(
            f"version {info.number} of {info.graph_name!r} is {info.status.replace('_', ' ')}, not validated; "
            "analyses run on validated graphs by default",
            hint="have a reviewer validate it on the Review page, or tick 'analyse a version that is not "
                 "validated' (the override is recorded with the run)")


def analyze_version(store: Store, identity: Identity, project: str, graph: str, number: int, data: pd.DataFrame,
                    spec: AnalysisSpec, *, allow_unvalidated: bool = False,
                    progress: Callable[[str, float], None] | None = None,
                    cancel: CancelToken | None = None) -> tuple[AnalysisResult, int]:
    """Run and record an analysis of version ``number``; returns the result and the run id."""
    from assistant.analysis.runner import run_analysis

    identity.require_any("run analyses")
    info = store.get_version(project, graph, number)
    spec = spec.model_copy(update={"allow_unvalidated": allow_unvalidated})

    def work() -> AnalysisResult:
        check_validated(info, allow_unvalidated)
        return run_analysis(info.graph, data, spec, progress=progress, cancel=cancel)

    return run_recorded(store, project, graph, info.number, spec, author=identity.name,
                        data_sha256=data_sha256(data), work=work)


def query_version(store: Store, identity: Identity, project: str, graph: str, number: int, data: pd.DataFrame,
                  spec: QuerySpec, *, allow_unvalidated: bool = False) -> tuple[QueryResult, int]:
    """Run and record a rung-2/3 query of version ``number``.

    :class:`QuerySpec` has no override field, so a query of a non-validated
    version is recorded with the override in the run's spec JSON.
    """
    from assistant.analysis.queries import run_query

    identity.require_any("run analyses")
    info = store.get_version(project, graph, number)

    def work() -> QueryResult:
        check_validated(info, allow_unvalidated)
        return run_query(info.graph, data, spec)

    recorded = spec.model_dump(mode="json")
    if allow_unvalidated:
        recorded["allow_unvalidated"] = True
    return run_recorded(store, project, graph, info.number, recorded, author=identity.name,  # type: ignore[arg-type]
                        data_sha256=data_sha256(data), work=work)


def parse_do(text: str) -> tuple[dict[str, float], dict[str, float]]:
    """``radio_play=10, tiktok_use=*0.5`` -> (set values, scale factors)."""
    from assistant.analysis.queries import parse_interventions

    return parse_interventions(text.replace(";", ",").split(","))


# --- background runs (RQ) -----------------------------------------------------


def _ui_hint(err: JobQueueUnavailableError) -> JobQueueUnavailableError:
    """The same typed error (message unchanged, password masked), with what to do from the UI."""
    return JobQueueUnavailableError(err.message, hint=QUEUE_HINT)


def _connect():
    from assistant.jobs import connect

    try:
        return connect()
    except JobQueueUnavailableError as err:
        raise _ui_hint(err) from None


@dataclass(frozen=True)
class QueueState:
    """Whether background runs can be queued: the queue's name, its workers, or why it is unavailable."""

    queue: str
    problem: JobQueueUnavailableError | None = None
    workers: int = 0

    @property
    def available(self) -> bool:
        return self.problem is None


def queue_state() -> QueueState:
    """Ping the queue's Redis (and count its workers); never raises for an unreachable queue."""
    from assistant.jobs import queue_name, worker_count

    name = queue_name()
    try:
        connection = _connect()
    except JobQueueUnavailableError as err:
        return QueueState(queue=name, problem=err)
    from redis.exceptions import RedisError

    with connection:
        try:
            workers = worker_count(connection, name)
        except RedisError:  # Redis went away between the ping and the count
            workers = 0
    return QueueState(queue=name, workers=workers)


def analyze_in_background(store: Store, identity: Identity, project: str, graph: str, number: int, dataset: str,
                          spec: AnalysisSpec, *, allow_unvalidated: bool = False) -> "BackgroundRun":
    """Record a run of version ``number`` on stored dataset ``dataset`` and queue it for a worker.

    The same roles as running it now; a refusal (not validated, no override) is stored as a
    failed run, as in the foreground; nothing is stored when the queue is unreachable.
    """
    from assistant.jobs import enqueue_analysis

    identity.require_any("run analyses")
    with _connect() as connection:
        try:
            return enqueue_analysis(store, project, graph, number, dataset, spec, author=identity.name,
                                    allow_unvalidated=allow_unvalidated, connection=connection)
        except JobQueueUnavailableError as err:
            raise _ui_hint(err) from None


@dataclass(frozen=True)
class BackgroundRuns:
    """A graph's background runs, newest first; ``problem`` says why their status could not be refreshed."""

    runs: list["BackgroundRunState"]
    total: int
    problem: JobQueueUnavailableError | None = None

    @property
    def active(self) -> list["BackgroundRunState"]:
        return [r for r in self.runs if r.active]


def background_runs(store: Store, project: str, graph: str, *, limit: int = BACKGROUND_LIST_LIMIT) -> BackgroundRuns:
    """The graph's background runs from the store; the unfinished ones refreshed from their jobs.

    Redis is asked only while a listed run is unfinished.  When the queue is unreachable the stored
    statuses are returned as they are, with the reason.
    """
    from redis.exceptions import RedisError

    from assistant.jobs import job_id_of, list_background_runs
    from assistant.jobs.queue import safe_redis_url

    stored = [r for r in store.list_analyses(project, graph) if job_id_of(r) is not None]
    problem: JobQueueUnavailableError | None = None
    if any(r.status == "running" for r in stored[:limit]):  # else nothing to refresh: Redis is not asked
        try:
            with _connect() as connection:
                return BackgroundRuns(list_background_runs(store, project, graph, connection=connection,
                                                           limit=limit), len(stored))
        except JobQueueUnavailableError as err:
            problem = err
        except RedisError as exc:  # Redis went away mid-way
            problem = JobQueueUnavailableError(f"the job queue stopped answering: {safe_redis_url(str(exc))}",
                                               hint=QUEUE_HINT)
    return BackgroundRuns(list_background_runs(store, project, graph, refresh=False, limit=limit), len(stored),
                          problem)


def has_active_background_runs(store: Store, project: str, graph: str) -> bool:
    """Whether any background run of the graph is stored as unfinished (the store only, no Redis)."""
    from assistant.jobs import job_id_of

    return any(r.status == "running" and job_id_of(r) is not None for r in store.list_analyses(project, graph))


def poll_interval(active: bool) -> float | None:
    """Seconds between refreshes of the run list: only while a run is queued or running, else never."""
    return POLL_SECONDS if active else None


def cancel_background(store: Store, identity: Identity, run_id: int) -> AnalysisRunInfo:
    """Cancel a queued or running background run (the same roles as running one); an ended run is refused."""
    from assistant.jobs import cancel_analysis

    identity.require_any("cancel analyses")
    with _connect() as connection:
        return cancel_analysis(store, run_id, actor=identity.name, connection=connection)


def stored_result(run: AnalysisRunInfo) -> AnalysisResult:
    """The result of a succeeded run, as the model the foreground run returns."""
    if run.result is None:
        raise AnalysisInputError(f"analysis run {run.id} has no result ({run.status})")
    return AnalysisResult.model_validate(run.result)


def stored_error(run: AnalysisRunInfo) -> CausalAssistantError:
    """The typed error stored with a failed or cancelled run, to show as the foreground shows errors."""
    error = run.error or {}
    message = str(error.get("message") or f"analysis run {run.id} {run.status} without a stored error")
    hint = error.get("hint")
    err = CausalAssistantError(message, hint=str(hint) if hint else None)
    err.code = str(error.get("code") or "error")
    return err
