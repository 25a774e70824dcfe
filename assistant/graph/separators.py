"""Listing minimal vertex separators in an undirected graph, with polynomial delay.

A set Z *separates* terminals s and t in an undirected graph when every path
from s to t passes through Z; it is *minimal* when no proper subset does.
Minimal d-separators and minimal adjustment sets in a DAG are exactly the
minimal separators of a moral graph (see :mod:`assistant.graph.transform`),
so this one routine serves both.

Only nodes in ``allowed`` may join a separator (latent variables and forbidden
descendants may not); the others are passed through.

The enumeration follows Takata (2010), "Space-optimal, backtracking algorithms
to list the minimal vertex separators of a graph", as adapted with the
``allowed`` restriction by van der Zander, Liśkiewicz & Textor (2019).  Each
state (S, T) stands for the separators whose s-side component contains S and
avoids T.  For a state we compute the separator *closest* to S; if every
vertex of it is already in T it is the only one, otherwise we branch on one
of its vertices v: v joins the s-side, or v is kept out of it.  Every branch
that survives its first check yields at least one separator, so the delay
between two answers is O(n (n + m)).  The stack is explicit: no recursion
limit on large graphs.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Iterator, Mapping

Node = Hashable
Graph = Mapping[Node, "set[Node]"]


def _grow(adj: Graph, start: Iterable[Node], avoid: set[Node] | frozenset[Node]) -> set[Node]:
    """``start`` plus every node reachable from it through nodes not in ``avoid``.

    The hot loop of every separator search: neighbours are filtered with set
    differences (C loops) rather than one Python test per neighbour.
    """
    grown = set(start)
    stack = list(grown)
    while stack:
        new = adj[stack.pop()] - grown
        if new:
            new -= avoid
            if new:
                grown |= new
                stack.extend(new)
    return grown


def _component(adj: Graph, start: Node, avoid: set[Node]) -> set[Node]:
    return _grow(adj, [start], avoid)


def _neighbours(adj: Graph, nodes: set[Node]) -> set[Node]:
    out: set[Node] = set()
    for n in nodes:
        out |= adj[n]
    return out - nodes


def _absorb_disallowed(adj: Graph, nodes: set[Node], allowed: set[Node]) -> set[Node]:
    """Grow ``nodes`` by every node reachable through nodes that may not be in a separator."""
    return _grow(adj, nodes, allowed)


def closest_separator(adj: Graph, s: Node, t: Node, allowed: set[Node], side: set[Node] | None = None,
                      keep_out: frozenset[Node] = frozenset()) -> tuple[set[Node], set[Node]] | None:
    """The minimal s-t separator closest to ``side`` (default {s}), and its s-side component.

    Returns ``None`` when no separator made of ``allowed`` nodes keeps ``side``
    on the s-side and ``keep_out`` off it.
    """
    start = _absorb_disallowed(adj, side or {s}, allowed)
    if t in start or start & keep_out:
        return None
    near = _neighbours(adj, start)
    t_side = _component(adj, t, near)
    separator = _neighbours(adj, t_side)
    s_side = _component(adj, s, separator)
    if s_side & keep_out:
        return None
    return separator, s_side


def minimal_separators(adj: Graph, s: Node, t: Node, allowed: set[Node], limit: int | None = None
                       ) -> Iterator[frozenset[Node]]:
    """Yield every minimal s-t separator made of ``allowed`` nodes, each exactly once.

    Branching picks the smallest candidate by ``repr`` so the order is deterministic.
    """
    if s not in adj or t not in adj:
        raise KeyError("terminals must be nodes of the graph")
    produced = 0
    stack: list[tuple[set[Node], frozenset[Node]]] = [({s}, frozenset({t}))]
    while stack:
        side, keep_out = stack.pop()
        found = closest_separator(adj, s, t, allowed, side, keep_out)
        if found is None:
            continue
        separator, s_side = found
        open_choices = separator - keep_out
        if not open_choices:
            yield frozenset(separator)
            produced += 1
            if limit is not None and produced >= limit:
                return
            continue
        v = min(open_choices, key=repr)
        stack.append((s_side, keep_out | {v}))   # v stays off the s-side (processed second)
        stack.append((s_side | {v}, keep_out))   # v joins the s-side (processed first)
