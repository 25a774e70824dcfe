"""Edge-list CSV: what it accepts and how each malformed row is reported."""

from __future__ import annotations

import pytest

from assistant.errors import GraphValidationError, ParseError
from assistant.formats import read_graph, write_graph
from assistant.model import CausalGraph, Edge, Variable


def read(text: str) -> CausalGraph:
    return read_graph(text, "csv", source="edges.csv")


def test_optional_columns_in_any_order_and_case() -> None:
    g = read("Rationale,TARGET,source,confidence,kind,provenance\n"
             '"because, well",tar,smoking,0.9,,expert\n'
             "\n"
             " , cancer , smoking , ,<->, \n")
    assert g.names == ["smoking", "tar", "cancer"]
    assert g.edges == [
        Edge(source="smoking", target="tar", provenance="expert", confidence=0.9, rationale="because, well"),
        Edge(source="smoking", target="cancer", kind="bidirected", provenance="import"),
    ]


@pytest.mark.parametrize("text", ["from,to\na,b\n", "from\tto\na\tb\n", "from;to\na;b\n", "from,to\r\na,b\r\n",
                                  "source,target,weight\na,b,3\n"])
def test_aliases_delimiters_line_endings_and_extra_columns(text: str) -> None:
    g = read(text)
    assert [str(e) for e in g.edges] == ["a -> b"]
    assert g.variables == [Variable(name="a"), Variable(name="b")]


def test_a_header_alone_is_an_empty_graph() -> None:
    assert read("source,target\n") == CausalGraph()


def test_export_then_import_keeps_the_edges() -> None:
    g = CausalGraph(variables=[Variable(name="a, b"), Variable(name='say "c"')],
                    edges=[Edge(source="a, b", target='say "c"', provenance="llm", confidence=1e-05,
                                rationale="two\nlines")])
    text = write_graph(g, "csv")
    assert text.splitlines()[0] == "source,target,kind,provenance,confidence,rationale"
    assert read(text) == g


BAD_ROWS = [
    ("source,target\na,b\nc\n", ParseError, 3, "expected 2 fields, as in the header, but found 1"),
    ("source,target\na,b,c\n", ParseError, 2, "expected 2 fields"),
    ("source,target\n,b\n", ParseError, 2, "the source name is empty"),
    ("source,target\na,  \n", ParseError, 2, "the target name is empty"),
    ("source,target,kind\na,b,sideways\n", ParseError, 2, "unknown edge kind 'sideways'"),
    ("source,target,kind\na,b,--\n", ParseError, 2, "unknown edge kind '--'"),
    ("source,target,provenance\na,b,guess\n", ParseError, 2, "unknown provenance 'guess'"),
    ("source,target,confidence\na,b,1.5\n", ParseError, 2, "confidence '1.5' is not a number between 0 and 1"),
    ("source,target,confidence\na,b,-0.1\n", ParseError, 2, "confidence '-0.1'"),
    ("source,target,confidence\na,b,high\n", ParseError, 2, "confidence 'high'"),
    ("source,target,confidence\na,b,nan\n", ParseError, 2, "confidence 'nan'"),
    ("x,y\na,b\n", ParseError, 1, "must name a source and a target column"),
    ("source,from,target\na,b,c\n", ParseError, 1, "names the source column twice"),
    ('source,target\n"a,b\n', ParseError, 2, "bad CSV"),
    ("source,target\na,b\n\nb,b\n", GraphValidationError, 4, "self-loop on 'b'"),
    ("source,target\na,b\nc,d\na,b\n", GraphValidationError, 4, "duplicate edge a -> b"),
    (f"source,target\na,{'x' * 201}\n", GraphValidationError, 2, "longer than 200"),
    ("", ParseError, 1, "the input is empty"),
    ("\n\n", ParseError, 1, "the input is empty"),
]


@pytest.mark.parametrize(("text", "error", "line", "fragment"), BAD_ROWS, ids=[c[3] for c in BAD_ROWS])
def test_malformed_rows_are_reported_with_their_line(text: str, error: type, line: int, fragment: str) -> None:
    with pytest.raises(error) as caught:
        read(text)
    err = caught.value
    assert type(err) is error
    assert fragment in err.message
    assert (err.location.file, err.location.line) == ("edges.csv", line)
