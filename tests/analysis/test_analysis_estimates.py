"""Estimates recover the simulated truth, within their interval, for every identification route."""

from __future__ import annotations

import pytest
from analysis_helpers import fast

from assistant import gallery
from assistant.analysis import AnalysisSpec
from assistant.analysis.runner import run_analysis
from assistant.errors import AnalysisInputError
from assistant.stats.simulate import simulate_linear


def covers(result, truth):
    return result.estimate.ci_low <= truth <= result.estimate.ci_high


def test_continuous_exposure_back_door_recovers_the_effect(record_sales):
    g, data = record_sales
    r = run_analysis(g, data, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", **fast()))
    assert r.identification.strategy == "backdoor"
    assert r.identification.adjustment_set == ["label_marketing_spend", "tiktok_use"]
    assert r.estimate.method == "linear_regression" and r.estimate.dowhy_method == "backdoor.linear_regression"
    assert covers(r, 1.2)


def test_binary_exposure_defaults_to_propensity_weighting_and_recovers_the_effect(binary_exposure):
    g, data = binary_exposure
    r = run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", **fast()))
    assert r.estimate.exposure_type == "binary"
    assert r.estimate.method == "propensity_score_weighting"
    assert covers(r, 2.0)


def test_the_user_can_override_the_method(binary_exposure):
    g, data = binary_exposure
    r = run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", method="linear_regression", **fast()))
    assert r.spec.method == "linear_regression" and covers(r, 2.0)


def test_a_method_that_does_not_fit_the_identification_is_refused(record_sales):
    g, data = record_sales
    with pytest.raises(AnalysisInputError, match="does not fit the backdoor"):
        run_analysis(g, data, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m",
                                           method="instrumental_variable", **fast()))
    with pytest.raises(AnalysisInputError, match="binary"):
        run_analysis(g, data, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m",
                                           method="propensity_score_weighting", **fast()))


def test_an_instrument_identifies_the_effect_despite_a_latent_confounder():
    g = gallery.load("instrument")
    data = simulate_linear(g, 3000, seed=4, weights={"X -> Y": 1.5, "Z -> X": 1.0})
    r = run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", **fast()))
    assert r.identification.strategy == "iv" and r.identification.instruments == ["Z"]
    assert r.estimate.dowhy_method == "iv.instrumental_variable"
    assert covers(r, 1.5)


def test_the_front_door_identifies_the_effect_through_the_mediator():
    g = gallery.load("front_door")
    data = simulate_linear(g, 3000, seed=4, weights={"X -> M": 1.0, "M -> Y": 1.5})
    r = run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", **fast()))
    assert r.identification.strategy == "frontdoor" and r.identification.mediators == ["M"]
    assert covers(r, 1.5)


def test_awkward_column_names_and_bidirected_edges_survive_the_trip_through_dowhy(awkward_names):
    g, data = awkward_names
    r = run_analysis(g, data, AnalysisSpec(exposure="radio play (h)", outcome="sales €", **fast()))
    assert r.identification.adjustment_set == ["marketing 'spend'", "tiktok"]
    assert covers(r, 0.5)
    assert r.dowhy_input.names["radio play (h)"].isidentifier()
    assert r.dowhy_input.latents == {"u0": ["radio play (h)", "tiktok"]}
    assert {b.covariate for b in r.sensitivity.benchmarks} == {"marketing 'spend'", "tiktok"}


def test_the_result_records_what_an_export_needs_to_reproduce_it(record_sales):
    g, data = record_sales
    r = run_analysis(g, data, AnalysisSpec(exposure="radio_play", outcome="record_sales_6m", seed=7, **fast()))
    dumped = r.model_dump(mode="json")
    assert dumped["spec"]["seed"] == 7 and dumped["spec"]["method"] == "linear_regression"
    assert dumped["estimate"]["confidence_level"] == 0.95
    assert dumped["data"]["sha256"] and dumped["dowhy_version"]
    assert AnalysisSpec.model_validate(dumped["spec"]) == r.spec
