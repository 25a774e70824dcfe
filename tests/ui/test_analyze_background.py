"""The Analyze page's background runs, with AppTest over a real Redis and real RQ workers.

Queue a run from the page, let a real worker run it (RQ's ``SimpleWorker`` in-process, or
``causal-assistant worker --burst`` as a subprocess when a running job must be stopped), and look
at it again from a new session: the list comes from the store.  With Redis down the page says why.
Without Redis at 127.0.0.1:6379 the Redis tests skip with the reason; ``CA_REQUIRE_SERVICES=1``
(CI) turns that into a failure (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from ui_helpers import keys, simple_worker, start, texts  # noqa: E402

from assistant.demo import GRAPH, PROJECT  # noqa: E402
from assistant.errors import PermissionDeniedError  # noqa: E402
from assistant.store import Store  # noqa: E402
from assistant.workspace import analyze, local_identity  # noqa: E402

DATASET = "record_sales"


@pytest.fixture
def url(sqlite_url, monkeypatch):
    """The store of the page and of the workers (they open it from DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


def prepare(at: AppTest, *, refuters: bool = False, simulations: int = 25) -> None:
    """The demo's only version is a draft: analyse it with the (recorded) override; refuters off is faster."""
    at.checkbox(key="allow_unvalidated").check().run()
    if not refuters:
        at.checkbox(key="analyze_refuters").uncheck().run()
    else:
        at.number_input(key="analyze_simulations").set_value(simulations).run()
    assert not at.exception, [e.value for e in at.exception]


def queue_from_page(at: AppTest) -> int:
    at.button(key="analyze_background").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (queued,) = [s.value for s in at.success if "Queued as run" in s.value]
    return int(queued.split("Queued as run ")[1].split(" ")[0])


def test_a_queued_run_is_run_by_a_worker_and_shown_like_a_run_now_in_any_session(url, queue_name, redis_conn):
    at = start("analyze")
    prepare(at)
    assert not at.button(key="analyze_background").disabled
    assert "No worker is running on queue" in texts(at)   # nobody would pick it up yet: the page says so
    run_id = queue_from_page(at)
    with Store.open(url) as s:
        run = s.get_analysis(run_id)
    assert (run.status, run.created_by, run.version) == ("running", "tester", 1)
    assert run.spec["allow_unvalidated"] is True and run.spec["background"]["dataset"] == DATASET
    assert f"run {run_id} · queued" in texts(at) and f"bg_cancel_{run_id}" in keys(at)
    assert "started by tester" in texts(at) and "Updates every" in texts(at)

    simple_worker(queue_name, redis_conn)

    at.run()   # this session's list polls: the run ended, so the page is drawn once more, with the result
    assert not at.exception, [e.value for e in at.exception]
    assert f"run {run_id} · succeeded" in texts(at) and f"bg_cancel_{run_id}" not in keys(at)
    assert "Updates every" not in texts(at)   # nothing queued or running: no more polling
    assert any(f"stored as run {run_id}" in s.value for s in at.success)

    other = start("analyze")   # a reload, or a colleague: the run comes from the store
    assert f"run {run_id} · succeeded" in texts(other) and "effect 0.8" in texts(other)
    other.button(key=f"bg_show_{run_id}").click().run()
    assert not other.exception, [e.value for e in other.exception]
    (header,) = [s.value for s in other.success if f"stored as run {run_id}" in s.value]
    assert header.startswith("Rung 2") and "v1" in header and "override recorded" in header
    (metric,) = other.metric   # the same rendering as a run now: the estimate, then the sensitivity reading
    assert abs(float(metric.value) - 0.8) < 0.15   # the demo SCM's true effect is 0.8
    assert "Sensitivity to an unmeasured confounder" in texts(other)
    other.button(key="background_hide").click().run()
    assert not other.metric


def test_a_failed_run_shows_its_stored_error(url, queue_name, redis_conn):
    at = start("analyze")
    prepare(at)
    at.selectbox(key="analyze_outcome").set_value("radio_play").run()   # exposure = outcome: the worker refuses
    run_id = queue_from_page(at)
    simple_worker(queue_name, redis_conn)
    at = start("analyze")
    with Store.open(url) as s:
        run = s.get_analysis(run_id)
    assert run.status == "failed" and run.error["message"]
    assert f"run {run_id} · failed" in texts(at)
    assert any(run.error["message"] in e.value for e in at.error)


def test_cancelling_a_queued_run_from_the_page_means_it_never_runs(url, queue_name, redis_conn):
    from rq.job import Job

    at = start("analyze")
    prepare(at)
    run_id = queue_from_page(at)
    at.button(key=f"bg_cancel_{run_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with Store.open(url) as s:
        run = s.get_analysis(run_id)
    assert run.status == "cancelled" and run.error["message"] == "cancelled by tester"
    job_id = run.spec["background"]["job_id"]
    assert Job.fetch(job_id, connection=redis_conn).get_status().value == "canceled"
    assert f"run {run_id} · cancelled" in texts(at) and "cancelled by tester" in texts(at)
    assert f"bg_cancel_{run_id}" not in keys(at)
    simple_worker(queue_name, redis_conn)   # a real worker finds nothing to run
    with Store.open(url) as s:
        assert s.get_analysis(run_id).status == "cancelled"


def test_cancelling_a_running_run_stops_the_worker(url, queue_name, redis_conn):
    from rq.job import Job

    at = start("analyze")
    prepare(at, refuters=True, simulations=500)   # minutes of bootstraps unless stopped
    run_id = queue_from_page(at)
    with Store.open(url) as s:
        job_id = s.get_analysis(run_id).spec["background"]["job_id"]
    env = {**os.environ, "DATABASE_URL": url, "CAUSAL_ASSISTANT_QUEUE": queue_name}
    worker = subprocess.Popen([sys.executable, "-m", "assistant.cli.main", "worker", "--burst"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        job = Job.fetch(job_id, connection=redis_conn)
        while job.get_status(refresh=True).value != "started" or "progress" not in job.get_meta(refresh=True):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never started the job"
            time.sleep(0.1)
        at.button(key="background_refresh").click().run()
        assert f"run {run_id} · running" in texts(at)
        assert [b for b in at.get("progress")]   # the worker's progress report, under the run
        at.button(key=f"bg_cancel_{run_id}").click().run()
        assert not at.exception, [e.value for e in at.exception]
        out, _ = worker.communicate(timeout=60)   # the work horse is stopped: no bootstraps to wait for
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    with Store.open(url) as s:
        run = s.get_analysis(run_id)
    assert run.status == "cancelled" and run.result is None, out
    assert f"run {run_id} · cancelled" in texts(at)


def seed_background_run(url: str) -> int:
    """A stored background run whose job no queue knows (as after the queue was emptied), in the demo project."""
    from assistant.analysis.spec import AnalysisSpec
    from assistant.demo import load_demo_project

    spec = AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", refuters=[], allow_unvalidated=True)
    payload = {**spec.model_dump(mode="json"),
               "background": {"job_id": f"ca-analysis-{uuid.uuid4().hex}", "queue": "elsewhere", "dataset": DATASET}}
    with Store.open(url) as s:
        load_demo_project(s)
        return s.start_analysis(PROJECT, GRAPH, 1, payload, author="ana").id


def test_with_redis_down_the_page_says_why_and_still_lists_the_stored_runs(url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", "redis://:s3cret-pw@127.0.0.1:1/0")
    run_id = seed_background_run(url)
    at = start("analyze")
    prepare(at)
    assert at.button(key="analyze_background").disabled
    (warning, stale) = [w.value for w in at.warning]
    assert warning.startswith("Running in the background is unavailable: cannot reach the job queue at "
                              "redis://:***@127.0.0.1:1/0")
    assert "What to do:** start Redis" in warning and "s3cret" not in texts(at)
    assert f"run {run_id} · running" in texts(at) and stale.startswith("Statuses not refreshed")
    at.button(key=f"bg_cancel_{run_id}").click().run()   # cannot reach the queue: nothing changes, and why
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot reach the job queue" in e.value for e in at.error)
    with Store.open(url) as s:
        assert s.get_analysis(run_id).status == "running" and len(s.list_analyses(PROJECT, GRAPH)) == 1


def test_a_reader_may_neither_queue_nor_cancel(url, tmp_path):
    Path(os.environ["CAUSAL_ASSISTANT_CONFIG"]).write_text('[users]\neditors = ["someone-else"]\n')
    run_id = seed_background_run(url)
    at = start("analyze")
    assert "roles: none" in texts(at)
    prepare(at)
    assert at.button(key="analyze_background").disabled
    assert at.button(key=f"bg_cancel_{run_id}").disabled
    assert "Running in the background: needs the editor or reviewer role" in texts(at)
    reader = local_identity()
    with Store.open(url) as s:   # the service layer refuses, whatever the page shows
        with pytest.raises(PermissionDeniedError):
            analyze.cancel_background(s, reader, run_id)
        with pytest.raises(PermissionDeniedError):
            analyze.analyze_in_background(s, reader, PROJECT, GRAPH, 1, DATASET, analyze.AnalysisSpec(
                exposure="radio_play", outcome="record_sales_6m"), allow_unvalidated=True)
        assert s.get_analysis(run_id).status == "running"


def test_the_list_polls_only_while_a_run_is_queued_or_running():
    assert analyze.poll_interval(True) == analyze.POLL_SECONDS > 0
    assert analyze.poll_interval(False) is None
