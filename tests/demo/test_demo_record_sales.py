"""The record-sales SCM: the shipped data are what the code generates, the true effects are recovered,
the refuters pass, and the planted-confounding variant is biased by the amount the SCM predicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assistant import gallery
from assistant.demo import record_sales as rs
from assistant.graph import minimal_adjustment_sets


def _ols(frame: pd.DataFrame, y: str, xs: list[str]) -> np.ndarray:
    """Plain least squares, independent of the demo module's helper."""
    x = np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy(float) for c in xs])
    return np.linalg.lstsq(x, frame[y].to_numpy(float), rcond=None)[0]


def test_shipped_files_are_what_the_scm_generates():
    shipped = rs.load()
    assert len(shipped) == rs.ROWS and list(shipped.columns) == rs.graph().observed
    pd.testing.assert_frame_equal(shipped, rs.generate(rs.ROWS, rs.SEED), check_exact=False, atol=1e-9)
    confounded = rs.load(confounded=True)
    pd.testing.assert_frame_equal(confounded, rs.planted_confounding(rs.ROWS, rs.SEED), check_exact=False,
                                  atol=1e-9)
    assert rs.LATENT not in confounded.columns
    assert rs.data_file().stat().st_size < 100_000


def test_generator_is_seeded_and_sized():
    a, b = rs.generate(50, seed=1), rs.generate(50, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(rs.generate(50, seed=2))
    with_u = rs.planted_confounding(50, seed=1, keep_confounder=True)
    assert rs.LATENT in with_u.columns and len(with_u) == 50


def test_true_effect_recovered_within_the_confidence_interval():
    fit = rs.ols_effect(rs.load())
    assert fit.ci_low <= rs.TRUE_EFFECT <= fit.ci_high
    beta = _ols(rs.load(), rs.OUTCOME, [rs.EXPOSURE, *rs.ADJUSTMENT_SET])
    assert beta[1] == pytest.approx(fit.estimate, rel=1e-10)
    # unadjusted, the comparison is confounded upward
    naive = _ols(rs.load(), rs.OUTCOME, [rs.EXPOSURE])[1]
    assert naive > fit.ci_high


def test_every_true_effect_in_a_large_sample():
    big = rs.generate(200_000, seed=11)
    assert _ols(big, rs.OUTCOME, [rs.EXPOSURE, *rs.ADJUSTMENT_SET])[1] == pytest.approx(rs.TRUE_EFFECT, abs=0.01)
    # the roots are independent, so each one's total effect is its simple regression slope
    for cause in ("label_marketing_spend", "tiktok_use", "tour_dates"):
        assert _ols(big, rs.OUTCOME, [cause])[1] == pytest.approx(rs.true_effect(cause), abs=0.03), cause
    assert rs.true_effect("label_marketing_spend") == pytest.approx(0.15 + 0.25 * 0.8)
    assert rs.true_effect("tiktok_use") == pytest.approx(1.2 + 0.8 * 0.8)
    # E[sales | do(radio = 10)]: shift every artist's airplay to 10 hours and average the structural outcome
    do10 = (big[rs.OUTCOME] + rs.TRUE_EFFECT * (10 - big[rs.EXPOSURE])).mean()
    assert do10 == pytest.approx(rs.expected_sales_under(10), rel=0.01)


def test_graph_extends_the_gallery_entry_consistently():
    g, base = rs.graph(), gallery.load("record_sales")
    assert set(base.names) <= set(g.names)
    assert {str(e) for e in base.edges} <= {str(e) for e in g.edges}
    assert {(e.source, e.target) for e in g.edges} == set(rs.DIRECT_EFFECTS)
    sets = minimal_adjustment_sets(g, rs.EXPOSURE, rs.OUTCOME)
    assert [sorted(s) for s in sets.sets] == [sorted(rs.ADJUSTMENT_SET)]
    # the gallery graph's one implication (marketing independent of TikTok use) holds in the data
    data = rs.load()
    assert abs(np.corrcoef(data["label_marketing_spend"], data["tiktok_use"])[0, 1]) < 0.06
    assert not minimal_adjustment_sets(rs.confounded_graph(), rs.EXPOSURE, rs.OUTCOME).identifiable


def test_planted_confounding_biases_the_naive_estimate_by_the_predicted_amount():
    confounded = rs.load(confounded=True)
    fit = rs.ols_effect(confounded)
    assert not fit.covers(rs.TRUE_EFFECT)
    assert fit.covers(rs.TRUE_EFFECT + rs.planted_bias())
    big = rs.planted_confounding(200_000, seed=5)
    assert rs.ols_effect(big).estimate == pytest.approx(rs.TRUE_EFFECT + rs.planted_bias(), abs=0.01)
    # adjusting for the confounder (which the data do not have) would have removed the bias
    with_u = rs.planted_confounding(rs.ROWS, rs.SEED, keep_confounder=True)
    assert rs.ols_effect(with_u, adjust=[*rs.ADJUSTMENT_SET, rs.LATENT]).covers(rs.TRUE_EFFECT)


def test_the_analysis_recovers_the_effect_and_the_refuters_pass():
    from assistant.analysis.runner import run_analysis
    from assistant.analysis.spec import ALL_REFUTERS, AnalysisSpec, RefuterSpec

    result = run_analysis(rs.graph(), rs.load(), AnalysisSpec(
        exposure=rs.EXPOSURE, outcome=rs.OUTCOME,
        refuters=[RefuterSpec(name=n, num_simulations=5) for n in ALL_REFUTERS]))
    assert sorted(result.identification.adjustment_set) == sorted(rs.ADJUSTMENT_SET)
    assert result.estimate.ci_low <= rs.TRUE_EFFECT <= result.estimate.ci_high
    assert [r.name for r in result.refutations] == list(ALL_REFUTERS)
    assert all(r.passed for r in result.refutations), [(r.name, r.rule, r.new_effect) for r in result.refutations]


def test_sensitivity_analysis_says_how_fragile_the_confounded_estimate_is():
    """Cinelli & Hazlett: the planted confounder's actual strength, fed to the bias formula, brings the naive
    estimate back to the truth; and the robustness value is the strength needed to erase the estimate."""
    from assistant.analysis.runner import run_analysis
    from assistant.analysis.sensitivity import adjusted_estimate
    from assistant.analysis.spec import AnalysisSpec

    result = run_analysis(rs.graph(), rs.load(confounded=True),
                          AnalysisSpec(exposure=rs.EXPOSURE, outcome=rs.OUTCOME, refuters=[]))
    sens = result.sensitivity
    assert sens is not None and not (result.estimate.ci_low <= rs.TRUE_EFFECT <= result.estimate.ci_high)
    assert sens.robustness_value == pytest.approx(rs.ols_effect(rs.load(confounded=True)).robustness_value,
                                                  rel=1e-6)
    assert 0 < sens.robustness_value_alpha < sens.robustness_value < 1

    # the confounder's real partial R²s, measured where it is observed
    with_u = rs.planted_confounding(rs.ROWS, rs.SEED, keep_confounder=True)
    z = list(rs.ADJUSTMENT_SET)
    t_dz = rs.ols_effect(with_u, rs.LATENT, rs.EXPOSURE, z)  # U's coefficient for the exposure, given Z
    t_yz = rs.ols_effect(with_u, rs.LATENT, rs.OUTCOME, [rs.EXPOSURE, *z])
    r2dz, r2yz = t_dz.partial_r2, t_yz.partial_r2
    corrected = adjusted_estimate(sens.estimate, sens.std_error, sens.dof, r2dz, r2yz)
    assert abs(corrected - rs.TRUE_EFFECT) < 3 * sens.std_error
    # the planted confounder is strong enough to account for the bias, though not to erase the effect
    assert min(r2dz, r2yz) < sens.robustness_value


def test_variables_file_parses_and_matches_the_data():
    from assistant.draft.spec import build_request, parse_spec_text
    from assistant.intake.profile import profile_csv

    spec = parse_spec_text(rs.data_bytes(rs.VARIABLES_NAME).decode("utf-8"), source=rs.VARIABLES_NAME)
    assert spec.model_dump() == parse_spec_text(rs.variables_spec_text()).model_dump()
    _frame, profile = profile_csv(rs.data_bytes(), file_name=rs.CSV_NAME)
    request = build_request(rs.QUESTION, profile, spec)
    assert request.exposure == rs.EXPOSURE and request.outcome == rs.OUTCOME
    knowledge = request.knowledge()
    assert knowledge.forbids(rs.OUTCOME, rs.EXPOSURE) and not knowledge.forbids(rs.EXPOSURE, rs.OUTCOME)
    assert {v.name: v.tier for v in request.variables} == {v.name: v.tier for v in rs.VARIABLES}
