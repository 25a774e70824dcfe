"""Background jobs on RQ (Redis Queue): long analyses and drafts on large data, off the UI and the CLI.

Why RQ, and not a home-made runner, Celery, Dask or Dramatiq: see ``docs/deployment.md``.

* :func:`enqueue_analysis` records the analysis run in the store (``running``: queued or working),
  then enqueues :func:`assistant.jobs.tasks.run_analysis_job` with only ids in the job (no data, no
  secrets: the worker reads the version, the spec and the dataset from the shared store).
* :func:`enqueue_draft` records a draft job in the store (``draft_jobs``: who, when, project, dataset,
  request) and enqueues :func:`assistant.jobs.tasks.run_draft_job` (structure search, or an LLM draft,
  on every row of a stored dataset); the worker stores the :class:`~assistant.draft.result.DraftResult`
  or the error with the draft job.  :func:`draft_status`, :func:`cancel_draft` and
  :func:`list_background_drafts` do for drafts what the functions below do for analyses.
* :func:`run_status` maps the RQ job's status to the stored run's (queued/started → ``running``,
  finished → ``succeeded``, failed/stopped → ``failed``, canceled → ``cancelled``) and ends a stored
  run whose job died without ending it (a killed worker).
* :func:`list_background_runs` lists a graph's background analyses (newest first), the running ones
  reconciled with their jobs as :func:`run_status` does, with the worker's last progress report.
* :func:`cancel_analysis` marks the run ``cancelled`` (guarded: exactly one of the canceller and the
  worker ends it), then cancels the queued job or stops the running one.
* The worker is ``causal-assistant worker`` (``rq``'s :class:`~rq.Worker` on our queue).

Configuration: ``CAUSAL_ASSISTANT_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``),
``CAUSAL_ASSISTANT_QUEUE`` (default ``causal-assistant``), ``CAUSAL_ASSISTANT_JOB_TIMEOUT``
(seconds, default 3600).  Workers need the same ``DATABASE_URL`` as the UI.
"""

from assistant.jobs.analysis_jobs import (
    BackgroundRun, BackgroundRunState, cancel_analysis, enqueue_analysis, job_id_of, list_background_runs, run_status,
)
from assistant.jobs.draft_jobs import (
    BackgroundDraft, BackgroundDraftState, cancel_draft, draft_status, enqueue_draft, list_background_drafts,
    stored_draft_result,
)
from assistant.jobs.queue import (
    DEFAULT_QUEUE, DEFAULT_REDIS_URL, connect, get_queue, queue_name, redis_url, worker_count,
)

__all__ = ["BackgroundDraft", "BackgroundDraftState", "BackgroundRun", "BackgroundRunState", "DEFAULT_QUEUE",
           "DEFAULT_REDIS_URL", "cancel_analysis", "cancel_draft", "connect", "draft_status", "enqueue_analysis",
           "enqueue_draft", "get_queue", "job_id_of", "list_background_drafts", "list_background_runs", "queue_name",
           "redis_url", "run_status", "stored_draft_result", "worker_count"]
