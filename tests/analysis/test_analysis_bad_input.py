"""Bad input gets a typed error with a message a domain expert can act on; progress and cancellation."""

from __future__ import annotations

import pytest
from analysis_helpers import FAST_REFUTERS, fast

from assistant.analysis import AnalysisSpec
from assistant.analysis.runner import CancelToken, run_analysis
from assistant.errors import (
    AnalysisCancelledError, AnalysisInputError, DataError, NotIdentifiableError, UnknownVariableError,
)
from assistant.formats import read_graph
from assistant.stats.simulate import simulate_linear

SPEC = AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", **fast())


def test_an_exposure_missing_from_the_data_is_named(record_sales):
    g, data = record_sales
    with pytest.raises(DataError, match="no column for the exposure 'radio_play'"):
        run_analysis(g, data.drop(columns=["radio_play"]), SPEC)


def test_an_exposure_missing_from_the_graph_is_named(record_sales):
    g, data = record_sales
    with pytest.raises(UnknownVariableError, match="'radio'"):
        run_analysis(g, data, SPEC.model_copy(update={"exposure": "radio"}))


def test_a_non_numeric_outcome_is_refused_for_a_linear_method(record_sales):
    g, data = record_sales
    words = data.assign(record_sales_6m=["high" if v > 0 else "low" for v in data["record_sales_6m"]])
    with pytest.raises(AnalysisInputError, match="outcome 'record_sales_6m' is not numeric") as info:
        run_analysis(g, words, SPEC)
    assert "recode" in info.value.hint


def test_a_graph_that_is_not_identifiable_says_which_criteria_failed_and_what_would_fix_it():
    g = read_graph("dag { X -> Y  X <-> Y  W -> Y }", "dagitty")
    data = simulate_linear(g, 200, seed=1)
    with pytest.raises(NotIdentifiableError) as info:
        run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", **fast()))
    err = info.value
    assert err.exit_code == 5
    assert set(err.tried) == {"back-door", "front-door", "instrumental variable", "ID algorithm (Tian & Pearl)"}
    assert "X <-> Y" in err.message
    assert any("instrument" in f for f in err.fixes) and any("front door" in f for f in err.fixes)
    assert any("measure the latent" in f for f in err.fixes)


def test_too_few_rows_are_refused(record_sales):
    g, data = record_sales
    with pytest.raises(DataError, match="too few complete rows: 10"):
        run_analysis(g, data.head(10), SPEC)


def test_a_constant_exposure_is_refused(record_sales):
    g, data = record_sales
    with pytest.raises(AnalysisInputError, match="exposure 'radio_play' is constant"):
        run_analysis(g, data.assign(radio_play=3.0), SPEC)


def test_progress_is_reported_step_by_step(record_sales):
    g, data = record_sales
    seen: list[tuple[str, float]] = []
    run_analysis(g, data, SPEC.model_copy(update={"refuters": FAST_REFUTERS[:2]}),
                 progress=lambda step, frac: seen.append((step, frac)))
    steps = [s for s, _ in seen]
    assert steps[0] == "identify" and steps[-1] == "done"
    assert "refute: placebo_treatment" in steps and "sensitivity" in steps
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_cancelled_run_raises_a_typed_error_between_steps(record_sales):
    g, data = record_sales
    token = CancelToken()

    def cancel_at_refute(step, _fraction):
        if step.startswith("refute"):
            token.cancel()

    with pytest.raises(AnalysisCancelledError) as info:
        run_analysis(g, data, SPEC.model_copy(update={"refuters": FAST_REFUTERS[:2]}), progress=cancel_at_refute,
                     cancel=token)
    assert info.value.step == "refute: random_common_cause"
