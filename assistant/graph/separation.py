"""d-separation (m-separation for graphs with bidirected edges).

Two sets of variables X and Y are *d-separated* by Z when every path between
them is blocked.  A path is blocked by Z when it contains

* a chain ``a -> m -> b`` or fork ``a <- m -> b`` whose middle node m is in Z, or
* a collider ``a -> c <- b`` such that neither c nor any descendant of c is in Z.

Conditioning on a collider (or on one of its descendants) *opens* the path:
this is the mechanism behind Berkson's paradox and M-bias.

In a graph with bidirected edges ``a <-> b`` (a hidden common cause of a and b)
the same rules apply with both ends of ``<->`` counted as arrowheads; this is
m-separation.  We compute it as d-separation in the DAG in which every
bidirected edge is replaced by an explicit latent parent (see
:mod:`assistant.graph.dag`).

The search below is the linear-time "reachable" procedure (Koller & Friedman,
*Probabilistic Graphical Models*, Alg. 3.1; Shachter's Bayes-ball): one pass
over (node, direction) pairs, so it stays fast on graphs with thousands of nodes.

References: Pearl (2009), *Causality*, §1.2.3; Richardson (2003) for
m-separation in mixed graphs.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from assistant.errors import AnalysisInputError
from assistant.graph.dag import LatentDAG, Node, to_latent_dag
from assistant.model import CausalGraph

Adjacency = Mapping[Node, "set[Node] | frozenset[Node]"]


def ancestors_of(parents: Adjacency, nodes: Iterable[Node]) -> set[Node]:
    """The nodes themselves and every node with a directed path into them."""
    seen = set(nodes)
    stack = list(seen)
    while stack:
        for p in parents[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def descendants_of(children: Adjacency, nodes: Iterable[Node]) -> set[Node]:
    """The nodes themselves and every node reachable from them by a directed path."""
    return ancestors_of(children, nodes)


def reachable(parents: Adjacency, children: Adjacency, sources: Iterable[Node], given: Iterable[Node],
              *, cut: Iterable[Node] = ()) -> set[Node]:
    """All nodes d-connected to ``sources`` given ``given`` (the sources included, ``given`` excluded).

    ``parents`` and ``children`` describe a DAG.  Edges *out of* the nodes in
    ``cut`` are ignored, as in the graphs written G with X underlined in the
    literature, without copying the graph.  Runs in O(nodes + edges).
    """
    z = set(given)
    cut = set(cut)
    if cut:
        parents = {n: ps - cut for n, ps in parents.items()}
        children = {n: (set() if n in cut else cs) for n, cs in children.items()}
    anc_z = ancestors_of(parents, z)
    # Each entry is (node, arrived_from_child): True = the trail reached node from one of its
    # children (travelling "up"), False = from one of its parents (travelling "down").
    stack: list[tuple[Node, bool]] = [(s, True) for s in sources]
    visited: set[tuple[Node, bool]] = set()
    found: set[Node] = set()
    while stack:
        node, up = stack.pop()
        if (node, up) in visited:
            continue
        visited.add((node, up))
        if node not in z:
            found.add(node)
        if up:
            if node in z:
                continue
            stack.extend((p, True) for p in parents[node])
            stack.extend((c, False) for c in children[node])
        else:
            if node not in z:
                stack.extend((c, False) for c in children[node])
            if node in anc_z:  # a collider that is, or has a descendant, in Z: the trail turns back up
                stack.extend((p, True) for p in parents[node])
    return found


def adjacency(ld: LatentDAG) -> tuple[dict[Node, set[Node]], dict[Node, set[Node]]]:
    """Parent and child sets of every node of the latent DAG (plain dicts: fast to query)."""
    parents = {n: set(ld.dag.predecessors(n)) for n in ld.dag.nodes}
    children = {n: set(ld.dag.successors(n)) for n in ld.dag.nodes}
    return parents, children


def _as_list(names: Iterable[str] | str) -> list[str]:
    return [names] if isinstance(names, str) else list(names)


def d_separated(graph: CausalGraph, xs: Iterable[str] | str, ys: Iterable[str] | str,
                zs: Iterable[str] | str = ()) -> bool:
    """True when ``zs`` d-separates ``xs`` from ``ys`` (m-separates, with bidirected edges).

    Latent variables may appear in any of the sets: the question is about the
    causal structure, not about what was measured.

    >>> from assistant.gallery import load
    >>> d_separated(load("m_bias"), "A", "B")
    True
    >>> d_separated(load("m_bias"), "A", "B", ["M"])   # conditioning on the collider opens A -> M <- B
    False
    """
    ld = to_latent_dag(graph)
    x = ld.require_known(_as_list(xs), "first set")
    y = ld.require_known(_as_list(ys), "second set")
    z = ld.require_known(_as_list(zs), "conditioning set")
    overlap = (set(x) & set(y)) | (set(x) & set(z)) | (set(y) & set(z))
    if overlap:
        raise AnalysisInputError(f"the sets must be disjoint, but {sorted(overlap)} appear in more than one")
    parents, children = adjacency(ld)
    return not (reachable(parents, children, x, z) & set(y))
