"""Graphviz DOT: for drawing the graph, and for importing graphs from other tools.

DOT (https://graphviz.org/doc/info/lang.html) describes a graph as a list of
statements inside ``digraph { ... }``::

    digraph {
      smoking [label="Smoking", style=filled, fillcolor="#c8e6c9"];
      smoking -> tar -> cancer;
      genotype -> {smoking cancer} [provenance=expert];
    }

*Node statements* give a node attributes; *edge statements* join nodes with
``->`` (chains and ``{ ... }`` groups make several edges at once); *attribute
statements* (``node [shape=box]``, ``edge [...]``, ``graph [...]``) set
defaults for what follows in the same ``{ ... }`` scope; subgraphs group
statements.  Comments are ``// ...``, ``/* ... */`` and lines starting with ``#``.

What we write, so that every field survives the trip:

* the graph's ``exposures``, ``outcomes`` and ``adjusted`` lists and its
  ``metadata`` as JSON text in graph attributes;
* each variable as a node with attributes ``label``, ``description``,
  ``data_type``, ``observed``, ``tier``, ``role`` and ``pos="x,y"`` (only the
  ones that differ from the defaults), plus styling that Graphviz renders:
  exposures green, outcomes blue, latent variables dashed, adjusted
  variables boxed, selection variables with a double outline;
* each edge as ``a -> b`` with ``provenance``, ``confidence``, ``rationale``
  and ``evidence`` (JSON text); a bidirected edge is one DOT edge
  ``a -> b [kind=bidirected, dir=both, style=dashed]``.

When reading DOT from elsewhere, nodes mentioned only in edges become
observed variables, edges get provenance ``"import"``, an edge drawn with
``dir=both`` (and no ``kind``) is bidirected and one with ``dir=back`` points
the other way.  Attributes we do not model (colours, shapes, ports) are
ignored.  Undirected graphs (``graph { a -- b }``) are refused, as are edges
with ``dir=none``.  A repeated edge is an error unless the graph is
``strict``, where (as in Graphviz) repeats merge.

DOT strings escape only ``\\"``; we also read ``\\\\`` as one backslash (which
is how Graphviz renders it) so that any text can be written, see
:mod:`assistant.formats._lexer`.  Every error carries the line and column.
"""

from __future__ import annotations

import json
import re
from typing import Any

from assistant.errors import GraphValidationError, Location, ParseError
from assistant.formats._common import (
    MAX_NESTING, build_graph, format_number, json_problem, parse_number, require_text,
)
from assistant.formats._lexer import LexerSpec, Token, TokenStream, quote, tokenize
from assistant.model import CausalGraph, GraphMetadata

FMT = "dot"

_SPEC = LexerSpec(
    fmt=FMT,
    bareword=re.compile(r"-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)|[A-Za-z_\u0080-\U0010FFFF][A-Za-z_0-9\u0080-\U0010FFFF]*"),
    operators=("->", "--", "{", "}", "[", "]", "=", ",", ";", ":"),
    html_strings=True,
)
_KEYWORDS = ("node", "edge", "graph", "digraph", "subgraph", "strict")
_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")  # what the writer leaves unquoted
_NODE_FIELDS = {"label": "label", "description": "description", "data_type": "data_type", "observed": "observed",
                "tier": "tier", "role": "role", "pos": "position"}
_EDGE_FIELDS = ("kind", "provenance", "confidence", "rationale", "evidence")
_LIST_FIELDS = ("exposures", "outcomes", "adjusted")
EXPOSURE_COLOR = "#c8e6c9"
OUTCOME_COLOR = "#bbdefb"

Attrs = dict[str, tuple[str, Token]]


# --- reading ---------------------------------------------------------------


def read_dot(text: str, *, source: str | None = None) -> CausalGraph:
    """Parse a DOT ``digraph`` into a :class:`CausalGraph`.

    Examples
    --------
    >>> g = read_dot('digraph { a -> b -> c; a -> c [dir=both] }')
    >>> [str(e) for e in g.edges]
    ['a -> b', 'b -> c', 'a <-> c']
    """
    text = require_text(text, fmt=FMT, source=source)
    return _Reader(text, source).parse()


class _Reader:
    def __init__(self, text: str, source: str | None):
        self.ts = TokenStream(tokenize(text, _SPEC, source), FMT, source)
        self.source = source
        self.nodes: dict[str, Attrs] = {}
        self.node_tokens: dict[str, Token] = {}
        self.edges: list[tuple[str, str, Attrs, Token]] = []
        self.graph_attrs: Attrs = {}
        self.scopes: list[tuple[Attrs, Attrs]] = []  # (node defaults, edge defaults)
        self.groups: list[list[str]] = []
        self.strict = False
        self.name: str | None = None

    def parse(self) -> CausalGraph:
        ts = self.ts
        if ts.peek().is_word("strict"):
            ts.next()
            self.strict = True
        if ts.peek().is_word("graph"):
            raise ts.error("this is an undirected graph ('graph'): a causal diagram needs a directed graph",
                           hint="write 'digraph { a -> b }'")
        if not ts.peek().is_word("digraph"):
            raise ts.unexpected("'digraph' (a DOT file starts with 'digraph {')")
        ts.next()
        if ts.peek().is_id:
            self.name = ts.next().value
        ts.expect_op("{", "to open the graph")
        self.scopes.append(({}, {}))
        self.statements()
        ts.expect_op("}", "to close the graph")
        if ts.peek().kind != "eof":
            raise ts.error(f"unexpected {ts.peek().describe()} after the end of the graph "
                           "(a file holds one graph)")
        return self.build()

    # --- grammar -----------------------------------------------------------

    def statements(self) -> None:
        ts = self.ts
        while not ts.at_op("}"):
            if ts.peek().kind == "eof":
                raise ts.unexpected("'}'")
            self.statement()
            ts.accept_op(";")

    def statement(self) -> None:
        ts = self.ts
        tok, nxt = ts.peek(), ts.peek(1)
        if tok.is_word("graph", "node", "edge") and nxt.kind == "op" and nxt.value == "[":
            ts.next()
            attrs = self.attr_lists()
            if tok.is_word("graph"):
                if len(self.scopes) == 1:  # subgraph attributes are layout only
                    self.graph_attrs.update(attrs)
            elif tok.is_word("node"):
                # Graphviz writes node [label="\N"], meaning "label each node with its name": no label of ours
                self.scopes[-1][0].update({k: v for k, v in attrs.items() if (k, v[0]) != ("label", "\\N")})
            else:
                self.scopes[-1][1].update(attrs)
            return
        if tok.is_id and nxt.kind == "op" and nxt.value == "=":
            ts.next()
            ts.next()
            value = ts.expect_id("a value after '='")
            if len(self.scopes) == 1:
                self.graph_attrs[tok.value] = (value.value, value)
            return
        first = self.endpoint()
        if ts.at_op("->", "--"):
            self.edge_statement(first)
        elif ts.at_op("["):
            if tok.kind == "op" or tok.is_word("subgraph"):
                raise ts.error("attributes in brackets must follow a node name, not a subgraph")
            self.nodes[first[0]].update(self.attr_lists())

    def endpoint(self) -> list[str]:
        """A node (with an optional port, ignored) or a subgraph; returns the node names."""
        ts = self.ts
        tok = ts.peek()
        if tok.is_word("subgraph") or ts.at_op("{"):
            return self.subgraph()
        if tok.is_word(*_KEYWORDS):
            raise ts.error(f"{tok.value!r} is a DOT keyword, not a node name", tok,
                           hint=f'write "{tok.value}" in quotes to use it as a name')
        if not tok.is_id:
            raise ts.unexpected("a node name, a subgraph or '}'")
        ts.next()
        for _ in range(2):  # node:port:compass
            if ts.accept_op(":"):
                ts.expect_id("a port name after ':'")
        self.touch(tok.value, tok)
        return [tok.value]

    def subgraph(self) -> list[str]:
        ts = self.ts
        if ts.peek().is_word("subgraph"):
            ts.next()
            if ts.peek().is_id:
                ts.next()
        if len(self.groups) >= MAX_NESTING:
            raise ts.error(f"subgraphs nested more than {MAX_NESTING} deep")
        ts.expect_op("{", "to open the subgraph")
        node_defaults, edge_defaults = self.scopes[-1]
        self.scopes.append((dict(node_defaults), dict(edge_defaults)))
        self.groups.append([])
        self.statements()
        ts.expect_op("}")
        self.scopes.pop()
        return self.groups.pop()

    def edge_statement(self, first: list[str]) -> None:
        ts = self.ts
        ends, ops = [first], []
        while ts.at_op("->", "--"):
            op = ts.next()
            if op.value == "--":
                raise ts.error("undirected edge '--': a causal diagram needs directed edges ('->')", op)
            ops.append(op)
            ends.append(self.endpoint())
        attrs = dict(self.scopes[-1][1])
        if ts.at_op("["):
            attrs.update(self.attr_lists())
        for i, op in enumerate(ops):
            for a in ends[i]:
                for b in ends[i + 1]:
                    self.edges.append((a, b, dict(attrs), op))

    def attr_lists(self) -> Attrs:
        ts = self.ts
        attrs: Attrs = {}
        while ts.accept_op("["):
            while not ts.at_op("]"):
                key = ts.expect_id("an attribute name or ']'")
                ts.expect_op("=", f"after the attribute name {key.value!r}")
                value = ts.expect_id(f"a value for {key.value!r}")
                attrs[key.value] = (value.value, value)
                ts.accept_op(",", ";")
            ts.expect_op("]")
        return attrs

    def touch(self, name: str, tok: Token) -> None:
        if name not in self.nodes:
            self.nodes[name] = dict(self.scopes[-1][0])
            self.node_tokens[name] = tok
        for group in self.groups:
            if name not in group:
                group.append(name)

    # --- meaning -----------------------------------------------------------

    def where(self, tok: Token) -> Location:
        return Location(file=self.source, line=tok.line, column=tok.column)

    def error(self, message: str, tok: Token) -> ParseError:
        return ParseError(message, fmt=FMT, location=self.where(tok))

    def json_value(self, attr: str, value: str, tok: Token, expected: type) -> Any:
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError as exc:
            raise self.error(f"attribute {attr!r} is not valid JSON ({exc.msg} at character {exc.pos + 1})", tok)
        except (ValueError, RecursionError) as exc:  # an integer of thousands of digits; nesting too deep
            raise self.error(f"attribute {attr!r} is not usable JSON ({json_problem(exc)})", tok) from None
        if not isinstance(decoded, expected):
            raise self.error(f"attribute {attr!r} should be a JSON {'list' if expected is list else 'object'}", tok)
        return decoded

    def build(self) -> CausalGraph:
        table: dict[str, tuple[int, int | None]] = {}
        variables = []
        for i, (name, attrs) in enumerate(self.nodes.items()):
            tok = self.node_tokens[name]
            table[f"variables[{i}]"] = (tok.line, tok.column)
            var: dict[str, Any] = {"name": name}
            for attr, field in _NODE_FIELDS.items():
                if attr in attrs:
                    value, vtok = attrs[attr]
                    var[field] = self.position(value, vtok) if field == "position" else value
                    table[f"variables[{i}].{field}"] = (vtok.line, vtok.column)
            variables.append(var)
        edges = self.build_edges(table)
        data: dict[str, Any] = {"variables": variables, "edges": edges}
        for field in _LIST_FIELDS:
            if field in self.graph_attrs:
                value, tok = self.graph_attrs[field]
                data[field] = self.json_value(field, value, tok, list)
                table[field] = (tok.line, tok.column)
        if "metadata" in self.graph_attrs:
            value, tok = self.graph_attrs["metadata"]
            data["metadata"] = self.json_value("metadata", value, tok, dict)
            table["metadata"] = (tok.line, tok.column)
        elif self.name:
            data["metadata"] = {"name": self.name}
        return build_graph(data, fmt=FMT, source=self.source, table=table)

    def build_edges(self, table: dict[str, tuple[int, int | None]]) -> list[dict[str, Any]]:
        edges: list[dict[str, Any]] = []
        seen: dict[tuple[str, str, str], int] = {}
        first_at: list[Token] = []
        for source, target, attrs, op in self.edges:
            edge: dict[str, Any] = {"source": source, "target": target, "provenance": "import"}
            direction = attrs.get("dir", ("forward", op))
            if "kind" not in attrs and direction[0] == "both":
                edge["kind"] = "bidirected"
            elif direction[0] == "back":
                edge["source"], edge["target"] = target, source
            elif direction[0] == "none":
                raise self.error("an edge drawn without direction (dir=none): a causal diagram needs directed edges",
                                 direction[1])
            located: dict[str, Token] = {}
            for field in _EDGE_FIELDS:
                if field in attrs:
                    value, vtok = attrs[field]
                    edge[field] = self.json_value(field, value, vtok, list) if field == "evidence" else value
                    located[field] = vtok
            kind = edge.get("kind", "directed")
            low, high = sorted((edge["source"], edge["target"]))
            key = (low, high, kind) if kind == "bidirected" else (edge["source"], edge["target"], kind)
            if key in seen:
                if self.strict:  # Graphviz merges repeated edges of a strict graph
                    edges[seen[key]].update({k: v for k, v in edge.items() if k in attrs})
                    continue
                first = first_at[seen[key]]
                arrow = "<->" if kind == "bidirected" else "->"
                raise GraphValidationError(
                    f"duplicate edge {source} {arrow} {target} (first at line {first.line}, column {first.column})",
                    location=self.where(op), hint="remove the repeat, or write 'strict digraph' to merge repeats")
            seen[key] = len(edges)
            for field, vtok in located.items():
                table[f"edges[{len(edges)}].{field}"] = (vtok.line, vtok.column)
            table[f"edges[{len(edges)}]"] = (op.line, op.column)
            first_at.append(op)
            edges.append(edge)
        return edges

    def position(self, value: str, tok: Token) -> dict[str, float]:
        parts = [parse_number(p) for p in value.removesuffix("!").split(",")]
        if len(parts) != 2 or parts[0] is None or parts[1] is None:
            raise self.error(f'bad position {value!r}: expected "x,y" with two numbers', tok)
        return {"x": parts[0], "y": parts[1]}


# --- writing ---------------------------------------------------------------


def dot_id(text: str) -> str:
    """``text`` as a DOT ID: bare when it is a plain ASCII identifier, quoted otherwise.

    Numerals (``-1``, ``0.8``) are valid bare DOT IDs, but common readers (pydot) reject some of them
    as node names, so they are quoted too.

    >>> dot_id("smoking"), dot_id("0.8"), dot_id("-1"), dot_id("node"), dot_id("blood pressure")
    ('smoking', '"0.8"', '"-1"', '"node"', '"blood pressure"')
    """
    if _BARE_NAME.fullmatch(text) and text.lower() not in _KEYWORDS:
        return text
    return quote(text)


def _json(value: Any) -> str:
    return quote(json.dumps(value, ensure_ascii=False))


def write_dot(graph: CausalGraph) -> str:
    """Write ``graph`` as a Graphviz ``digraph`` that :func:`read_dot` reads back unchanged.

    Examples
    --------
    >>> from assistant.model import Edge, Variable
    >>> g = CausalGraph(variables=[Variable(name="x"), Variable(name="my y")],
    ...                 edges=[Edge(source="x", target="my y", confidence=0.9)], outcomes=["my y"])
    >>> print(write_dot(g), end="")
    digraph {
      graph [outcomes="[\\"my y\\"]"];
      x;
      "my y" [style=filled, fillcolor="#bbdefb"];
      x -> "my y" [provenance=expert, confidence=0.9];
    }
    """
    head = f"digraph {dot_id(graph.metadata.name)} {{" if graph.metadata.name else "digraph {"
    lines = [head]
    graph_attrs = [f"{field}={_json(getattr(graph, field))}" for field in _LIST_FIELDS if getattr(graph, field)]
    if graph.metadata != GraphMetadata():
        graph_attrs.append(f"metadata={_json(graph.metadata.model_dump(mode='json'))}")
    if graph_attrs:
        lines.append(f"  graph [{', '.join(graph_attrs)}];")
    for var in graph.variables:
        attrs = []
        if var.label is not None:
            attrs.append(f"label={quote(var.label)}")
        if var.description:
            attrs.append(f"description={quote(var.description)}")
        if var.data_type != "unknown":
            attrs.append(f"data_type={var.data_type}")
        if not var.observed:
            attrs.append("observed=false")
        if var.tier is not None:
            attrs.append(f"tier={var.tier}")
        if var.role is not None:
            attrs.append(f"role={var.role}")
        if var.position is not None:
            attrs.append(f'pos="{format_number(var.position.x)},{format_number(var.position.y)}"')
        attrs.extend(_node_style(graph, var.name, var.observed, var.role))
        lines.append(f"  {dot_id(var.name)}" + (f" [{', '.join(attrs)}];" if attrs else ";"))
    for edge in graph.edges:
        attrs = ["kind=bidirected", "dir=both", "style=dashed"] if edge.kind == "bidirected" else []
        attrs.append(f"provenance={edge.provenance}")
        if edge.confidence is not None:
            attrs.append(f"confidence={format_number(edge.confidence)}")
        if edge.rationale:
            attrs.append(f"rationale={quote(edge.rationale)}")
        if edge.evidence:
            attrs.append(f"evidence={_json([e.model_dump(mode='json') for e in edge.evidence])}")
        lines.append(f"  {dot_id(edge.source)} -> {dot_id(edge.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_style(graph: CausalGraph, name: str, observed: bool, role: str | None) -> list[str]:
    """Graphviz styling that shows the node's part in the question; ignored when reading."""
    styles, out = [], []
    fill = EXPOSURE_COLOR if name in graph.exposures else OUTCOME_COLOR if name in graph.outcomes else None
    if fill:
        styles.append("filled")
    if not observed:
        styles.append("dashed")
    if styles:
        out.append(f"style={dot_id(','.join(styles))}")
    if fill:
        out.append(f'fillcolor="{fill}"')
    if name in graph.adjusted:
        out.append("shape=box")
    if role == "selection":
        out.append("peripheries=2")
    return out
