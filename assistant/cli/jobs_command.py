"""``causal-assistant worker`` (an RQ worker on our queue) and ``causal-assistant jobs ...``.

``jobs status|cancel ID`` take an analysis run id (``12``) or a draft id (``draft-4``);
``jobs drafts --project P`` lists a project's background drafts and ``jobs save-draft draft-4
--graph NAME`` saves a finished draft's candidate as a new version.
"""

from __future__ import annotations

import re

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table
from assistant.errors import InputError

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
    """Inspect and cancel background jobs: analyses (analyze --background) and drafts (propose --background).

    ID is an analysis run id (12) or a draft id (draft-4), as the --background command printed it.
    """


# ASCII digits only: str.isdigit() is also true for "²" or "٣", which int() refuses or reads unexpectedly.
_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_job_ref(ref: str) -> tuple[str, int]:
    """``12`` -> ("analysis", 12); ``draft-4`` (or ``d4``) -> ("draft", 4)."""
    text = ref.strip().lower()
    kind = "analysis"
    for prefix in ("draft-", "draft", "d"):
        if text.startswith(prefix) and _DIGITS.fullmatch(text[len(prefix):]):
            kind, text = "draft", text[len(prefix):]
            break
    if not _DIGITS.fullmatch(text):
        raise InputError(f"{ref!r} is neither an analysis run id (e.g. 12) nor a draft id (e.g. draft-4)")
    return kind, int(text)


def _draft_id(ref: str) -> int:
    """A draft id: ``draft-4`` (as printed), ``d4`` or plain ``4``."""
    _kind, number = parse_job_ref(ref if not _DIGITS.fullmatch(ref.strip()) else f"draft-{ref.strip()}")
    return number


def _draft_text(payload: dict) -> str:
    d = payload["draft"]
    line = (f"draft {d['id']}: {d['status']} (job {d['job_id']}: {payload['job_status'] or 'unknown'})\n"
            f"  {d['backend']} assistant on all {d['n_rows']:,} rows of {d['project']}/{d['dataset']}, "
            f"queued by {d['created_by']} at {d['created_at']}"
            + (f", took {d['duration_seconds']:.1f} s" if d.get("duration_seconds") is not None else ""))
    if d.get("error"):
        line += f"\n  {d['error'].get('code')}: {d['error'].get('message')}"
    result = d.get("result")
    if result:
        for cand in result.get("candidates") or []:
            edges = ", ".join(f"{e['source']} -> {e['target']}" for e in cand["graph"].get("edges") or [])
            line += f"\n  candidate {cand['rank']}: {edges or '(no edges)'}"
        line += f"\n  save one with: causal-assistant jobs save-draft draft-{d['id']} --graph NAME [--candidate K]"
    return line


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
@click.argument("job_ref", metavar="ID")
@REDIS_OPTION
@FORMAT_OPTION
@pass_app
def jobs_status(app: AppContext, job_ref: str, redis_url: str | None, output_format: str) -> None:
    """The stored status of background analysis ID (12) or draft ID (draft-4), reconciled with its job's."""
    from assistant.jobs import connect, draft_status, job_id_of, run_status

    kind, number = parse_job_ref(job_ref)
    if kind == "draft":
        info, job_status = draft_status(app.store(), number, connection=connect(redis_url))
        emit({"draft": info.model_dump(mode="json"), "job_id": info.job_id, "job_status": job_status}, output_format,
             _draft_text)
        return
    run, job_status = run_status(app.store(), number, connection=connect(redis_url))
    emit({"run": run.model_dump(mode="json"), "job_id": job_id_of(run), "job_status": job_status}, output_format,
         _run_text)


@jobs.command("cancel")
@click.argument("job_ref", metavar="ID")
@REDIS_OPTION
@FORMAT_OPTION
@pass_app
def jobs_cancel(app: AppContext, job_ref: str, redis_url: str | None, output_format: str) -> None:
    """Cancel background analysis ID (12) or draft ID (draft-4), queued or running; an ended one is never changed."""
    from assistant.jobs import cancel_analysis, cancel_draft, connect, job_id_of

    kind, run_id = parse_job_ref(job_ref)
    if kind == "draft":
        info = cancel_draft(app.store(), run_id, actor=app.author, connection=connect(redis_url))
        emit({"draft": info.model_dump(mode="json"), "job_id": info.job_id, "job_status": "canceled"},
             output_format, _draft_text)
        return
    run = cancel_analysis(app.store(), run_id, actor=app.author, connection=connect(redis_url))
    emit({"run": run.model_dump(mode="json"), "job_id": job_id_of(run), "job_status": "canceled"}, output_format,
         _run_text)


@jobs.command("drafts")
@click.option("--project", required=True, help="The project whose background drafts to list.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--no-refresh", is_flag=True, help="Show the stored statuses without asking the queue.")
@REDIS_OPTION
@FORMAT_OPTION
@pass_app
def jobs_drafts(app: AppContext, project: str, limit: int, no_refresh: bool, redis_url: str | None,
                output_format: str) -> None:
    """The project's background drafts (propose --background, or the Draft page), newest first."""
    from assistant.jobs import connect, list_background_drafts

    store = app.store()
    refresh = not no_refresh and any(d.status == "running" for d in store.list_drafts(project, limit=limit))
    states = list_background_drafts(store, project, refresh=refresh, limit=limit,
                                    connection=connect(redis_url) if refresh else None)
    rows = [{"id": f"draft-{s.draft.id}", "status": s.phase, "dataset": s.draft.dataset, "rows": s.draft.n_rows,
             "backend": s.draft.backend, "by": s.draft.created_by, "queued_at": s.draft.created_at.isoformat(),
             "job_status": s.job_status} for s in states]
    emit(rows, output_format, lambda r: table(
        [[x["id"], x["status"], x["dataset"], f"{x['rows']:,}", x["backend"], x["by"], x["queued_at"][:19]]
         for x in r], ["id", "status", "dataset", "rows", "backend", "by", "queued"]) if r
        else f"no background drafts in {project!r}")


@jobs.command("save-draft")
@click.argument("draft_ref", metavar="DRAFT_ID")
@click.option("--graph", "graph_name", default=None,
              help="The graph to save into (a new version; version 1 if new). Default: the graph named when queued.")
@click.option("--candidate", "rank", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Which candidate (1 is the best).")
@click.option("--message", "-m", default=None, help="The version message (default: the draft's provenance).")
@FORMAT_OPTION
@pass_app
def jobs_save_draft(app: AppContext, draft_ref: str, graph_name: str | None, rank: int, message: str | None,
                    output_format: str) -> None:
    """Save a candidate of finished background draft DRAFT_ID (draft-4) as a new draft version.

    The version records where it came from, as `propose --project` does: the backend and the candidate in
    the message (with the draft id, the dataset and its rows), each edge's provenance and evidence, and the
    question and dataset in the graph's metadata.
    """
    from assistant.workspace.drafting import save_background_candidate

    draft_id = _draft_id(draft_ref)
    store = app.store()
    info = store.get_draft(draft_id)
    name = graph_name or info.graph_name or "draft"
    saved = save_background_candidate(store, draft_id, name, rank, author=app.author, message=message)
    payload = {"draft_id": draft_id, "project": info.project, "graph": saved.graph_name, "version": saved.number,
               "candidate": rank, "message": saved.message}
    emit(payload, output_format, lambda p: (
        f"saved candidate {rank} of draft {draft_id} as {p['project']}/{p['graph']} v{p['version']}: {p['message']}"))
