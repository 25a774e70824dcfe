"""Our :class:`~assistant.model.CausalGraph` as DoWhy's input: a networkx DiGraph over safe names.

We build DoWhy's graph directly from the model, never through DoWhy's dagitty
or DOT readers: those drop our latent markers and cannot express ``<->``.

Two renamings happen here, and both are undone in every output:

* **Safe identifiers.**  Variable names are data (spaces, quotes, unicode,
  ``log(sales)``...).  DoWhy's regression estimators build patsy/statsmodels
  formulas such as ``y ~ x + w``; a name like ``radio play (h)`` breaks the
  formula or, worse, is parsed as a function call.  So every variable becomes
  ``v0``, ``v1``, ... in the graph *and* in the data frame handed to DoWhy,
  and :class:`DoWhyGraph` maps back.
* **Latent common causes.**  Each bidirected edge ``a <-> b`` becomes an
  explicit unobserved node ``u0 -> a, u0 -> b`` (the same construction as
  :func:`assistant.graph.dag.to_latent_dag`, whose tuple node names DoWhy
  cannot use).  Declared latent variables keep their own node (``vN``) and
  are simply absent from the data, which is how DoWhy marks a node unobserved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from assistant.analysis.spec import DoWhyInput
from assistant.graph.dag import require_acyclic
from assistant.model import CausalGraph


@dataclass(frozen=True)
class DoWhyGraph:
    """The DiGraph DoWhy gets, with the name maps both ways."""

    graph: nx.DiGraph
    to_safe: dict[str, str]
    from_safe: dict[str, str]
    observed: tuple[str, ...]          # original names of the observed variables
    latents: dict[str, list[str]] = field(default_factory=dict)  # safe latent name -> what it stands for

    def safe(self, names: list[str] | tuple[str, ...]) -> list[str]:
        return [self.to_safe[n] for n in names]

    def original(self, names: list[str] | tuple[str, ...]) -> list[str]:
        return [self.from_safe.get(n, n) for n in names]

    def frame(self, data: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
        """The data restricted to observed graph variables (or ``columns``), renamed to safe names."""
        cols = list(columns) if columns is not None else [c for c in self.observed if c in data.columns]
        out = data[cols]
        out.columns = [self.to_safe[c] for c in cols]
        return out

    def describe(self) -> DoWhyInput:
        edges = sorted((str(a), str(b)) for a, b in self.graph.edges)
        return DoWhyInput(names=dict(self.to_safe), latents={k: list(v) for k, v in self.latents.items()},
                          edges=edges)


def to_dowhy_graph(graph: CausalGraph) -> DoWhyGraph:
    """Build the DoWhy graph; raises :class:`~assistant.errors.CycleError` if the graph is cyclic.

    >>> from assistant.formats import read_graph
    >>> g = read_graph('dag { "radio play" -> sales  "radio play" <-> sales }', "dagitty")
    >>> dg = to_dowhy_graph(g)
    >>> sorted(dg.graph.edges)
    [('u0', 'v0'), ('u0', 'v1'), ('v0', 'v1')]
    >>> dg.to_safe["radio play"], dg.latents
    ('v0', {'u0': ['radio play', 'sales']})
    """
    require_acyclic(graph)
    to_safe = {name: f"v{i}" for i, name in enumerate(graph.names)}
    dag = nx.DiGraph()
    dag.add_nodes_from(to_safe.values())
    latents: dict[str, list[str]] = {to_safe[v.name]: [v.name] for v in graph.variables if not v.observed}
    for edge in graph.directed_edges():
        dag.add_edge(to_safe[edge.source], to_safe[edge.target])
    for i, edge in enumerate(sorted(graph.bidirected_edges(), key=lambda e: e.key)):
        u = f"u{i}"
        a, b = sorted((edge.source, edge.target))
        dag.add_edge(u, to_safe[a])
        dag.add_edge(u, to_safe[b])
        latents[u] = [a, b]
    from_safe = {v: k for k, v in to_safe.items()}
    for u, stands_for in latents.items():
        if u.startswith("u"):
            from_safe[u] = f"latent common cause of {stands_for[0]} and {stands_for[1]}"
    return DoWhyGraph(graph=dag, to_safe=to_safe, from_safe=from_safe, observed=tuple(graph.observed),
                      latents=latents)
