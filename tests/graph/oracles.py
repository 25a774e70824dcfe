"""Brute-force oracles written independently of assistant.graph, for small graphs only.

They follow the textbook definitions path by path (networkx for d-separation),
so agreement with the fast algorithms is evidence, not circularity.
"""

from __future__ import annotations

from itertools import chain, combinations

import networkx as nx

from assistant.model import CausalGraph


def expanded_dag(g: CausalGraph) -> nx.DiGraph:
    """Bidirected edges become explicit latent parents named ('U', a, b)."""
    dag = nx.DiGraph()
    dag.add_nodes_from(g.names)
    for e in g.edges:
        if e.kind == "directed":
            dag.add_edge(e.source, e.target)
        else:
            u = ("U", e.source, e.target)
            dag.add_edges_from([(u, e.source), (u, e.target)])
    return dag


def dsep(dag: nx.DiGraph, x, y, z) -> bool:
    return nx.is_d_separator(dag, set(x), set(y), set(z))


def subsets(items):
    items = list(items)
    return chain.from_iterable(combinations(items, k) for k in range(len(items) + 1))


def proper_causal_nodes(dag: nx.DiGraph, x: str, y: str) -> set:
    nodes: set = set()
    for path in nx.all_simple_paths(dag, x, y):
        nodes.update(path[1:])
    return nodes


def is_adjustment_set(g: CausalGraph, x: str, y: str, z: tuple) -> bool:
    """Shpitser, VanderWeele & Robins (2010): no forbidden node, and every non-causal path blocked."""
    dag = expanded_dag(g)
    if any(n not in g.observed for n in z) or x in z or y in z:
        return False
    forbidden: set = set()
    for w in proper_causal_nodes(dag, x, y):
        forbidden |= {w} | nx.descendants(dag, w)
    if set(z) & forbidden:
        return False
    undirected = dag.to_undirected()
    zset = set(z)
    for path in nx.all_simple_paths(undirected, x, y):
        causal = all(dag.has_edge(a, b) for a, b in zip(path, path[1:]))
        if causal:
            continue
        if _path_open(dag, path, zset):
            return False
    return True


def _path_open(dag: nx.DiGraph, path: list, z: set) -> bool:
    for prev, node, nxt in zip(path, path[1:], path[2:]):
        collider = dag.has_edge(prev, node) and dag.has_edge(nxt, node)
        if collider:
            if node not in z and not (nx.descendants(dag, node) & z):
                return False
        elif node in z:
            return False
    return True


def minimal_adjustment_sets(g: CausalGraph, x: str, y: str) -> set[frozenset]:
    candidates = [n for n in g.observed if n not in (x, y)]
    valid = [frozenset(s) for s in subsets(candidates) if is_adjustment_set(g, x, y, s)]
    return {s for s in valid if not any(o < s for o in valid)}


def backdoor_graph(dag: nx.DiGraph, x: str, y: str) -> nx.DiGraph:
    pcp = proper_causal_nodes(dag, x, y)
    out = dag.copy()
    out.remove_edges_from([(x, w) for w in list(dag.successors(x)) if w in pcp])
    return out


def minimal_separating_sets(g: CausalGraph, a: str, b: str) -> set[frozenset]:
    dag = expanded_dag(g)
    others = [n for n in g.observed if n not in (a, b)]
    seps = [frozenset(s) for s in subsets(others) if dsep(dag, {a}, {b}, s)]
    return {s for s in seps if not any(o < s for o in seps)}
