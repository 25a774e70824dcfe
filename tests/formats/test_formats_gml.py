"""GML: compatibility with networkx and other tools, and how bad input is reported."""

from __future__ import annotations

import networkx as nx
import pytest
from formats_strategies import assert_located_error, TRICKY_NAMES, smoking_graph

from assistant.errors import (
    CausalAssistantError,
    DuplicateVariableError,
    GraphValidationError,
    ParseError,
    UnknownVariableError,
)
from assistant.formats import read_graph, write_graph
from assistant.formats.gml import gml_string
from assistant.model import CausalGraph, Position, Variable


def read(text: str) -> CausalGraph:
    return read_graph(text, "gml", source="g.gml")


def test_output_is_ascii_and_loads_in_networkx() -> None:
    text = write_graph(smoking_graph(), "gml")
    assert text.isascii()
    G = nx.parse_gml(text)
    assert list(G.nodes) == ["smoking", "tar", "cancer", "genotype"]
    assert G.number_of_edges() == 5
    assert G.nodes["smoking"]["display_label"] == "Smoking"
    assert G.nodes["genotype"]["observed"] == 0
    assert G.nodes["tar"]["graphics"] == {"x": 1.0, "y": 1.0}


def test_gml_written_by_networkx_loads() -> None:
    G = nx.DiGraph()
    G.add_edge("rain", "wet grass", weight=3)
    G.add_edge("sprinkler", "wet grass")
    g = read("\n".join(nx.generate_gml(G)))
    assert g.names == ["rain", "wet grass", "sprinkler"]
    assert [(str(e), e.provenance) for e in g.edges] == [("rain -> wet grass", "import"),
                                                          ("sprinkler -> wet grass", "import")]


def test_gml_from_other_tools_uses_label_then_name_then_id() -> None:
    g = read("""Creator "yFiles"
    Version 2.2
    graph [
      hierarchic 1
      directed 1
      # a comment
      node [ id 10 label "Age" graphics [ x 12.5 y -3 w 30.0 h 30.0 type "ellipse" ] ]
      node [ id 20 name "Income" ]
      node [ id 30 ]
      edge [ source 10 target 20 key "bidirected" ]
      edge [ source 20 target 30 ]
    ]""")
    assert g.names == ["Age", "Income", "30"]
    assert g.variable("Age").position == Position(x=12.5, y=-3)
    assert [str(e) for e in g.edges] == ["Age <-> Income", "Income -> 30"]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_every_name_is_written_so_that_it_reads_back(name: str) -> None:
    g = CausalGraph(variables=[Variable(name=name, label=name, description=name)], exposures=[name])
    assert read(write_graph(g, "gml")) == g


def test_strings_are_escaped_like_networkx_does() -> None:
    assert gml_string('a "b" & ü\n') == '"a &#34;b&#34; &#38; &#252;&#10;"'


def test_large_tiers_are_written_as_strings_and_read_back() -> None:
    g = CausalGraph(variables=[Variable(name="a", tier=2**40)])
    assert "tier \"1099511627776\"" in write_graph(g, "gml")
    assert read(write_graph(g, "gml")) == g


# --- bad input -------------------------------------------------------------

NODES = 'graph [\n directed 1\n node [ id 0 label "a" ]\n node [ id 1 label "b" ]\n'
BAD_INPUT = [
    ('graph [\n directed 1\n node [ id 0 label "a ]\n]', ParseError, 3, 20, "unterminated string"),
    ("graph [\n directed 1\n node [ id 0 label @ ]\n]", ParseError, 3, 20, "cannot read '@ ]'"),
    ("graph [\n directed 1\n node [ id 0 label ]\n]", ParseError, 3, 20, "expected a value for 'label'"),
    ("graph [\n directed 1\n node [ id 0 ] ]\n]", ParseError, 4, 1, "expected a key, found ']'"),
    ("graph [\n directed 1\n node [ id 0\n", ParseError, 3, 2, "the '[' after 'node' is never closed"),
    ("graph [\n directed 1\n 7 ]", ParseError, 3, 2, "expected a key or ']', found '7'"),
    ("graph [\n directed 1\n node [ id 0 label", ParseError, 3, 14, "the key 'label' has no value"),
    ('graph [\n node [ id 0 label "a" ]\n]', ParseError, 1, 1, "the graph is undirected"),
    ('graph [\n directed 0\n node [ id 0 label "a" ]\n]', ParseError, 2, 2, "the graph is undirected"),
    ('Creator "me"\n', ParseError, 1, 1, "no 'graph [ ... ]' found"),
    ("graph [ directed 1 ]\ngraph [ directed 1 ]", ParseError, 2, 1, "more than one graph"),
    ("graph 1", ParseError, 1, 1, "'graph' should be followed by '[ ... ]'"),
    ('graph [\n directed 1\n node [ label "a" ]\n]', ParseError, 3, 2, "this node has no 'id'"),
    ('graph [\n directed 1\n node [ id 0 label "a" ]\n node [ id 0 label "b" ]\n]', ParseError, 4, 9,
     "node id 0 is used twice (first at line 3)"),
    (NODES + " edge [ target 1 ]\n]", ParseError, 5, 2, "this edge has no 'source'"),
    (NODES + ' exposures "[a]"\n]', ParseError, 5, 2, "'exposures' is not valid JSON"),
    (NODES + " exposures 3\n]", ParseError, 5, 2, "should be a string holding a JSON list"),
    (NODES + ' edge [ source 0 target 1 evidence "{}" ]\n]', ParseError, 5, 27, "should hold a JSON list"),
    (NODES + " edge [ source 0 target 7 ]\n]", UnknownVariableError, 5, 18, "unknown variable '7'"),
    ('graph [\n directed 1\n node [ id 0 label "a" ]\n node [ id 1 label "a" ]\n]', DuplicateVariableError,
     4, 14, "duplicate variable name 'a'"),
    (NODES + " edge [ source 1 target 1 ]\n]", GraphValidationError, 5, 2, "self-loop on 'b'"),
    (NODES + " edge [ source 0 target 1 ]\n edge [ source 0 target 1 ]\n]", GraphValidationError, 6, 2,
     "duplicate edge a -> b"),
    (NODES + " edge [ source 0 target 1 confidence 1.5 ]\n]", GraphValidationError, 5, 27, "less than or equal"),
    ('graph [\n directed 1\n node [ id 0 label "a" tier "x" ]\n]', GraphValidationError, 3, 24, "valid integer"),
    ('graph [\n directed 1\n node [ id 0 label "" ]\n]', GraphValidationError, 3, 14, "must not be empty"),
    (NODES + ' outcomes "[\\"zz\\"]"\n]', ParseError, 5, 17, "cannot read"),  # GML has no backslash escapes
    (NODES + ' outcomes "[&#34;zz&#34;]"\n]', UnknownVariableError, 5, 2, "unknown variable 'zz' in outcomes"),
    ("", ParseError, 1, 1, "the input is empty"),
]


@pytest.mark.parametrize(("text", "error", "line", "column", "fragment"), BAD_INPUT,
                         ids=[case[4] for case in BAD_INPUT])
def test_bad_gml_is_reported_with_its_line_and_column(text: str, error: type, line: int, column: int,
                                                      fragment: str) -> None:
    assert_located_error(read, text, error, fragment, "g.gml", line, column)


def test_errors_are_always_typed() -> None:
    for text in ["graph", "graph [", "]", "graph [ directed 1 node 3 ]", "graph [ directed 1 edge 3 ]",
                 'graph [ directed 1 node [ id [ ] ] ]', 'graph [ directed 1 node [ id 0 label [ ] ] ]',
                 "graph [ directed 1 edge [ source [ ] target 0 ] ]", "INF", "graph [ directed 1 metadata INF ]"]:
        with pytest.raises(CausalAssistantError):
            read(text)
