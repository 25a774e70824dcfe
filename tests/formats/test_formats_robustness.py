"""Damaged input only ever raises our typed errors, located; and the modules' examples run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest
from formats_strategies import smoking_graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import CausalAssistantError
from assistant.formats import FORMATS, read_graph, write_graph

SAMPLES = {fmt: write_graph(smoking_graph(), fmt) for fmt in FORMATS}
SYNTAX = [*'{}[]"\\;,=<>-@#/*+:\n \t&\r', "->", "<->", "--", "dag", "digraph", "graph", "node", "&#", "@->"]


@st.composite
def damaged_files(draw: st.DrawFn) -> tuple[str, str]:
    """A valid file with a few bytes cut out or spliced in."""
    fmt = draw(st.sampled_from(FORMATS))
    text = SAMPLES[fmt]
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 8)))
        text = text[:start] + draw(st.sampled_from(["", *SYNTAX]) | st.text(max_size=3)) + text[end:]
    return fmt, text


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=damaged_files() | st.tuples(st.sampled_from(FORMATS), st.text(max_size=40)))
def test_damaged_input_raises_only_typed_errors_that_say_where(case: tuple[str, str]) -> None:
    fmt, text = case
    try:
        read_graph(text, fmt, source="damaged")
    except CausalAssistantError as err:
        assert err.location is not None and err.location.file == "damaged"
        if fmt != "json":
            assert err.location.line is not None, err
        if fmt in ("dagitty", "dot", "gml"):
            assert err.location.column is not None, err


MODULES = ["assistant.formats", "assistant.formats.dagitty", "assistant.formats.dot", "assistant.formats.gml",
           "assistant.formats.json_format", "assistant.formats.edgelist", "assistant.formats.networkx_format"]


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
