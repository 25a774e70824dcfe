"""Seeded data simulated from known DAGs: linear-Gaussian, discrete (random CPTs) and mixed.

Each named DAG below is a fixture: the tests know the right answer because
they generated the data from it.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

Edges = Sequence[tuple[str, str]]

#: a 6-node DAG with two v-structures (a -> c <- b, c -> e <- d) and a chain c -> e -> f
COLLIDERS = [("a", "c"), ("b", "c"), ("c", "e"), ("d", "e"), ("e", "f")]
#: 7 nodes: a confounded exposure-outcome pair with a mediator and an instrument
SEVEN = [("z", "x"), ("w", "x"), ("w", "y"), ("x", "m"), ("m", "y"), ("y", "s"), ("x", "s")]
#: a chain whose direction only knowledge can decide
CHAIN = [("a", "b"), ("b", "c"), ("c", "d")]


def _order(edges: Edges, nodes: Sequence[str] | None) -> list[str]:
    g = nx.DiGraph()
    g.add_nodes_from(nodes or [])
    g.add_edges_from(edges)
    return list(nx.lexicographical_topological_sort(g))


def simulate(edges: Edges, n: int, seed: int, *, kinds: Mapping[str, str] | None = None, levels: int = 3,
             strength: float = 1.0, nodes: Sequence[str] | None = None) -> pd.DataFrame:
    """Sample ``n`` rows from the DAG ``edges``.

    ``kinds`` maps a node to ``continuous`` (default) or ``discrete``.  A
    continuous node is a linear function of its parents (each discrete parent
    adds a random effect per level) plus N(0, 1) noise; a discrete node with
    ``levels`` levels is drawn from a softmax of the same kind of linear
    predictor.  Weights are drawn from ±[0.5, 1.0]·``strength`` (for a discrete child of a
    continuous parent, evenly spaced across the levels).
    """
    rng = np.random.default_rng(seed)
    kinds = dict(kinds or {})
    order = _order(edges, nodes)
    parents = {v: sorted(a for a, b in edges if b == v) for v in order}
    columns: dict[str, np.ndarray] = {}
    for v in order:
        kind = kinds.get(v, "continuous")
        width = 1 if kind == "continuous" else levels
        eta = np.zeros((n, width))
        for p in parents[v]:
            if kinds.get(p, "continuous") == "continuous":
                if width == 1:
                    w = rng.uniform(0.5, 1.0, size=1) * rng.choice([-1, 1]) * strength
                else:  # ordered effects on the levels, so the dependence is strong whatever the draw
                    w = np.linspace(-1.5, 1.5, width) * rng.uniform(0.7, 1.0) * rng.choice([-1, 1]) * strength
                x = columns[p]
                eta += np.outer((x - x.mean()) / (x.std() + 1e-12), w)
            else:
                effect = rng.uniform(-1.5, 1.5, size=(levels, width)) * strength
                eta += effect[columns[p].astype(int)]
        if kind == "continuous":
            columns[v] = eta[:, 0] + rng.normal(size=n)
        else:
            prob = np.exp(eta - eta.max(axis=1, keepdims=True))
            prob /= prob.sum(axis=1, keepdims=True)
            u = rng.random(n)[:, None]
            columns[v] = (u > np.cumsum(prob, axis=1)).sum(axis=1).clip(0, levels - 1)
    return pd.DataFrame({v: columns[v] for v in sorted(order)})


def discrete_cpt(edges: Edges, n: int, seed: int, *, levels: Mapping[str, int] | int = 2,
                 concentration: float = 0.5, nodes: Sequence[str] | None = None) -> pd.DataFrame:
    """Sample from a discrete Bayesian network with random conditional probability tables.

    Each parent configuration gets its own Dirichlet(``concentration``) row,
    so dependence is strong but not linear.  Levels are the strings ``L0``,
    ``L1``, ... so the columns are truly categorical.
    """
    rng = np.random.default_rng(seed)
    order = _order(edges, nodes)
    lv = {v: (levels if isinstance(levels, int) else levels.get(v, 2)) for v in order}
    parents = {v: sorted(a for a, b in edges if b == v) for v in order}
    codes: dict[str, np.ndarray] = {}
    for v in order:
        config = np.zeros(n, dtype=np.int64)
        size = 1
        for p in parents[v]:
            config = config * lv[p] + codes[p]
            size *= lv[p]
        table = rng.dirichlet(np.full(lv[v], concentration), size=size)
        cum = np.cumsum(table[config], axis=1)
        codes[v] = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, lv[v] - 1)
    return pd.DataFrame({v: pd.Series([f"L{c}" for c in codes[v]]) for v in sorted(order)})


def types_of(frame: pd.DataFrame, kinds: Mapping[str, str] | None = None, *, discrete_type: str = "categorical"):
    """Column types for a simulated frame: ``continuous`` unless ``kinds`` (or the dtype) says discrete."""
    kinds = kinds or {}
    out = {}
    for c in frame.columns:
        discrete = kinds.get(c) == "discrete" or not pd.api.types.is_float_dtype(frame[c])
        out[c] = (discrete_type if frame[c].nunique() > 2 else "binary") if discrete else "continuous"
    return out
