"""Benchmark networks with a known truth: the bnlearn repository's discrete Bayesian networks.

The five networks the drafting benchmarks use ship *inside* the installed
``pgmpy`` package (``pgmpy/utils/example_models/<name>.bif.gz``), so nothing
is downloaded: the file is decompressed and parsed with pgmpy's ``BIFReader``
from the string.  (pgmpy's newer ``get_example_model`` fetches from a model
hub instead; it is deliberately not used.)

=========  =====  =====  ==========================================
network    nodes  edges  domain
=========  =====  =====  ==========================================
asia       8      8      lung disease and a chest clinic (Lauritzen and Spiegelhalter, 1988)
sachs      11     17     protein signalling in human T cells (Sachs et al., 2005)
child      20     25     congenital heart disease in newborns (Spiegelhalter et al., 1993)
insurance  27     52     car insurance risk (Binder et al., 1997)
alarm      37     46     patient monitoring in anaesthesia (Beinlich et al., 1989)
=========  =====  =====  ==========================================

Three things are offered:

* :func:`true_graph` — the network's DAG as our :class:`~assistant.model.CausalGraph`
  (every variable observed; ``binary`` for two states, else ``categorical``);
* :func:`sample` — ``n`` rows forward-sampled from the network's CPDs with a
  seeded generator, as a frame of state labels (pandas categoricals);
* :func:`shd` and :func:`directed_f1` — how far an estimated graph is from the truth.

>>> g = true_graph("asia")
>>> len(g.variables), len(g.edges)
(8, 8)
>>> shd(g, g), directed_f1(g, g)
(0, (1.0, 1.0, 1.0))
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from assistant.model import CausalGraph, Edge, GraphMetadata, Variable

NETWORKS: tuple[str, ...] = ("asia", "sachs", "child", "insurance", "alarm")


class NetworkNotFoundError(LookupError):
    """The named network is not bundled with the installed pgmpy."""


def bif_path(name: str) -> Path:
    """Where the installed pgmpy keeps ``<name>.bif.gz``."""
    import pgmpy

    path = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
    if not path.is_file():
        raise NetworkNotFoundError(f"pgmpy {pgmpy.__version__} has no bundled network {name!r} (looked for {path})")
    return path


@dataclass(frozen=True)
class Network:
    """A parsed network: node names in file order, parents and states per node, CPD tables.

    ``tables[node]`` has shape ``(states, *parent_states)`` with the axes in
    the order of ``parents[node]``: ``tables[node][:, i, j]`` is the
    distribution of ``node`` given its first parent in state ``i`` and its
    second in state ``j``.
    """

    name: str
    nodes: tuple[str, ...]
    parents: dict[str, tuple[str, ...]]
    states: dict[str, tuple[str, ...]]
    tables: dict[str, np.ndarray]

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(p, n) for n in self.nodes for p in self.parents[n]]

    def topological_order(self) -> list[str]:
        order: list[str] = []
        placed: set[str] = set()
        remaining = list(self.nodes)
        while remaining:
            ready = [n for n in remaining if set(self.parents[n]) <= placed]
            if not ready:
                raise ValueError(f"network {self.name} has a directed cycle among {remaining}")
            for n in ready:
                order.append(n)
                placed.add(n)
            remaining = [n for n in remaining if n not in placed]
        return order


@lru_cache(maxsize=1)
def _reader_class() -> type:
    """pgmpy's BIFReader, with its two grammars built once instead of once per file.

    Building the grammars (pyparsing over every Unicode letter) is about 1.5 s
    of each parse; they do not depend on the file, so one copy serves all.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgmpy warns about its optional torch backend on import
        from pgmpy.readwrite import BIFReader

    grammars: dict[str, tuple] = {}

    class ReusedGrammarReader(BIFReader):
        def get_variable_grammar(self):
            if "variable" not in grammars:
                grammars["variable"] = super().get_variable_grammar()
            return grammars["variable"]

        def get_probability_grammar(self):
            if "probability" not in grammars:
                grammars["probability"] = super().get_probability_grammar()
            return grammars["probability"]

    return ReusedGrammarReader


@lru_cache(maxsize=None)
def load(name: str) -> Network:
    """Parse the bundled ``<name>.bif.gz`` with pgmpy's BIFReader (cached per name)."""
    text = gzip.decompress(bif_path(name).read_bytes()).decode("utf-8")
    model = _reader_class()(string=text).get_model()
    nodes = tuple(model.nodes())
    parents: dict[str, tuple[str, ...]] = {}
    states: dict[str, tuple[str, ...]] = {}
    tables: dict[str, np.ndarray] = {}
    for node in nodes:
        cpd = model.get_cpds(node)
        evidence = tuple(cpd.variables[1:])
        parents[node] = evidence
        states[node] = tuple(str(s) for s in cpd.state_names[node])
        cards = [len(cpd.state_names[v]) for v in cpd.variables]
        # get_values() is (states, product of parent states) with the first parent varying slowest.
        tables[node] = np.asarray(cpd.get_values(), dtype=float).reshape(cards)
    return Network(name=name, nodes=nodes, parents=parents, states=states, tables=tables)


def true_graph(name: str) -> CausalGraph:
    """The network's DAG: every node observed, ``binary`` for two states, ``categorical`` otherwise."""
    net = load(name)
    variables = [Variable(name=n, data_type="binary" if len(net.states[n]) == 2 else "categorical")
                 for n in net.nodes]
    edges = [Edge(source=a, target=b, provenance="import") for a, b in net.edges]
    return CausalGraph(variables=variables, edges=edges,
                       metadata=GraphMetadata(name=name, description=f"bnlearn network {name!r} (from pgmpy)"))


def sample(name: str, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` rows forward-sampled from the network with ``numpy.random.default_rng(seed)``.

    Nodes are drawn in topological order, each from its CPD given the parents
    already drawn; the same ``(name, n, seed)`` always gives the same frame.
    Columns are in file order and hold the state labels as pandas categoricals
    (categories in the order the file lists the states).
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, not {n}")
    net = load(name)
    rng = np.random.default_rng(seed)
    codes: dict[str, np.ndarray] = {}
    for node in net.topological_order():
        table = net.tables[node]
        index = tuple(codes[p] for p in net.parents[node])
        probs = table[(slice(None), *index)].T if index else np.broadcast_to(table, (n, table.shape[0]))
        cumulative = np.cumsum(probs, axis=1)
        u = rng.random(n) * cumulative[:, -1]  # scaling absorbs rounding in tables that sum to 0.9999
        codes[node] = np.minimum((u[:, None] >= cumulative).sum(axis=1), table.shape[0] - 1)
    return pd.DataFrame({node: pd.Categorical.from_codes(codes[node], categories=list(net.states[node]))
                         for node in net.nodes})


# --- metrics ----------------------------------------------------------------------------------------


def _marks(graph: CausalGraph, keep: set[str]) -> dict[frozenset[str], frozenset[tuple[str, str, str]]]:
    """For each adjacent pair of ``keep`` nodes, the set of edges joining them (bidirected ones sorted)."""
    out: dict[frozenset[str], set[tuple[str, str, str]]] = {}
    for e in graph.edges:
        if e.source in keep and e.target in keep:
            out.setdefault(frozenset((e.source, e.target)), set()).add(e.key)
    return {pair: frozenset(marks) for pair, marks in out.items()}


def shd(true: CausalGraph, est: CausalGraph) -> int:
    """Structural Hamming distance between the true DAG and an estimated graph.

    Each unordered pair of the true graph's variables counts at most once, as

    * **missing** — adjacent in ``true``, not in ``est``;
    * **extra** — adjacent in ``est``, not in ``true``;
    * **reversed** (or otherwise mis-oriented) — adjacent in both, but joined
      differently: ``a -> b`` against ``b -> a``, a bidirected ``a <-> b``, or
      both directions at once.

    ``shd = missing + extra + reversed``.  Variables ``est`` has and ``true``
    lacks (latent variables an assistant suggests collecting) and their edges
    are ignored: there is no truth to score them against.

    >>> from assistant.model import CausalGraph, Edge, Variable
    >>> v = [Variable(name=n) for n in "abc"]
    >>> t = CausalGraph(variables=v, edges=[Edge(source="a", target="b"), Edge(source="b", target="c")])
    >>> shd(t, CausalGraph(variables=v, edges=[Edge(source="b", target="a")]))  # reversed a-b, missing b-c
    2
    """
    keep = set(true.names)
    t, e = _marks(true, keep), _marks(est, keep)
    return sum(1 for pair in t.keys() | e.keys() if t.get(pair) != e.get(pair))


def directed_f1(true: CausalGraph, est: CausalGraph) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``est``'s directed edges against ``true``'s.

    An estimated edge ``a -> b`` is a true positive when ``true`` has exactly
    ``a -> b`` (a reversed edge is a false positive *and* a false negative).
    Bidirected edges and edges touching variables ``true`` lacks are left out.

    * precision = TP / (directed edges of ``est``), 1.0 when ``est`` has none
      and ``true`` has none, 0.0 when only ``true`` has some;
    * recall = TP / (edges of ``true``), 1.0 when ``true`` has none;
    * F1 = 2PR / (P + R), 0.0 when both are 0.

    >>> from assistant.model import CausalGraph, Edge, Variable
    >>> v = [Variable(name=n) for n in "abc"]
    >>> t = CausalGraph(variables=v, edges=[Edge(source="a", target="b"), Edge(source="b", target="c")])
    >>> directed_f1(t, CausalGraph(variables=v, edges=[Edge(source="a", target="b"), Edge(source="a", target="c")]))
    (0.5, 0.5, 0.5)
    """
    keep = set(true.names)
    t = {(e.source, e.target) for e in true.directed_edges()}
    e = {(x.source, x.target) for x in est.directed_edges() if x.source in keep and x.target in keep}
    tp = len(t & e)
    precision = tp / len(e) if e else (1.0 if not t else 0.0)
    recall = tp / len(t) if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
