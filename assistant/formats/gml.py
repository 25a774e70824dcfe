"""GML, the Graph Modelling Language: a plain exchange format read by networkx, igraph, yEd, Gephi and Cytoscape.

A GML file is a tree of ``key value`` pairs, where a value is an integer, a
real, a quoted string or a bracketed list of further pairs::

    graph [
      directed 1
      multigraph 1
      node [ id 0 label "smoking" graphics [ x 0.0 y 1.0 ] ]
      node [ id 1 label "cancer" observed 1 ]
      edge [ source 0 target 1 kind "directed" provenance "expert" confidence 0.8 ]
    ]

How our model maps onto it:

* ``directed 1`` and ``multigraph 1`` (``a -> b`` and ``a <-> b`` may join
  the same pair);
* each variable is a ``node`` whose ``id`` is its index and whose ``label`` is
  its name, as networkx and yEd expect; the other fields are the keys
  ``display_label`` (our ``Variable.label``: ``label`` is taken),
  ``description``, ``data_type``, ``observed`` (1 or 0), ``tier``, ``role``
  and ``graphics [ x ... y ... ]`` for the position;
* each edge is an ``edge`` with ``kind``, ``provenance``, ``confidence``,
  ``rationale`` and ``evidence`` (JSON text);
* ``exposures``, ``outcomes``, ``adjusted`` and ``metadata`` are graph keys
  holding JSON text, since GML has no way to write an empty list or a null.

A field equal to its default is left out.  Strings use GML's only escape, the
XML character reference: ``"``, ``&`` and every character outside printable
ASCII become ``&#NNN;`` (as networkx writes them), so files are plain ASCII.

We write and parse GML ourselves rather than with ``nx.generate_gml`` and
``nx.parse_gml`` because those lose information we keep: networkx drops a
node attribute called ``label``, turns the strings ``"[]"`` and ``"()"`` into
an empty list and tuple, splits lines on Unicode line separators, and
returns edges grouped by node rather than in file order.  Files we write
still load with ``nx.read_gml``, and files networkx writes load here.

When reading GML from elsewhere, a node's name is its ``label``, else its
``name``, else its ``id``; edges get provenance ``"import"``; keys we do not
model are ignored.  A graph without ``directed 1`` is undirected (the GML
default) and is refused.  Syntax errors carry the line and column; errors in
the graph (an edge naming an undefined node id, two nodes with one name)
carry the line and column of the offending node or edge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.entities import name2codepoint
from typing import Any, Union

from assistant.errors import Location, ParseError, UnknownVariableError
from assistant.formats._common import MAX_DIGITS, build_graph, format_number, json_problem, require_text
from assistant.model import CausalGraph, GraphMetadata

FMT = "gml"

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<real>[+-]?(?:[0-9]*\.[0-9]+|[0-9]+\.[0-9]*|INF)(?:[Ee][+-]?[0-9]+)?(?![A-Za-z0-9_]))
  | (?P<int>[+-]?[0-9]+(?![A-Za-z0-9_.]))
  | (?P<key>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"[^"]*")
  | (?P<open>\[)
  | (?P<close>\])
""", re.VERBOSE)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_NEEDS_ESCAPE = re.compile(r'[^ -~]|[&"]')
_LIST_FIELDS = ("exposures", "outcomes", "adjusted")


@dataclass
class _Pair:
    key: str
    value: Union[int, float, str, list["_Pair"]]
    line: int
    column: int


# --- reading ---------------------------------------------------------------


def read_gml(text: str, *, source: str | None = None) -> CausalGraph:
    """Parse a directed GML graph into a :class:`CausalGraph`.

    Examples
    --------
    >>> g = read_gml('graph [ directed 1 node [ id 1 label "a" ] node [ id 2 label "b" ] edge [ source 1 target 2 ] ]')
    >>> [str(e) for e in g.edges]
    ['a -> b']
    """
    text = require_text(text, fmt=FMT, source=source)
    top = _parse(text, source)
    graphs = [p for p in top if p.key == "graph"]
    if not graphs:
        raise ParseError("no 'graph [ ... ]' found", fmt=FMT, location=Location(file=source, line=1, column=1))
    if len(graphs) > 1:
        raise _error("more than one graph in the file", graphs[1], source)
    graph = graphs[0]
    if not isinstance(graph.value, list):
        raise _error("'graph' should be followed by '[ ... ]'", graph, source)
    return _Builder(graph, graph.value, source).build()


def _error(message: str, at: _Pair, source: str | None, hint: str | None = None) -> ParseError:
    return ParseError(message, fmt=FMT, hint=hint, location=Location(file=source, line=at.line, column=at.column))


def _parse(text: str, source: str | None) -> list[_Pair]:
    """The tree of key-value pairs, each remembering where its key was."""
    stack: list[list[_Pair]] = [[]]
    opened: list[_Pair] = []
    key: tuple[str, int, int] | None = None
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        column = pos - line_start + 1
        if match is None:
            snippet = text[pos:pos + 20].split("\n")[0]
            message = ("unterminated string: the quote opened here is never closed" if text[pos] == '"'
                       else f"cannot read {snippet!r}")
            raise ParseError(message, fmt=FMT, location=Location(file=source, line=line, column=column))
        kind, lexeme = match.lastgroup, match.group()
        pos, tline = match.end(), line
        if kind in ("space", "string") and "\n" in lexeme:
            line += lexeme.count("\n")
            line_start = match.start() + lexeme.rfind("\n") + 1
        if kind == "space":
            continue
        if key is None:
            if kind == "key":
                key = (lexeme, tline, column)
            elif kind == "close" and opened:
                stack.pop()
                opened.pop()
            else:
                expected = "a key or ']'" if opened else "a key"
                raise ParseError(f"expected {expected}, found {lexeme!r}", fmt=FMT,
                                 location=Location(file=source, line=tline, column=column))
            continue
        name, kline, kcol = key
        key = None
        if kind == "open":
            children: list[_Pair] = []
            pair = _Pair(name, children, kline, kcol)
            stack[-1].append(pair)
            stack.append(children)
            opened.append(pair)
            continue
        if kind == "int":
            if len(lexeme) > MAX_DIGITS:
                raise ParseError(f"the number for {name!r} has {len(lexeme)} digits; at most {MAX_DIGITS} are read",
                                 fmt=FMT, location=Location(file=source, line=tline, column=column))
            value: Any = int(lexeme)
        elif kind == "real":
            value = float(lexeme)
        elif kind == "string":
            value = _unescape(lexeme[1:-1])
        else:
            raise ParseError(f"expected a value for {name!r} (a number, a string or '['), found {lexeme!r}",
                             fmt=FMT, location=Location(file=source, line=tline, column=column))
        stack[-1].append(_Pair(name, value, kline, kcol))
    if key is not None:
        raise ParseError(f"the key {key[0]!r} has no value", fmt=FMT,
                         location=Location(file=source, line=key[1], column=key[2]))
    if opened:
        raise _error(f"the '[' after {opened[-1].key!r} is never closed", opened[-1], source)
    return stack[0]


def _unescape(text: str) -> str:
    def replace(m: re.Match[str]) -> str:
        ref = m.group()[1:-1]
        try:
            if ref[:2] in ("#x", "#X"):
                return chr(int(ref[2:], 16))
            if ref[0] == "#":
                return chr(int(ref[1:]))
            return chr(name2codepoint[ref])
        except (KeyError, ValueError, OverflowError):
            return m.group()

    return _ENTITY.sub(replace, text)


class _Builder:
    def __init__(self, graph: _Pair, pairs: list[_Pair], source: str | None):
        self.graph = graph
        self.pairs = pairs
        self.source = source
        self.table: dict[str, tuple[int, int | None]] = {}

    def first(self, pairs: list[_Pair], key: str) -> _Pair | None:
        return next((p for p in pairs if p.key == key), None)

    def build(self) -> CausalGraph:
        directed = self.first(self.pairs, "directed")
        if directed is None or directed.value != 1:
            raise _error("the graph is undirected: a causal diagram needs a directed graph", directed or self.graph,
                         self.source, hint="add 'directed 1' inside 'graph [ ... ]'")
        ids: dict[Any, str] = {}
        id_at: dict[Any, _Pair] = {}
        variables = [self.variable(i, node, ids, id_at)
                     for i, node in enumerate(p for p in self.pairs if p.key == "node")]
        edges = [self.edge(i, edge, ids) for i, edge in enumerate(p for p in self.pairs if p.key == "edge")]
        data: dict[str, Any] = {"variables": variables, "edges": edges}
        for field in (*_LIST_FIELDS, "metadata"):
            pair = self.first(self.pairs, field)
            if pair is not None:
                data[field] = self.json(pair, list if field != "metadata" else dict)
                self.table[field] = (pair.line, pair.column)
        return build_graph(data, fmt=FMT, source=self.source, table=self.table)

    def fields(self, pair: _Pair, what: str) -> dict[str, _Pair]:
        if not isinstance(pair.value, list):
            raise _error(f"{what!r} should be followed by '[ ... ]'", pair, self.source)
        return {p.key: p for p in pair.value}  # a repeated key: the last one wins

    def variable(self, i: int, node: _Pair, ids: dict[Any, str], id_at: dict[Any, _Pair]) -> dict[str, Any]:
        at = f"variables[{i}]"
        self.table[at] = (node.line, node.column)
        fields = self.fields(node, "node")
        if "id" not in fields:
            raise _error("this node has no 'id'", node, self.source)
        node_id = fields["id"].value
        if isinstance(node_id, list):
            raise _error("a node 'id' should be a number or a string", fields["id"], self.source)
        if node_id in ids:
            first = id_at[node_id]
            raise _error(f"node id {node_id!r} is used twice (first at line {first.line})", fields["id"], self.source)
        naming = fields.get("label") or fields.get("name")
        name = naming.value if naming is not None else node_id
        name = name if isinstance(name, (str, list)) else str(name)
        ids[node_id] = name if isinstance(name, str) else repr(node_id)
        id_at[node_id] = fields["id"]
        var: dict[str, Any] = {"name": name}
        if naming is not None:
            self.table[f"{at}.name"] = (naming.line, naming.column)
        for key, field in (("display_label", "label"), ("description", "description"), ("data_type", "data_type"),
                           ("observed", "observed"), ("tier", "tier"), ("role", "role")):
            if key in fields:
                var[field] = fields[key].value
                self.table[f"{at}.{field}"] = (fields[key].line, fields[key].column)
        graphics = fields.get("graphics")
        if graphics is not None and isinstance(graphics.value, list):
            xy = {p.key: p.value for p in graphics.value if p.key in ("x", "y")}
            if len(xy) == 2:
                var["position"] = xy
                self.table[f"{at}.position"] = (graphics.line, graphics.column)
        return var

    def edge(self, i: int, edge: _Pair, ids: dict[Any, str]) -> dict[str, Any]:
        at = f"edges[{i}]"
        self.table[at] = (edge.line, edge.column)
        fields = self.fields(edge, "edge")
        out: dict[str, Any] = {"provenance": "import"}
        for end in ("source", "target"):
            if end not in fields:
                raise _error(f"this edge has no {end!r}", edge, self.source)
            ref = fields[end]
            if isinstance(ref.value, list) or ref.value not in ids:
                raise UnknownVariableError([str(ref.value)], context=f"the {end} of edge #{i} (no node has that id)",
                                           location=Location(file=self.source, line=ref.line, column=ref.column,
                                                             path=f"{at}.{end}"))
            out[end] = ids[ref.value]
        kind = fields.get("kind") or fields.get("key")
        if kind is not None and (kind.key == "kind" or kind.value in ("directed", "bidirected")):
            out["kind"] = kind.value
            self.table[f"{at}.kind"] = (kind.line, kind.column)
        for field in ("provenance", "confidence", "rationale"):
            if field in fields:
                out[field] = fields[field].value
                self.table[f"{at}.{field}"] = (fields[field].line, fields[field].column)
        if "evidence" in fields:
            out["evidence"] = self.json(fields["evidence"], list)
            self.table[f"{at}.evidence"] = (fields["evidence"].line, fields["evidence"].column)
        return out

    def json(self, pair: _Pair, expected: type) -> Any:
        what = "list" if expected is list else "object"
        if not isinstance(pair.value, str):
            raise _error(f"{pair.key!r} should be a string holding a JSON {what}", pair, self.source)
        try:
            value = json.loads(pair.value)
        except json.JSONDecodeError as exc:
            raise _error(f"{pair.key!r} is not valid JSON ({exc.msg} at character {exc.pos + 1})", pair,
                         self.source) from None
        except (ValueError, RecursionError) as exc:  # an integer of thousands of digits; nesting too deep
            raise _error(f"{pair.key!r} is not usable JSON ({json_problem(exc)})", pair, self.source) from None
        if not isinstance(value, expected):
            raise _error(f"{pair.key!r} should hold a JSON {what}", pair, self.source)
        return value


# --- writing ---------------------------------------------------------------


def gml_string(text: str) -> str:
    """A GML string literal: quotes, ampersands and non-ASCII as ``&#NNN;`` references.

    >>> gml_string('say "hi" to Zoë')
    '"say &#34;hi&#34; to Zo&#235;"'
    """
    return '"' + _NEEDS_ESCAPE.sub(lambda m: f"&#{ord(m.group())};", text) + '"'


def _gml_int(value: int) -> str:
    return str(value) if -(2**31) <= value < 2**31 else gml_string(str(value))  # GML integers are 32-bit


def _gml_json(value: Any) -> str:
    return gml_string(json.dumps(value, ensure_ascii=False))


def write_gml(graph: CausalGraph) -> str:
    """Write ``graph`` as GML that :func:`read_gml` reads back unchanged (and networkx can read)."""
    lines = ["graph [", "  directed 1", "  multigraph 1"]
    for field in _LIST_FIELDS:
        if getattr(graph, field):
            lines.append(f"  {field} {_gml_json(getattr(graph, field))}")
    if graph.metadata != GraphMetadata():
        lines.append(f"  metadata {_gml_json(graph.metadata.model_dump(mode='json'))}")
    ids = {}
    for i, var in enumerate(graph.variables):
        ids[var.name] = i
        lines += ["  node [", f"    id {i}", f"    label {gml_string(var.name)}"]
        if var.label is not None:
            lines.append(f"    display_label {gml_string(var.label)}")
        if var.description:
            lines.append(f"    description {gml_string(var.description)}")
        if var.data_type != "unknown":
            lines.append(f"    data_type {gml_string(var.data_type)}")
        if not var.observed:
            lines.append("    observed 0")
        if var.tier is not None:
            lines.append(f"    tier {_gml_int(var.tier)}")
        if var.role is not None:
            lines.append(f"    role {gml_string(var.role)}")
        if var.position is not None:
            lines.append(f"    graphics [ x {format_number(var.position.x)} y {format_number(var.position.y)} ]")
        lines.append("  ]")
    for edge in graph.edges:
        lines += ["  edge [", f"    source {ids[edge.source]}", f"    target {ids[edge.target]}",
                  f"    kind {gml_string(edge.kind)}", f"    provenance {gml_string(edge.provenance)}"]
        if edge.confidence is not None:
            lines.append(f"    confidence {format_number(edge.confidence)}")
        if edge.rationale:
            lines.append(f"    rationale {gml_string(edge.rationale)}")
        if edge.evidence:
            lines.append(f"    evidence {_gml_json([e.model_dump(mode='json') for e in edge.evidence])}")
        lines.append("  ]")
    lines.append("]")
    return "\n".join(lines) + "\n"
