"""Exports: a graph (and an analysis of it) as something another tool runs or reads.

============  =========  =============================================================
format        extension  what
============  =========  =============================================================
dowhy         .py        a DoWhy script that reproduces the analysis' estimate
notebook      .ipynb     a Jupyter notebook: graph, identification, estimate, refuters
dagitty       .dagitty   DAGitty model code (:mod:`assistant.formats.dagitty`)
dot           .dot       Graphviz DOT
gml           .gml       Graph Modelling Language
json          .json      the canonical graph JSON (lossless)
networkx      .json      networkx node-link JSON (``networkx.node_link_data``), lossless
============  =========  =============================================================

No format is a pickle: everything is text that can be read without running it
(the script and notebook run only when you run them).  Names are data in every
format: the graph formats quote them, and the code exports write them only as
Python string literals and check that (:mod:`assistant.export.code`).

>>> from assistant import gallery
>>> print(export(gallery.load("confounding"), "dagitty"), end="")
dag {
Z
X [exposure]
Y [outcome]
Z -> X
Z -> Y
X -> Y
}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.errors import InputError
from assistant.model import CausalGraph


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    description: str
    needs_analysis: bool  # the analysis formats: they resolve an AnalysisSpec/Result
    write: Callable[..., str]


def _graph_writer(fmt: str) -> Callable[..., str]:
    def write(graph: CausalGraph, analysis=None, data_path=None, data_name=None) -> str:
        from assistant.formats import write_graph

        return write_graph(graph, fmt)

    return write


def node_link_json(graph: CausalGraph) -> str:
    """networkx node-link JSON of :func:`assistant.formats.to_networkx` (every field, as plain JSON)."""
    import networkx as nx

    from assistant.formats import to_networkx

    G = to_networkx(graph)
    try:
        data = nx.node_link_data(G, edges="links")
    except TypeError:  # networkx < 3.4 has no edges= and always says "links"
        data = nx.node_link_data(G)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_node_link_json(text: str) -> CausalGraph:
    """The inverse of :func:`node_link_json`."""
    import networkx as nx

    from assistant.formats import from_networkx

    data = json.loads(text)
    try:
        G = nx.node_link_graph(data, directed=True, multigraph=True, edges="links")
    except TypeError:
        G = nx.node_link_graph(data, directed=True, multigraph=True)
    return from_networkx(G)


def _networkx(graph: CausalGraph, analysis=None, data_path=None, data_name=None) -> str:
    return node_link_json(graph)


def _dowhy(graph: CausalGraph, analysis=None, data_path=None, data_name=None) -> str:
    from assistant.export.dowhy_script import export_script
    from assistant.export.plan import build_plan

    return export_script(build_plan(graph, analysis, data_path=data_path, data_name=data_name))


def _notebook(graph: CausalGraph, analysis=None, data_path=None, data_name=None) -> str:
    from assistant.export.notebook import export_notebook
    from assistant.export.plan import build_plan

    return export_notebook(build_plan(graph, analysis, data_path=data_path, data_name=data_name))


REGISTRY: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("dowhy", ".py", "DoWhy Python script reproducing the analysis", True, _dowhy),
    ExportFormat("notebook", ".ipynb", "Jupyter notebook: graph, identification, estimate, refuters", True,
                 _notebook),
    ExportFormat("dagitty", ".dagitty", "DAGitty model code", False, _graph_writer("dagitty")),
    ExportFormat("dot", ".dot", "Graphviz DOT", False, _graph_writer("dot")),
    ExportFormat("gml", ".gml", "Graph Modelling Language", False, _graph_writer("gml")),
    ExportFormat("json", ".json", "canonical graph JSON (lossless)", False, _graph_writer("json")),
    ExportFormat("networkx", ".json", "networkx node-link JSON (lossless, no pickle)", False, _networkx),
)}
#: The export format names, in the order they are offered.
EXPORT_FORMATS: tuple[str, ...] = tuple(REGISTRY)


def export(graph: CausalGraph, fmt: str, *, analysis_spec=None, data_path: str | Path | None = None,
           data_name: str | None = None) -> str:
    """``graph`` exported as ``fmt`` (text; the notebook is its JSON).

    For ``dowhy`` and ``notebook``, ``analysis_spec`` is an
    :class:`~assistant.analysis.AnalysisResult` (a run: the export reproduces
    its estimate) or an :class:`~assistant.analysis.AnalysisSpec` (resolved
    here the way the runner would), or None (the graph's exposure and outcome,
    default settings); ``data_path`` is the CSV read now (to choose the method, as the runner
    would) and the one the code reads by default, unless ``data_name`` names another (e.g. a
    bare file name for a server's export that the user downloads beside the data).
    The graph formats ignore all three.
    """
    try:
        f = REGISTRY[fmt]
    except (KeyError, TypeError):
        raise InputError(f"unknown export format {fmt!r}", hint=f"choose one of: {', '.join(EXPORT_FORMATS)}") from None
    return f.write(graph, analysis_spec, None if data_path is None else str(data_path), data_name)


__all__ = ["EXPORT_FORMATS", "ExportFormat", "REGISTRY", "export", "node_link_json", "read_node_link_json"]
