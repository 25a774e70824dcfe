"""Graphs with known effects and data simulated from them (seeded), for the analysis tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assistant import gallery
from assistant.formats import read_graph
from assistant.stats.simulate import simulate_linear

@pytest.fixture(scope="session")
def record_sales():
    g = gallery.load("record_sales")
    return g, simulate_linear(g, 2000, seed=11, weights={"radio_play -> record_sales_6m": 1.2})


@pytest.fixture(scope="session")
def binary_exposure():
    """Z confounds a binary X and Y; the true effect of X on Y is 2."""
    g = read_graph("dag { Z -> X -> Y  Z -> Y }", "dagitty")
    rng = np.random.default_rng(5)
    n = 2000
    z = rng.standard_normal(n)
    x = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    y = 2.0 * x + 1.0 * z + rng.standard_normal(n)
    return g, pd.DataFrame({"Z": z, "X": x, "Y": y})


@pytest.fixture(scope="session")
def awkward_names():
    """Column names with spaces, quotes, unicode and parentheses, and a bidirected edge; true effect 0.5."""
    g = read_graph('dag { "radio play (h)" -> "sales €"  "marketing \'spend\'" -> "radio play (h)" '
                   '"marketing \'spend\'" -> "sales €"  "tiktok" -> "sales €"  "radio play (h)" <-> "tiktok" }',
                   "dagitty")
    return g, simulate_linear(g, 2000, seed=2, weights={"radio play (h) -> sales €": 0.5})
