"""`causal-assistant check` gives the published answers for every gallery graph, with CI-friendly exit codes."""

from __future__ import annotations

import pytest
from cli_helpers import run, run_process

from assistant import gallery
from assistant.errors import EXIT_INPUT, EXIT_NOT_IDENTIFIABLE, EXIT_OK

CASES = [(e.name, exp) for e in gallery.entries() for exp in e.expected if not exp.include and not exp.exclude]


@pytest.mark.parametrize("name, expected", CASES, ids=[c[0] for c in CASES])
def test_check_gives_the_known_adjustment_sets_and_instruments(name, expected):
    res = run("check", f"gallery:{name}", "--format", "json", "--max-sets", "1000")
    report = res.json()
    if expected.adjustment_sets is not None:
        assert {tuple(s) for s in report["minimal_adjustment_sets"]} == set(expected.adjustment_sets)
    if expected.instruments is not None:
        shown = {i["variable"] + (" | " + ", ".join(i["conditioning"]) if i["conditioning"] else "")
                 for i in report["instruments"]}
        assert shown == set(expected.instruments)
    if expected.front_door is not None:
        assert tuple(report["front_door"]) == expected.front_door
    identifiable = bool(report["minimal_adjustment_sets"]) or bool(report["front_door"])
    assert res.exit_code == (EXIT_OK if identifiable else EXIT_NOT_IDENTIFIABLE)


def test_check_text_output_explains_paths_and_verdict():
    res = run("check", "gallery:record_sales")
    assert res.exit_code == EXIT_OK
    assert "{label_marketing_spend, tiktok_use}" in res.stdout
    assert "back-door  open   radio_play <- label_marketing_spend -> record_sales_6m" in res.stdout
    assert "Verdict: identifiable by covariate adjustment" in res.stdout


def test_an_invalid_proposed_adjustment_set_fails_the_check():
    res = run("check", "gallery:m_bias", "--adjust", "M")
    assert res.exit_code == EXIT_NOT_IDENTIFIABLE
    assert "NOT valid" in res.stdout and "X <- A -> M <- B -> Y" in res.stdout


def test_unknown_exposure_is_bad_input_naming_the_variable():
    res = run("check", "gallery:confounding", "--exposure", "radio", "--format", "json")
    assert res.exit_code == EXIT_INPUT
    assert "unknown variable 'radio'" in res.stderr


def test_missing_file_is_bad_input_with_advice():
    res = run("check", "no-such-file.dag")
    assert res.exit_code == EXIT_INPUT
    assert "no such file" in res.stderr and "gallery:" in res.stderr


def test_a_cycle_where_a_dag_is_required_is_named(tmp_path):
    f = tmp_path / "cyclic.dag"
    f.write_text("dag { X [exposure] Y [outcome] X -> Y Y -> Z Z -> X }")
    res = run("check", str(f))
    assert res.exit_code == EXIT_INPUT
    assert "X -> Y -> Z -> X" in res.stderr


def test_malformed_file_error_names_file_line_and_column(tmp_path):
    f = tmp_path / "broken.dag"
    f.write_text("dag {\n  X [exposure]\n  X -> \n}\n")
    res = run("check", str(f))
    assert res.exit_code == EXIT_INPUT
    assert f"{f}: line " in res.stderr and "column" in res.stderr


def test_installed_console_script_runs_check_end_to_end(tmp_path):
    res = run_process("check", "gallery:front_door", "--format", "json")
    assert res.exit_code == EXIT_OK, res.stderr
    assert '"front_door": [\n    "M"\n  ]' in res.stdout
    assert run_process("--version").stdout.startswith("causal-assistant, version")


def test_check_reports_both_missing_edge_and_basis_implications():
    report = run("check", "gallery:mediator_model", "--format", "json").json()
    assert report["implications"] == ["Z _||_ Y | X, I"]
    assert report["basis_implications"] == ["Y _||_ Z | X, I"]


def test_a_cycle_found_after_reading_is_reported_at_the_file(tmp_path):
    path = tmp_path / "cyclic.dag"
    path.write_text("dag {\n a [exposure]\n c [outcome]\n a -> b -> c -> a\n}\n")
    res = run("check", str(path))
    assert res.exit_code == EXIT_INPUT
    assert f"error[cycle]: {path}: the graph has a directed cycle" in res.stderr, res.stderr
