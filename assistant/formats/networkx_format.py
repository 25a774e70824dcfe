"""Converting to and from networkx graphs, losslessly.

A :class:`~assistant.model.CausalGraph` becomes an ``nx.MultiDiGraph``:

* each variable is a node keyed by its name; the node's attributes are the
  other :class:`~assistant.model.Variable` fields (``label``, ``description``,
  ``data_type``, ``observed``, ``tier``, ``role``, ``position`` as a
  ``{"x": ..., "y": ...}`` dict or None);
* each edge is a multigraph edge whose *key* is its kind (``"directed"`` or
  ``"bidirected"``), so ``a -> b`` and ``a <-> b`` can sit side by side; the
  attributes are the :class:`~assistant.model.Edge` fields other than the
  endpoints (``kind``, ``provenance``, ``confidence``, ``rationale``,
  ``evidence`` as a list of dicts), plus ``order``, the edge's position in
  ``CausalGraph.edges``, because networkx lists edges by node, not in the
  order they were added;
* the graph attributes hold ``exposures``, ``outcomes``, ``adjusted`` (lists
  of names) and ``metadata`` (a dict).

All values are plain JSON-compatible Python, so ``from_networkx(to_networkx(g))
== g``.

:func:`from_networkx` also takes graphs made elsewhere: a plain ``nx.DiGraph``
with no attributes imports as observed variables joined by directed edges
with provenance ``"import"``.  Node keys that are not strings are converted
with ``str``; attributes we do not model (``weight``, ``color``, ...) are
ignored; a ``pos`` attribute (the networkx drawing convention) is used as the
position when there is no ``position``.  Undirected graphs are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import networkx as nx

from assistant.errors import CausalAssistantError, ParseError
from assistant.formats._common import build_graph
from assistant.model import CausalGraph, Edge, Position, Variable

FMT = "networkx"
_NODE_FIELDS = tuple(f for f in Variable.model_fields if f != "name")
_EDGE_FIELDS = tuple(f for f in Edge.model_fields if f not in ("source", "target"))
_KINDS = ("directed", "bidirected")


def to_networkx(graph: CausalGraph) -> nx.MultiDiGraph:
    """``graph`` as a networkx multigraph carrying every field (see the module docstring).

    Examples
    --------
    >>> from assistant.model import Edge, Variable
    >>> g = CausalGraph(variables=[Variable(name="a"), Variable(name="b")],
    ...                 edges=[Edge(source="a", target="b"), Edge(source="a", target="b", kind="bidirected")])
    >>> G = to_networkx(g)
    >>> sorted(G.edges(keys=True))
    [('a', 'b', 'bidirected'), ('a', 'b', 'directed')]
    >>> from_networkx(G) == g
    True
    """
    G = nx.MultiDiGraph()
    G.graph.update(
        exposures=list(graph.exposures),
        outcomes=list(graph.outcomes),
        adjusted=list(graph.adjusted),
        metadata=graph.metadata.model_dump(mode="json"),
    )
    for var in graph.variables:
        G.add_node(var.name, **var.model_dump(mode="json", exclude={"name"}))
    for order, edge in enumerate(graph.edges):
        attrs = edge.model_dump(mode="json", exclude={"source", "target"})
        G.add_edge(edge.source, edge.target, key=edge.kind, order=order, **attrs)
    return G


def from_networkx(G: nx.Graph) -> CausalGraph:
    """A :class:`CausalGraph` from a directed networkx graph (see the module docstring).

    Examples
    --------
    >>> g = from_networkx(nx.DiGraph([("rain", "wet"), ("sprinkler", "wet")]))
    >>> g.names, [str(e) for e in g.edges], g.edges[0].provenance
    (['rain', 'wet', 'sprinkler'], ['rain -> wet', 'sprinkler -> wet'], 'import')
    """
    if not isinstance(G, nx.Graph):
        raise ParseError(f"expected a networkx graph, got {type(G).__name__}", fmt=FMT)
    if not G.is_directed():
        raise ParseError("the graph is undirected: a causal diagram needs directed edges", fmt=FMT,
                         hint="build an nx.DiGraph or nx.MultiDiGraph")
    names = {node: node if isinstance(node, str) else str(node) for node in G.nodes}
    variables = [{"name": names[node], **_pick(data, _NODE_FIELDS, _node_extras(data))}
                 for node, data in G.nodes(data=True)]
    edges = []
    if G.is_multigraph():
        triples = G.edges(keys=True, data=True)
    else:
        triples = ((u, v, None, d) for u, v, d in G.edges(data=True))
    for arrival, (u, v, key, data) in enumerate(triples):
        edge: dict[str, Any] = {"source": names[u], "target": names[v], "provenance": "import"}
        if "kind" not in data and key in _KINDS:
            edge["kind"] = key
        edge.update(_pick(data, _EDGE_FIELDS))
        order = data.get("order")
        rank = order if isinstance(order, int) and not isinstance(order, bool) else None
        edges.append(((rank is None, rank if rank is not None else 0, arrival), edge))
    edges.sort(key=lambda pair: pair[0])
    doc: dict[str, Any] = {"variables": variables, "edges": [e for _, e in edges]}
    for field in ("exposures", "outcomes", "adjusted", "metadata"):
        if G.graph.get(field) is not None:
            value = G.graph[field]
            doc[field] = list(value) if isinstance(value, (tuple, set, frozenset)) else value
    try:
        return build_graph(doc, fmt=FMT, source=None)
    except CausalAssistantError as err:
        # model paths say "variables[3]"; a networkx user thinks in node names
        match = re.match(r"variables\[(\d+)\]", (err.location.path if err.location else None) or "")
        if match and int(match.group(1)) < len(variables):
            err.message += f" (node {variables[int(match.group(1))]['name']!r})"
            err.args = (err.message,)
        raise


def _pick(data: Mapping[str, Any], fields: tuple[str, ...], extras: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out = dict(extras or {})
    out.update({k: data[k] for k in fields if k in data})
    if out.get("position") is not None and not isinstance(out["position"], (Position, Mapping)):
        out["position"] = _xy(out["position"])
    return out


def _node_extras(data: Mapping[str, Any]) -> dict[str, Any]:
    pos = data.get("pos")
    if pos is None or "position" in data:
        return {}
    return {"position": pos if isinstance(pos, (Position, Mapping)) else _xy(pos)}


def _xy(pair: Any) -> Any:
    """``(x, y)`` (a tuple, list or array) -> ``{"x": x, "y": y}``; anything else is left for validation to reject."""
    try:
        x, y = pair
    except (TypeError, ValueError):
        return pair
    return {"x": float(x), "y": float(y)} if all(isinstance(v, (int, float)) for v in (x, y)) else {"x": x, "y": y}

