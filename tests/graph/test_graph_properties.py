"""Property tests on random graphs: the fast algorithms agree with brute-force definitions."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import oracles
from random_graphs import causal_graphs

from assistant.graph import (
    basis_implications, d_separated, front_door, instrumental_variables, is_front_door_set,
    is_valid_adjustment_set, latent_projection, minimal_adjustment_sets, missing_edge_implications,
)

PROPS = settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(causal_graphs(), st.data())
def test_d_separation_agrees_with_networkx(graph, data):
    dag = oracles.expanded_dag(graph)
    names = graph.names
    x, y = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
    z = data.draw(st.lists(st.sampled_from([n for n in names if n not in (x, y)]), unique=True)) if len(names) > 2 else []
    assert d_separated(graph, [x], [y], z) == oracles.dsep(dag, {x}, {y}, set(z))


@PROPS
@given(causal_graphs(max_nodes=6))
def test_minimal_adjustment_sets_equal_brute_force(graph):
    x, y = graph.exposures[0], graph.outcomes[0]
    expected = oracles.minimal_adjustment_sets(graph, x, y)
    got = {frozenset(s) for s in minimal_adjustment_sets(graph, max_sets=None).sets}
    assert got == expected


@PROPS
@given(causal_graphs(max_nodes=6), st.data())
def test_validity_check_agrees_with_the_path_definition(graph, data):
    x, y = graph.exposures[0], graph.outcomes[0]
    others = [n for n in graph.observed if n not in (x, y)]
    z = tuple(data.draw(st.lists(st.sampled_from(others), unique=True))) if others else ()
    assert is_valid_adjustment_set(graph, z) == oracles.is_adjustment_set(graph, x, y, z)


@PROPS
@given(causal_graphs(max_nodes=7))
def test_every_implied_independence_is_a_d_separation(graph):
    dag = oracles.expanded_dag(graph)
    for imp in missing_edge_implications(graph) + basis_implications(graph):
        assert oracles.dsep(dag, {imp.x}, set(imp.y), set(imp.given)), str(imp)
        assert all(n in graph.observed for n in (imp.x, *imp.y, *imp.given))


@PROPS
@given(causal_graphs(max_nodes=6))
def test_missing_edge_implications_are_all_minimal_separators(graph):
    listed: dict[frozenset, set[frozenset]] = {}
    for imp in missing_edge_implications(graph):
        listed.setdefault(frozenset((imp.x, imp.y[0])), set()).add(frozenset(imp.given))
    directed = {frozenset((e.source, e.target)) for e in graph.directed_edges()}
    for a, b in combinations(graph.observed, 2):
        if frozenset((a, b)) in directed:
            continue
        assert listed.get(frozenset((a, b)), set()) == oracles.minimal_separating_sets(graph, a, b)


@PROPS
@given(causal_graphs(max_nodes=7), st.data())
def test_latent_projection_preserves_observed_separations(graph, data):
    projected = latent_projection(graph)
    assert set(projected.names) == set(graph.observed)
    assert not projected.latent
    if len(projected.names) < 2:
        return
    x, y = data.draw(st.lists(st.sampled_from(projected.names), min_size=2, max_size=2, unique=True))
    rest = [n for n in projected.names if n not in (x, y)]
    z = data.draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    assert d_separated(projected, [x], [y], z) == d_separated(graph, [x], [y], z)


@PROPS
@given(causal_graphs(max_nodes=6))
def test_instruments_satisfy_the_definition_and_one_is_found_whenever_any_exists(graph):
    """Sound: each reported (Z, W) meets the definition.  Complete in identifying power: if any
    conditional instrument exists, an ancestral one is reported (van der Zander et al. 2015)."""
    x, y = graph.exposures[0], graph.outcomes[0]
    dag = oracles.expanded_dag(graph)
    bd = oracles.backdoor_graph(dag, x, y)
    below_y = {y} | oracles.nx.descendants(bd, y)
    mediators = (oracles.nx.descendants(dag, x) & oracles.nx.ancestors(dag, y)) - {x, y}
    found = {i.variable: i.conditioning for i in instrumental_variables(graph)}

    def ok(z, w):
        w = set(w)
        return (not (w & below_y) and x not in w and not (w & mediators)
                and not oracles.dsep(bd, {z}, {x}, w) and oracles.dsep(bd, {z}, {y}, w))

    any_exists = False
    for z in graph.observed:
        if z in (x, y):
            continue
        pool = [n for n in graph.observed if n not in (x, y, z)]
        any_exists = any_exists or any(ok(z, w) for w in oracles.subsets(pool))
        if z in found:
            assert ok(z, found[z]), z
    assert bool(found) == any_exists


@PROPS
@given(causal_graphs(max_nodes=6))
def test_front_door_search_agrees_with_subset_search(graph):
    x, y = graph.exposures[0], graph.outcomes[0]
    pool = [n for n in graph.observed if n not in (x, y)]
    exists = any(is_front_door_set(graph, m) for m in oracles.subsets(pool) if m)
    result = front_door(graph)
    assert result.exists == exists
    if result.exists:
        assert is_front_door_set(graph, result.minimal)
        assert is_front_door_set(graph, result.maximal)
        for node in result.minimal:  # minimal: dropping any one node breaks it
            smaller = [n for n in result.minimal if n != node]
            assert not smaller or not is_front_door_set(graph, smaller)
