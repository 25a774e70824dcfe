"""`causal-assistant analyze` and `query`: plain-language text, JSON, stored runs, and errors without tracebacks."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.errors import EXIT_INPUT, EXIT_NOT_IDENTIFIABLE, EXIT_OK, EXIT_USAGE
from assistant.store import Store


def run(*args, db=None):
    argv = (["--database-url", db] if db else []) + list(args)
    return CliRunner().invoke(cli, argv, catch_exceptions=False)


@pytest.fixture(scope="module")
def csv(tmp_path_factory, record_sales):
    path = tmp_path_factory.mktemp("data") / "sales.csv"
    record_sales[1].to_csv(path, index=False)
    return str(path)


def test_analyze_prints_a_plain_language_report(csv):
    res = run("analyze", "gallery:record_sales", "--data", csv, "--refuters", "placebo_treatment",
              "--simulations", "3")
    assert res.exit_code == EXIT_OK, res.output
    assert "raising radio_play by one unit changes record_sales_6m by" in res.stdout
    assert "Adjusted for: label_marketing_spend, tiktok_use." in res.stdout
    assert "placebo treatment: passed" in res.stdout
    assert "of the residual variance of both radio_play and record_sales_6m to erase this effect" in res.stdout


def test_analyze_json_round_trips_the_result(csv):
    res = run("analyze", "gallery:record_sales", "--data", csv, "--refuters", "none", "--no-sensitivity",
              "--format", "json")
    out = json.loads(res.stdout)
    assert out["run_id"] is None and out["sensitivity"] is None and out["evalue"] is None
    assert out["estimate"]["ci_low"] < 1.2 < out["estimate"]["ci_high"]


def test_with_a_project_only_validated_versions_are_analysed_and_every_run_is_stored(csv, sqlite_url,
                                                                                     record_sales):
    with Store.open(sqlite_url) as store:
        store.create_project("sales", author="ana")
        store.create_graph("sales", "model", record_sales[0], author="ana", message="draft")
    args = ["analyze", "model", "--project", "sales", "--data", csv, "--refuters", "none", "--format", "json"]
    refused = run(*args, db=sqlite_url)
    assert refused.exit_code == EXIT_INPUT
    assert "not validated" in json.loads(refused.stderr)["error"]["message"]
    ok = run(*args, "--allow-unvalidated", db=sqlite_url)
    assert ok.exit_code == EXIT_OK, ok.output
    run_id = json.loads(ok.stdout)["run_id"]
    with Store.open(sqlite_url) as store:
        runs = store.list_analyses("sales", "model")
        assert [r.status for r in runs] == ["succeeded", "failed"]
        assert runs[0].id == run_id and runs[0].spec["allow_unvalidated"] is True


def test_bad_input_is_a_message_and_an_exit_code_never_a_traceback(csv, tmp_path):
    res = run("analyze", "gallery:record_sales", "--data", csv, "--exposure", "tiktok_use", "--outcome", "nope")
    assert res.exit_code == EXIT_INPUT and "error[unknown-variable]" in res.stderr
    res = run("analyze", "gallery:record_sales", "--data", str(tmp_path / "missing.csv"))
    assert res.exit_code == EXIT_INPUT and "no such data file" in res.stderr
    few = tmp_path / "two_columns.csv"
    few.write_text("label_marketing_spend,tiktok_use\n" + "1,2\n" * 50)
    res = run("analyze", "gallery:record_sales", "--data", str(few))
    assert res.exit_code == EXIT_INPUT
    assert f"error[data]: {few}: the data has no column for the exposure 'radio_play'" in res.stderr, res.stderr


def test_a_graph_that_is_not_identifiable_exits_with_code_5(tmp_path):
    from assistant.formats import read_graph
    from assistant.stats.simulate import simulate_linear

    g = read_graph("dag { X -> Y  X <-> Y }", "dagitty")
    path = tmp_path / "d.csv"
    simulate_linear(g, 100, seed=1).to_csv(path, index=False)
    graph_file = tmp_path / "g.dag"
    graph_file.write_text("dag { X -> Y  X <-> Y }")
    res = run("analyze", str(graph_file), "--data", str(path), "--exposure", "X", "--outcome", "Y")
    assert res.exit_code == EXIT_NOT_IDENTIFIABLE
    assert "not identifiable" in res.stderr and "instrument" in res.stderr


def test_query_names_the_rung(csv):
    res = run("query", "gallery:record_sales", "--data", csv, "--do", "radio_play=10", "--samples", "500")
    assert res.exit_code == EXIT_OK and res.stdout.startswith("Rung 2 (intervention)")
    res = run("query", "gallery:record_sales", "--data", csv, "--do", "radio_play=*0.5", "--unit", "3",
              "--format", "json")
    out = json.loads(res.stdout)
    assert out["rung"] == 3 and out["interventions"] == {"radio_play (factor)": 0.5}


def test_query_refusal_explains_why(tmp_path):
    from assistant import gallery
    from assistant.stats.simulate import simulate_linear

    path = tmp_path / "fd.csv"
    simulate_linear(gallery.load("front_door"), 100, seed=1).to_csv(path, index=False)
    res = run("query", "gallery:front_door", "--data", str(path), "--do", "X=1", "--unit", "0")
    assert res.exit_code == EXIT_INPUT
    assert "error[rung-refused]" in res.stderr and "rung 3" in res.stderr


def test_the_work_one_request_may_ask_for_is_bounded_and_the_bound_is_named(csv):
    from assistant.analysis.spec import MAX_QUERY_SAMPLES, MAX_REFUTER_SIMULATIONS

    res = run("analyze", "gallery:record_sales", "--data", csv, "--simulations", str(MAX_REFUTER_SIMULATIONS + 1))
    assert res.exit_code == EXIT_USAGE
    assert "--simulations" in res.stderr and f"{MAX_REFUTER_SIMULATIONS}" in res.stderr
    res = run("query", "gallery:record_sales", "--data", csv, "--do", "radio_play=10",
              "--samples", str(10 * MAX_QUERY_SAMPLES))
    assert res.exit_code == EXIT_USAGE
    assert "--samples" in res.stderr and f"{MAX_QUERY_SAMPLES}" in res.stderr


def test_a_directory_given_as_data_is_named(csv, tmp_path):
    for command in (["analyze", "gallery:record_sales"], ["query", "gallery:record_sales", "--do", "radio_play=1"]):
        res = run(*command, "--data", str(tmp_path))
        assert res.exit_code == EXIT_INPUT, res.output
        assert str(tmp_path) in res.stderr and "Traceback" not in res.output
