"""Data simulated from a causal graph: linear-Gaussian structural equations with a fixed seed.

Used for the critique rules' worked examples, their tests and the benchmarks:
data drawn from a *true* graph are what a wrong graph should be caught
against.  Each variable is the weighted sum of its parents plus standard
normal noise; a bidirected edge ``a <-> b`` is a latent standard normal
common cause of both; latent variables are simulated and then dropped.

>>> from assistant.formats import read_graph
>>> g = read_graph("dag { Z -> X -> Y Z -> Y }", "dagitty")
>>> frame = simulate_linear(g, 1000, seed=1, weights={"X -> Y": 0.0})
>>> list(frame.columns), len(frame)
(['Z', 'X', 'Y'], 1000)
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from assistant.graph.dag import is_synthetic, to_latent_dag
from assistant.graph.separation import adjacency
from assistant.model import CausalGraph

DEFAULT_WEIGHT = 0.7


def _topological(parents: Mapping[object, set[object]], nodes: Iterable[object]) -> list[object]:
    order: list[object] = []
    done: set[object] = set()
    remaining = list(nodes)
    while remaining:
        progressed = False
        for n in list(remaining):
            if parents.get(n, set()) <= done:
                order.append(n)
                done.add(n)
                remaining.remove(n)
                progressed = True
        if not progressed:
            from assistant.errors import CycleError

            raise CycleError([str(n) for n in remaining if isinstance(n, str)])
    return order


def simulate_linear(graph: CausalGraph, rows: int, *, seed: int, weights: Mapping[str, float] | None = None,
                    default_weight: float = DEFAULT_WEIGHT, discrete: Iterable[str] = (),
                    keep_latent: bool = False) -> pd.DataFrame:
    """``rows`` draws from linear-Gaussian equations over ``graph`` (observed columns, in graph order).

    ``weights`` maps ``"a -> b"`` (or ``"a <-> b"``) to a coefficient; ``discrete``
    variables are cut at zero into 0/1 after simulation (their children see the
    continuous value, as a threshold model of a binary measurement).
    """
    weights = dict(weights or {})
    known = {str(e) for e in graph.edges} | {f"{e.target} <-> {e.source}" for e in graph.bidirected_edges()}
    unknown = [k for k in weights if k not in known]
    if unknown:
        from assistant.errors import InputError

        raise InputError(f"weights name edges the graph does not have: {unknown}")
    ld = to_latent_dag(graph)
    parents, _children = adjacency(ld)
    rng = np.random.default_rng(seed)
    values: dict[object, np.ndarray] = {}
    for node in _topological(parents, ld.dag.nodes):
        total = rng.standard_normal(rows)
        for p in sorted(parents.get(node, set()), key=str):
            if is_synthetic(p):  # the latent common cause standing for a bidirected edge
                a, b = str(p[1]), str(p[2])  # type: ignore[index]
                w = weights.get(f"{a} <-> {b}", weights.get(f"{b} <-> {a}", default_weight))
            else:
                w = weights.get(f"{p} -> {node}", default_weight)
            total = total + w * values[p]
        values[node] = total
    names = [v.name for v in graph.variables if keep_latent or v.observed]
    frame = pd.DataFrame({n: values[n] for n in names})
    for n in discrete:
        frame[n] = (frame[n] > 0).astype(int)
    return frame
