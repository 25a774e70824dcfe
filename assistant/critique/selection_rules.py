"""D005: the data were selected on a collider (or a descendant of one), which opens a path (Berkson's bias).

A graph check, run without data: :func:`opened_path` finds the shortest path
between the exposure and the outcome that the selection opens, and without a
query the rule names pairs of causes of the selection variable that selecting
on it makes dependent.  Also the helpers that write such a path, with a
synthetic latent node shown as a bidirected edge.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import networkx as nx

from assistant.critique.context import CritiqueContext
from assistant.critique.data_support import _order, _parents_children, _selection
from assistant.critique.rules import Example, Rule, rule
from assistant.graph.dag import Node, is_synthetic
from assistant.graph.separation import ancestors_of


#: How many simple paths D005 examines before giving up naming one.
MAX_PATHS = 2000
MAX_PATH_LENGTH = 10


def _render_path(ctx: CritiqueContext, path: Sequence[Node]) -> str:
    """``X -> C <- Y``, with a synthetic latent ``a <- U -> b`` written ``a <-> b``."""
    dag = ctx.latent_dag.dag
    parts: list[str] = [str(path[0])]
    i = 0
    while i < len(path) - 1:
        u, v = path[i], path[i + 1]
        if is_synthetic(v) and i + 2 < len(path):
            parts += ["<->", str(path[i + 2])]
            i += 2
            continue
        parts += ["->" if dag.has_edge(u, v) else "<-", str(v)]
        i += 1
    return " ".join(parts)


def _path_open(children: dict[Node, set[Node]], path: Sequence[Node], given: set[Node], anc_given: set[Node]
               ) -> bool:
    for i in range(1, len(path) - 1):
        u, m, w = path[i - 1], path[i], path[i + 1]
        if m in children[u] and m in children[w]:
            if m not in anc_given:
                return False
        elif m in given:
            return False
    return True


def opened_path(ctx: CritiqueContext, x: str, y: str, selection: Iterable[str], given: Iterable[str] = (), *,
                backdoor: bool = True) -> list[Node] | None:
    """The shortest path between ``x`` and ``y`` that ``given`` blocks but ``given`` plus ``selection`` opens.

    With ``backdoor`` the search is in the proper back-door graph (the first
    edge of every causal path from x to y removed), so only non-causal paths
    count.  Returns ``[]`` when such a path exists but was not found within
    :data:`MAX_PATHS` candidates, and None when there is none.
    """
    from assistant.graph.separation import reachable
    from assistant.graph.transform import proper_backdoor

    parents, children = _parents_children(ctx)
    if backdoor:
        parents, children = proper_backdoor(parents, children, {x}, {y})
    base = set(given) - {x, y}
    with_sel = (base | set(selection)) - {x, y}
    anc_base = ancestors_of(parents, base)
    anc_sel = ancestors_of(parents, with_sel)
    if not any(len(parents[m]) >= 2 for m in anc_sel - anc_base):
        return None  # no collider that the selection newly opens
    if y not in reachable(parents, children, [x], with_sel):
        return None
    fresh = y not in reachable(parents, children, [x], base)  # every path open with the selection is new
    relevant = ancestors_of(parents, {x, y} | with_sel)
    skeleton = nx.Graph()
    skeleton.add_nodes_from(relevant)
    skeleton.add_edges_from((p, c) for c in relevant for p in parents[c])
    try:
        for k, path in enumerate(nx.shortest_simple_paths(skeleton, x, y)):
            if k >= MAX_PATHS or len(path) > MAX_PATH_LENGTH + 1:
                break
            if _path_open(children, path, with_sel, anc_sel) and (
                    fresh or not _path_open(children, path, base, anc_base)):
                return path
    except nx.NetworkXNoPath:
        return None
    return [] if fresh else None


@rule("D005", "selection-collider", "warning", "data", needs=("dag",),
      summary="The data were selected on a collider (or a descendant of one): Berkson's bias opens a path.",
      explanation="""
A variable with role ``selection`` is one the data were selected on (only
admitted patients, only published studies, only survey responders).  Selecting
on it is conditioning on it.  If it is a collider on a path between the
exposure and the outcome, or a descendant of one, the selection opens that
path and creates an association that is not causal — Berkson's paradox.  The
finding names the shortest path the selection opens (given the adjusted
variables).  Without an exposure and outcome, the rule names pairs of
otherwise independent causes of the selection variable (or of its ancestors)
that the selection makes dependent.

This is a graph check (the selection variable is usually constant in the
data, so no test can see it).  No edit repairs it: the remedies are to model
the selection (inverse-probability-of-selection weights with external data on
who was excluded), to bound the bias, or to change the question.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] X -> Y X -> S <- Y }", True,
                  "only cases with S were collected, and S is caused by both X and Y", roles={"S": "selection"}),
          Example("dag { A -> S <- B A -> C }", True, "no query: selecting on S makes A and B dependent",
                  roles={"S": "selection"}),
          Example("dag { X [exposure] Y [outcome] X -> Y S -> X }", False,
                  "selection on a cause of the exposure opens no path", roles={"S": "selection"}),
      ])
def selection_collider(ctx: CritiqueContext, r: Rule):
    selection = _selection(ctx)
    if not selection:
        return
    parents, children = _parents_children(ctx)
    adjusted = [a for a in ctx.graph.adjusted if a not in selection]
    if ctx.has_query:
        for s in selection:
            for x in ctx.exposures:
                for y in ctx.outcomes:
                    if s in (x, y):
                        continue
                    path = opened_path(ctx, x, y, [s], adjusted)
                    if path is None:
                        continue
                    if not path:
                        yield r.finding(f"the data were selected on {s}, which opens a non-causal path between {x} "
                                        f"and {y} through a collider (Berkson's bias); the path is too long to "
                                        "name here", nodes=[s, x, y])
                        continue
                    shown = _render_path(ctx, path)
                    colliders = [str(m) for i, m in enumerate(path[1:-1], start=1)
                                 if ctx.latent_dag.dag.has_edge(path[i - 1], m)
                                 and ctx.latent_dag.dag.has_edge(path[i + 1], m)]
                    where = (f"{s} is the collider" if colliders == [s] else
                             f"{s} is a descendant of the collider {', '.join(c for c in colliders if c != s)}")
                    yield r.finding(f"the data were selected on {s}, and {where} on the path {shown}: selecting "
                                    f"on it opens this path, so {x} and {y} are associated in the selected data even "
                                    "where there is no effect (Berkson's bias); model the selection or bound the "
                                    "bias", nodes=[s, x, y, *[str(n) for n in path if not is_synthetic(n)]],
                                    edges=_path_edges(ctx, path))
        return
    graph_adjacent = {frozenset((e.source, e.target)) for e in ctx.graph.edges}
    observed = ctx.latent_dag.observed
    anc_base = ancestors_of(parents, adjusted)
    for s in selection:
        pairs: list[tuple[str, str, str]] = []
        anc_s = ancestors_of(parents, [s])
        for c in sorted(anc_s - anc_base, key=lambda n: _order(ctx).get(n, 0) if isinstance(n, str) else 0):
            ps = sorted((p for p in parents[c] if p in observed), key=lambda n: _order(ctx)[n])
            for i, p in enumerate(ps):
                for q in ps[i + 1:]:
                    if frozenset((p, q)) in graph_adjacent:
                        continue
                    if _newly_connected(ctx, p, q, s, adjusted):
                        pairs.append((p, q, str(c)))
        if not pairs:
            continue
        shown = "; ".join(f"{p} -> {c} <- {q}" for p, q, c in pairs[:5])
        more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
        yield r.finding(f"the data were selected on {s}, a collider or a descendant of one: in the selected data "
                        f"its causes become associated without affecting each other (Berkson's bias): {shown}{more}",
                        nodes=[s, *dict.fromkeys(n for p, q, c in pairs for n in (p, q, c))],
                        edges=[f"{p} -> {c}" for p, q, c in pairs[:5]] + [f"{q} -> {c}" for p, q, c in pairs[:5]])


def _newly_connected(ctx: CritiqueContext, p: str, q: str, s: str, given: Sequence[str]) -> bool:
    """``p`` and ``q`` are d-separated given ``given`` but d-connected once ``s`` is added."""
    from assistant.graph.separation import reachable

    parents, children = _parents_children(ctx)
    base = set(given) - {p, q}
    return q not in reachable(parents, children, [p], base) and q in reachable(parents, children, [p], base | {s})


def _path_edges(ctx: CritiqueContext, path: Sequence[Node]) -> list[str]:
    dag = ctx.latent_dag.dag
    out: list[str] = []
    i = 0
    while i < len(path) - 1:
        u, v = path[i], path[i + 1]
        if is_synthetic(v) and i + 2 < len(path):
            out.append(f"{u} <-> {path[i + 2]}")
            i += 2
            continue
        out.append(f"{u} -> {v}" if dag.has_edge(u, v) else f"{v} -> {u}")
        i += 1
    return out
