"""Long analyses and drafts as background jobs on RQ over a real Redis, ended in the store exactly once.

Real workers: ``causal-assistant worker --burst`` as a subprocess (RQ's forking worker) and, for the
draft, RQ's ``SimpleWorker`` in-process.  Each test has its own queue.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from assistant.analysis.spec import AnalysisSpec, RefuterSpec
from assistant.cli.main import cli
from assistant.demo import GRAPH, PROJECT
from assistant.errors import AnalysisInputError, InvalidTransitionError, JobQueueUnavailableError
from assistant.jobs import (
    cancel_analysis, draft_status, enqueue_analysis, enqueue_draft, job_id_of, run_status, stored_draft_result,
)

DATASET = "record_sales"
X, Y = "radio_play", "record_sales_6m"


def spec(simulations: int = 10) -> AnalysisSpec:
    return AnalysisSpec(exposure=X, outcome=Y, refuters=[RefuterSpec(name="bootstrap", num_simulations=simulations)],
                        sensitivity=False)


def worker(database_url: str, queue: str, *extra: str, wait: bool = True) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "CAUSAL_ASSISTANT_QUEUE": queue}
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli.main", "worker", "--burst", *extra], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if wait:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out
    return process


def test_cli_background_analyses_are_run_by_a_worker_process_and_stored(store, database_url, queue_name, tmp_path):
    base = ["--database-url", database_url, "analyze", GRAPH, "--project", PROJECT, "--version", "1",
            "--allow-unvalidated", "-x", X, "-y", Y, "--no-sensitivity", "--background", "--format", "json"]
    result = CliRunner().invoke(cli, base + ["--dataset", DATASET, "--refuters", "bootstrap", "--simulations", "10"])
    assert result.exit_code == 0, result.output
    queued = json.loads(result.stdout)
    assert queued["status"] == "queued" and queued["queue"] == queue_name and queued["job_id"].startswith("ca-")
    run = store.get_analysis(queued["run_id"])
    assert run.status == "running" and job_id_of(run) == queued["job_id"]   # recorded before any worker runs

    # --data FILE: the same bytes as a stored dataset are reused; new bytes are stored for the workers
    same, part = tmp_path / "sales.csv", tmp_path / "part.csv"
    same.write_bytes(store.dataset_content(PROJECT, DATASET))
    part.write_text("".join(same.read_text().splitlines(keepends=True)[:1501]))
    from_files = [json.loads(CliRunner().invoke(cli, base + ["--refuters", "none", "--data", str(p)]).stdout)
                  for p in (same, part)]
    assert from_files[0]["dataset"] == DATASET and from_files[1]["dataset"].startswith("part-")

    worker(database_url, queue_name)   # one real `causal-assistant worker --burst` runs all three

    run, job_status = run_status(store, queued["run_id"])
    assert (run.status, job_status) == ("succeeded", "finished")
    assert abs(run.result["estimate"]["value"] - 0.8) < 0.15    # the demo SCM's true effect is 0.8
    assert [r["name"] for r in run.result["refutations"]] == ["bootstrap"]
    assert run.spec["allow_unvalidated"] is True and run.duration_seconds > 0
    assert [store.get_analysis(q["run_id"]).status for q in from_files] == ["succeeded", "succeeded"]
    assert store.get_analysis(from_files[1]["run_id"]).result["data"]["n_rows"] == 1500
    ends = [e.subject for e in store.audit_log(project=PROJECT) if e.action == "analysis.succeeded"]
    assert ends == [f"run {q['run_id']}" for q in [queued, *from_files]]
    status = CliRunner().invoke(cli, ["--database-url", database_url, "jobs", "status", str(run.id)])
    assert status.exit_code == 0 and "succeeded" in status.output and "finished" in status.output


def test_an_unvalidated_version_is_refused_and_the_refusal_is_stored(sqlite_store, queue_name):
    with pytest.raises(AnalysisInputError, match="not validated"):
        enqueue_analysis(sqlite_store, PROJECT, GRAPH, 1, DATASET, spec(), author="ana")
    (run,) = sqlite_store.list_analyses(PROJECT, GRAPH)
    assert run.status == "failed" and run.error["code"] == "analysis-input"
    assert job_id_of(run) is None  # nothing was queued, so the record names no job
    stored, job_status = run_status(sqlite_store, run.id)
    assert stored.status == "failed" and job_status is None


def test_a_cancelled_queued_job_never_runs(sqlite_store, sqlite_url, queue_name, redis_conn):
    from rq.job import Job

    queued = enqueue_analysis(sqlite_store, PROJECT, GRAPH, 1, DATASET, spec(), author="ana", allow_unvalidated=True)
    run = cancel_analysis(sqlite_store, queued.run_id, actor="rita")
    assert run.status == "cancelled" and "cancelled by rita" in run.error["message"]
    assert Job.fetch(queued.job_id, connection=redis_conn).get_status().value == "canceled"
    from rq import SimpleWorker

    SimpleWorker([queue_name], connection=redis_conn).work(burst=True)   # nothing to run: the job was cancelled
    assert sqlite_store.get_analysis(queued.run_id).status == "cancelled"
    with pytest.raises(InvalidTransitionError):   # an ended run is never changed again
        cancel_analysis(sqlite_store, queued.run_id, actor="rita")


def test_cancelling_a_running_job_stops_the_worker_and_the_run_stays_cancelled(sqlite_store, sqlite_url, queue_name,
                                                                              redis_conn):
    from rq.job import Job

    queued = enqueue_analysis(sqlite_store, PROJECT, GRAPH, 1, DATASET, spec(simulations=5000), author="ana",
                              allow_unvalidated=True)
    process = worker(sqlite_url, queue_name, wait=False)
    try:
        deadline = time.monotonic() + 60
        job = Job.fetch(queued.job_id, connection=redis_conn)
        while job.get_status(refresh=True).value != "started" or "progress" not in job.get_meta(refresh=True):
            assert time.monotonic() < deadline and process.poll() is None, "the worker never started the job"
            time.sleep(0.1)
        cancel_analysis(sqlite_store, queued.run_id, actor="rita")
        out, _ = process.communicate(timeout=60)   # the work horse is killed: no 5000 bootstraps to wait for
    finally:
        if process.poll() is None:
            process.kill()
    run, job_status = run_status(sqlite_store, queued.run_id)
    assert run.status == "cancelled" and run.result is None, out
    assert job_status in ("stopped", "failed", "canceled")


def test_a_job_that_died_without_ending_its_run_is_mapped_to_failed(sqlite_store, queue_name, redis_conn):
    from rq.job import Job, JobStatus

    queued = enqueue_analysis(sqlite_store, PROJECT, GRAPH, 1, DATASET, spec(), author="ana", allow_unvalidated=True)
    job = Job.fetch(queued.job_id, connection=redis_conn)
    job.set_status(JobStatus.FAILED)   # what RQ records when a worker is killed or the job times out
    run, job_status = run_status(sqlite_store, queued.run_id)
    assert (run.status, job_status) == ("failed", "failed")
    assert "without a result" in run.error["message"]


def test_nothing_is_written_when_the_queue_is_unreachable(sqlite_store, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", "redis://:s3cret-pw@127.0.0.1:1/0")
    counts = sqlite_store.row_counts()
    with pytest.raises(JobQueueUnavailableError) as info:
        enqueue_analysis(sqlite_store, PROJECT, GRAPH, 1, DATASET, spec(), author="ana", allow_unvalidated=True)
    assert "s3cret" not in str(info.value) and "***" in str(info.value)
    assert sqlite_store.row_counts() == counts


def test_a_draft_on_the_full_data_runs_as_a_job(sqlite_store, sqlite_url, queue_name, redis_conn, monkeypatch):
    from rq import SimpleWorker

    from assistant.workspace.drafting import load_dataset, make_request

    loaded = load_dataset(sqlite_store, PROJECT, DATASET)
    request = make_request("Does radio airplay raise record sales?", loaded.profile, None, exposure=X, outcome=Y,
                           candidates=2)
    queued = enqueue_draft(sqlite_store, PROJECT, DATASET, request, author="ana", backend="offline")
    info, job_status = draft_status(sqlite_store, queued.draft_id)
    assert (info.status, job_status, info.job_id) == ("running", "queued", queued.job_id)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)   # the worker's own settings
    SimpleWorker([queue_name], connection=redis_conn).work(burst=True)
    info, job_status = draft_status(sqlite_store, queued.draft_id)
    assert (info.status, job_status) == ("succeeded", "finished") and info.error is None
    result = stored_draft_result(info)
    assert result.backend == "offline" and 1 <= len(result.candidates) <= 2
    assert {X, Y} <= set(result.candidates[0].graph.names)
