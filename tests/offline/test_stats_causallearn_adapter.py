"""causal-learn's PC and FCI run our tests through the adapter, which records every test they ask for."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from causallearn.search.ConstraintBased.FCI import fci
from causallearn.search.ConstraintBased.PC import pc
from offline_sim import COLLIDERS, discrete_cpt, types_of

from assistant.stats import CITester
from assistant.stats.causallearn_adapter import METHOD_NAME, TestRun, TimeBudgetExceeded


@pytest.fixture(scope="module")
def tester():
    frame = discrete_cpt(COLLIDERS, 3000, 0, levels=3)
    return CITester(frame, types_of(frame))


def test_pc_finds_the_skeleton_with_our_tests_and_every_test_is_recorded(tester):
    names = list(tester.prepared.names)
    run = TestRun(tester, names)
    cg = pc(np.zeros((tester.prepared.n_rows, len(names))), 0.05, indep_test=METHOD_NAME, run=run,
            node_names=names, show_progress=False)
    found = {frozenset((names[i], names[j])) for i in range(len(names)) for j in range(i + 1, len(names))
             if cg.G.graph[i, j] != 0}
    assert found == {frozenset(e) for e in COLLIDERS}
    assert len(run.records) == tester.requested > tester.computed > 0
    assert all(r.method == "gsq" and r.n == 3000 for r in run.records)
    separated = {frozenset((r.x, r.y)) for r in run.records if r.p_value > 0.05}
    assert frozenset(("a", "b")) in separated and frozenset(("a", "c")) not in separated


def test_fci_reuses_the_cached_tests(tester):
    names = list(tester.prepared.names)
    before = tester.computed
    run = TestRun(tester, names)
    with contextlib.redirect_stdout(io.StringIO()):
        fci(np.zeros((tester.prepared.n_rows, len(names))), METHOD_NAME, 0.05, run=run, node_names=names,
            show_progress=False)
    assert run.records and tester.computed - before < len(run.records)


def test_a_run_stops_at_its_test_budget(tester):
    names = list(tester.prepared.names)
    run = TestRun(tester, names, max_computed=tester.computed)
    with pytest.raises(TimeBudgetExceeded):
        run(0, 1, (2, 3, 4))
