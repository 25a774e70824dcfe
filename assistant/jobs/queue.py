"""The job queue itself: where Redis is, the RQ queue, fetching a job and its status, counting workers.

Background analyses are in :mod:`assistant.jobs.analysis_jobs`, background drafts in
:mod:`assistant.jobs.draft_jobs`; in both, the stored row (``analysis_runs``, ``draft_jobs``) is the
source of truth and the RQ job holds nothing but ids.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Mapping

from assistant.errors import InputError, JobQueueUnavailableError

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "causal-assistant"
DEFAULT_JOB_TIMEOUT_S = 3600
RESULT_TTL_S = 7 * 24 * 3600

# RQ job status -> stored analysis run status (None: the job is still waiting or working).
RUN_STATUS_OF_JOB: dict[str, str | None] = {
    "created": None, "queued": None, "deferred": None, "scheduled": None, "started": None,
    "finished": "succeeded", "failed": "failed", "stopped": "failed", "canceled": "cancelled",
}
WAITING_JOB_STATUSES = ("created", "queued", "deferred", "scheduled")


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


def fetch_job(job_id: str, connection: "Redis"):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None


def job_status(job) -> str:
    status = job.get_status(refresh=True)
    return status.value if hasattr(status, "value") else str(status)


def worker_count(connection: "Redis | None" = None, queue: str | None = None) -> int:
    """How many RQ workers listen on the queue now (0: queued runs wait until one starts)."""
    from rq import Queue, Worker

    connection = connection or connect()
    return Worker.count(connection=connection, queue=Queue(queue or queue_name(), connection=connection))

