"""Helpers shared by the format modules: validating into a graph, numbers, quoting.

Every reader in this package builds a plain dictionary shaped like the
canonical JSON and hands it to :func:`build_graph`.  That keeps the structural
rules (unique names, known endpoints, no self-loops, no duplicate edges) in
one place, :class:`~assistant.model.CausalGraph`, and turns whatever it
complains about into a typed error that points back into the source text.

The pointing works through a *location table*: while parsing, a reader records
where each part of the document came from under its model path
(``"variables[2]"``, ``"variables[2].tier"``, ``"edges[0]"``, ``"exposures"``).
When validation fails at ``edges[0].confidence`` the longest recorded prefix
gives the line and column to report.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from pydantic import ValidationError

from assistant.errors import CausalAssistantError, GraphValidationError, Location, ParseError
from assistant.model import CausalGraph

#: Groups and subgraphs nested deeper than this are refused (the parsers recurse once per level).
MAX_NESTING = 100
#: Integers longer than this are refused (Python will not convert more than 4300 digits anyway).
MAX_DIGITS = 1000

#: model path -> (line, column); column may be None when only the line is known.
LocationTable = Mapping[str, tuple[int, int | None]]



def path_of(loc: tuple[Any, ...]) -> str:
    """``('edges', 3, 'target')`` -> ``'edges[3].target'`` (pydantic's error location as a path)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def locate(path: str | None, table: LocationTable | None, source: str | None) -> Location:
    """The location for ``path``: the line and column of its longest recorded prefix.

    A prefix ends where a ``.field`` or ``[index]`` begins.  Only prefixes as
    long as the longest recorded path are tried, so a path through a key of
    thousands of characters costs no more than a short one.
    """
    line = column = None
    if table and path:
        longest = max(map(len, table))
        ends = [i for i, c in enumerate(path[:longest + 1]) if c in ".["] + [len(path)]
        for end in reversed(ends):
            if end <= longest and path[:end] in table:
                line, column = table[path[:end]]
                break
    return Location(file=source, line=line, column=column, path=path)


def _shorten(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def convert_validation_error(exc: ValidationError, *, fmt: str, source: str | None,
                             table: LocationTable | None = None) -> CausalAssistantError:
    """Turn pydantic's report into one typed error about the first problem.

    A wrong ``format`` tag or version means the text is not our document at
    all, so it is a :class:`ParseError`; anything else is a graph that parsed
    but is not valid, a :class:`GraphValidationError`.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    path = path_of(first["loc"])
    msg = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] not in ("missing", "value_error"):
        msg += f" (got {_shorten(first.get('input'))})"
    if len(errors) > 1:
        others = len(errors) - 1
        msg += f"; and {others} other problem{'s' if others > 1 else ''}"
    where = locate(path, table, source)
    if path in ("format", "format_version"):
        return ParseError(f"not a causal-assistant graph document: {msg}", fmt=fmt, location=where,
                          hint="this version reads format 'causal-assistant/graph', version 1")
    return GraphValidationError(msg, location=where)


@dataclass(frozen=True)
class Repair:
    """Something a lenient read dropped so that the rest of the graph could be built."""

    kind: str  # "self-loop" or "duplicate-edge"
    edge: str
    where: str = ""


_REPAIRS: ContextVar[list[Repair] | None] = ContextVar("lenient_repairs", default=None)


@contextmanager
def lenient_reading():
    """Within this block, readers drop self-loops and repeated edges instead of failing, and list them.

    A linter must be able to read a graph with these faults in order to report
    them; everything else (unknown endpoints, bad values) still raises.
    """
    repairs: list[Repair] = []
    token = _REPAIRS.set(repairs)
    try:
        yield repairs
    finally:
        _REPAIRS.reset(token)


def _drop_faults(data: dict[str, Any], fmt: str, source: str | None, table: LocationTable | None,
                 repairs: list[Repair]) -> dict[str, Any]:
    edges = data.get("edges")
    if not isinstance(edges, list):
        return data
    kept: list[Any] = []
    seen: set[tuple[str, ...]] = set()
    for i, edge in enumerate(edges):
        if not isinstance(edge, dict) or not isinstance(edge.get("source"), str) \
                or not isinstance(edge.get("target"), str):
            kept.append(edge)
            continue
        a, b, kind = edge["source"], edge["target"], str(edge.get("kind", "directed"))
        text = f"{a} {'<->' if kind == 'bidirected' else '->'} {b}"
        where = str(locate(f"edges[{i}]", table, source))
        if a == b:
            repairs.append(Repair("self-loop", text, where))
            continue
        key = (a, b, kind) if kind != "bidirected" else (*sorted((a, b)), kind)
        if key in seen:
            repairs.append(Repair("duplicate-edge", text, where))
            continue
        seen.add(key)
        kept.append(edge)
    return {**data, "edges": kept}


def build_graph(data: dict[str, Any], *, fmt: str, source: str | None,
                table: LocationTable | None = None) -> CausalGraph:
    """Validate ``data`` into a :class:`CausalGraph`, or raise a typed error that points into the source."""
    repairs = _REPAIRS.get()
    if repairs is not None:
        data = _drop_faults(data, fmt, source, table, repairs)
    try:
        return CausalGraph.model_validate(data)
    except ValidationError as exc:
        raise convert_validation_error(exc, fmt=fmt, source=source, table=table) from None
    except CausalAssistantError as err:
        path = err.location.path if err.location else None
        err.location = locate(path, table, source)
        raise


def require_text(text: str, *, fmt: str, source: str | None) -> str:
    """Reject empty input up front, so no reader has to special-case it."""
    if not isinstance(text, str):
        raise TypeError(f"expected text (str), got {type(text).__name__}")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ParseError("the input is empty: there is no graph in it", fmt=fmt,
                         location=Location(file=source, line=1, column=1))
    return text


def json_problem(exc: ValueError | RecursionError) -> str:
    """What ``json.loads`` failed on when it was not a syntax error (those carry their own position)."""
    if isinstance(exc, RecursionError):
        return "the JSON is nested too deeply"
    return "a number in the JSON is too long (more than 4300 digits)"


def format_number(x: float) -> str:
    """A float as a plain decimal that reads back exactly: ``1e-05`` -> ``'0.00001'``, ``2.0`` -> ``'2.0'``.

    Positional notation (no exponent) because DAGitty's ``pos`` and DOT's
    unquoted numerals do not accept exponents; the digits are those of
    ``repr``, the shortest text that round-trips.
    """
    if not math.isfinite(x):
        raise ValueError(f"cannot write the non-finite number {x!r}")
    text = format(Decimal(repr(float(x))), "f")
    return text if "." in text else text + ".0"


def parse_number(text: str) -> float | None:
    """A finite float from text, or None when the text is not one."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None

