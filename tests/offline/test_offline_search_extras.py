"""Deterministic variables in PC, and the hill climb beyond PC's skeleton when tiers are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from offline_sim import simulate

from assistant.draft.offline import propose_offline
from assistant.draft.offline.hillclimb import hill_climb, hill_climb_source, tiered_pairs
from assistant.draft.offline.inputs import check_problem
from assistant.draft.offline.knowledge import background_knowledge
from assistant.draft.offline.pdag import PDAG, Why
from assistant.draft.offline.rationale import build_edge
from assistant.draft.offline.search import Determination, SearchResult, run_pc
from assistant.draft.spec import DraftRequest, VariableSpec
from assistant.stats.citests import CITestResult
from assistant.stats.independence import CITestCache, CITester
from assistant.stats.scores import BICScorer


def request(frame: pd.DataFrame, tiers: dict[str, int] | None = None, **fields) -> DraftRequest:
    specs = [VariableSpec(name=c, data_type="binary" if frame[c].nunique() == 2 else None,
                          tier=(tiers or {}).get(c)) for c in frame.columns]
    return DraftRequest(question="what causes what?", variables=specs, **fields)


@pytest.fixture(scope="module")
def either_frame() -> pd.DataFrame:
    """asia's logical OR: either = tub or lung, exactly; xray is a noisy reading of either."""
    rng = np.random.default_rng(3)
    n = 3000
    tub = rng.random(n) < 0.3
    lung = rng.random(n) < 0.3
    either = tub | lung
    xray = np.where(rng.random(n) < 0.9, either, ~either)
    return pd.DataFrame({name: np.where(v, "yes", "no") for name, v in
                         (("tub", tub), ("lung", lung), ("either", either), ("xray", xray))})


def test_a_determined_variable_is_recognised_and_sparse_strata_are_not_mistaken_for_it(either_frame):
    problem = check_problem(request(either_frame), either_frame)
    determined = Determination(problem)
    assert determined("either", ("lung", "tub"))
    assert not determined("xray", ("lung", "tub"))
    assert not determined("either", ())

    rng = np.random.default_rng(0)  # 600 rows over 500 configurations: constancy there is no evidence
    wide = pd.DataFrame({"a": rng.integers(0, 500, 600).astype(str), "b": rng.integers(0, 2, 600).astype(str)})
    wide_problem = check_problem(DraftRequest(question="q", variables=[VariableSpec(name="a", data_type="categorical"),
                                                                          VariableSpec(name="b", data_type="binary")]),
                                 wide)
    assert not Determination(wide_problem)("b", ("a",))


def test_a_set_that_determines_a_variable_does_not_separate_it(either_frame):
    problem = check_problem(request(either_frame), either_frame)
    tester = CITester(problem.prepared, cache=CITestCache())
    # the degenerate test itself: no degrees of freedom, so "independent"
    degenerate = tester.test("either", "xray", ("lung", "tub"))
    assert degenerate.dof == 0 and not degenerate.reliable and degenerate.p_value == 1.0
    result = run_pc(problem, tester, 0.05, max_conditioning=None,
                    knowledge=background_knowledge(problem.knowledge, problem.names))
    assert result.skeleton.adjacent("either", "xray")          # kept: {tub, lung} determines either
    assert not result.skeleton.adjacent("tub", "xray")         # separated by either, as in the true DAG
    assert not result.skeleton.adjacent("lung", "xray")
    assert all(r.dof != 0 for r in result.records)             # the degenerate test is never cited
    proposal = propose_offline(request(either_frame), either_frame)
    edges = {frozenset((e.source, e.target)) for e in proposal.candidates[0].graph.edges}
    assert frozenset(("either", "xray")) in edges


def test_tiered_pairs_are_the_non_adjacent_pairs_of_tiered_variables():
    frame = simulate([("a", "b"), ("b", "c"), ("c", "d")], 500, 0)
    problem = check_problem(request(frame), frame)
    skeleton = PDAG(problem.names, [("a", "b"), ("b", "c"), ("c", "d")])
    assert tiered_pairs(problem, skeleton) == []                # no tiers: the climb stays on the skeleton
    tiered = check_problem(request(frame, {"a": 0, "b": 1, "c": 1}), frame)
    assert tiered_pairs(tiered, skeleton) == [("a", "c")]      # d has no tier; a-b, b-c are adjacent


def test_with_tiers_the_climb_puts_back_an_edge_the_skeleton_lost():
    frame = simulate([("a", "c"), ("b", "c"), ("c", "d")], 3000, 1)
    tiers = {"a": 0, "b": 0, "c": 1, "d": 2}
    problem = check_problem(request(frame, tiers), frame)
    scorer = BICScorer(problem.prepared, problem.names)
    lost = PDAG(problem.names, [("b", "c"), ("c", "d")])       # as if one test had wrongly separated a and c
    on_skeleton = hill_climb(problem, scorer, lost)
    assert "a" not in on_skeleton["c"]
    widened = hill_climb(problem, scorer, lost, extra=tiered_pairs(problem, lost))
    assert widened["c"] == {"a", "b"} and widened["d"] == {"c"}  # the true DAG, every arrow forward in time
    assert all(not widened[v] for v in ("a", "b"))


def test_an_edge_the_score_put_back_cites_the_separating_test_against_it_and_the_dependence_for_it():
    frame = simulate([("a", "c"), ("b", "c")], 2000, 2)
    tiers = {"a": 0, "b": 0, "c": 1}
    problem = check_problem(request(frame, tiers), frame)
    tester = CITester(problem.prepared, cache=CITestCache())
    wrong = CITestResult("fisherz", 0.5, 0.6, None, 2000, "a", "c", ("b",))  # a planted false separation
    base = SearchResult(label="PC", algorithm="pc", alpha=0.05, skeleton=PDAG(problem.names, [("b", "c")]),
                        separations={}, records=[wrong], seconds=0.0)
    scorer = BICScorer(problem.prepared, problem.names)
    climbed = hill_climb_source(problem, scorer, base, extra=tiered_pairs(problem, base.skeleton))
    assert climbed.skeleton.adjacent("a", "c") and "tiered pairs" in climbed.label
    edge = build_edge("a", "c", Why("tier-rule", "a is in an earlier tier"), climbed, ["b"], tester, 0.05)
    against, support = edge.evidence[0], edge.evidence[1]
    assert against.supports is False and against.p_value == 0.6
    assert support.supports is True and support.p_value < 1e-6
    assert "The score added the edge back" in edge.rationale
    assert edge.confidence < 0.5                                # conflicting evidence: below an even chance
