"""``causal-assistant worker`` (an RQ worker on our queue) and ``causal-assistant jobs status|cancel RUN``."""

from __future__ import annotations

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit

QUEUE_OPTION = click.option("--queue", "queue", default=None, envvar="CAUSAL_ASSISTANT_QUEUE",
                            help="Queue name (default: causal-assistant).")
REDIS_OPTION = click.option("--redis-url", default=None, envvar="CAUSAL_ASSISTANT_REDIS_URL",
                            help="Redis URL (default: redis://127.0.0.1:6379/0).")


@click.command("worker")
@QUEUE_OPTION
@REDIS_OPTION
@click.option("--burst", is_flag=True, help="Exit once the queue is empty (tests, cron).")
@click.option("--simple", is_flag=True, help="Run jobs in the worker process instead of a forked child "
              "(no hard stop of a running job; cancellation then happens at the next step).")
@pass_app
def worker(app: AppContext, queue: str | None, redis_url: str | None, burst: bool, simple: bool) -> None:
    """Run background jobs (long analyses, drafts on large data) from the queue: RQ's worker on Redis.

    The worker reads and writes the same store as the UI (DATABASE_URL); start as many as you like,
    on as many machines as you like.
    """
    import os

    from rq import SimpleWorker, Worker

    from assistant.jobs import connect, queue_name
    from assistant.jobs import redis_url as default_redis_url
    from assistant.jobs.queue import safe_redis_url

    if app.database_url:  # --database-url: the jobs open the store from the environment
        os.environ["DATABASE_URL"] = app.database_url
    url = redis_url or default_redis_url()
    connection = connect(url)
    name = queue or queue_name()
    cls = SimpleWorker if simple else Worker
    click.echo(f"causal-assistant worker on queue {name!r} at {safe_redis_url(url)}{' (burst)' if burst else ''}",
               err=True)
    cls([name], connection=connection).work(burst=burst, with_scheduler=False)


@click.group("jobs")
def jobs() -> None:
    """Inspect and cancel background analyses (causal-assistant analyze --background)."""


def _run_text(payload: dict) -> str:
    run = payload["run"]
    line = f"analysis run {run['id']}: {run['status']} (job {payload['job_id']}: {payload['job_status'] or 'unknown'})"
    if run.get("error"):
        line += f"\n  {run['error'].get('code')}: {run['error'].get('message')}"
    if run.get("result") and run["result"].get("estimate"):
        est = run["result"]["estimate"]
        line += f"\n  estimate {est.get('value')} [{est.get('ci_low')}, {est.get('ci_high')}]"
    return line


@jobs.command("status")
@click.argument("run_id", type=int)
@REDIS_OPTION
@FORMAT_OPTION
@pass_app
def jobs_status(app: AppContext, run_id: int, redis_url: str | None, output_format: str) -> None:
    """The stored status of background analysis RUN_ID, reconciled with its job's."""
    from assistant.jobs import connect, job_id_of, run_status

    run, job_status = run_status(app.store(), run_id, connection=connect(redis_url))
    emit({"run": run.model_dump(mode="json"), "job_id": job_id_of(run), "job_status": job_status}, output_format,
         _run_text)


@jobs.command("cancel")
@click.argument("run_id", type=int)
@REDIS_OPTION
@FORMAT_OPTION
@pass_app
def jobs_cancel(app: AppContext, run_id: int, redis_url: str | None, output_format: str) -> None:
    """Cancel background analysis RUN_ID (queued or running); an ended run is never changed."""
    from assistant.jobs import cancel_analysis, connect, job_id_of

    run = cancel_analysis(app.store(), run_id, actor=app.author, connection=connect(redis_url))
    emit({"run": run.model_dump(mode="json"), "job_id": job_id_of(run), "job_status": "canceled"}, output_format,
         _run_text)
