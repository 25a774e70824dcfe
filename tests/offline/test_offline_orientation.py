"""Orientation and completion on hand-built patterns: colliders, Meek's rules, knowledge, extensions."""

from __future__ import annotations

from itertools import combinations

import networkx as nx

from assistant.draft.offline.complete import extensions, fallback_extension
from assistant.draft.offline.pdag import PDAG, Separation, Why, apply_meek, orient
from assistant.draft.spec import Knowledge
from assistant.stats.citests import CITestResult

NONE = Knowledge()


def separated(x: str, y: str, *z: str, p: float = 0.5) -> Separation:
    return Separation(CITestResult("fisherz", 0.1, p, None, 1000, x, y, tuple(z)))


def test_a_collider_is_oriented_and_meek_rule_1_carries_it_on():
    pdag = PDAG("abcd", [("a", "c"), ("b", "c"), ("c", "d")])
    log = orient(pdag, NONE, {("a", "b"): separated("a", "b"), ("a", "d"): separated("a", "d", "c"),
                              ("b", "d"): separated("b", "d", "c")})
    assert set(pdag.arrows) == {("a", "c"), ("b", "c"), ("c", "d")}
    assert pdag.arrows[("a", "c")].rule == "v-structure" and "p=0.5" in pdag.arrows[("a", "c")].text
    assert pdag.arrows[("c", "d")].rule == "meek-1"
    assert log.counts == {"v-structure": 2, "meek-1": 1}


def test_a_non_collider_stays_undecided():
    pdag = PDAG("abc", [("a", "b"), ("b", "c")])
    orient(pdag, NONE, {("a", "c"): separated("a", "c", "b")})
    assert pdag.undirected_edges() == [("a", "b"), ("b", "c")]


def test_meek_rule_2_avoids_a_cycle():
    pdag = PDAG("abc", [("a", "b"), ("b", "c"), ("a", "c")])
    pdag.orient("a", "b", Why("knowledge", "given"))
    pdag.orient("b", "c", Why("knowledge", "given"))
    apply_meek(pdag, NONE)
    assert pdag.arrows[("a", "c")].rule == "meek-2"


def test_meek_rule_3_orients_into_a_shared_child():
    pdag = PDAG("abcd", [("a", "b"), ("a", "c"), ("a", "d"), ("c", "b"), ("d", "b")])
    pdag.orient("c", "b", Why("v-structure", "given"))
    pdag.orient("d", "b", Why("v-structure", "given"))
    apply_meek(pdag, NONE)
    assert pdag.arrows[("a", "b")].rule == "meek-3"


def test_tiers_orient_before_the_data_and_block_contradicting_colliders():
    tiers = Knowledge(tiers={"a": 1, "b": 0, "c": 1})
    pdag = PDAG("abc", [("a", "b"), ("b", "c")])
    log = orient(pdag, tiers, {("a", "c"): separated("a", "c")})   # the data say a -> b <- c
    assert pdag.arrows[("b", "a")].rule == "tier-rule" and pdag.arrows[("b", "c")].rule == "tier-rule"
    assert any("contradicts the knowledge" in n for n in log.notes)


def test_required_edges_are_added_even_when_the_data_separated_the_pair():
    pdag = PDAG("abc", [("b", "c")])
    orient(pdag, Knowledge(required_edges=[("a", "b")]), {("a", "b"): separated("a", "b")})
    assert pdag.arrows[("a", "b")].rule == "required"


def _is_consistent_extension(pattern: PDAG, dag: PDAG) -> bool:
    graph = nx.DiGraph(list(dag.arrows))
    same_skeleton = {frozenset(e) for e in pattern.edges()} == {frozenset(e) for e in dag.edges()}
    keeps_arrows = set(pattern.arrows) <= set(dag.arrows)
    return nx.is_directed_acyclic_graph(graph) and same_skeleton and keeps_arrows and \
        dag.colliders() == pattern.colliders() and not dag.undirected_edges()


def test_a_chain_has_three_extensions_without_colliders():
    pattern = PDAG("abc", [("a", "b"), ("b", "c")])
    found = extensions(pattern, NONE, limit=10)
    assert len(found) == 3
    assert {frozenset(e.dag.arrows) for e in found} == {
        frozenset({("a", "b"), ("b", "c")}), frozenset({("b", "a"), ("c", "b")}), frozenset({("b", "a"), ("b", "c")})}
    assert all(_is_consistent_extension(pattern, e.dag) for e in found)
    assert all(e.dag.arrows[e.choices[0]].rule == "choice" for e in found)


def test_extensions_of_a_complete_graph_are_its_orderings_and_respect_knowledge():
    nodes = "abcd"
    pattern = PDAG(nodes, list(combinations(nodes, 2)))
    assert len(extensions(pattern, NONE, limit=100)) == 24
    knowledge = Knowledge(forbidden_edges=[("d", "a")], exogenous=["b"])
    pattern = PDAG(nodes, list(combinations(nodes, 2)))
    orient(pattern, knowledge, {})
    found = extensions(pattern, knowledge, limit=100)
    assert found and all(("d", "a") not in e.dag.arrows and not e.dag.parents("b") for e in found)
    assert all(_is_consistent_extension(pattern, e.dag) for e in found)


def test_the_fallback_completes_a_pattern_with_no_consistent_extension():
    # every acyclic orientation of a chordless 4-cycle has a collider: conflicting evidence in a pattern
    pattern = PDAG("abcd", [("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")])
    assert extensions(pattern, NONE, limit=5) == []
    extension, notes = fallback_extension(pattern, NONE)
    assert nx.is_directed_acyclic_graph(nx.DiGraph(list(extension.dag.arrows)))
    assert not extension.dag.undirected_edges() and not extension.consistent
    assert any("colliders the tests did not show" in n for n in notes)
