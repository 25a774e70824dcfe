"""The edit-time linear estimate: recovers simulated effects, honest intervals, discrete columns, typed errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assistant.errors import AnalysisInputError, DataError
from assistant.formats import read_graph
from assistant.stats.linear_effect import EffectEstimate, format_number, linear_effect
from assistant.stats.simulate import simulate_linear

CONFOUNDED = read_graph("dag { Z -> X -> Y Z -> Y }", "dagitty")


def _confounded(rows: int = 3000, seed: int = 7, effect: float = 0.4, **kw) -> pd.DataFrame:
    return simulate_linear(CONFOUNDED, rows, seed=seed, weights={"X -> Y": effect, "Z -> X": 0.8, "Z -> Y": 0.9},
                           **kw)


def test_adjusting_for_the_confounder_recovers_the_coefficient():
    est = linear_effect(_confounded(), "X", "Y", ["Z"])
    assert isinstance(est, EffectEstimate)
    assert est.ci_low < 0.4 < est.ci_high
    assert abs(est.value - 0.4) < 4 * est.std_error
    assert est.n == 3000 and est.n_dropped == 0 and est.adjustment_set == ["Z"]
    assert est.method == "ols" and est.contrast == "per unit of X" and not est.robust_se


def test_leaving_the_confounder_out_biases_the_estimate_upwards():
    frame = _confounded()
    naive = linear_effect(frame, "X", "Y")
    adjusted = linear_effect(frame, "X", "Y", ["Z"])
    assert naive.value > adjusted.value + 10 * adjusted.std_error
    assert not (naive.ci_low < 0.4 < naive.ci_high)


def test_matches_a_full_least_squares_fit():
    frame = _confounded(rows=500, seed=3)
    design = np.column_stack([np.ones(len(frame)), frame["X"], frame["Z"]])
    beta, *_ = np.linalg.lstsq(design, frame["Y"].to_numpy(), rcond=None)
    resid = frame["Y"].to_numpy() - design @ beta
    se = np.sqrt(resid @ resid / (len(frame) - 3) * np.linalg.inv(design.T @ design)[1, 1])
    est = linear_effect(frame, "X", "Y", ["Z"])
    assert est.value == pytest.approx(beta[1], rel=1e-9)
    assert est.std_error == pytest.approx(se, rel=1e-9)


def test_confidence_intervals_cover_at_roughly_the_nominal_rate():
    covered = 0
    runs = 200
    for seed in range(runs):
        est = linear_effect(_confounded(rows=150, seed=seed), "X", "Y", ["Z"])
        covered += est.ci_low <= 0.4 <= est.ci_high
    assert 0.88 <= covered / runs <= 0.99


def test_a_wider_confidence_level_gives_a_wider_interval():
    frame = _confounded(rows=300)
    narrow = linear_effect(frame, "X", "Y", ["Z"], confidence=0.8)
    wide = linear_effect(frame, "X", "Y", ["Z"], confidence=0.99)
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low
    assert wide.value == narrow.value


def test_discrete_covariates_are_dummy_coded():
    rng = np.random.default_rng(11)
    n = 4000
    site = rng.choice(["north", "south", "west"], size=n)
    shift = pd.Series(site).map({"north": 0.0, "south": 2.0, "west": -1.5}).to_numpy()
    x = shift + rng.standard_normal(n)
    y = 0.3 * x + 3 * shift ** 2 + rng.standard_normal(n)  # non-linear in the site's shift: only dummies work
    frame = pd.DataFrame({"site": site, "X": x, "Y": y})
    est = linear_effect(frame, "X", "Y", ["site"])
    assert abs(est.value - 0.3) < 4 * est.std_error
    naive = linear_effect(frame, "X", "Y")
    assert abs(naive.value - 0.3) > 1.0


def test_binary_exposure_is_the_difference_between_its_two_levels():
    rng = np.random.default_rng(5)
    n = 3000
    z = rng.standard_normal(n)
    treated = (z + rng.standard_normal(n) > 0).astype(int)
    y = 1.5 * treated + z + rng.standard_normal(n)
    est = linear_effect(pd.DataFrame({"T": treated, "Z": z, "Y": y}), "T", "Y", ["Z"])
    assert est.contrast == "T = 1 vs T = 0"
    assert abs(est.value - 1.5) < 4 * est.std_error


def test_text_levels_of_a_binary_exposure_are_named_in_the_contrast():
    rng = np.random.default_rng(8)
    arm = rng.choice(["control", "drug"], size=500)
    y = np.where(arm == "drug", 2.0, 0.0) + rng.standard_normal(500)
    est = linear_effect(pd.DataFrame({"arm": arm, "Y": y}), "arm", "Y")
    assert est.contrast == "arm = drug vs arm = control"
    assert est.value == pytest.approx(2.0, abs=0.3)


def test_categorical_exposure_with_more_levels_is_first_versus_the_rest():
    rng = np.random.default_rng(2)
    arm = rng.choice(["a", "b", "c"], size=3000)
    y = pd.Series(arm).map({"a": 0.0, "b": 1.0, "c": 3.0}).to_numpy() + rng.standard_normal(3000)
    est = linear_effect(pd.DataFrame({"arm": arm, "Y": y}), "arm", "Y", types={"arm": "categorical"})
    assert "pooled" in est.contrast and "arm = a" in est.contrast
    assert est.value == pytest.approx(2.0, abs=0.15)  # mean of b and c (equal shares) minus a
    assert "first level" in est.note


def test_binary_outcome_is_a_linear_probability_model_with_robust_errors():
    frame = _confounded(rows=4000, discrete=["Y"])
    est = linear_effect(frame, "X", "Y", ["Z"])
    assert est.method == "linear probability model" and est.robust_se
    assert "probability" in est.note
    assert 0 < est.value < 1


def test_categorical_outcome_with_many_levels_is_refused():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"X": rng.standard_normal(100), "Y": rng.choice(["r", "g", "b"], size=100)})
    with pytest.raises(AnalysisInputError, match="categorical with 3 levels"):
        linear_effect(frame, "X", "Y", types={"Y": "categorical"})


def test_rows_missing_a_used_value_are_dropped_and_counted():
    frame = _confounded(rows=1000)
    frame.loc[:99, "Z"] = np.nan
    frame.loc[50:149, "Y"] = np.nan
    frame["unused"] = np.nan  # missing everywhere, but not used
    est = linear_effect(frame, "X", "Y", ["Z"])
    assert est.n == 850 and est.n_dropped == 150
    assert "150 of 1000 rows dropped" in est.note
    complete = frame.dropna(subset=["X", "Y", "Z"])
    assert linear_effect(complete, "X", "Y", ["Z"]).value == pytest.approx(est.value)


def test_unknown_columns_are_a_data_error_naming_them():
    with pytest.raises(DataError, match="'W' is not in the data"):
        linear_effect(_confounded(rows=50), "X", "Y", ["W"])


def test_a_constant_exposure_is_a_data_error():
    frame = _confounded(rows=50).assign(X=1.0)
    with pytest.raises(DataError, match="constant"):
        linear_effect(frame, "X", "Y", ["Z"])


def test_too_few_rows_is_a_data_error():
    frame = _confounded(rows=3)
    with pytest.raises(DataError, match="too few complete rows"):
        linear_effect(frame, "X", "Y", ["Z"])
    gappy = _confounded(rows=100)
    gappy.loc[2:, "Z"] = np.nan
    with pytest.raises(DataError, match="dropped for missing values"):
        linear_effect(gappy, "X", "Y", ["Z"])


def test_an_exposure_collinear_with_the_adjustment_set_is_refused():
    frame = _confounded(rows=200)
    frame["X2"] = 2 * frame["X"] + 1
    with pytest.raises(AnalysisInputError, match="collinear"):
        linear_effect(frame, "X", "Y", ["X2", "Z"])


def test_collinear_covariates_do_not_stop_the_estimate():
    frame = _confounded(rows=500)
    frame["Z2"] = -3 * frame["Z"]
    with_both = linear_effect(frame, "X", "Y", ["Z", "Z2"])
    assert with_both.value == pytest.approx(linear_effect(frame, "X", "Y", ["Z"]).value, rel=1e-6)


def test_overlapping_roles_and_bad_levels_are_input_errors():
    frame = _confounded(rows=50)
    with pytest.raises(AnalysisInputError, match="both the exposure and the outcome"):
        linear_effect(frame, "X", "X")
    with pytest.raises(AnalysisInputError, match="cannot contain the exposure"):
        linear_effect(frame, "X", "Y", ["Y"])
    with pytest.raises(AnalysisInputError, match="confidence"):
        linear_effect(frame, "X", "Y", confidence=1.5)


def test_text_columns_cannot_be_used():
    frame = _confounded(rows=50).assign(notes=[f"free text {i}" for i in range(50)])
    with pytest.raises(DataError, match="'notes' \\(text\\)"):
        linear_effect(frame, "X", "Y", ["notes"], types={"notes": "text"})


def test_short_text_and_number_format():
    est = linear_effect(_confounded(rows=500), "X", "Y", ["Z"])
    assert est.short().startswith(format_number(est.value) + " (±")
    assert format_number(0.8123) == "0.81" and format_number(0.00012) == "0.00012" and format_number(0) == "0"
    assert EffectEstimate.model_validate(est.model_dump(mode="json")) == est
