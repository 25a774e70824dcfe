"""Hypothesis strategies and seeded generators for random causal graphs (test helpers)."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from assistant.model import CausalGraph, Edge, Variable


def build(n: int, directed: list[tuple[int, int]], bidirected: list[tuple[int, int]], latent: set[int],
          exposure: int | None = None, outcome: int | None = None) -> CausalGraph:
    names = [f"v{i}" for i in range(n)]
    edges = [Edge(source=names[a], target=names[b]) for a, b in directed]
    edges += [Edge(source=names[a], target=names[b], kind="bidirected") for a, b in bidirected]
    return CausalGraph(
        variables=[Variable(name=nm, observed=i not in latent) for i, nm in enumerate(names)],
        edges=edges,
        exposures=[names[exposure]] if exposure is not None else [],
        outcomes=[names[outcome]] if outcome is not None else [],
    )


@st.composite
def causal_graphs(draw, min_nodes: int = 2, max_nodes: int = 7, latent: bool = True, bidirected: bool = True,
                  with_query: bool = True) -> CausalGraph:
    """A random ADMG whose variable order v0, v1, ... is topological (so it is always acyclic)."""
    n = draw(st.integers(min_nodes, max_nodes))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    directed = [p for p in pairs if draw(st.booleans())]
    bi = [p for p in pairs if bidirected and draw(st.integers(0, 5)) == 0]
    hidden: set[int] = set()
    exposure = outcome = None
    if with_query:
        exposure, outcome = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
    if latent:
        hidden = {i for i in range(n) if i not in (exposure, outcome) and draw(st.integers(0, 3)) == 0}
    return build(n, directed, bi, hidden, exposure, outcome)


def random_dag(n: int, expected_degree: float, seed: int, exposure_outcome: bool = True) -> CausalGraph:
    """A seeded Erdős–Rényi DAG over the order v0, v1, ...; the exposure (in the middle of the
    order, so it has ancestors to confound it) causes the outcome directly."""
    rng = random.Random(seed)
    p = min(1.0, expected_degree / max(1, n - 1))
    directed = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < p]
    if not exposure_outcome:
        return build(n, directed, [], set())
    x = rng.randrange(n // 4, n // 2)
    y = rng.randrange(n // 2, n)
    if (x, y) not in directed:
        directed.append((x, y))
    return build(n, directed, [], set(), x, y)
