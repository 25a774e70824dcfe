"""Canonical JSON: the lossless native format.

A graph is written as its pydantic model dumped in JSON mode
(``CausalGraph.model_dump(mode="json")``), pretty-printed with two-space
indentation and without escaping non-ASCII characters, so a file is as
readable in an editor as it is in a diff::

    {
      "format": "causal-assistant/graph",
      "format_version": 1,
      "variables": [{"name": "smoking", ...}, ...],
      "edges": [{"source": "smoking", "target": "cancer", "kind": "directed", ...}],
      "exposures": ["smoking"],
      ...
    }

Every field of the model is kept, so ``read_json(write_json(g)) == g``.

Reading reports three kinds of problem, each as a typed error:

* text that is not JSON: :class:`~assistant.errors.ParseError` with the line
  and column where the JSON parser gave up;
* JSON that is not our document (a wrong ``format`` tag or
  ``format_version``, or not an object at all): :class:`ParseError` naming
  the field;
* a document describing an invalid graph (a bad value, a duplicate name, an
  edge naming an unknown variable, a self-loop):
  :class:`~assistant.errors.GraphValidationError` or one of its subclasses,
  whose location path says where, e.g. ``edges[3].target``.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.errors import Location, ParseError
from assistant.formats._common import build_graph, json_problem, require_text
from assistant.model import FORMAT_TAG, CausalGraph

FMT = "json"


def write_json(graph: CausalGraph) -> str:
    """The canonical JSON text of ``graph``, ending in a newline."""
    return json.dumps(graph.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def read_json(text: str, *, source: str | None = None) -> CausalGraph:
    """Parse canonical JSON into a :class:`CausalGraph`.

    Examples
    --------
    >>> read_json('{"variables": [{"name": "a"}, {"name": "b"}], "edges": [{"source": "a", "target": "b"}]}').names
    ['a', 'b']
    >>> read_json('{"variables": [{"name": "a"}], "edges": [{"source": "a", "target": "zz"}]}')
    Traceback (most recent call last):
    ...
    assistant.errors.UnknownVariableError: edges[0].target: unknown variable 'zz' in edge a -> zz
    """
    text = require_text(text, fmt=FMT, source=source)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, fmt=FMT, location=Location(file=source, line=exc.lineno, column=exc.colno)) from None
    except (ValueError, RecursionError) as exc:  # an integer of thousands of digits; nesting too deep
        raise ParseError(json_problem(exc), fmt=FMT, location=Location(file=source)) from None
    if not isinstance(data, dict):
        raise ParseError(f"expected a JSON object describing a graph, found a JSON {_json_type(data)}", fmt=FMT,
                         location=Location(file=source, line=1, column=1))
    if "format" not in data:
        unknown = sorted(set(data) - set(CausalGraph.model_fields))
        if unknown:
            raise ParseError(f"not a causal-assistant graph: no 'format' field, and unexpected fields {unknown}",
                             fmt=FMT, location=Location(file=source),
                             hint=f"a graph document has \"format\": \"{FORMAT_TAG}\"")
    return build_graph(data, fmt=FMT, source=source)


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")
