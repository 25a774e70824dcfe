"""The package's front door: format names, detection, and files."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_strategies import smoking_graph

from assistant.errors import InputError, NotFoundError, ParseError
from assistant.formats import FORMATS, detect_format, load_graph_file, read_graph, save_graph_file, write_graph


def test_the_five_formats_are_offered() -> None:
    assert FORMATS == ("json", "dagitty", "dot", "gml", "csv")


@pytest.mark.parametrize(("name", "fmt"), [
    ("g.json", "json"), ("g.dagitty", "dagitty"), ("G.DAG", "dagitty"), ("g.dot", "dot"), ("g.gv", "dot"),
    ("g.gml", "gml"), ("dir.v2/edges.csv", "csv"),
])
def test_the_extension_decides_when_it_is_known(name: str, fmt: str) -> None:
    assert detect_format(name, "whatever is inside") == fmt


@pytest.mark.parametrize(("text", "fmt"), [
    ('{"variables": []}', "json"),
    ("\ufeff  dag {\n A -> B\n}", "dagitty"),
    ("// exported\npdag { A -> B }", "dagitty"),
    ("A -> B\nB <- C", "dagitty"),
    ("/* header */ digraph G { a -> b }", "dot"),
    ("strict digraph { a -> b }", "dot"),
    ("graph { a -- b }", "dot"),
    ('Creator "yEd"\ngraph [\n directed 1\n]', "gml"),
    ("# comment\ngraph [ directed 1 ]", "gml"),
    ("source,target\na,b\n", "csv"),
    ('"From";"To"\na;b\n', "csv"),
])
def test_otherwise_the_content_decides(text: str, fmt: str) -> None:
    assert detect_format("notes.txt", text) == fmt
    assert detect_format(None, text) == fmt


@pytest.mark.parametrize("text", ["hello world", "a,b,c\n1,2,3\n", "   "])
def test_undetectable_content_is_a_parse_error_with_a_hint(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        detect_format("mystery.txt", text)
    assert caught.value.location.file == "mystery.txt"
    assert "format" in caught.value.message


def test_an_unknown_format_name_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown graph format 'yaml'"):
        read_graph("{}", "yaml")
    with pytest.raises(InputError, match="unknown graph format"):
        write_graph(smoking_graph(), "yaml")


@pytest.mark.parametrize("fmt", ["json", "dot", "gml"])
def test_saving_and_loading_by_extension_round_trips(tmp_path: Path, fmt: str) -> None:
    path = save_graph_file(smoking_graph(), tmp_path / f"model.{fmt}")
    assert load_graph_file(path) == smoking_graph()
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


def test_an_explicit_format_overrides_the_extension(tmp_path: Path) -> None:
    path = save_graph_file(smoking_graph(), tmp_path / "model.txt", fmt="dagitty")
    assert path.read_text(encoding="utf-8").startswith("dag {\n")
    assert load_graph_file(path).names == smoking_graph().names
    assert load_graph_file(path, "dagitty").names == smoking_graph().names


def test_saving_without_a_known_extension_or_format_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot tell the format"):
        save_graph_file(smoking_graph(), tmp_path / "model.xyz")


def test_a_file_that_is_not_utf8_is_reported_with_its_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.dagitty"
    path.write_bytes("dag {\n  Größe -> y\n}".encode("latin-1"))
    with pytest.raises(ParseError) as caught:
        load_graph_file(path)
    err = caught.value
    assert "not valid UTF-8" in err.message and "byte offset 10" in err.message
    assert (err.location.file, err.location.line, err.location.column) == (str(path), 2, 5)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffsource,target\na,b\n".encode("utf-8"))
    assert [str(e) for e in load_graph_file(path).edges] == ["a -> b"]


def test_errors_from_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.dot"
    path.write_text("digraph {\n  a -> \n}\n", encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        load_graph_file(path)
    assert str(caught.value).startswith(f"{path}: line 3, column 1: malformed dot: ")


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such file"):
        load_graph_file(tmp_path / "absent.json")
    with pytest.raises(InputError, match="is a directory"):
        load_graph_file(tmp_path)
