"""Property tests: every format gives back the graph it was given (or, for dagitty, all it can express)."""

from __future__ import annotations

import networkx as nx
import pytest
from formats_strategies import causal_graphs, dagitty_view, smoking_graph
from hypothesis import HealthCheck, given, settings

from assistant import gallery
from assistant.formats import from_networkx, read_graph, to_networkx, write_graph
from assistant.model import CausalGraph

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("fmt", ["json", "dot", "gml"])
@PROPERTY
@given(graph=causal_graphs())
def test_lossless_formats_give_back_an_equal_graph(fmt: str, graph: CausalGraph) -> None:
    text = write_graph(graph, fmt)
    assert read_graph(text, fmt) == graph
    assert write_graph(read_graph(text, fmt), fmt) == text


@PROPERTY
@given(graph=causal_graphs())
def test_networkx_conversion_gives_back_an_equal_graph(graph: CausalGraph) -> None:
    G = to_networkx(graph)
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == len(graph.variables)
    assert G.number_of_edges() == len(graph.edges)
    assert from_networkx(G) == graph


@PROPERTY
@given(graph=causal_graphs())
def test_dagitty_keeps_everything_dagitty_can_express(graph: CausalGraph) -> None:
    text = write_graph(graph, "dagitty")
    back = read_graph(text, "dagitty")
    assert dagitty_view(back) == dagitty_view(graph)
    assert all(e.provenance == "import" for e in back.edges)


@PROPERTY
@given(graph=causal_graphs())
def test_dagitty_write_read_write_is_a_fixed_point(graph: CausalGraph) -> None:
    text = write_graph(graph, "dagitty")
    assert write_graph(read_graph(text, "dagitty"), "dagitty") == text


@pytest.mark.parametrize("fmt", ["json", "dot", "gml"])
def test_the_named_example_survives_each_lossless_format(fmt: str) -> None:
    graph = smoking_graph()
    assert read_graph(write_graph(graph, fmt), fmt) == graph


def test_a_graph_with_no_variables_round_trips_everywhere() -> None:
    empty = CausalGraph()
    for fmt in ("json", "dot", "gml", "dagitty"):
        assert read_graph(write_graph(empty, fmt), fmt) == empty
    assert from_networkx(to_networkx(empty)) == empty


@pytest.mark.parametrize("name", gallery.names())
def test_every_gallery_graph_survives_every_format(name: str) -> None:
    graph = gallery.load(name)
    for fmt in ("json", "dot", "gml"):
        assert read_graph(write_graph(graph, fmt), fmt) == graph
    assert from_networkx(to_networkx(graph)) == graph
    assert dagitty_view(read_graph(write_graph(graph, "dagitty"), "dagitty")) == dagitty_view(graph)
