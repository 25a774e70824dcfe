"""Latent projection: the graph over the observed variables that a latent-variable DAG implies.

Projecting out the unobserved variables (Verma & Pearl 1990) gives a mixed
graph over the observed ones with

* ``a -> b`` when a directed path from a to b has only latent intermediates;
* ``a <-> b`` when a path between them has only latent intermediates, none a
  collider, and arrowheads at both a and b: a hidden common cause.

The projection preserves every d-separation among observed variables, so the
testable implications of a model are those of its projection.  Bidirected
edges of the input count as latent common causes.
"""

from __future__ import annotations

from itertools import combinations

from assistant.graph.dag import Node, to_latent_dag
from assistant.model import CausalGraph, Edge


def _observed_reach(children: dict[Node, set[Node]], start: Node, observed: frozenset[str]) -> set[str]:
    """Observed nodes reached from ``start`` by directed paths whose intermediates are all latent."""
    hits: set[str] = set()
    seen = {start}
    stack = [start]
    while stack:
        for c in children[stack.pop()]:
            if c in seen:
                continue
            seen.add(c)
            if c in observed:
                hits.add(c)  # type: ignore[arg-type]
            else:
                stack.append(c)
    return hits


def latent_projection(graph: CausalGraph) -> CausalGraph:
    """The mixed graph over ``graph``'s observed variables implied by its latent structure.

    Edges present in the input keep their attributes; edges created by the
    projection get provenance ``import`` and a rationale naming the latent path.

    >>> from assistant.gallery import load
    >>> [str(e) for e in latent_projection(load("front_door")).edges]
    ['X -> M', 'M -> Y', 'X <-> Y']
    """
    ld = to_latent_dag(graph)
    children = {n: set(ld.dag.successors(n)) for n in ld.dag.nodes}
    observed = ld.observed
    order = {n: i for i, n in enumerate(graph.names)}
    directed: set[tuple[str, str]] = set()
    for a in graph.observed:
        for b in _observed_reach(children, a, observed):
            directed.add((a, b))
    bidirected: set[tuple[str, str]] = set()
    for latent in ld.unobserved:
        reach = sorted(_observed_reach(children, latent, observed), key=order.get)
        bidirected.update(combinations(reach, 2))

    edges: list[Edge] = []
    for a, b in sorted(directed, key=lambda e: (order[e[0]], order[e[1]])):
        original = graph.find_edge(a, b, "directed")
        edges.append(original or Edge(source=a, target=b, provenance="import",
                                      rationale="latent projection: a directed path through unobserved variables"))
    for a, b in sorted(bidirected, key=lambda e: (order[e[0]], order[e[1]])):
        original = graph.find_edge(a, b, "bidirected")
        edges.append(original or Edge(source=a, target=b, kind="bidirected", provenance="import",
                                      rationale="latent projection: an unobserved common cause"))
    keep = set(observed)
    return CausalGraph(
        variables=[v.model_copy(deep=True) for v in graph.variables if v.name in keep],
        edges=[e.model_copy(deep=True) for e in edges],
        exposures=[n for n in graph.exposures if n in keep],
        outcomes=[n for n in graph.outcomes if n in keep],
        adjusted=[n for n in graph.adjusted if n in keep],
        metadata=graph.metadata.model_copy(deep=True),
    )
