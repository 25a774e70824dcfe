"""The offline proposer on data simulated from known DAGs: skeletons, knowledge, latent signs, evidence."""

from __future__ import annotations

from typing import Mapping

import pandas as pd
import pytest
from offline_sim import CHAIN, COLLIDERS, SEVEN, discrete_cpt, simulate, types_of

from assistant.draft.offline import OfflineProposal, propose_offline
from assistant.draft.spec import DraftRequest, VariableSpec
from assistant.graph import find_cycle


def request_for(frame: pd.DataFrame, types: Mapping[str, str] | None = None, *, tiers: Mapping[str, int] = {},
                roles: Mapping[str, str] = {}, latent: Mapping[str, str] = {}, **fields) -> DraftRequest:
    types = types or {}
    specs = [VariableSpec(name=c, data_type=types.get(c), tier=tiers.get(c), role=roles.get(c)) for c in frame.columns]
    specs += [VariableSpec(name=n, description=d, observed=False) for n, d in latent.items()]
    return DraftRequest(question=fields.pop("question", "what causes what?"), variables=specs, **fields)


def skeleton(proposal: OfflineProposal, rank: int = 1) -> set[frozenset[str]]:
    graph = proposal.candidates[rank - 1].graph
    return {frozenset((e.source, e.target)) for e in graph.edges if graph.variable(e.source).observed
            and graph.variable(e.target).observed}


def arrows(proposal: OfflineProposal, rank: int = 1) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in proposal.candidates[rank - 1].graph.edges}


def true_skeleton(edges) -> set[frozenset[str]]:
    return {frozenset(e) for e in edges}


@pytest.fixture(scope="module")
def seven_gaussian():
    return simulate(SEVEN, 3000, 0)


@pytest.fixture(scope="module")
def seven_proposal(seven_gaussian):
    return propose_offline(request_for(seven_gaussian, candidates=4, exposure="x", outcome="y"), seven_gaussian)


def test_recovers_the_skeleton_of_a_linear_gaussian_dag(seven_proposal):
    assert skeleton(seven_proposal) == true_skeleton(SEVEN)
    assert seven_proposal.test_method == "fisherz"


def test_recovers_the_skeleton_and_colliders_of_a_categorical_network():
    frame = discrete_cpt(COLLIDERS, 4000, 0, levels=3)
    proposal = propose_offline(request_for(frame), frame)
    assert skeleton(proposal) == true_skeleton(COLLIDERS)
    assert {("a", "c"), ("b", "c"), ("c", "e"), ("d", "e"), ("e", "f")} == arrows(proposal)
    assert proposal.test_method == "gsq"


def test_recovers_the_skeleton_of_mixed_data():
    kinds = {"x": "discrete", "m": "discrete", "s": "discrete"}
    frame = simulate(SEVEN, 4000, 2, kinds=kinds)
    proposal = propose_offline(request_for(frame, types_of(frame, kinds)), frame)
    assert skeleton(proposal) == true_skeleton(SEVEN)
    assert "cg-lrt" in proposal.test_method


def test_tiers_orient_what_the_data_cannot_and_forbid_backward_edges():
    frame = simulate(CHAIN, 2000, 1)
    plain = propose_offline(request_for(frame, candidates=4), frame)
    assert len(plain.candidates) == 4                                    # a chain: the data cannot orient it
    assert all(not e.directed for e in plain.pattern)
    assert {c.score for c in plain.candidates} == {plain.candidates[0].score}   # Markov equivalent: one BIC
    assert "Same BIC as" in plain.candidates[0].summary
    tiered = propose_offline(request_for(frame, tiers={"a": 0, "b": 1, "c": 2, "d": 2}, candidates=4), frame)
    assert arrows(tiered) >= {("a", "b"), ("b", "c")}
    for candidate in tiered.candidates:
        for edge in candidate.graph.edges:
            tiers = {"a": 0, "b": 1, "c": 2, "d": 2}
            assert tiers[edge.source] <= tiers[edge.target]
    rule = {e.source: e.evidence[-1].source for e in tiered.candidates[0].graph.edges}
    assert rule["a"] == rule["b"] == "tier-rule"


def test_required_and_forbidden_edges_hold_in_every_candidate(seven_gaussian):
    # the data want x - m and m - y; the expert forbids m -> y and requires z -> y, which the data do not support
    request = request_for(seven_gaussian, candidates=5, required_edges=[("z", "y")], forbidden_edges=[("m", "y")])
    proposal = propose_offline(request, seven_gaussian)
    for candidate in proposal.candidates:
        edges = arrows_of(candidate)
        assert ("z", "y") in edges and ("m", "y") not in edges
        required = candidate.graph.find_edge("z", "y")
        assert required.provenance == "expert" and required.confidence == 1.0
        assert any(ev.source == "ci-test" and ev.supports is False for ev in required.evidence)


def arrows_of(candidate) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in candidate.graph.edges}


def test_exogenous_variables_get_no_parents_and_the_outcome_never_causes_the_exposure(seven_gaussian):
    request = request_for(seven_gaussian, roles={"w": "exogenous", "m": "exogenous"}, candidates=5,
                          exposure="x", outcome="y")
    proposal = propose_offline(request, seven_gaussian)
    for candidate in proposal.candidates:
        assert not [e for e in candidate.graph.edges if e.target in ("w", "m")]
        assert ("y", "x") not in arrows_of(candidate)
        assert candidate.graph.exposures == ["x"] and candidate.graph.outcomes == ["y"]


def test_a_planted_latent_confounder_is_suggested():
    # x1 -> A <- L -> B <- x2, with L not measured: FCI sees A <-> B
    frame = simulate([("x1", "A"), ("L", "A"), ("L", "B"), ("x2", "B")], 3000, 1).drop(columns=["L"])
    proposal = propose_offline(request_for(frame, exposure="A", outcome="B"), frame)
    [suggestion] = proposal.missing_variables
    assert sorted(suggestion.affects) == ["A", "B"] and suggestion.provenance == "data"
    assert "back-door" in suggestion.unblocks and "A <-> B" in suggestion.why
    assert {e.source for e in suggestion.evidence} == {"ci-test"} and len(suggestion.evidence) == 3
    assert suggestion.name not in frame.columns


@pytest.mark.parametrize("knowledge", [
    {},
    {"tiers": {"z": 0, "w": 0, "x": 1, "m": 2, "y": 3, "s": 4}},
    {"required_edges": [("w", "m")], "forbidden_edges": [("x", "m"), ("m", "x")], "roles": {"z": "exogenous"}},
], ids=["none", "tiers", "required-forbidden-exogenous"])
def test_every_candidate_is_an_acyclic_knowledge_respecting_dag_with_cited_evidence(seven_gaussian, knowledge):
    knowledge = dict(knowledge)
    request = request_for(seven_gaussian, tiers=knowledge.pop("tiers", {}), roles=knowledge.pop("roles", {}),
                          candidates=6, exposure="x", outcome="y", **knowledge)
    rules = request.knowledge()
    proposal = propose_offline(request, seven_gaussian)
    assert 1 <= len(proposal.candidates) <= 6
    seen = set()
    scores = [c.score for c in proposal.candidates]
    assert scores == sorted(scores, reverse=True)
    for rank, candidate in enumerate(proposal.candidates, start=1):
        graph = candidate.graph
        assert candidate.rank == rank and candidate.score_name == "BIC" and candidate.summary
        assert find_cycle(graph) is None
        edges = arrows_of(candidate)
        assert frozenset(edges) not in seen
        seen.add(frozenset(edges))
        assert set(rules.required_edges) <= edges
        for edge in graph.edges:
            assert rules.forbids(edge.source, edge.target) is None
            assert edge.kind == "directed" and edge.provenance in ("data", "expert")
            assert edge.rationale and 0.0 <= edge.confidence <= 1.0
            tests = [ev for ev in edge.evidence if ev.source == "ci-test"]
            assert tests and all(ev.p_value is not None and ev.n == 3000 for ev in tests)
            assert edge.evidence[-1].source in ("tier-rule", "knowledge", "orientation-rule")


def test_confidence_falls_as_the_weakest_dependence_weakens(seven_proposal):
    edges = seven_proposal.candidates[0].graph.edges
    by_p = sorted(edges, key=lambda e: max(ev.p_value for ev in e.evidence if ev.source == "ci-test"))
    same_rule = [e for e in by_p if e.evidence[-1].method == by_p[0].evidence[-1].method]
    confidences = [e.confidence for e in same_rule]
    assert confidences == sorted(confidences, reverse=True)


def test_the_proposal_is_deterministic(seven_gaussian):
    request = request_for(seven_gaussian, candidates=3, seed=7)
    one = propose_offline(request, seven_gaussian).model_dump()
    two = propose_offline(request, seven_gaussian.copy()).model_dump()
    for proposal in (one, two):
        proposal["steps"] = [s.rsplit(",", 1)[0] for s in proposal["steps"]]   # timings differ
    assert one == two


def test_the_order_of_columns_and_specs_does_not_change_the_result(seven_gaussian):
    shuffled = seven_gaussian[["y", "s", "m", "z", "x", "w"]]
    one = propose_offline(request_for(seven_gaussian, candidates=3), seven_gaussian)
    two = propose_offline(request_for(shuffled, candidates=3), shuffled)
    assert [arrows(one, r) for r in (1, 2, 3)] == [arrows(two, r) for r in (1, 2, 3)]
    assert two.candidates[0].graph.names == ["y", "s", "m", "z", "x", "w"]


def test_latent_specs_appear_only_when_a_required_edge_connects_them(seven_gaussian):
    latent = {"grit": "unmeasured motivation", "luck": "unmeasured chance"}
    proposal = propose_offline(request_for(seven_gaussian, latent=latent, required_edges=[("grit", "y")]),
                               seven_gaussian)
    graph = proposal.candidates[0].graph
    assert graph.latent == ["grit"] and graph.find_edge("grit", "y").provenance == "expert"
    assert any("luck" in n for n in proposal.notes)


def test_missing_values_are_dropped_test_by_test(seven_gaussian):
    holes = seven_gaussian.copy()
    holes.loc[:299, "s"] = None
    holes.loc[200:499, "z"] = None
    proposal = propose_offline(request_for(holes), holes)
    assert skeleton(proposal) == true_skeleton(SEVEN)
    ns = {ev.n for c in proposal.candidates for e in c.graph.edges for ev in e.evidence if ev.n}
    assert 3000 in ns and 2700 in ns
    assert any("BIC uses the 2500 rows" in n for n in proposal.notes)
