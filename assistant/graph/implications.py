"""Testable implications: the conditional independencies a causal graph predicts for the data.

A graph is falsifiable because every missing edge is a claim: if a and b are
not adjacent, some set of observed variables should make them independent.
Two listings are offered:

* **missing-edge implications** (DAGitty's ``type="missing.edge"``): for each
  pair of observed variables with no directed edge between them, *every*
  minimal set of observed variables that d-separates them.  Latent variables
  never appear; paths through them are taken into account.
* **a basis set**: a small list that implies all the others.  For a fully
  observed DAG this is the local Markov property — each variable is
  independent of its non-descendants given its parents (DAGitty's
  ``type="basis.set"``).  With latent variables it is the *ordered local
  Markov property* of the latent projection (Richardson 2003, "Markov
  properties for acyclic directed mixed graphs"): in a topological order,
  each variable is independent of its predecessors given its Markov blanket
  among them (the parents of its district, and the district).  DAGitty's basis
  ignores latents; this one stays correct with them.

Every statement here is a d-separation in the full graph; the property tests
check exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from assistant.graph.dag import to_latent_dag
from assistant.graph.projection import latent_projection
from assistant.graph.separation import adjacency, descendants_of
from assistant.graph.separators import minimal_separators
from assistant.graph.transform import moral_ancestral
from assistant.model import CausalGraph


@dataclass(frozen=True)
class Independence:
    """``x`` is independent of every variable in ``y`` given ``given``."""

    x: str
    y: tuple[str, ...]
    given: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.x} _||_ {', '.join(self.y)}"
        return text + (f" | {', '.join(self.given)}" if self.given else "")


def missing_edge_implications(graph: CausalGraph, *, max_results: int | None = None) -> list[Independence]:
    """Every minimal separating set of every non-adjacent pair of observed variables.

    >>> from assistant.gallery import load
    >>> [str(i) for i in missing_edge_implications(load("mediator_model"))]
    ['Z _||_ Y | X, I']
    """
    ld = to_latent_dag(graph)
    parents, _children = adjacency(ld)
    order = {n: i for i, n in enumerate(graph.names)}
    adjacent = {frozenset((e.source, e.target)) for e in graph.directed_edges()}
    observed = [n for n in graph.names if n in ld.observed]
    out: list[Independence] = []
    for i, a in enumerate(observed):
        for b in observed[i + 1:]:
            if frozenset((a, b)) in adjacent:
                continue
            moral = moral_ancestral(parents, {a, b})
            allowed = {n for n in moral if n in ld.observed} - {a, b}
            remaining = None if max_results is None else max_results - len(out)
            seps = [tuple(sorted(map(str, sep), key=order.get)) for sep in minimal_separators(moral, a, b, allowed, limit=remaining)]
            out.extend(Independence(a, (b,), sep) for sep in sorted(seps, key=lambda s: (len(s), [order[n] for n in s])))
            if max_results is not None and len(out) >= max_results:
                return out[:max_results]
    return out


def basis_implications(graph: CausalGraph) -> list[Independence]:
    """A basis set of independencies that implies every other one the graph makes.

    >>> from assistant.gallery import load
    >>> [str(i) for i in basis_implications(load("mediator_model"))]
    ['Y _||_ Z | X, I']
    """
    ld = to_latent_dag(graph)
    order = {n: i for i, n in enumerate(graph.names)}

    def ordered(names) -> tuple[str, ...]:
        return tuple(sorted(names, key=order.get))

    out: list[Independence] = []
    if not graph.latent and not any(True for _ in graph.bidirected_edges()):
        parents, children = adjacency(ld)
        for v in graph.names:
            non_desc = set(graph.names) - descendants_of(children, [v])
            rest = non_desc - parents[v]
            if rest:
                out.append(Independence(v, ordered(rest), ordered(parents[v])))
        return out

    projected = latent_projection(graph)
    directed = nx.DiGraph()
    directed.add_nodes_from(projected.names)
    directed.add_edges_from((e.source, e.target) for e in projected.directed_edges())
    topo = list(nx.lexicographical_topological_sort(directed, key=order.get))
    spouses: dict[str, set[str]] = {n: set() for n in projected.names}
    for e in projected.bidirected_edges():
        spouses[e.source].add(e.target)
        spouses[e.target].add(e.source)
    for k, v in enumerate(topo):
        prefix = set(topo[:k + 1])
        district = {v}
        stack = [v]
        while stack:
            for s in spouses[stack.pop()]:
                if s in prefix and s not in district:
                    district.add(s)
                    stack.append(s)
        blanket = set(district)
        for d in district:
            blanket |= set(directed.predecessors(d))
        blanket.discard(v)
        rest = prefix - blanket - {v}
        if rest:
            out.append(Independence(v, ordered(rest), ordered(blanket)))
    return out
