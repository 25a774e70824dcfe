"""Analysis runs are stored against the graph version they used, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from analysis_helpers import fast

from assistant.analysis import AnalysisSpec
from assistant.analysis.prepare import data_sha256
from assistant.analysis.recording import run_recorded
from assistant.analysis.runner import run_analysis
from assistant.errors import DataError, InvalidTransitionError, NotFoundError
from assistant.store import Store


@pytest.fixture
def store(database_url, record_sales):
    g, _data = record_sales
    s = Store.open(database_url)
    s.create_project("sales", author="ana")
    s.create_graph("sales", "model", g, author="ana", message="first")
    yield s
    s.close()


def test_a_successful_run_is_stored_with_its_spec_and_result(store, record_sales):
    g, data = record_sales
    spec = AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", **fast())
    result, run_id = run_recorded(store, "sales", "model", 1, spec, author="ana", data_sha256=data_sha256(data),
                                  work=lambda: run_analysis(g, data, spec))
    run = store.get_analysis(run_id)
    assert run.status == "succeeded" and run.version == 1 and run.created_by == "ana"
    assert run.spec["exposure"] == "radio_play"
    assert run.result["estimate"]["value"] == pytest.approx(result.estimate.value)
    assert run.data_sha256 == data_sha256(data) and run.duration_seconds > 0
    assert [r.id for r in store.list_analyses("sales", "model")] == [run_id]
    assert [r.id for r in store.list_analyses("sales", "model", 1)] == [run_id]


def test_a_failed_run_is_stored_with_its_typed_error(store, record_sales):
    g, data = record_sales
    spec = AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", **fast())
    with pytest.raises(DataError):
        run_recorded(store, "sales", "model", 1, spec, author="ana", data_sha256=None,
                     work=lambda: run_analysis(g, data.head(5), spec))
    (run,) = store.list_analyses("sales", "model")
    assert run.status == "failed" and run.result is None
    assert run.error["code"] == "data" and "too few complete rows" in run.error["message"]


def test_a_run_ends_exactly_once(store):
    run = store.start_analysis("sales", "model", 1, {"exposure": "a"}, author="ana")
    assert run.status == "running"
    ended = store.fail_analysis(run.id, "stopped", cancelled=True, duration_seconds=0.5)
    assert ended.status == "cancelled" and ended.error == {"code": "error", "message": "stopped"}
    with pytest.raises(InvalidTransitionError):
        store.finish_analysis(run.id, {"x": 1})


def test_unknown_runs_and_versions_are_not_found(store):
    with pytest.raises(NotFoundError):
        store.get_analysis(12345)
    with pytest.raises(NotFoundError):
        store.start_analysis("sales", "model", 9, {"exposure": "a"}, author="ana")
