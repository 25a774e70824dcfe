"""Canonical JSON: its exact shape, and how bad documents are reported."""

from __future__ import annotations

import json

import pytest
from formats_strategies import smoking_graph

from assistant.errors import DuplicateVariableError, GraphValidationError, ParseError, UnknownVariableError
from assistant.formats import read_graph, write_graph
from assistant.model import CausalGraph, Variable


def read(text: str) -> CausalGraph:
    return read_graph(text, "json", source="g.json")


def test_canonical_json_is_the_model_dump_pretty_printed() -> None:
    graph = smoking_graph()
    text = write_graph(graph, "json")
    assert text == json.dumps(graph.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    assert text.startswith('{\n  "format": "causal-assistant/graph",\n  "format_version": 1,\n')


def test_non_ascii_is_written_as_it_is() -> None:
    text = write_graph(CausalGraph(variables=[Variable(name="Größe 变量")]), "json")
    assert '"name": "Größe 变量"' in text


def test_a_document_without_the_format_tag_is_still_read() -> None:
    g = read('{"variables": [{"name": "a"}, {"name": "b"}], "edges": [{"source": "a", "target": "b"}]}')
    assert [str(e) for e in g.edges] == ["a -> b"]


def test_syntax_errors_carry_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        read('{\n  "variables": [\n    {"name": "a"}\n    {"name": "b"}\n  ]\n}')
    err = caught.value
    assert (err.location.file, err.location.line, err.location.column) == ("g.json", 4, 5)
    assert "Expecting ',' delimiter" in err.message


@pytest.mark.parametrize(("text", "path", "fragment"), [
    ('{"format": "networkx/node-link"}', "format", "'causal-assistant/graph'"),
    ('{"format": "causal-assistant/graph", "format_version": 2}', "format_version", "Input should be 1"),
])
def test_a_foreign_tag_or_version_is_a_parse_error_naming_the_field(text: str, path: str, fragment: str) -> None:
    with pytest.raises(ParseError) as caught:
        read(text)
    assert caught.value.location.path == path
    assert fragment in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize("text", ['[1, 2]', '"graph"', "3", "null"])
def test_json_that_is_not_an_object_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="expected a JSON object"):
        read(text)


def test_other_tools_json_is_recognised_as_foreign() -> None:
    with pytest.raises(ParseError, match="no 'format' field"):
        read('{"directed": true, "nodes": [{"id": "a"}], "links": []}')


BAD_GRAPHS = [
    ('{"variables": [{"name": "a"}], "edges": [{"source": "a", "target": "b"}]}',
     UnknownVariableError, "edges[0].target", "unknown variable 'b' in edge a -> b"),
    ('{"variables": [{"name": "a"}, {"name": "b"}, {"name": "a"}]}',
     DuplicateVariableError, "variables[2].name", "duplicate variable name 'a'"),
    ('{"variables": [{"name": "a"}], "edges": [{"source": "a", "target": "a"}]}',
     GraphValidationError, "edges[0]", "self-loop on 'a'"),
    ('{"variables": [{"name": "a"}, {"name": "b"}], "edges": [{"source": "a", "target": "b"},'
     ' {"source": "a", "target": "b"}]}', GraphValidationError, "edges[1]", "duplicate edge a -> b"),
    ('{"variables": [{"name": "a"}, {"name": "b"}], "edges": [{"source": "a", "target": "b", "kind": "x",'
     ' "confidence": 7}]}', GraphValidationError, "edges[0].kind", "(got 'x'); and 1 other problem"),
    ('{"variables": [{"name": " a"}]}', GraphValidationError, "variables[0].name", "leading or trailing"),
    ('{"variables": [{"name": "a", "colour": "red"}]}', GraphValidationError, "variables[0].colour",
     "Extra inputs are not permitted"),
    ('{"variables": [{"name": "a"}], "exposures": ["a"], "outcomes": ["a"]}', GraphValidationError, "outcomes",
     "both exposure and outcome"),
    ('{"variables": [{"name": "a"}], "adjusted": ["q"]}', UnknownVariableError, "adjusted[0]", "unknown variable 'q'"),
    ('{"edges": [{"target": "b"}]}', GraphValidationError, "edges[0].source", "Field required"),
]


@pytest.mark.parametrize(("text", "error", "path", "fragment"), BAD_GRAPHS, ids=[c[3] for c in BAD_GRAPHS])
def test_an_invalid_graph_is_a_typed_error_whose_path_says_where(text: str, error: type, path: str,
                                                                 fragment: str) -> None:
    with pytest.raises(error) as caught:
        read(text)
    err = caught.value
    assert type(err) is error
    assert (err.location.file, err.location.path) == ("g.json", path)
    assert fragment in err.message
    assert str(err).startswith(f"g.json: {path}: ")


@pytest.mark.parametrize("text", ["", "   \n", "\ufeff"])
def test_empty_input_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="the input is empty"):
        read(text)
