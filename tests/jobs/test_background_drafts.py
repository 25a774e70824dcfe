"""Background drafts from the command line, over a real Redis and real RQ workers, stored in the store.

``propose --project P --dataset D --background`` stores the draft job and queues it;
``causal-assistant worker --burst`` (a subprocess, RQ's forking worker) or RQ's ``SimpleWorker``
(in-process) runs it; ``jobs status|cancel draft-N``, ``jobs drafts`` and ``jobs save-draft`` read
and act on the stored draft job.  Each test has its own queue; the Redis tests skip without Redis
(``CA_REQUIRE_SERVICES=1`` turns that into a failure).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.demo import PROJECT
from assistant.errors import EXIT_OK, JobQueueUnavailableError
from assistant.jobs import draft_status, enqueue_draft

DATASET = "record_sales"
QUESTION = "Does radio airplay raise record sales?"
X, Y = "radio_play", "record_sales_6m"


def cli_run(url: str, *args: str):
    result = CliRunner().invoke(cli, ["--database-url", url, *args])
    return result


def propose_background(url: str, *extra: str) -> dict:
    result = cli_run(url, "propose", "--project", PROJECT, "--dataset", DATASET, "--background", "-q", QUESTION,
                     "-x", X, "-y", Y, "-k", "2", "--graph", "from-all-rows", "--format", "json", *extra)
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


def worker_process(url: str, queue: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "CAUSAL_ASSISTANT_QUEUE": queue}
    process = subprocess.run([sys.executable, "-m", "assistant.cli.main", "worker", "--burst"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert process.returncode == 0, process.stdout
    return process.stdout


def simple_worker(url: str, queue: str, redis_conn, monkeypatch) -> None:
    from rq import SimpleWorker

    monkeypatch.setenv("DATABASE_URL", url)   # the job opens the store from the worker's settings
    SimpleWorker([queue], connection=redis_conn).work(burst=True)


def test_cli_round_trip_queue_work_status_and_save_with_provenance(store, database_url, queue_name):
    queued = propose_background(database_url, "--alpha", "0.01")
    assert queued["status"] == "queued" and queued["queue"] == queue_name and queued["n_rows"] == 2000
    assert queued["id"] == f"draft-{queued['draft_id']}" and queued["job_id"].startswith("ca-draft-")
    info = store.get_draft(queued["draft_id"])   # stored before any worker runs: a reload finds it
    assert (info.status, info.created_by, info.dataset, info.graph_name) == ("running", "tester", DATASET,
                                                                           "from-all-rows")
    assert info.request["question"] == QUESTION and info.options["alpha"] == 0.01
    assert store.list_graphs(PROJECT)[0].name != "from-all-rows"   # nothing saved yet

    listed = json.loads(cli_run(database_url, "jobs", "drafts", "--project", PROJECT, "--format", "json").stdout)
    assert [(d["id"], d["status"], d["rows"], d["by"]) for d in listed] == [(queued["id"], "queued", 2000, "tester")]
    save_early = cli_run(database_url, "jobs", "save-draft", queued["id"])
    assert save_early.exit_code != 0 and "has no result (running)" in save_early.output

    worker_process(database_url, queue_name)   # a real `causal-assistant worker --burst`

    status = cli_run(database_url, "jobs", "status", queued["id"], "--format", "json")
    assert status.exit_code == EXIT_OK, status.output
    payload = json.loads(status.stdout)
    assert (payload["draft"]["status"], payload["job_status"]) == ("succeeded", "finished")
    candidates = payload["draft"]["result"]["candidates"]
    assert 1 <= len(candidates) <= 2 and payload["draft"]["duration_seconds"] > 0
    text = cli_run(database_url, "jobs", "status", queued["id"]).output
    assert f"draft {queued['draft_id']}: succeeded" in text and "candidate 1:" in text and "save-draft" in text

    saved = cli_run(database_url, "jobs", "save-draft", queued["id"], "--format", "json")   # --graph: as queued
    assert saved.exit_code == EXIT_OK, saved.output
    out = json.loads(saved.stdout)
    assert (out["graph"], out["version"], out["candidate"]) == ("from-all-rows", 1, 1)
    version = store.get_version(PROJECT, "from-all-rows")
    assert version.author == "tester" and version.status == "draft"
    assert version.message == (f"draft from the offline assistant (candidate 1 of {len(candidates)}, background "
                               f"draft {queued['draft_id']} on all 2,000 rows of {DATASET})")
    graph = version.graph
    assert graph.edges and {e.provenance for e in graph.edges} <= {"data", "expert"}   # as propose --project saves
    assert all(e.rationale and e.evidence for e in graph.edges if e.provenance == "data")
    assert graph.metadata.extra["dataset"] == DATASET and graph.metadata.question.text == QUESTION
    assert {(e.source, e.target) for e in graph.edges} == {(e["source"], e["target"])
                                                           for e in candidates[0]["graph"]["edges"]}

    again = cli_run(database_url, "jobs", "save-draft", str(queued["draft_id"]), "--graph", "from-all-rows",
                    "--candidate", str(len(candidates)), "-m", "the other one")
    assert again.exit_code == EXIT_OK and "v2" in again.output
    assert store.get_version(PROJECT, "from-all-rows").message == "the other one"
    actions = [e.action for e in store.audit_log(project=PROJECT) if e.action.startswith("draft.")]
    assert actions == ["draft.queue", "draft.succeeded"]


def test_cancelling_a_queued_draft_means_it_never_runs(sqlite_store, sqlite_url, queue_name, redis_conn, monkeypatch):
    from rq.job import Job

    queued = propose_background(sqlite_url)
    cancel = cli_run(sqlite_url, "jobs", "cancel", queued["id"], "--format", "json")
    assert cancel.exit_code == EXIT_OK, cancel.output
    info = sqlite_store.get_draft(queued["draft_id"])
    assert info.status == "cancelled" and info.error["message"] == "cancelled by tester"
    assert Job.fetch(queued["job_id"], connection=redis_conn).get_status().value == "canceled"
    simple_worker(sqlite_url, queue_name, redis_conn, monkeypatch)   # nothing to run: the job was cancelled
    assert sqlite_store.get_draft(queued["draft_id"]).status == "cancelled"
    twice = cli_run(sqlite_url, "jobs", "cancel", queued["id"])
    assert twice.exit_code != 0 and "already ended (cancelled)" in twice.output
    status = cli_run(sqlite_url, "jobs", "status", queued["id"])
    assert "cancelled" in status.output and "cancelled by tester" in status.output


def test_a_failing_draft_records_its_error(sqlite_store, sqlite_url, queue_name, redis_conn, monkeypatch,
                                           clean_llm_env):
    queued = propose_background(sqlite_url, "--backend", "openai")   # the worker has no LLM endpoint
    simple_worker(sqlite_url, queue_name, redis_conn, monkeypatch)
    info, job_status = draft_status(sqlite_store, queued["draft_id"])
    assert (info.status, job_status) == ("failed", "failed") and info.result is None
    assert info.error["code"] == "llm-not-configured" and info.error["message"]
    assert info.duration_seconds is not None
    text = cli_run(sqlite_url, "jobs", "status", queued["id"]).output
    assert "failed" in text and "llm-not-configured" in text
    assert [e.action for e in sqlite_store.audit_log(project=PROJECT)][-1] == "draft.failed"


def test_a_draft_whose_job_died_is_mapped_to_failed(sqlite_store, sqlite_url, queue_name, redis_conn):
    from rq.job import Job, JobStatus

    queued = propose_background(sqlite_url)
    Job.fetch(queued["job_id"], connection=redis_conn).set_status(JobStatus.FAILED)   # a killed worker, a timeout
    info, job_status = draft_status(sqlite_store, queued["draft_id"])
    assert (info.status, job_status) == ("failed", "failed") and "without a result" in info.error["message"]


def test_nothing_is_stored_when_the_queue_is_unreachable(sqlite_store, sqlite_url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", "redis://:s3cret-pw@127.0.0.1:1/0")
    counts = sqlite_store.row_counts()
    result = cli_run(sqlite_url, "propose", "--project", PROJECT, "--dataset", DATASET, "--background", "-q", QUESTION)
    assert result.exit_code == JobQueueUnavailableError.exit_code and "s3cret" not in result.output
    assert sqlite_store.row_counts() == counts


def test_propose_refuses_inconsistent_data_options_and_drafts_a_stored_dataset_in_the_foreground(sqlite_store,
                                                                                                  sqlite_url):
    no_data = cli_run(sqlite_url, "propose", "-q", QUESTION)
    assert no_data.exit_code == 1 and "give the data" in no_data.output
    no_project = cli_run(sqlite_url, "propose", "--dataset", DATASET, "-q", QUESTION)
    assert no_project.exit_code == 1 and "need --project" in no_project.output
    no_dataset = cli_run(sqlite_url, "propose", "x.csv", "--project", PROJECT, "--background", "-q", QUESTION)
    assert no_dataset.exit_code == 1 and "--background drafts on a stored dataset" in no_dataset.output
    assert "data add x.csv" in no_dataset.output
    bad_ref = cli_run(sqlite_url, "jobs", "status", "drafty")
    assert bad_ref.exit_code == 1 and "neither an analysis run id" in bad_ref.output

    now = cli_run(sqlite_url, "propose", "--project", PROJECT, "--dataset", DATASET, "-q", QUESTION, "-k", "1",
                  "--graph", "now", "--format", "json")   # foreground: drafts and saves, as with DATA.csv
    assert now.exit_code == EXIT_OK, now.output
    assert json.loads(now.stdout)["saved"] == {"project": PROJECT, "graph": "now", "version": 1}
    assert sqlite_store.list_drafts(PROJECT) == []


def test_enqueue_draft_checks_the_dataset_before_touching_the_queue(sqlite_store, monkeypatch):
    from assistant.draft.spec import DraftRequest
    from assistant.errors import NotFoundError

    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(NotFoundError, match="no dataset named 'nope'"):
        enqueue_draft(sqlite_store, PROJECT, "nope", DraftRequest(question="q", variables=[]), author="ana")
