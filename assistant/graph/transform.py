"""Graph transforms: each builds a *new* structure and never edits its input.

* :func:`proper_causal_nodes` — the nodes on proper causal paths from X to Y;
* :func:`forbidden_nodes` — descendants of those, which no adjustment set may contain;
* :func:`proper_backdoor` — the DAG with the first edge of every proper causal path removed;
* :func:`moral_ancestral` — the moral graph of an ancestral set, optionally with X and Y
  contracted to single terminals: d-separation in a DAG is separation in this graph.

References: van der Zander, Liśkiewicz & Textor (2019), "Separators and adjustment
sets in causal graphs: Complete criteria and an algorithmic framework", *Artificial
Intelligence* 270; Lauritzen et al. (1990) for the moral-graph criterion.
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterable

from assistant.graph.separation import Adjacency, ancestors_of, descendants_of
from assistant.graph.dag import Node

SOURCE = ("<terminal>", "source")
SINK = ("<terminal>", "sink")


def _reach(step: Adjacency, start: Iterable[Node], blocked: set[Node]) -> set[Node]:
    """Nodes reachable from ``start`` following ``step`` without entering ``blocked``."""
    seen: set[Node] = set()
    stack = [n for n in start]
    while stack:
        node = stack.pop()
        for nxt in step[node]:
            if nxt not in seen and nxt not in blocked:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def proper_causal_nodes(parents: Adjacency, children: Adjacency, xs: set[Node], ys: set[Node]) -> set[Node]:
    """PCP(X, Y): nodes other than X on a directed path from X to Y that meets X only at its start."""
    after_x = _reach(children, xs, blocked=xs)          # descendants reached without re-entering X
    before_y = _reach(parents, ys, blocked=xs) | (set(ys) - xs)  # ancestors of Y avoiding X
    return after_x & before_y


def forbidden_nodes(parents: Adjacency, children: Adjacency, xs: set[Node], ys: set[Node]) -> set[Node]:
    """Forb(X, Y) = De(PCP(X, Y)) ∪ X: never valid in an adjustment set."""
    return descendants_of(children, proper_causal_nodes(parents, children, xs, ys)) | set(xs)


def proper_backdoor(parents: Adjacency, children: Adjacency, xs: set[Node], ys: set[Node]
                    ) -> tuple[dict[Node, set[Node]], dict[Node, set[Node]]]:
    """Parent/child maps of the proper back-door graph: edges X -> w with w in PCP(X, Y) removed."""
    pcp = proper_causal_nodes(parents, children, xs, ys)
    new_parents = {n: set(ps) for n, ps in parents.items()}
    new_children = {n: set(cs) for n, cs in children.items()}
    for x in xs:
        for w in children[x] & pcp:
            new_children[x].discard(w)
            new_parents[w].discard(x)
    return new_parents, new_children


def moral_ancestral(parents: Adjacency, keep: Iterable[Node], *,
                    contract: tuple[set[Node], set[Node]] | None = None,
                    remove: Iterable[Node] = ()) -> dict[Node, set[Node]]:
    """Undirected moral graph of the ancestral closure of ``keep``.

    With ``contract=(X, Y)``, the nodes of X become the single terminal
    :data:`SOURCE` and those of Y become :data:`SINK`.  Nodes in ``remove``
    (already conditioned on) are deleted after moralisation.
    """
    anc = ancestors_of(parents, keep)
    rename: dict[Node, Node] = {}
    if contract is not None:
        rename.update({x: SOURCE for x in contract[0]})
        rename.update({y: SINK for y in contract[1]})
    dropped = set(remove)

    def r(n: Node) -> Node:
        return rename.get(n, n)

    adj: dict[Node, set[Node]] = {r(n): set() for n in anc if n not in dropped}

    def link(a: Node, b: Node) -> None:
        a, b = r(a), r(b)
        if a != b and a in adj and b in adj:
            adj[a].add(b)
            adj[b].add(a)

    for node in anc:
        ps = [p for p in parents[node] if p in anc]
        for p in ps:
            link(p, node)
        for p, q in combinations(ps, 2):
            link(p, q)
    return adj
