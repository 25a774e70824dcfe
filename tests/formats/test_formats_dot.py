"""Graphviz DOT: our export, DOT written by other tools, and how bad input is reported."""

from __future__ import annotations

import pydot
import pytest
from formats_strategies import assert_located_error, TRICKY_NAMES, smoking_graph

from assistant.errors import CausalAssistantError, GraphValidationError, ParseError, UnknownVariableError
from assistant.formats import read_graph, write_graph
from assistant.formats.dot import EXPOSURE_COLOR, OUTCOME_COLOR, dot_id
from assistant.model import CausalGraph, Edge, Position, Variable


def read(text: str) -> CausalGraph:
    return read_graph(text, "dot", source="g.dot")


def line_of(text: str, start: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


def test_export_styles_nodes_by_their_part_in_the_question() -> None:
    text = write_graph(smoking_graph(), "dot")
    assert text.startswith('digraph "Smoking and cancer" {\n  graph [exposures="[\\"smoking\\"]", ')
    assert f'fillcolor="{EXPOSURE_COLOR}"' in line_of(text, "smoking [")
    assert f'fillcolor="{OUTCOME_COLOR}"' in line_of(text, "cancer [")
    assert "style=dashed" in line_of(text, "genotype [")
    assert "shape=box" in line_of(text, "tar [")
    assert line_of(text, "smoking -> cancer").startswith(
        "smoking -> cancer [kind=bidirected, dir=both, style=dashed, provenance=data, evidence=")
    assert line_of(text, "tar -> cancer") == "tar -> cancer [provenance=llm, confidence=0.7];"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's use of old pyparsing names
def test_export_is_dot_that_pydot_accepts() -> None:
    parsed = pydot.graph_from_dot_data(write_graph(smoking_graph(), "dot"))
    assert parsed is not None
    assert len(parsed[0].get_edges()) == 5


def test_plain_dot_from_other_tools_imports() -> None:
    g = read("digraph { a -> b; b -> c }")
    assert g.names == ["a", "b", "c"]
    assert [(str(e), e.provenance) for e in g.edges] == [("a -> b", "import"), ("b -> c", "import")]
    assert all(v.observed for v in g.variables)


def test_full_dot_syntax_is_understood() -> None:
    g = read("""
    # a preprocessor line
    strict digraph "study" {
      graph [rankdir=LR, label="A study"];  // graph attributes we do not model
      node [shape=box, label="\\N"];
      /* a block
         comment */
      subgraph cluster_0 {
        edge [dir=both];
        x -> y;
      }
      x:port:n -> z -> {w v} [color=red];
      z -> w;
      "quoted " + "name" -> <<b>html</b>>;
      p -> q [dir=back];
      v [label="Vee", pos="36,18!"];
    }
    """)
    assert g.names == ["x", "y", "z", "w", "v", "quoted name", "<b>html</b>", "p", "q"]
    assert [str(e) for e in g.edges] == [
        "x <-> y", "x -> z", "z -> w", "z -> v", "quoted name -> <b>html</b>", "q -> p"]
    assert g.variable("v").label == "Vee" and g.variable("x").label is None
    assert g.variable("v").position == Position(x=36, y=18)
    assert g.metadata.name == "study"


def test_graphviz_layout_output_with_positions_reads() -> None:
    g = read('digraph {\n\tgraph [bb="0,0,62,108"];\n\tnode [label="\\N"];\n'
             '\ta\t[height=0.5, pos="27,90", width=0.75];\n\tb\t[pos="27,18"];\n'
             '\ta -> b\t[pos="e,27,36.104 27,71.697 27,63.983 27,54.712 27,46.112"];\n}\n')
    assert [v.position for v in g.variables] == [Position(x=27, y=90), Position(x=27, y=18)]


def test_our_own_attributes_are_read_from_hand_written_dot() -> None:
    g = read('digraph { u [observed=false, tier=2, role=confounder, data_type=binary, description="hidden"];'
             ' u -> y [kind=bidirected, provenance=expert, confidence=0.25, rationale="shared cause"] }')
    u = g.variable("u")
    assert (u.observed, u.tier, u.role, u.data_type, u.description) == (False, 2, "confounder", "binary", "hidden")
    assert g.edges[0] == Edge(source="u", target="y", kind="bidirected", confidence=0.25, rationale="shared cause")


def test_repeated_edges_merge_in_a_strict_graph() -> None:
    g = read("strict digraph { a -> b; a -> b [confidence=0.5] }")
    assert [(str(e), e.confidence) for e in g.edges] == [("a -> b", 0.5)]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_every_name_is_written_so_that_it_reads_back(name: str) -> None:
    g = CausalGraph(variables=[Variable(name=name, label=name, description=name)],
                    edges=[], outcomes=[name])
    assert read(write_graph(g, "dot")) == g


def test_plain_ids_stay_bare_and_numerals_are_quoted() -> None:
    assert [dot_id(t) for t in ("abc_1", "_x", "-1.5", "-1", "7", ".5", "Node", "a b", "1e5", "é")] == [
        "abc_1", "_x", '"-1.5"', '"-1"', '"7"', '".5"', '"Node"', '"a b"', '"1e5"', '"é"']


@pytest.mark.parametrize("name", ["-1", "0", "7", "-0.5", ".5", "1.", "12abc", "é", "x y"])
def test_names_that_look_like_numbers_are_read_by_pydot_too(name: str) -> None:
    """``-1`` is a valid bare DOT ID, but pydot's parser rejects it as a node: the writer quotes numerals."""
    g = CausalGraph(variables=[Variable(name=name), Variable(name="y")], edges=[Edge(source=name, target="y")])
    text = write_graph(g, "dot")
    assert read(text) == g
    [parsed] = pydot.graph_from_dot_data(text)
    assert [(e.get_source().strip('"'), e.get_destination()) for e in parsed.get_edges()] == [(name, "y")]


# --- bad input -------------------------------------------------------------

BAD_INPUT = [
    ("graph {\n a -- b\n}", ParseError, 1, 1, "undirected graph"),
    ("digraph {\n a -- b\n}", ParseError, 2, 4, "undirected edge '--'"),
    ("digraph {\n a -> b [dir=none]\n}", ParseError, 2, 14, "without direction"),
    ("digraph {\n a -> b\n c -> [x=1]\n}", ParseError, 3, 7, "expected a node name"),
    ("digraph {\n a [label=x\n}", ParseError, 3, 1, "expected an attribute name or ']'"),
    ("digraph {\n a [label x]\n}", ParseError, 2, 11, "expected '=' after the attribute name 'label'"),
    ('digraph {\n a [label="x]\n}', ParseError, 2, 11, "unterminated string"),
    ("digraph {\n a [label=<<b>x</b>]\n}", ParseError, 2, 11, "unterminated HTML string"),
    ("digraph {\n /* a -> b\n}", ParseError, 2, 2, "unterminated comment"),
    ("digraph {\n a -> b\n", ParseError, 3, 1, "expected '}'"),
    ("digraph {\n a -> b\n}\ndigraph { c }", ParseError, 4, 1, "after the end of the graph"),
    ("flowchart {\n a -> b\n}", ParseError, 1, 1, "expected 'digraph'"),
    ("digraph {\n node -> b\n}", ParseError, 2, 2, "'node' is a DOT keyword"),
    ("digraph {\n a -> b $\n}", ParseError, 2, 9, "unexpected character '$'"),
    ('digraph {\n graph [exposures="[oops"]\n a\n}', ParseError, 2, 19, "'exposures' is not valid JSON"),
    ('digraph {\n graph [metadata="[]"]\n a\n}', ParseError, 2, 18, "should be a JSON object"),
    ('digraph {\n a -> b [evidence="{}"]\n}', ParseError, 2, 19, "should be a JSON list"),
    ('digraph {\n a [pos="1"]\n}', ParseError, 2, 9, "bad position '1'"),
    ("digraph {\n a -> b\n a -> b\n}", GraphValidationError, 3, 4, "duplicate edge a -> b (first at line 2"),
    ("digraph {\n a -> b\n b -> b\n}", GraphValidationError, 3, 4, "self-loop on 'b'"),
    ("digraph {\n a [tier=first]\n}", GraphValidationError, 2, 10, "valid integer"),
    ("digraph {\n a -> b [kind=sideways]\n}", GraphValidationError, 2, 15, "'directed' or 'bidirected'"),
    ("digraph {\n a -> b [confidence=2]\n}", GraphValidationError, 2, 21, "less than or equal to 1"),
    ('digraph {\n "" -> b\n}', GraphValidationError, 2, 2, "must not be empty"),
    ('digraph {\n graph [exposures="[\\"zz\\"]"]\n a\n}', UnknownVariableError, 2, 19, "unknown variable 'zz'"),
    ('digraph {\n graph [exposures="[\\"a\\"]", outcomes="[\\"a\\"]"]\n a\n}', GraphValidationError, 2, 39,
     "both exposure and outcome"),
    ("", ParseError, 1, 1, "the input is empty"),
]


@pytest.mark.parametrize(("text", "error", "line", "column", "fragment"), BAD_INPUT,
                         ids=[case[4] for case in BAD_INPUT])
def test_bad_dot_is_reported_with_its_line_and_column(text: str, error: type, line: int, column: int,
                                                      fragment: str) -> None:
    assert_located_error(read, text, error, fragment, "g.dot", line, column)


def test_errors_are_always_typed() -> None:
    for text in ["digraph", "digraph {", "digraph { a -> }", "digraph { a [ }", "digraph { a:", "digraph { = }",
                 "digraph { subgraph }", "strict", "digraph { a [x=] }", 'digraph { "a" + }']:
        with pytest.raises(CausalAssistantError):
            read(text)
