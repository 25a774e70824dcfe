"""Converting to and from networkx."""

from __future__ import annotations

import networkx as nx
import pytest
from formats_strategies import smoking_graph

from assistant.errors import DuplicateVariableError, GraphValidationError, ParseError
from assistant.formats import from_networkx, to_networkx
from assistant.model import Edge, Position, Variable


def test_the_multigraph_carries_every_field() -> None:
    G = to_networkx(smoking_graph())
    assert G.graph["exposures"] == ["smoking"] and G.graph["adjusted"] == ["tar"]
    assert G.graph["metadata"]["question"]["text"] == "Does smoking cause cancer?"
    assert G.nodes["genotype"]["observed"] is False
    assert G.nodes["smoking"]["position"] == {"x": 0.0, "y": 1.0}
    assert set(G["smoking"]["cancer"]) == {"bidirected"}
    assert G.edges["smoking", "cancer", "bidirected"]["evidence"][0]["p_value"] == 0.01
    assert G.edges["smoking", "tar", "directed"]["confidence"] == 0.9


def test_edge_order_survives_although_networkx_groups_edges_by_node() -> None:
    graph = smoking_graph()
    G = to_networkx(graph)
    assert [(u, v) for u, v in G.edges()] != [(e.source, e.target) for e in graph.edges]
    assert from_networkx(G).edges == graph.edges


def test_a_plain_digraph_imports_as_observed_variables_and_directed_edges() -> None:
    g = from_networkx(nx.DiGraph([(1, 2), (2, 3)]))
    assert g.names == ["1", "2", "3"]
    assert all(v == Variable(name=v.name) for v in g.variables)
    assert g.edges == [Edge(source="1", target="2", provenance="import"),
                       Edge(source="2", target="3", provenance="import")]


def test_foreign_attributes_are_ignored_and_pos_becomes_a_position() -> None:
    G = nx.DiGraph()
    G.add_node("a", pos=(1.5, -2), color="red")
    G.add_edge("a", "b", weight=4, kind="bidirected")
    g = from_networkx(G)
    assert g.variable("a").position == Position(x=1.5, y=-2)
    assert g.edges == [Edge(source="a", target="b", kind="bidirected", provenance="import")]


def test_an_undirected_graph_is_refused() -> None:
    with pytest.raises(ParseError, match="undirected"):
        from_networkx(nx.Graph([("a", "b")]))


def test_invalid_attributes_are_reported_with_the_node_name() -> None:
    G = nx.DiGraph()
    G.add_node("age", tier=-1)
    with pytest.raises(GraphValidationError, match=r"greater than or equal to 0.*\(node 'age'\)"):
        from_networkx(G)


def test_self_loops_and_colliding_names_are_typed_errors() -> None:
    with pytest.raises(GraphValidationError, match="self-loop on 'a'"):
        from_networkx(nx.DiGraph([("a", "a")]))
    with pytest.raises(DuplicateVariableError, match="duplicate variable name '1'"):
        from_networkx(nx.DiGraph([(1, "1")]))
