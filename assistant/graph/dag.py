"""The bridge from the pydantic model to networkx, and the questions about order.

Every analysis in this package works on one canonical networkx form: a DAG in
which each bidirected edge ``a <-> b`` is replaced by an explicit latent common
cause ``a <- U -> b``.  m-separation in the mixed graph is d-separation in this
DAG, so one set of algorithms serves both.  The synthetic latent nodes are
tuples, so they can never collide with a variable name (always a string), and
:func:`is_synthetic` tells them apart so they never leak into answers.

The conversion happens only here, at the edge of the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable

import networkx as nx

from assistant.errors import AnalysisInputError, CycleError, UnknownVariableError
from assistant.model import CausalGraph

Node = Hashable
BIDIRECTED_TAG = "<->"


def latent_node_for(a: str, b: str) -> tuple[str, str, str]:
    """The synthetic latent common cause standing for ``a <-> b``."""
    lo, hi = sorted((a, b))
    return (BIDIRECTED_TAG, lo, hi)


def is_synthetic(node: Node) -> bool:
    return isinstance(node, tuple) and len(node) == 3 and node[0] == BIDIRECTED_TAG


@dataclass(frozen=True)
class LatentDAG:
    """A DAG over the graph's variables plus one synthetic latent per bidirected edge.

    ``observed`` is the set of measured variables; everything else in ``dag``
    (declared latent variables and synthetic nodes) is unobserved.
    """

    dag: nx.DiGraph
    observed: frozenset[str]
    variables: tuple[str, ...]

    @property
    def unobserved(self) -> frozenset[Node]:
        return frozenset(n for n in self.dag.nodes if n not in self.observed)

    def require_known(self, names: Iterable[str], context: str) -> list[str]:
        names = list(names)
        unknown = [n for n in names if n not in self.dag or is_synthetic(n)]
        if unknown:
            raise UnknownVariableError(unknown, context=context, known=list(self.variables))
        return names

    def require_observed(self, names: Iterable[str], context: str) -> list[str]:
        names = self.require_known(names, context)
        latent = [n for n in names if n not in self.observed]
        if latent:
            raise AnalysisInputError(f"{context} must be observed, but {', '.join(map(repr, latent))} "
                                     f"{'is' if len(latent) == 1 else 'are'} latent")
        return names


def find_cycle(graph: CausalGraph) -> list[str] | None:
    """Return one directed cycle as a list of variable names, or None if the graph is acyclic.

    >>> from assistant.model import CausalGraph, Variable, Edge
    >>> g = CausalGraph(variables=[Variable(name=n) for n in "abc"],
    ...                 edges=[Edge(source="a", target="b"), Edge(source="b", target="c"),
    ...                        Edge(source="c", target="a")])
    >>> find_cycle(g)
    ['a', 'b', 'c']
    """
    directed = nx.DiGraph()
    directed.add_nodes_from(graph.names)
    directed.add_edges_from((e.source, e.target) for e in graph.directed_edges())
    try:
        cycle_edges = nx.find_cycle(directed)
    except nx.NetworkXNoCycle:
        return None
    cycle = [u for u, _v in cycle_edges]
    # Rotate so the cycle starts at its first variable in declaration order: stable output.
    order = {n: i for i, n in enumerate(graph.names)}
    start = min(range(len(cycle)), key=lambda i: order[cycle[i]])
    return cycle[start:] + cycle[:start]


def is_acyclic(graph: CausalGraph) -> bool:
    return find_cycle(graph) is None


def require_acyclic(graph: CausalGraph) -> None:
    cycle = find_cycle(graph)
    if cycle is not None:
        raise CycleError(cycle)


def to_latent_dag(graph: CausalGraph) -> LatentDAG:
    """Build the canonical :class:`LatentDAG`; raises :class:`CycleError` if the directed part is cyclic."""
    require_acyclic(graph)
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.names)
    for edge in graph.edges:
        if edge.kind == "directed":
            dag.add_edge(edge.source, edge.target)
        else:
            u = latent_node_for(edge.source, edge.target)
            dag.add_edge(u, edge.source)
            dag.add_edge(u, edge.target)
    return LatentDAG(dag=dag, observed=frozenset(graph.observed), variables=tuple(graph.names))


def ancestors(graph: CausalGraph, nodes: Iterable[str] | str) -> set[str]:
    """Variables with a directed path into any of ``nodes`` (the nodes themselves excluded)."""
    ld = to_latent_dag(graph)
    targets = ld.require_known([nodes] if isinstance(nodes, str) else nodes, "ancestors query")
    found: set[Node] = set()
    for t in targets:
        found |= nx.ancestors(ld.dag, t)
    return {n for n in found if not is_synthetic(n)} - set(targets)


def descendants(graph: CausalGraph, nodes: Iterable[str] | str) -> set[str]:
    """Variables reachable by a directed path from any of ``nodes`` (the nodes themselves excluded)."""
    ld = to_latent_dag(graph)
    sources = ld.require_known([nodes] if isinstance(nodes, str) else nodes, "descendants query")
    found: set[Node] = set()
    for s in sources:
        found |= nx.descendants(ld.dag, s)
    return {n for n in found if not is_synthetic(n)} - set(sources)


def topological_order(graph: CausalGraph) -> list[str]:
    """A topological order of the variables, ties broken by declaration order."""
    ld = to_latent_dag(graph)
    order = {n: i for i, n in enumerate(graph.names)}
    sub = ld.dag.subgraph(graph.names)
    return list(nx.lexicographical_topological_sort(sub, key=lambda n: order[n]))
