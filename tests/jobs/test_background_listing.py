"""Listing a graph's background analyses (what the Analyze page shows), over a real Redis and a real worker."""

from __future__ import annotations

import pytest

from assistant.analysis.spec import AnalysisSpec
from assistant.demo import GRAPH, PROJECT, load_demo_project
from assistant.jobs import enqueue_analysis, list_background_runs
from assistant.store import Store

DATASET = "record_sales"


@pytest.fixture
def store(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)   # the in-process worker opens the same store
    with Store.open(sqlite_url) as s:
        load_demo_project(s)
        yield s


def spec() -> AnalysisSpec:
    return AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", refuters=[], sensitivity=False)


def test_background_runs_are_listed_newest_first_and_reconciled_with_their_jobs(store, queue_name, redis_conn):
    from rq import SimpleWorker
    from rq.job import Job, JobStatus

    first, dead, last = (enqueue_analysis(store, PROJECT, GRAPH, 1, DATASET, spec(), author=who,
                                          allow_unvalidated=True) for who in ("ana", "ben", "rita"))
    foreground = store.start_analysis(PROJECT, GRAPH, 1, spec(), author="ana")   # not a background run: not listed
    listed = list_background_runs(store, PROJECT, GRAPH)
    assert [s.run.id for s in listed] == [last.run_id, dead.run_id, first.run_id]
    assert foreground.id not in [s.run.id for s in listed]
    assert [(s.phase, s.job_status, s.active) for s in listed] == [("queued", "queued", True)] * 3
    assert [s.run.created_by for s in listed] == ["rita", "ben", "ana"]
    assert [s.run.id for s in list_background_runs(store, PROJECT, GRAPH, limit=1)] == [last.run_id]

    Job.fetch(dead.job_id, connection=redis_conn).set_status(JobStatus.FAILED)   # as when a worker is killed
    not_asked = list_background_runs(store, PROJECT, GRAPH, refresh=False)   # Redis is not consulted
    assert [(s.phase, s.job_status) for s in not_asked] == [("running", None)] * 3
    listed = {s.run.id: s for s in list_background_runs(store, PROJECT, GRAPH)}
    assert (listed[dead.run_id].phase, listed[dead.run_id].job_status) == ("failed", "failed")
    assert "without a result" in listed[dead.run_id].run.error["message"]
    assert store.get_analysis(dead.run_id).status == "failed"   # the reconciliation is stored

    SimpleWorker([queue_name], connection=redis_conn).work(burst=True)
    listed = {s.run.id: s for s in list_background_runs(store, PROJECT, GRAPH)}
    assert listed[first.run_id].phase == listed[last.run_id].phase == "succeeded"
    assert listed[dead.run_id].phase == "failed"   # ended runs are never changed
    assert not any(s.active for s in listed.values()) and all(s.job_status is None for s in listed.values())
    assert listed[first.run_id].run.result["estimate"]["value"] == pytest.approx(0.8, abs=0.15)
