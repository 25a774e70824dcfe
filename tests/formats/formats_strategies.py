"""Hypothesis strategies for valid causal graphs, and small named graphs, for the format tests.

The strategies aim at the places serialisers break: names with spaces,
quotes, backslashes, braces, arrows, keywords, entities and non-ASCII text;
free text with newlines and control characters; numbers at the extremes of
the float range; ``a -> b`` next to ``a <-> b``; edges listed in an order
unrelated to the variables.  Names never hold control characters or
leading/trailing blanks, because :func:`assistant.model.variable.check_name`
forbids them.
"""

from __future__ import annotations

import unicodedata

from typing import Any, get_args

from hypothesis import strategies as st

from assistant.model import CausalGraph, Edge, Evidence, GraphMetadata, Position, Question, Variable
from assistant.model.question import Estimand
from assistant.model.variable import DataType, Role, check_name

TRICKY_NAMES = [
    "smoking", "blood pressure", 'say "hi"', "C:\\temp", "ends with \\", '\\"', "\\\\", "{a b}", "a -> b",
    "x <-> y", 'x"); import os #', "graph", "node", "edge", "subgraph", "digraph", "strict", "dag", "Graph",
    "Größe", "变量", "🙂 mood", "&amp;", "&#34;", "[]", "()", "<b>bold</b>", "1", "-1", ".5", "1e5", "a;b", "a,b",
    "a=b", "[x]", "@->", "--", "/* c */", "// c", "# c", "\\N", "zero\u200cjoiner", "-", "_", ".",
]
TRICKY_TEXT = ["", "line one\nline two", "tab\there", "cr\r\nlf", "back\\", "back\\\nslash-newline", '"', "[]",
               "()", "&lt;&#10;", "\x00nul", "\\N", "{}", "null", "\u2028"]

_name_chars = st.characters(blacklist_categories=("Cc", "Cs"))
_text_chars = st.characters(blacklist_categories=("Cs",))
finite = st.floats(allow_nan=False, allow_infinity=False)


def _is_name(text: str) -> bool:
    try:
        check_name(text)
    except ValueError:
        return False
    return True


variable_names = st.one_of(
    st.sampled_from(TRICKY_NAMES),
    st.text(_name_chars, min_size=1, max_size=12).map(str.strip).filter(_is_name),
)
free_text = st.one_of(st.sampled_from(TRICKY_TEXT), st.text(_text_chars, max_size=20))


def _printable(text: str, allowed: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


# Labels are one line of printable text; descriptions and rationales may also hold newlines and tabs.
line_text = free_text.filter(lambda t: _printable(t, ""))
multiline_text = free_text.filter(lambda t: _printable(t, "\n\t\r"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | free_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(free_text, inner, max_size=3),
    max_leaves=6,
)
positions = st.builds(Position, x=finite, y=finite)
evidence = st.builds(
    Evidence,
    source=free_text,
    summary=free_text,
    method=st.none() | free_text,
    statistic=st.none() | finite,
    p_value=st.none() | st.floats(0.0, 1.0),
    n=st.none() | st.integers(min_value=0, max_value=10**12),
    supports=st.none() | st.booleans(),
)


def variables_named(name: str) -> st.SearchStrategy[Variable]:
    return st.builds(
        Variable,
        name=st.just(name),
        label=st.none() | line_text,
        description=multiline_text,
        data_type=st.sampled_from(get_args(DataType)),
        observed=st.booleans(),
        tier=st.none() | st.integers(min_value=0, max_value=2**40),
        role=st.none() | st.sampled_from(get_args(Role)),
        position=st.none() | positions,
    )


def edge_between(source: str, target: str, kind: str) -> st.SearchStrategy[Edge]:
    return st.builds(
        Edge,
        source=st.just(source),
        target=st.just(target),
        kind=st.just(kind),
        provenance=st.sampled_from(["expert", "llm", "data", "import"]),
        confidence=st.none() | st.floats(0.0, 1.0),
        rationale=multiline_text,
        evidence=st.lists(evidence, max_size=2),
    )


def _edge_key(source: str, target: str, kind: str) -> tuple[str, str, str]:
    if kind == "bidirected":
        a, b = sorted((source, target))
        return (a, b, kind)
    return (source, target, kind)


@st.composite
def causal_graphs(draw: Any, max_variables: int = 7) -> CausalGraph:
    """Any valid graph: latent variables, bidirected edges, both kinds on one pair, a question, ..."""
    names = draw(st.lists(variable_names, unique=True, max_size=max_variables))
    variables = [draw(variables_named(n)) for n in names]
    edges: list[Edge] = []
    keys: set[tuple[str, str, str]] = set()
    if len(names) >= 2:
        index = st.integers(0, len(names) - 1)
        for i, j, kind in draw(st.lists(st.tuples(index, index, st.sampled_from(["directed", "bidirected"])),
                                        max_size=10)):
            key = _edge_key(names[i], names[j], kind)
            if i != j and key not in keys:
                keys.add(key)
                edges.append(draw(edge_between(names[i], names[j], kind)))
        directed = [e for e in edges if e.kind == "directed"]
        if directed and draw(st.booleans()):  # make "a -> b" and "a <-> b" on one pair common
            twin = directed[0]
            if _edge_key(twin.source, twin.target, "bidirected") not in keys:
                edges.append(draw(edge_between(twin.source, twin.target, "bidirected")))
    pick = st.sampled_from(names) if names else st.nothing()
    exposures = draw(st.lists(pick, unique=True, max_size=2)) if names else []
    rest = [n for n in names if n not in exposures]
    outcomes = draw(st.lists(st.sampled_from(rest), unique=True, max_size=2)) if rest else []
    adjusted = draw(st.lists(pick, unique=True, max_size=3)) if names else []
    question = draw(st.none() | st.builds(
        Question, text=free_text, exposure=st.none() | variable_names, outcome=st.none() | variable_names,
        estimand=st.sampled_from(get_args(Estimand))))
    metadata = GraphMetadata(
        name=draw(free_text), description=draw(free_text), question=question,
        extra=draw(st.dictionaries(free_text, json_values, max_size=3)))
    return CausalGraph(variables=variables, edges=edges, exposures=exposures, outcomes=outcomes,
                       adjusted=adjusted, metadata=metadata)


def dagitty_view(graph: CausalGraph) -> tuple[Any, ...]:
    """The part of a graph that DAGitty model code can express."""
    return (
        [(v.name, v.label, v.observed, v.role == "selection", v.position) for v in graph.variables],
        [(e.source, e.target, e.kind) for e in graph.edges],
        set(graph.exposures), set(graph.outcomes), set(graph.adjusted),
    )


# --- small named graphs ------------------------------------------------------


def smoking_graph() -> CausalGraph:
    """Front-door: smoking -> tar -> cancer, with an unmeasured genotype behind smoking and cancer."""
    return CausalGraph(
        variables=[
            Variable(name="smoking", label="Smoking", data_type="binary", tier=0, position=Position(x=0, y=1)),
            Variable(name="tar", description="Tar deposits in the lungs", tier=1, position=Position(x=1, y=1)),
            Variable(name="cancer", data_type="binary", tier=2, position=Position(x=2, y=1)),
            Variable(name="genotype", observed=False, role="confounder", position=Position(x=1, y=0)),
        ],
        edges=[
            Edge(source="smoking", target="tar", confidence=0.9, rationale="inhaled"),
            Edge(source="tar", target="cancer", provenance="llm", confidence=0.7),
            Edge(source="genotype", target="smoking"),
            Edge(source="genotype", target="cancer"),
            Edge(source="smoking", target="cancer", kind="bidirected", provenance="data",
                 evidence=[Evidence(source="ci-test", method="fisher-z", statistic=2.5, p_value=0.01, n=500,
                                    supports=True)]),
        ],
        exposures=["smoking"],
        outcomes=["cancer"],
        adjusted=["tar"],
        metadata=GraphMetadata(name="Smoking and cancer", question=Question(
            text="Does smoking cause cancer?", exposure="smoking", outcome="cancer")),
    )


def assert_located_error(read: Any, text: str, error: type, fragment: str, file: str, line: int, column: int) -> None:
    """``read(text)`` raises exactly ``error``, whose message has ``fragment`` and whose location is exact."""
    import pytest

    with pytest.raises(error) as caught:
        read(text)
    err = caught.value
    assert type(err) is error
    assert fragment in err.message
    assert (err.location.file, err.location.line, err.location.column) == (file, line, column)
    assert str(err).startswith(f"{file}: line {line}, column {column}: ")
