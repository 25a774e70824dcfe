"""Conditional-independence tests on data simulated from known DAGs: power, calibration, missing data, cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from offline_sim import COLLIDERS, discrete_cpt, simulate, types_of

import assistant.stats.independence as independence
from assistant.errors import DataError, InputError, UnknownVariableError
from assistant.stats import CITestCache, CITester, ci_test

MIXED = {"a": "discrete", "c": "discrete", "f": "discrete"}


@pytest.fixture(scope="module")
def continuous():
    frame = simulate(COLLIDERS, 2000, 0)
    return frame, types_of(frame)


@pytest.fixture(scope="module")
def categorical():
    frame = discrete_cpt(COLLIDERS, 3000, 0, levels=3)
    return frame, types_of(frame)


@pytest.fixture(scope="module")
def mixed():
    # seed 3: random level effects can cancel along a -> c -> e; this draw has a clearly dependent chain
    frame = simulate(COLLIDERS, 2000, 3, kinds=MIXED)
    return frame, types_of(frame, MIXED)


@pytest.mark.parametrize("data, method", [("continuous", "fisherz"), ("categorical", "gsq"), ("mixed", "cg-lrt")])
def test_each_test_finds_edges_separations_and_colliders(request, data, method):
    frame, types = request.getfixturevalue(data)
    # in COLLIDERS: a -> c <- b, c -> e <- d, e -> f
    chain = ci_test(frame, "a", "e", [], types=types)
    assert chain.p_value < 1e-4                                             # a and e are dependent through c
    assert ci_test(frame, "a", "e", ["c"], types=types).p_value > 0.01      # ... and separated by c
    assert ci_test(frame, "a", "b", [], types=types).p_value > 0.01         # independent causes ...
    collider = ci_test(frame, "a", "b", ["c"], types=types)
    assert collider.p_value < 0.01                                          # ... dependent given their effect
    assert method in {chain.method, collider.method}
    assert collider.n == len(frame) and collider.z == ("c",)


def _false_positive_rate(method_kinds: dict[str, str] | None, seeds: range, n: int) -> tuple[float, float]:
    ps = []
    for seed in seeds:
        frame = simulate(COLLIDERS, n, seed, kinds=method_kinds)
        ps.append(ci_test(frame, "a", "f", ["e"], types=types_of(frame, method_kinds)).p_value)
    ps = np.array(ps)
    return float((ps < 0.05).mean()), float(ps.mean())


@pytest.mark.parametrize("kinds, n", [(None, 300), ({v: "discrete" for v in "abcdef"}, 1000), (MIXED, 300)],
                         ids=["fisherz", "gsq", "cg-lrt"])
def test_p_values_are_calibrated_when_independent(kinds, n):
    # G² is anti-conservative on sparse tables (about 10% at 25 rows per degree of freedom), hence more rows
    rate, mean = _false_positive_rate(kinds, range(120), n)
    assert 0.0 < rate < 0.11          # near alpha = 0.05 (120 draws: sd about 0.02)
    assert 0.4 < mean < 0.6           # roughly uniform


def test_categorical_cpt_data_is_calibrated_too():
    ps = [ci_test(f, "a", "f", ["e"], types=types_of(f)).p_value
          for f in (discrete_cpt(COLLIDERS, 800, seed, levels=3) for seed in range(60))]
    assert np.mean(np.array(ps) < 0.05) < 0.12


def test_rows_missing_x_y_or_z_are_dropped_per_test(continuous):
    frame, types = continuous
    holes = frame.copy()
    holes.loc[:99, "a"] = np.nan
    holes.loc[50:149, "c"] = np.nan
    holes.loc[500:, "f"] = np.nan                       # not used by the test below
    result = ci_test(holes, "a", "e", ["c"], types=types)
    assert result.n == len(frame) - 150
    assert ci_test(holes, "a", "b", [], types=types).n == len(frame) - 100


def test_g_square_counts_degrees_of_freedom_only_for_levels_seen():
    rng = np.random.default_rng(3)
    z = rng.integers(0, 2, 2000)
    x = np.where(z == 0, rng.integers(0, 2, 2000), rng.integers(2, 4, 2000))    # two levels of x per stratum
    y = rng.integers(0, 3, 2000)
    frame = pd.DataFrame({"x": x, "y": y, "z": z})
    types = {"x": "categorical", "y": "categorical", "z": "binary"}
    result = ci_test(frame, "x", "y", ["z"], types=types)
    assert result.dof == 2 * (2 - 1) * (3 - 1)          # not 2 * (4 - 1) * (3 - 1)


def test_g_square_assumes_independence_when_rows_are_too_few():
    frame = discrete_cpt([("a", "b")] + [(f"z{i}", "b") for i in range(4)], 60, 1, levels=4)
    types = types_of(frame)
    result = ci_test(frame, "a", "b", [f"z{i}" for i in range(4)], types=types)
    assert result.p_value == 1.0 and not result.reliable and "too few rows" in result.note


def test_a_forced_test_that_does_not_fit_the_columns_is_refused(mixed):
    frame, types = mixed
    with pytest.raises(InputError, match="G² needs discrete columns, but 'b' is continuous"):
        ci_test(frame, "a", "b", [], types=types, method="gsq")
    with pytest.raises(InputError, match="unknown independence test 'kci'"):
        ci_test(frame, "a", "b", [], types=types, method="kci")
    assert ci_test(frame, "b", "d", [], types=types, method="fisherz").method == "fisherz"


def test_untestable_and_unknown_columns_are_named():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "note": ["a", "b", "c", "d"]})
    with pytest.raises(DataError, match="'note' \\(text\\)"):
        ci_test(frame, "x", "note", [], types={"x": "continuous", "note": "text"})
    with pytest.raises(UnknownVariableError, match="'missing'"):
        ci_test(frame, "x", "missing", [], types={"x": "continuous", "missing": "continuous"})
    with pytest.raises(InputError, match="against itself"):
        ci_test(frame, "x", "x", [], types={"x": "continuous"})


def test_symmetric_tests_run_once_through_the_cache(continuous, monkeypatch):
    frame, types = continuous
    calls = []
    real = independence.run_test
    monkeypatch.setattr(independence, "run_test", lambda *a: calls.append(a[1:4]) or real(*a))
    cache = CITestCache()
    first = ci_test(frame, "a", "e", ["c", "b"], types=types, cache=cache)
    again = ci_test(frame, "e", "a", ["b", "c"], types=types, cache=cache)
    assert len(calls) == 1 and cache.hits == 1 and len(cache) == 1
    assert (again.x, again.y, again.p_value) == ("e", "a", first.p_value)
    tester = CITester(frame, types, cache=cache)
    tester.test("a", "e", ["b", "c"])
    assert len(calls) == 1 and tester.computed == 0 and tester.requested == 1


def test_the_cache_never_mixes_data_sets(continuous):
    frame, types = continuous
    cache = CITestCache()
    one = ci_test(frame, "a", "c", [], types=types, cache=cache)
    other = frame.assign(c=frame["c"].sample(frac=1.0, random_state=0).to_numpy())
    assert CITestCache.fingerprint(frame) != CITestCache.fingerprint(other)
    two = ci_test(other, "a", "c", [], types=types, cache=cache)
    assert len(cache) == 2 and two.p_value != one.p_value
    assert CITestCache.key("fp", "gsq", "a", "b", ["d", "c"]) == CITestCache.key("fp", "gsq", "b", "a", ["c", "d"])
