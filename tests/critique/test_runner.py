"""The runner: needs, crash isolation, selection, lenient reading, ordering."""

from __future__ import annotations

import pytest

from assistant.critique import critique, select_rules
from assistant.critique.context import build_context
from assistant.critique.rules import Rule
from assistant.critique.runner import run_rules
from assistant.errors import UnknownVariableError
from assistant.formats import lenient_reading, read_graph
from assistant.gallery import load


def _boom(ctx, r):
    raise ZeroDivisionError("broken on purpose")
    yield  # pragma: no cover


def _cycle_rule():
    return next(r for r in select_rules(["S001"]))


def test_a_failing_rule_is_reported_and_the_others_still_run():
    g = read_graph("dag { A -> B -> A }", "dagitty")
    broken = Rule("X999", "broken", "warning", "structure", "always fails", _boom)
    findings, runs = run_rules(build_context(g), [broken, _cycle_rule()])
    assert [f.rule for f in findings] == ["E000", "S001"]
    assert "X999" in findings[0].message and "broken on purpose" in findings[0].message
    assert {r.rule: r.status for r in runs} == {"X999": "failed", "S001": "ran"}


def test_rules_whose_needs_are_unmet_are_skipped_with_a_reason():
    report = critique(read_graph("dag { A -> B -> A }", "dagitty"))
    status = {r.rule: (r.status, r.reason) for r in report.rules}
    assert status["S001"][0] == "ran"
    skipped = [r for r in report.rules if r.status == "skipped"]
    assert skipped and all(r.reason for r in skipped)
    assert any("no data" in r.reason for r in skipped)


def test_selection_by_id_prefix_and_name_and_ignore():
    ids = [r.id for r in select_rules(["S"])]
    assert ids and all(i.startswith("S") for i in ids)
    assert [r.id for r in select_rules(["cycle"])] == ["S001"]
    assert "S001" not in [r.id for r in select_rules(None, ["S001"])]


def test_findings_are_sorted_by_severity_then_rule():
    g = read_graph("dag { A -> B -> A C }", "dagitty")
    report = critique(g)
    order = [(f.severity, f.rule) for f in report.findings]
    rank = {"error": 0, "warning": 1, "info": 2}
    assert order == sorted(order, key=lambda t: (rank[t[0]], t[1]))
    assert report.counts["error"] >= 1 and report.has_errors


def test_lenient_reading_reports_self_loops_and_repeats_where_they_are():
    text = ('{"variables": [{"name": "A"}, {"name": "B"}], "edges": [{"source": "A", "target": "A"}, '
            '{"source": "A", "target": "B"}, {"source": "A", "target": "B"}]}')
    with lenient_reading() as repairs:
        g = read_graph(text, "json", source="g.json")
    assert [str(e) for e in g.edges] == ["A -> B"]
    assert [(r.kind, r.edge) for r in repairs] == [("self-loop", "A -> A"), ("duplicate-edge", "A -> B")]
    assert all("g.json" in r.where and "edges[" in r.where for r in repairs)
    report = critique(g, repairs=repairs, select=["S002", "S003"])
    assert [f.rule for f in report.findings] == ["S002", "S003"]


def test_strict_reading_still_refuses_a_self_loop():
    from assistant.errors import GraphValidationError

    with pytest.raises(GraphValidationError, match="self-loop"):
        read_graph("dag { A -> A }", "dagitty")


def test_an_unknown_exposure_is_a_clear_error():
    with pytest.raises(UnknownVariableError, match="nope"):
        critique(load("confounding"), exposures=["nope"])


def test_the_report_round_trips_through_json():
    from assistant.critique import CritiqueReport

    report = critique(load("m_bias").model_copy(update={"adjusted": ["M"]}))
    again = CritiqueReport.model_validate_json(report.model_dump_json())
    assert again == report
