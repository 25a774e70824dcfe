"""Refuters pass on a correct graph; sensitivity numbers match the hand computation; the E-value formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from analysis_helpers import FAST_REFUTERS

from assistant import gallery
from assistant.analysis import AnalysisSpec
from assistant.analysis.evalue import e_value_rr, rr_from_smd
from assistant.analysis.runner import run_analysis
from assistant.analysis.sensitivity import adjusted_estimate, benchmark_bounds, robustness_value
from assistant.stats.simulate import simulate_linear


@pytest.fixture(scope="module")
def full_run(record_sales):
    g, data = record_sales
    return run_analysis(g, data, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m",
                                              refuters=FAST_REFUTERS)), data


def test_every_refuter_runs_and_passes_on_the_true_graph(full_run):
    r, _ = full_run
    assert [f.name for f in r.refutations] == ["placebo_treatment", "random_common_cause", "data_subset",
                                               "bootstrap"]
    for f in r.refutations:
        assert f.error is None and f.passed, f
        assert f.rule and f.settings["num_simulations"] == 5
    placebo = r.refutations[0]
    assert abs(placebo.new_effect) < 0.2


def test_refuters_are_seeded(record_sales, full_run):
    g, data = record_sales
    again = run_analysis(g, data, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m",
                                               refuters=FAST_REFUTERS))
    assert [f.new_effect for f in again.refutations] == [f.new_effect for f in full_run[0].refutations]


def test_the_placebo_refuter_is_reported_as_not_applicable_to_an_instrument():
    g = gallery.load("instrument")
    data = simulate_linear(g, 1000, seed=4, weights={"Z -> X": 1.0})
    r = run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", refuters=FAST_REFUTERS[:1], ci_simulations=20))
    assert r.refutations[0].passed is None and "not applicable" in r.refutations[0].rule


def test_robustness_value_matches_a_hand_computation(full_run):
    r, data = full_run
    X = sm.add_constant(data[["radio_play", "label_marketing_spend", "tiktok_use"]])
    fit = sm.OLS(data["record_sales_6m"], X).fit()
    t, dof = fit.tvalues["radio_play"], fit.df_resid
    f = abs(t) / math.sqrt(dof)
    rv = 0.5 * (math.sqrt(f ** 4 + 4 * f ** 2) - f ** 2)
    s = r.sensitivity
    assert s.t_value == pytest.approx(t) and s.dof == dof
    assert s.robustness_value == pytest.approx(rv)
    assert s.r2yd_x == pytest.approx(t ** 2 / (t ** 2 + dof))
    assert s.robustness_value_alpha < s.robustness_value
    assert f"{100 * rv:.0f}% of the residual variance of both radio_play and record_sales_6m" in s.summary


def test_a_confounder_as_strong_as_the_robustness_value_erases_the_estimate(full_run):
    s = full_run[0].sensitivity
    rv = s.robustness_value
    assert adjusted_estimate(s.estimate, s.std_error, s.dof, rv, rv) == pytest.approx(0, abs=1e-9)
    grid = s.contour
    assert len(grid.estimates) == len(grid.r2dz_x) and grid.estimates[0][0] == pytest.approx(s.estimate)


def test_robustness_value_matches_dowhys_linear_sensitivity_analyzer():
    from dowhy.causal_refuters.linear_sensitivity_analyzer import LinearSensitivityAnalyzer

    for t, dof in [(5.0, 100), (2.5, 50), (40.0, 1000)]:
        lsa = LinearSensitivityAnalyzer.__new__(LinearSensitivityAnalyzer)
        lsa.t_stats, lsa.degree_of_freedom, lsa.percent_change_estimate = t, dof, 1.0
        assert robustness_value(t, dof) == pytest.approx(lsa.robustness_value_func(alpha=1.0))
        assert robustness_value(t, dof, alpha=0.05) == pytest.approx(lsa.robustness_value_func(alpha=0.05))


def test_benchmark_bounds_follow_cinelli_hazlett():
    r2dz, r2yz = benchmark_bounds(0.2, 0.3)
    assert r2dz == pytest.approx(0.25)
    r2zxj = 0.2 ** 2 / (0.8 * 0.8)
    assert r2yz == pytest.approx(((1 + math.sqrt(r2zxj)) / math.sqrt(1 - r2zxj)) ** 2 * (0.3 / 0.7))


def test_e_value_formula():
    assert e_value_rr(3.9) == pytest.approx(3.9 + math.sqrt(3.9 * 2.9))  # VanderWeele & Ding's example: 7.26
    assert e_value_rr(3.9) == pytest.approx(7.26, abs=0.01)
    assert e_value_rr(1 / 3.9) == pytest.approx(e_value_rr(3.9))
    assert rr_from_smd(0.5) == pytest.approx(math.exp(0.91 * 0.5))


def test_e_value_of_an_interval_that_contains_the_null_is_one(record_sales):
    g, data = record_sales
    null = simulate_linear(g, 300, seed=1, weights={"radio_play -> record_sales_6m": 0.0})
    r = run_analysis(g, null, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", refuters=[]))
    if r.estimate.ci_low <= 0 <= r.estimate.ci_high:
        assert r.evalue.ci == 1.0
    sd = np.std(null["record_sales_6m"], ddof=1)
    assert r.evalue.risk_ratio == pytest.approx(math.exp(0.91 * r.estimate.value / sd))
