"""DAGitty model code: the text behind the "Model code" box on dagitty.net.

DAGitty (Textor et al., https://dagitty.net) describes a causal diagram in a
small DOT-like language::

    dag {
    bb="0,0,1,1"
    Smoking [exposure,pos="0.1,0.5"]
    Cancer [outcome,pos="0.9,0.5"]
    Genotype [latent,pos="0.5,0.1"]
    Smoking -> Tar -> Cancer
    Smoking <- Genotype -> Cancer
    }

A *node statement* names a variable and may carry attributes in brackets; an
*edge statement* links variables with ``->``, ``<-`` (the same arrow written
backwards) or ``<->`` (a bidirected edge: an unmeasured common cause).  Chains
(``A -> B -> C``) and groups (``A -> {B C}``) are shorthand for several edges.
Variables mentioned only in edges are created implicitly.  Statements are
separated by newlines, spaces or ``;``.  Names are bare words of letters,
digits, ``_`` and ``.``, or quoted strings (``"my variable"``).

How it maps onto :class:`~assistant.model.CausalGraph`:

==================  ===============================================
DAGitty             causal-assistant
==================  ===============================================
``exposure``        listed in ``CausalGraph.exposures``
``outcome``         listed in ``CausalGraph.outcomes``
``adjusted``        listed in ``CausalGraph.adjusted``
``latent``          ``Variable.observed = False``
``selected``        ``Variable.role = "selection"``
``pos="x,y"``       ``Variable.position``
``label="..."``     ``Variable.label``
``A -> B``          ``Edge(kind="directed")``
``A <-> B``         ``Edge(kind="bidirected")``
``bb="..."``        ``metadata.extra["dagitty.bb"]`` (layout box)
``dag NAME {``      ``metadata.name`` (read only)
==================  ===============================================

Everything else in our model (descriptions, data types, tiers, other roles,
edge provenance, confidence, rationale and evidence, the question) has no
place in DAGitty's language and is not written; imported edges get
provenance ``"import"``.  The single-letter abbreviations DAGitty accepts
(``e``, ``o``, ``l``, ``u``, ``a``, ``s``) are read too.

We only read DAGs with optional bidirected edges (ADMGs).  Other graph types
(``pdag``, ``mag``, ``pag``, ``graph``, ``digraph``), undirected edges ``--``
and the circle marks of PAGs (``@->``, ``@-@``, ...) are reported as errors,
each with the line and column where it occurs.

DAGitty's own writer escapes only quotes; ours also doubles a backslash where
it would otherwise start an escape, so every variable name survives a round
trip (a name ending in a backslash is the one case DAGitty itself cannot
read).  Unlike DAGitty we also accept ``//``, ``/* */`` and ``#`` comments
and non-ASCII letters in bare names.
"""

from __future__ import annotations

import math
import re
from typing import Any

from assistant.errors import GraphValidationError, Location, ParseError
from assistant.formats._common import MAX_NESTING, build_graph, format_number, parse_number, require_text
from assistant.formats._lexer import LexerSpec, Token, TokenStream, quote, tokenize
from assistant.model import CausalGraph

FMT = "dagitty"
BB_KEY = "dagitty.bb"

_SPEC = LexerSpec(
    fmt=FMT,
    bareword=re.compile(r"-?[\w.]+"),
    operators=("@->", "<-@", "--@", "@-@", "@--", "<->", "->", "<-", "--", "{", "}", "[", "]", "=", ","),
    semicolon_is_space=True,
)
_EDGE_OPS = ("@->", "<-@", "--@", "@-@", "@--", "<->", "->", "<-", "--")
_GRAPH_TYPES = ("dag", "pdag", "mag", "pag", "graph", "digraph")
_PLAIN_NAME = re.compile(r"[0-9A-Za-z_.]+")
_RESERVED = frozenset({"graph", "node", "edge", "subgraph", "strict", "digraph", "dag", "pdag", "mag", "pag"})

_LATENT = {"latent", "l", "unobserved", "u"}
_EXPOSURE = {"exposure", "e", "source"}
_OUTCOME = {"outcome", "o", "target"}
_ADJUSTED = {"adjusted", "a"}
_SELECTED = {"selected", "s"}
_KNOWN_FLAGS = "exposure, outcome, latent, adjusted, selected, pos and label"

_TYPE_HINTS = {
    "graph": "an undirected graph is not a causal diagram; write 'dag { ... }'",
    "digraph": "for Graphviz files use the dot format; for DAGitty model code write 'dag { ... }'",
    "pdag": "a PDAG stands for several DAGs; pick one DAG in DAGitty and export that",
    "mag": "a MAG is not supported; export the underlying DAG or ADMG",
    "pag": "a PAG stands for several graphs; pick one DAG in DAGitty and export that",
}


# --- reading ---------------------------------------------------------------


def read_dagitty(text: str, *, source: str | None = None) -> CausalGraph:
    """Parse DAGitty model code into a :class:`CausalGraph`.

    Examples
    --------
    >>> g = read_dagitty('dag { X [exposure] Y [outcome] X -> Y <- U U [latent] }')
    >>> g.names, g.exposures, g.outcomes, g.latent
    (['X', 'Y', 'U'], ['X'], ['Y'], ['U'])
    >>> [str(e) for e in g.edges]
    ['X -> Y', 'U -> Y']
    """
    text = require_text(text, fmt=FMT, source=source)
    return _Reader(text, source).parse()


class _Reader:
    def __init__(self, text: str, source: str | None):
        self.ts = TokenStream(tokenize(text, _SPEC, source), FMT, source)
        self.source = source
        self.variables: dict[str, dict[str, Any]] = {}
        self.index: dict[str, int] = {}
        self.marks: dict[str, dict[str, Token]] = {"exposures": {}, "outcomes": {}, "adjusted": {}}
        self.edges: list[dict[str, Any]] = []
        self.edge_keys: set[tuple[str, str, str]] = set()
        self.table: dict[str, tuple[int, int | None]] = {}
        self.groups: list[list[str]] = []
        self.name = ""
        self.bb: list[float] | None = None

    def parse(self) -> CausalGraph:
        ts = self.ts
        ahead = 1 if ts.peek().is_word("strict") else 0
        kind = ts.peek(ahead)
        after = ts.peek(ahead + 1)
        has_header = kind.is_word(*_GRAPH_TYPES) and (
            (after.kind == "op" and after.value == "{")
            or (after.is_id and ts.peek(ahead + 2).kind == "op" and ts.peek(ahead + 2).value == "{"))
        if has_header:
            for _ in range(ahead):
                ts.next()
            kind = ts.next()
            if kind.value.lower() != "dag":
                raise ts.error(f"graph type {kind.value!r} is not supported: causal-assistant reads 'dag' "
                               "model code (a DAG, optionally with latent variables and '<->' edges)", kind,
                               hint=_TYPE_HINTS.get(kind.value.lower()))
            if ts.peek().is_id:
                self.name = ts.next().value
            ts.expect_op("{", "to open the graph")
            self.statements(end="}")
            ts.expect_op("}", "to close the graph")
            if ts.peek().kind != "eof":
                raise ts.error(f"unexpected {ts.peek().describe()} after the end of the graph")
        else:  # DAGitty also accepts bare statements, as if wrapped in 'dag { ... }'
            self.statements(end=None)
        return self.build()

    # --- grammar -----------------------------------------------------------

    def statements(self, end: str | None) -> None:
        ts = self.ts
        while ts.peek().kind != "eof" and not (end and ts.at_op(end)):
            self.statement()
        if end and ts.peek().kind == "eof":
            raise ts.unexpected(f"{end!r}")

    def statement(self) -> None:
        ts = self.ts
        tok = ts.peek()
        nxt = ts.peek(1)
        if tok.is_id and nxt.kind == "op" and nxt.value == "=":
            ts.next()
            ts.next()
            self.graph_option(tok, ts.expect_id("a value after '='"))
            return
        if tok.is_word("graph") and nxt.kind == "op" and nxt.value == "[":
            ts.next()
            for key, value in self.attr_list():
                if value is not None:
                    self.graph_option(key, value)
            return
        first = self.endpoint()
        if ts.at_op(*_EDGE_OPS):
            self.edge_chain(first)
        elif ts.at_op("["):
            if len(first) != 1 or tok.kind == "op" or tok.is_word("subgraph"):
                raise ts.error("attributes in brackets must follow a single variable name")
            self.node_attributes(first[0], self.attr_list())

    def endpoint(self) -> list[str]:
        """A variable name or a ``{ ... }`` group; returns the names it stands for."""
        ts = self.ts
        tok = ts.peek()
        if tok.is_word("subgraph"):
            ts.next()
            if ts.peek().is_id:
                ts.next()
            if not ts.at_op("{"):
                raise ts.unexpected("'{' after 'subgraph'")
        if ts.at_op("{") and len(self.groups) >= MAX_NESTING:
            raise ts.error(f"groups nested more than {MAX_NESTING} deep")
        if ts.accept_op("{"):
            self.groups.append([])
            self.statements(end="}")
            ts.expect_op("}", "to close the group")
            return self.groups.pop()
        if tok.is_word("graph", "node"):
            raise ts.error(f"{tok.value!r} is a keyword, not a variable name", tok,
                           hint=f'write "{tok.value}" in quotes to use it as a variable name')
        if not tok.is_id:
            raise ts.unexpected("a variable name")
        ts.next()
        self.touch(tok.value, tok)
        return [tok.value]

    def edge_chain(self, left: list[str]) -> None:
        ts = self.ts
        while ts.at_op(*_EDGE_OPS):
            op = ts.next()
            right = self.endpoint()
            for a in left:
                for b in right:
                    self.add_edge(op, a, b)
            left = right
        if ts.at_op("["):
            self.attr_list()  # edge attributes (pos, label, beta) are layout or SEM details we do not keep

    def attr_list(self) -> list[tuple[Token, Token | None]]:
        ts = self.ts
        ts.expect_op("[")
        items: list[tuple[Token, Token | None]] = []
        while not ts.at_op("]"):
            key = ts.expect_id("an attribute name or ']'")
            value = ts.expect_id("an attribute value after '='") if ts.accept_op("=") else None
            ts.accept_op(",")
            items.append((key, value))
        ts.expect_op("]")
        return items

    # --- meaning -----------------------------------------------------------

    def touch(self, name: str, tok: Token) -> None:
        if name not in self.variables:
            self.index[name] = len(self.variables)
            self.variables[name] = {"name": name}
            self.table[f"variables[{self.index[name]}]"] = (tok.line, tok.column)
        for group in self.groups:
            if name not in group:
                group.append(name)

    def add_edge(self, op: Token, a: str, b: str) -> None:
        if op.value == "->":
            source, target, kind = a, b, "directed"
        elif op.value == "<-":
            source, target, kind = b, a, "directed"
        elif op.value == "<->":
            source, target, kind = a, b, "bidirected"
        elif op.value == "--":
            raise self.ts.error("undirected edge '--': a causal diagram needs directed ('->') or bidirected "
                                "('<->') edges", op, hint="decide the direction of the effect and write '->'")
        else:
            raise self.ts.error(f"partially directed edge {op.value!r} (a PAG circle mark): a causal diagram "
                                "needs directed ('->') or bidirected ('<->') edges", op)
        low, high = sorted((source, target))
        key = (source, target, kind) if kind == "directed" else (low, high, kind)
        if key in self.edge_keys:  # DAGitty merges repeated edges; so do we
            return
        self.edge_keys.add(key)
        self.table[f"edges[{len(self.edges)}]"] = (op.line, op.column)
        self.edges.append({"source": source, "target": target, "kind": kind, "provenance": "import"})

    def node_attributes(self, name: str, items: list[tuple[Token, Token | None]]) -> None:
        var = self.variables[name]
        at = f"variables[{self.index[name]}]"
        for key, value in items:
            k = key.value.lower()
            if k in _LATENT:
                var["observed"] = False
            elif k in _EXPOSURE:
                self.mark("exposures", name, key)
            elif k in _OUTCOME:
                self.mark("outcomes", name, key)
            elif k in _ADJUSTED:
                self.mark("adjusted", name, key)
            elif k in _SELECTED:
                var["role"] = "selection"
                self.table[f"{at}.role"] = (key.line, key.column)
            elif k in ("pos", "label"):
                if value is None:
                    raise self.ts.error(f"attribute {key.value!r} needs a value, as in {k}=\"...\"", key)
                if k == "pos":
                    x, y = self.numbers(value, 2, "position", 'pos="x,y"')
                    var["position"] = {"x": x, "y": y}
                else:
                    var["label"] = value.value
                self.table[f"{at}.{'position' if k == 'pos' else 'label'}"] = (value.line, value.column)
            elif value is None:
                raise self.ts.error(f"unknown variable attribute {key.value!r}", key,
                                    hint=f"dagitty knows {_KNOWN_FLAGS}")
            # other attributes with values (e.g. DAGitty's free-form ones) carry nothing we model

    def mark(self, field: str, name: str, tok: Token) -> None:
        other = {"exposures": "outcomes", "outcomes": "exposures"}.get(field)
        if other and name in self.marks[other]:
            raise GraphValidationError(f"{name!r} is marked as both exposure and outcome", location=Location(
                file=self.source, line=tok.line, column=tok.column, path=field))
        self.marks[field].setdefault(name, tok)
        self.table.setdefault(field, (tok.line, tok.column))

    def numbers(self, tok: Token, count: int, what: str, example: str) -> list[float]:
        parts = [parse_number(p) for p in tok.value.split(",")]
        if len(parts) != count or any(p is None for p in parts):
            raise ParseError(f"bad {what} {tok.value!r}: expected {count} comma-separated numbers, as in {example}",
                             fmt=FMT, location=Location(file=self.source, line=tok.line, column=tok.column))
        return [p for p in parts if p is not None]

    def graph_option(self, key: Token, value: Token) -> None:
        if key.value == "bb":
            self.bb = self.numbers(value, 4, "bounding box", 'bb="0,0,1,1"')
        # other graph options are layout details we do not keep

    def build(self) -> CausalGraph:
        data: dict[str, Any] = {
            "variables": list(self.variables.values()),
            "edges": self.edges,
            **{field: list(names) for field, names in self.marks.items()},
        }
        metadata: dict[str, Any] = {}
        if self.name:
            metadata["name"] = self.name
        if self.bb is not None:
            metadata["extra"] = {BB_KEY: self.bb}
        if metadata:
            data["metadata"] = metadata
        return build_graph(data, fmt=FMT, source=self.source, table=self.table)


# --- writing ---------------------------------------------------------------


def dagitty_name(name: str) -> str:
    """A variable name as DAGitty code: bare when DAGitty would read it bare, quoted otherwise.

    >>> dagitty_name("smoking"), dagitty_name("blood pressure"), dagitty_name('say "hi"')
    ('smoking', '"blood pressure"', '"say \\\\"hi\\\\""')
    """
    if _PLAIN_NAME.fullmatch(name) and name.lower() not in _RESERVED:
        return name
    return quote(name)


def write_dagitty(graph: CausalGraph) -> str:
    """Write DAGitty model code: every variable on its own line, then every edge.

    Only what DAGitty can express is written (see the module docstring).

    Examples
    --------
    >>> from assistant.model import Edge, Variable
    >>> g = CausalGraph(variables=[Variable(name="X"), Variable(name="Y"), Variable(name="U", observed=False)],
    ...                 edges=[Edge(source="X", target="Y"), Edge(source="X", target="Y", kind="bidirected")],
    ...                 exposures=["X"], outcomes=["Y"])
    >>> print(write_dagitty(g), end="")
    dag {
    X [exposure]
    Y [outcome]
    U [latent]
    X -> Y
    X <-> Y
    }
    """
    lines = ["dag {"]
    bb = graph.metadata.extra.get(BB_KEY)
    if (isinstance(bb, list) and len(bb) == 4
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in bb)):
        lines.append('bb="' + ",".join(format_number(float(v)) for v in bb) + '"')
    exposures, outcomes, adjusted = set(graph.exposures), set(graph.outcomes), set(graph.adjusted)
    for var in graph.variables:
        attrs = []
        if var.name in exposures:
            attrs.append("exposure")
        if var.name in outcomes:
            attrs.append("outcome")
        if var.name in adjusted:
            attrs.append("adjusted")
        if not var.observed:
            attrs.append("latent")
        if var.role == "selection":
            attrs.append("selected")
        if var.position is not None:
            attrs.append(f'pos="{format_number(var.position.x)},{format_number(var.position.y)}"')
        if var.label is not None:
            attrs.append(f"label={quote(var.label)}")
        lines.append(dagitty_name(var.name) + (f" [{','.join(attrs)}]" if attrs else ""))
    for edge in graph.edges:
        arrow = "->" if edge.kind == "directed" else "<->"
        lines.append(f"{dagitty_name(edge.source)} {arrow} {dagitty_name(edge.target)}")
    lines.append("}")
    return "\n".join(lines) + "\n"
