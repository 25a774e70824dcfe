"""DAGitty model code: what we write, what we read, and how bad input is reported."""

from __future__ import annotations

import pytest
from formats_strategies import assert_located_error, TRICKY_NAMES, smoking_graph

from assistant.errors import CausalAssistantError, GraphValidationError, ParseError
from assistant.formats import read_graph, write_graph
from assistant.formats._lexer import tokenize
from assistant.formats.dagitty import _SPEC, BB_KEY, dagitty_name
from assistant.model import CausalGraph, Edge, Position, Variable

# Written the way dagitty.net writes its "Model code" box: bb first, one node per line, then the edges.
DAGITTY_NET_CODE = """dag {
bb="-2.2,-1.5,2.1,1.6"
"Physical activity" [pos="-0.900,0.400"]
Age [pos="-1.800,-1.100"]
BMI [adjusted,pos="0.300,-0.800"]
Diabetes [outcome,pos="1.500,0.500"]
Exercise [exposure,pos="-1.500,0.600"]
Genetics [latent,pos="0.900,-1.300"]
Age -> BMI
Age -> Diabetes
Age -> Exercise
BMI -> Diabetes
Exercise -> "Physical activity"
"Physical activity" -> Diabetes
Genetics -> BMI
Genetics -> Diabetes
Exercise <-> Age
}
"""


def read(text: str) -> CausalGraph:
    return read_graph(text, "dagitty", source="model.dagitty")


def test_exported_code_for_a_small_graph_is_exactly_dagitty_code() -> None:
    assert write_graph(smoking_graph(), "dagitty") == (
        "dag {\n"
        'smoking [exposure,pos="0.0,1.0",label="Smoking"]\n'
        'tar [adjusted,pos="1.0,1.0"]\n'
        'cancer [outcome,pos="2.0,1.0"]\n'
        'genotype [latent,pos="1.0,0.0"]\n'
        "smoking -> tar\n"
        "tar -> cancer\n"
        "genotype -> smoking\n"
        "genotype -> cancer\n"
        "smoking <-> cancer\n"
        "}\n"
    )


def test_model_code_copied_from_dagitty_net_parses() -> None:
    g = read(DAGITTY_NET_CODE)
    assert g.names == ["Physical activity", "Age", "BMI", "Diabetes", "Exercise", "Genetics"]
    assert (g.exposures, g.outcomes, g.adjusted, g.latent) == (["Exercise"], ["Diabetes"], ["BMI"], ["Genetics"])
    assert g.variable("Age").position == Position(x=-1.8, y=-1.1)
    assert g.metadata.extra[BB_KEY] == [-2.2, -1.5, 2.1, 1.6]
    assert len(g.edges) == 9 and all(e.provenance == "import" for e in g.edges)
    assert g.find_edge("Age", "Exercise", "bidirected") is not None
    assert str(g.edges[4]) == "Exercise -> Physical activity"


def test_bounding_box_is_written_back() -> None:
    text = write_graph(read(DAGITTY_NET_CODE), "dagitty")
    assert text.startswith('dag {\nbb="-2.2,-1.5,2.1,1.6"\n"Physical activity" [pos="-0.9,0.4"]\n')


def test_chains_groups_reversed_arrows_and_semicolons_expand_to_edges() -> None:
    g = read("dag G { A -> B <- C; D -> {E F} ; {A D} <-> G }")
    assert [str(e) for e in g.edges] == ["A -> B", "C -> B", "D -> E", "D -> F", "A <-> G", "D <-> G"]
    assert g.metadata.name == "G"


def test_dagitty_abbreviations_and_attribute_merging() -> None:
    g = read('dag {\nX [e]\nY [o]\nU [u]\nZ [a]\nS [s]\nX [pos="1,2"]\nL [label="Long name"]\n}')
    assert (g.exposures, g.outcomes, g.latent, g.adjusted) == (["X"], ["Y"], ["U"], ["Z"])
    assert g.variable("S").role == "selection"
    assert g.variable("X").position == Position(x=1, y=2)
    assert g.variable("L").label == "Long name"


def test_bare_statements_without_a_dag_header_are_accepted_like_dagitty_does() -> None:
    g = read("X -> Y\nX [exposure]")
    assert g.names == ["X", "Y"] and g.exposures == ["X"]


def test_quoted_names_follow_dagitty_escapes() -> None:
    g = read('dag { "say \\"hi\\"" -> "C:\\temp" ; "ends \\\\" ; "a" + "b" }')
    assert g.names == ['say "hi"', "C:\\temp", "ends \\", "ab"]


def test_repeated_edges_merge_as_in_dagitty() -> None:
    g = read("dag { A -> B A -> B B <-> A A <-> B }")
    assert [str(e) for e in g.edges] == ["A -> B", "B <-> A"]


def test_edge_attributes_and_unknown_valued_attributes_are_ignored() -> None:
    g = read('dag { A -> B [pos="0.1,0.2", beta="0.3"] A [colour="red"] }')
    assert [str(e) for e in g.edges] == ["A -> B"]


def test_comments_are_accepted() -> None:
    g = read("// a comment\ndag {\n# another\nA -> B /* inline */\n}")
    assert g.names == ["A", "B"]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_every_name_is_written_so_that_it_reads_back(name: str) -> None:
    tokens = tokenize(dagitty_name(name), _SPEC)
    assert [t.value for t in tokens[:-1]] == [name]
    g = CausalGraph(variables=[Variable(name=name), Variable(name="other")],
                    edges=[Edge(source=name, target="other")], exposures=[name])
    assert read(write_graph(g, "dagitty")).names == [name, "other"]


def test_plain_names_stay_bare_and_keywords_are_quoted() -> None:
    assert [dagitty_name(n) for n in ("x_1.b", "graph", "has space", "ünï")] == \
        ["x_1.b", '"graph"', '"has space"', '"ünï"']


# --- bad input -------------------------------------------------------------

BAD_INPUT = [
    ("dag {\nA -> B\nB -- C\n}", ParseError, 3, 3, "undirected edge '--'"),
    ("dag {\nA @-> B\n}", ParseError, 2, 3, "partially directed edge '@->'"),
    ("dag {\nA -> B @-@ C\n}", ParseError, 2, 8, "'@-@'"),
    ("pdag { A -> B }", ParseError, 1, 1, "graph type 'pdag' is not supported"),
    ("pag { A -> B }", ParseError, 1, 1, "graph type 'pag'"),
    ("mag { A -> B }", ParseError, 1, 1, "graph type 'mag'"),
    ("graph { A -> B }", ParseError, 1, 1, "graph type 'graph'"),
    ("\n digraph G { A -> B }", ParseError, 2, 2, "graph type 'digraph'"),
    ('dag {\n"A -> B\n}', ParseError, 2, 1, "unterminated string"),
    ("dag {\nA -> B\n", ParseError, 3, 1, "expected '}'"),
    ("dag {\nA -> $\n}", ParseError, 2, 6, "unexpected character '$'"),
    ("dag {\nA -> \n}", ParseError, 3, 1, "expected a variable name"),
    ("dag {\n  A [exposre]\n}", ParseError, 2, 6, "unknown variable attribute 'exposre'"),
    ('dag {\nA [pos="1;2"]\n}', ParseError, 2, 8, "bad position '1;2'"),
    ("dag {\nA [pos]\n}", ParseError, 2, 4, "'pos' needs a value"),
    ("dag {\nA [exposure\n}", ParseError, 3, 1, "expected an attribute name or ']'"),
    ("dag {\nA -> B\n} extra", ParseError, 3, 3, "after the end of the graph"),
    ("dag {\nnode -> B\n}", ParseError, 2, 1, "'node' is a keyword"),
    ('dag {\nbb="1,2"\n}', ParseError, 2, 4, "bad bounding box"),
    ("dag { /* never closed\n}", ParseError, 1, 7, "unterminated comment"),
    ("dag {\nA -> B\nC -> C\n}", GraphValidationError, 3, 3, "self-loop on 'C'"),
    ("dag {\nA [exposure]\nA [outcome]\n}", GraphValidationError, 3, 4, "both exposure and outcome"),
    ('dag {\nA -> ""\n}', GraphValidationError, 2, 6, "must not be empty"),
    ('dag {\nA -> " B"\n}', GraphValidationError, 2, 6, "leading or trailing whitespace"),
    (f'dag {{\nA -> "{"x" * 201}"\n}}', GraphValidationError, 2, 6, "longer than 200"),
    ("", ParseError, 1, 1, "the input is empty"),
    ("  \n\t", ParseError, 1, 1, "the input is empty"),
]


@pytest.mark.parametrize(("text", "error", "line", "column", "fragment"), BAD_INPUT,
                         ids=[case[4] for case in BAD_INPUT])
def test_bad_dagitty_is_reported_with_its_line_and_column(text: str, error: type, line: int, column: int,
                                                          fragment: str) -> None:
    assert_located_error(read, text, error, fragment, "model.dagitty", line, column)


def test_unsupported_graph_types_explain_what_to_do() -> None:
    with pytest.raises(ParseError) as caught:
        read("pag { A @-> B }")
    assert caught.value.hint and "DAG" in caught.value.hint


def test_errors_are_always_typed() -> None:
    for text in ["dag {", "dag { [ }", "dag { A -> { B }", "dag { A [pos=] }", "dag { = }", "{", "}", "->", "A ->"]:
        with pytest.raises(CausalAssistantError):
            read(text)
