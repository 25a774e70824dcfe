"""diff_graphs: what changed between two graphs, with reversal and attribute changes told apart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import make_graph

from assistant.edit import GraphDiff, diff_graphs
from assistant.model import CausalGraph, Edge, Evidence, GraphMetadata, Variable


def test_identical_graphs_have_an_empty_diff(confounding_graph):
    diff = diff_graphs(confounding_graph, confounding_graph)
    assert diff.is_empty
    assert diff.summary() == "no changes"
    assert diff.lines() == []


def test_reordering_variables_and_edges_is_not_a_change():
    a = make_graph("xyz", [("x", "y"), ("y", "z")], exposures=["x", "y"])
    b = make_graph("zyx", [("y", "z"), ("x", "y")], exposures=["y", "x"])
    assert diff_graphs(a, b).is_empty


def test_added_and_removed_variables_are_listed_in_declaration_order():
    old = make_graph("abc")
    new = make_graph(["a", "d", "e"])
    diff = diff_graphs(old, new)
    assert [v.name for v in diff.variables_added] == ["d", "e"]
    assert [v.name for v in diff.variables_removed] == ["b", "c"]
    assert diff.summary() == "+2 variables, -2 variables"


def test_variable_attribute_changes_name_field_old_and_new():
    old = CausalGraph(variables=[Variable(name="x", label="X"), Variable(name="y")])
    new = CausalGraph(variables=[Variable(name="x", label="Exposure", observed=False), Variable(name="y")])
    diff = diff_graphs(old, new)
    assert len(diff.variables_changed) == 1
    change = diff.variables_changed[0]
    assert change.name == "x"
    assert {(c.field, c.old, c.new) for c in change.changes} == {("label", "X", "Exposure"),
                                                                 ("observed", True, False)}
    assert diff.summary() == "1 variable changed"


def test_reversed_edge_is_reported_once_as_reversed():
    old = make_graph("ab", [("a", "b")])
    new = make_graph("ab", [("b", "a")])
    diff = diff_graphs(old, new)
    assert diff.edges_added == [] and diff.edges_removed == []
    assert len(diff.edges_reversed) == 1
    assert str(diff.edges_reversed[0]) == "a -> b is now b -> a"
    assert diff.summary() == "1 reversed"


def test_two_cycle_resolved_to_one_direction_is_a_removal_not_a_reversal():
    old = make_graph("ab", [("a", "b"), ("b", "a")])
    new = make_graph("ab", [("b", "a")])
    diff = diff_graphs(old, new)
    assert [str(e) for e in diff.edges_removed] == ["a -> b"]
    assert diff.edges_reversed == []


def test_edge_kind_change_is_an_addition_and_a_removal():
    old = make_graph("ab", [("a", "b")])
    new = CausalGraph(variables=old.variables, edges=[Edge(source="a", target="b", kind="bidirected")])
    diff = diff_graphs(old, new)
    assert [str(e) for e in diff.edges_removed] == ["a -> b"]
    assert [str(e) for e in diff.edges_added] == ["a <-> b"]
    assert diff.edges_reversed == []


def test_bidirected_edge_written_the_other_way_round_is_the_same_edge():
    vs = make_graph("ab").variables
    old = CausalGraph(variables=vs, edges=[Edge(source="a", target="b", kind="bidirected")])
    new = CausalGraph(variables=vs, edges=[Edge(source="b", target="a", kind="bidirected")])
    assert diff_graphs(old, new).is_empty


def test_edge_attribute_changes_are_reported_per_edge():
    vs = make_graph("ab").variables
    old = CausalGraph(variables=vs, edges=[Edge(source="a", target="b", provenance="llm", confidence=0.4)])
    new = CausalGraph(variables=vs, edges=[Edge(source="a", target="b", provenance="expert", confidence=0.4,
                                                rationale="known mechanism",
                                                evidence=[Evidence(source="literature")])])
    diff = diff_graphs(old, new)
    assert len(diff.edges_changed) == 1
    assert str(diff.edges_changed[0]) == "a -> b"
    assert [c.field for c in diff.edges_changed[0].changes] == ["provenance", "rationale", "evidence"]
    assert diff.edges_changed[0].changes[2].new[0]["source"] == "literature"
    assert diff.summary() == "1 edge changed"


def test_reversal_keeps_attribute_changes_made_with_it():
    vs = make_graph("ab").variables
    old = CausalGraph(variables=vs, edges=[Edge(source="a", target="b", provenance="llm")])
    new = CausalGraph(variables=vs, edges=[Edge(source="b", target="a", provenance="expert")])
    (rev,) = diff_graphs(old, new).edges_reversed
    assert [(c.field, c.old, c.new) for c in rev.changes] == [("provenance", "llm", "expert")]


def test_marker_and_metadata_changes():
    old = make_graph("xyz", exposures=["x"], outcomes=["y"])
    new = make_graph("xyz", exposures=["z"], outcomes=["y"], adjusted=["x"],
                     metadata=GraphMetadata(name="renamed"))
    diff = diff_graphs(old, new)
    assert diff.exposures.added == ["z"] and diff.exposures.removed == ["x"]
    assert diff.outcomes is None
    assert diff.adjusted.added == ["x"]
    assert diff.metadata_changed
    assert [(c.field, c.new) for c in diff.metadata_changes] == [("name", "renamed")]
    assert diff.summary() == "exposures changed, adjusted changed, metadata changed"


def test_summary_counts_in_a_fixed_order():
    old = make_graph("abcd", [("a", "b"), ("c", "d"), ("b", "c")])
    new = CausalGraph(variables=[Variable(name="a", label="A"), *make_graph("bcd").variables],
                      edges=[Edge(source="b", target="a"), Edge(source="a", target="c"),
                             Edge(source="a", target="d")])
    assert diff_graphs(old, new).summary() == "+2 edges, -2 edges, 1 reversed, 1 variable changed"


def test_diff_does_not_change_its_inputs(confounding_graph):
    other = make_graph(["Z", "X"], [("X", "Z")])
    before = (confounding_graph.model_dump(), other.model_dump())
    diff_graphs(confounding_graph, other)
    assert (confounding_graph.model_dump(), other.model_dump()) == before


def test_diff_survives_a_json_round_trip():
    old = make_graph("abc", [("a", "b")])
    new = make_graph("abd", [("b", "a"), ("a", "d")], exposures=["a"])
    diff = diff_graphs(old, new)
    assert GraphDiff.model_validate_json(diff.model_dump_json()) == diff


NAMES = list("abcdef")


@st.composite
def graphs(draw) -> CausalGraph:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, unique=True))
    pairs = [(s, t) for s in names for t in names if s != t]
    edges = draw(st.lists(st.sampled_from(pairs), unique_by=lambda p: p, max_size=8)) if pairs else []
    return make_graph(names, edges)


@settings(max_examples=60, deadline=None)
@given(graphs(), graphs())
def test_diff_accounts_for_every_edge(old, new):
    """Every edge of ``new`` is kept, added or the new end of a reversal; likewise for ``old``."""
    diff = diff_graphs(old, new)
    new_keys = {e.key for e in new.edges}
    old_keys = {e.key for e in old.edges}
    added = {e.key for e in diff.edges_added} | {r.new.key for r in diff.edges_reversed}
    removed = {e.key for e in diff.edges_removed} | {r.old.key for r in diff.edges_reversed}
    assert added == new_keys - old_keys
    assert removed == old_keys - new_keys
    assert diff.is_empty == (old_keys == new_keys and set(old.names) == set(new.names))
