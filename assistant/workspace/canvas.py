"""A causal graph on a canvas, and a canvas back to edit operations: pure functions, no Streamlit.

The canvas is streamlit-flow (React Flow).  It speaks in node and edge
dicts — exactly what ``StreamlitFlowNode.asdict()`` / ``StreamlitFlowEdge.asdict()``
produce and what ``from_dict`` reads — so everything here is plain data that
tests can build by hand:

* :func:`graph_to_flow` draws a graph: one node per variable (its id *is* the
  variable name), one edge per claim, with distinct styles for exposure,
  outcome, latent, selection and adjusted variables, and an optional
  highlighted cycle.
* :func:`diff_to_flow` draws the difference between two versions: added
  edges green, removed ones red and dashed, reversed ones orange.
* :func:`flow_to_ops` reads a canvas the user has changed and says what they
  did, as :mod:`assistant.edit` operations (JSON): added and deleted edges,
  new latent variables (a node created on the canvas), moved nodes.

Nothing here changes a graph; the workspace applies the operations.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from assistant.edit.diff import diff_graphs
from assistant.graph.dag import find_cycle
from assistant.model import CausalGraph, Edge

NodeDict = dict[str, Any]
EdgeDict = dict[str, Any]

#: Layout grid used when a variable has no stored position.
X_STEP, Y_STEP = 270.0, 130.0
#: A node moved by less than this (pixels) has not moved: the canvas rounds positions.
MOVE_TOLERANCE = 1.0

BIDIRECTED_PREFIX = "bi:"
DIRECTED_PREFIX = "e:"

_BASE_NODE_STYLE = {"borderRadius": "8px", "padding": "6px 10px", "fontSize": "13px", "border": "1px solid #555",
                    "background": "#ffffff", "color": "#111111"}
#: Style per marker; later entries win where they set the same property.
NODE_STYLES: dict[str, dict[str, str]] = {
    "exposure": {"background": "#e8f5e9", "border": "3px solid #2e7d32"},
    "outcome": {"background": "#e3f2fd", "border": "3px solid #1565c0"},
    "adjusted": {"background": "#eeeeee", "boxShadow": "0 0 0 3px #9e9e9e"},
    "selection": {"background": "#fff8e1", "border": "3px double #f9a825"},
    "latent": {"background": "#fafafa", "border": "2px dashed #757575", "fontStyle": "italic", "color": "#555555"},
}
MARKER_ORDER = ("exposure", "outcome", "adjusted", "selection", "latent")

EDGE_COLOURS = {"default": "#555555", "bidirected": "#7b1fa2", "added": "#2e7d32", "removed": "#c62828",
                "reversed": "#ef6c00", "cycle": "#d50000", "unchanged": "#9e9e9e"}


def edge_id(edge: Edge) -> str:
    """The canvas id of an edge: ``e:a->b`` or ``bi:a<->b`` (bidirected, endpoints sorted)."""
    if edge.kind == "bidirected":
        a, b = sorted((edge.source, edge.target))
        return f"{BIDIRECTED_PREFIX}{a}<->{b}"
    return f"{DIRECTED_PREFIX}{edge.source}->{edge.target}"


def markers(graph: CausalGraph, name: str) -> list[str]:
    """The markers that style a variable, in :data:`MARKER_ORDER`."""
    var = graph.variable(name)
    found = {"exposure": name in graph.exposures, "outcome": name in graph.outcomes,
             "adjusted": name in graph.adjusted, "selection": var.role == "selection", "latent": not var.observed}
    return [m for m in MARKER_ORDER if found[m]]


def node_style(tags: Iterable[str], *, highlight: str | None = None) -> dict[str, str]:
    style = dict(_BASE_NODE_STYLE)
    for tag in tags:
        style.update(NODE_STYLES.get(tag, {}))
    if highlight:
        style["border"] = f"3px solid {highlight}"
        style["boxShadow"] = f"0 0 8px {highlight}"
    return style


def layout(graph: CausalGraph) -> dict[str, tuple[float, float]]:
    """Each variable's position: the stored one, else a layered layout (tier, else depth along the edges).

    Deterministic, so that :func:`flow_to_ops` can tell a moved node from one
    that was merely placed.
    """
    depth = _depths(graph)
    rows: dict[int, list[str]] = {}
    for var in graph.variables:
        level = var.tier if var.tier is not None else depth.get(var.name, 0)
        rows.setdefault(level, []).append(var.name)
    out: dict[str, tuple[float, float]] = {}
    for row_index, level in enumerate(sorted(rows)):
        names = rows[level]
        offset = -(len(names) - 1) / 2
        for i, name in enumerate(names):
            out[name] = ((offset + i) * X_STEP + 400.0, row_index * Y_STEP + 40.0)
    for var in graph.variables:
        if var.position is not None:
            out[var.name] = (var.position.x, var.position.y)
    return out


def _depths(graph: CausalGraph) -> dict[str, int]:
    """Longest directed path from a root (cycles are cut where they close)."""
    parents: dict[str, list[str]] = {n: [] for n in graph.names}
    for e in graph.directed_edges():
        parents[e.target].append(e.source)
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(n: str) -> int:
        if n in depth:
            return depth[n]
        if n in visiting:
            return 0
        visiting.add(n)
        d = max((visit(p) + 1 for p in parents[n]), default=0)
        visiting.discard(n)
        depth[n] = d
        return d

    for n in graph.names:
        visit(n)
    return depth


def node_content(graph: CausalGraph, name: str) -> str:
    var = graph.variable(name)
    tags = markers(graph, name)
    text = var.display if var.label is None or var.label == name else f"{var.label} ({name})"
    return text + (f"  [{', '.join(tags)}]" if tags else "")


def _node(node_id: str, pos: tuple[float, float], content: str, style: dict[str, str], *,
          editable: bool = True) -> NodeDict:
    return {"id": node_id, "position": {"x": float(pos[0]), "y": float(pos[1])}, "data": {"content": content},
            "type": "default", "sourcePosition": "bottom", "targetPosition": "top", "hidden": False,
            "selected": False, "dragging": False, "draggable": True, "selectable": True, "connectable": editable,
            "resizing": False, "deletable": False, "zIndex": 0, "focusable": True, "style": style}


def _edge(eid: str, source: str, target: str, *, colour: str, bidirected: bool = False, dashed: bool = False,
          animated: bool = False, label: str = "", editable: bool = True, width: int = 2) -> EdgeDict:
    style: dict[str, Any] = {"stroke": colour, "strokeWidth": width}
    if dashed or bidirected:
        style["strokeDasharray"] = "6 4"
    marker = {"type": "arrowclosed", "color": colour}
    return {"id": eid, "source": source, "target": target, "type": "default",
            "markerStart": marker if bidirected else {}, "markerEnd": marker, "hidden": False,
            "animated": animated, "selected": False, "deletable": editable, "focusable": True, "zIndex": 0,
            "label": label, "labelStyle": {"fill": colour}, "labelShowBg": bool(label), "labelBgStyle": {},
            "style": style}


def cycle_edges(cycle: Sequence[str] | None) -> set[tuple[str, str]]:
    if not cycle:
        return set()
    return {(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))}


def graph_to_flow(graph: CausalGraph, *, highlight_cycle: bool = True, editable: bool = True) -> dict[str, list]:
    """The canvas of ``graph``: ``{"nodes": [...], "edges": [...]}``; a directed cycle is drawn in red.

    >>> from assistant.formats import read_graph
    >>> flow = graph_to_flow(read_graph("dag { X [exposure] Y [outcome] X -> Y }", "dagitty"))
    >>> [n["id"] for n in flow["nodes"]], [e["id"] for e in flow["edges"]]
    (['X', 'Y'], ['e:X->Y'])
    """
    positions = layout(graph)
    cycle = find_cycle(graph) if highlight_cycle else None
    in_cycle = set(cycle or [])
    closing = cycle_edges(cycle)
    nodes = [_node(v.name, positions[v.name], node_content(graph, v.name),
                   node_style(markers(graph, v.name), highlight=EDGE_COLOURS["cycle"] if v.name in in_cycle else None),
                   editable=editable)
             for v in graph.variables]
    edges = []
    for e in graph.edges:
        bidirected = e.kind == "bidirected"
        on_cycle = not bidirected and (e.source, e.target) in closing
        colour = EDGE_COLOURS["cycle"] if on_cycle else EDGE_COLOURS["bidirected" if bidirected else "default"]
        edges.append(_edge(edge_id(e), e.source, e.target, colour=colour, bidirected=bidirected, animated=on_cycle,
                           label="cycle" if on_cycle else "", editable=editable, width=4 if on_cycle else 2))
    return {"nodes": nodes, "edges": edges}


def diff_to_flow(old: CausalGraph, new: CausalGraph) -> dict[str, list]:
    """Both versions on one canvas: added green, removed red dashed, reversed orange, unchanged grey."""
    diff = diff_graphs(old, new)
    positions = {**layout(old), **layout(new)}
    added_vars = {v.name for v in diff.variables_added}
    removed_vars = {v.name for v in diff.variables_removed}
    nodes = []
    for var in list(new.variables) + list(diff.variables_removed):
        source_graph = old if var.name in removed_vars else new
        style = node_style(markers(source_graph, var.name))
        content = node_content(source_graph, var.name)
        if var.name in added_vars:
            style.update(border=f"3px solid {EDGE_COLOURS['added']}")
            content += "  (+)"
        elif var.name in removed_vars:
            style.update(border=f"3px dashed {EDGE_COLOURS['removed']}", opacity="0.7")
            content += "  (-)"
        nodes.append(_node(var.name, positions[var.name], content, style, editable=False))
    edges = []
    added = {e.key for e in diff.edges_added}
    reversed_new = {r.new.key for r in diff.edges_reversed}
    for e in new.edges:
        bidirected = e.kind == "bidirected"
        if e.key in added:
            edges.append(_edge(edge_id(e), e.source, e.target, colour=EDGE_COLOURS["added"], bidirected=bidirected,
                               label="added", editable=False, width=3))
        elif e.key in reversed_new:
            edges.append(_edge(edge_id(e), e.source, e.target, colour=EDGE_COLOURS["reversed"], label="reversed",
                               editable=False, width=3))
        else:
            edges.append(_edge(edge_id(e), e.source, e.target, colour=EDGE_COLOURS["unchanged"],
                               bidirected=bidirected, editable=False))
    for e in diff.edges_removed:
        edges.append(_edge("removed:" + edge_id(e), e.source, e.target, colour=EDGE_COLOURS["removed"],
                           bidirected=e.kind == "bidirected", dashed=True, label="removed", editable=False, width=3))
    return {"nodes": nodes, "edges": edges}


# --- canvas -> edit operations ------------------------------------------------


class CanvasProblem(ValueError):
    """Something drawn on the canvas that is not a valid edit (the message says what to do)."""


def _content_name(node: Mapping[str, Any]) -> str:
    content = str((node.get("data") or {}).get("content", "")).strip()
    return content.split("  [", 1)[0].strip()


def flow_to_ops(graph: CausalGraph, nodes: Sequence[Mapping[str, Any]],
                edges: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """What the user did on the canvas drawn from ``graph``, as edit operations (JSON), and any problems.

    * a node whose id is not a variable (created with the canvas' "Add node")
      becomes a new **latent** variable named by its content;
    * an edge whose endpoints are both known and that ``graph`` lacks is added
      (provenance ``expert``); one ``graph`` has and the canvas lacks is removed;
    * a node dragged away from where :func:`layout` put it gets its position stored.

    Problems (a nameless or duplicate new node, a self-loop) are reported as
    text and left out of the operations, so the rest of the change still applies.
    """
    ops: list[dict[str, Any]] = []
    problems: list[str] = []
    known = set(graph.names)
    id_to_name: dict[str, str] = {n: n for n in known}
    for node in nodes:
        nid = str(node.get("id", ""))
        if nid in known:
            continue
        name = _content_name(node)
        if not name:
            problems.append("a node added on the canvas has no name; type the latent variable's name as its content")
            continue
        if name in known or name in id_to_name.values():
            problems.append(f"a variable named {name!r} already exists; give the new node another name")
            continue
        pos = node.get("position") or {}
        ops.append({"op": "add_variable", "variable": {
            "name": name, "observed": False, "description": "latent variable added on the canvas",
            "position": {"x": float(pos.get("x", 0.0)), "y": float(pos.get("y", 0.0))}}})
        id_to_name[nid] = name

    wanted: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for edge in edges:
        s, t = id_to_name.get(str(edge.get("source"))), id_to_name.get(str(edge.get("target")))
        if s is None or t is None:
            problems.append(f"an edge on the canvas joins an unknown node ({edge.get('source')} -> {edge.get('target')})")
            continue
        if s == t:
            problems.append(f"a variable cannot cause itself ({s} -> {s}); the self-loop was ignored")
            continue
        kind = "bidirected" if str(edge.get("id", "")).startswith(BIDIRECTED_PREFIX) else "directed"
        key = tuple(sorted((s, t))) + (kind,) if kind == "bidirected" else (s, t, kind)
        wanted[key] = (s, t, kind)  # type: ignore[index]

    have = {e.key: e for e in graph.edges}
    for key, e in have.items():
        if key not in wanted:
            ops.append({"op": "remove_edge", "source": e.source, "target": e.target, "kind": e.kind})
    for key, (s, t, kind) in wanted.items():
        if key not in have:
            if kind == "directed" and (t, s, "directed") in have and (t, s, "directed") not in wanted:
                ops = [o for o in ops if not (o["op"] == "remove_edge" and (o["source"], o["target"]) == (t, s))]
                ops.append({"op": "reverse_edge", "source": t, "target": s})
                continue
            ops.append({"op": "add_edge", "edge": {"source": s, "target": t, "kind": kind, "provenance": "expert",
                                                   "rationale": "drawn on the canvas"}})

    placed = layout(graph)
    for node in nodes:
        nid = str(node.get("id", ""))
        if nid not in known:
            continue
        pos = node.get("position") or {}
        x, y = float(pos.get("x", 0.0)), float(pos.get("y", 0.0))
        px, py = placed[nid]
        if abs(x - px) > MOVE_TOLERANCE or abs(y - py) > MOVE_TOLERANCE:
            ops.append({"op": "update_variable", "name": nid, "fields": {"position": {"x": x, "y": y}}})
    return ops, problems


def edge_rows(graph: CausalGraph) -> list[dict[str, Any]]:
    """One row per edge for an editable table (source, target, kind, provenance, confidence, rationale)."""
    return [{"source": e.source, "target": e.target, "kind": e.kind, "provenance": e.provenance,
             "confidence": e.confidence, "rationale": e.rationale} for e in graph.edges]


def graph_from_edge_rows(graph: CausalGraph, rows: Iterable[Mapping[str, Any]]) -> CausalGraph:
    """``graph`` with its edges replaced by the table's rows (blank rows skipped); raises typed errors."""
    from assistant.edit.operations import _rebuild

    edges = []
    for row in rows:
        source = str(row.get("source") or "").strip()
        target = str(row.get("target") or "").strip()
        if not source and not target:
            continue
        kind = str(row.get("kind") or "directed").strip() or "directed"
        confidence = row.get("confidence")
        if confidence is not None and confidence != confidence:  # NaN from an empty cell
            confidence = None
        old = graph.find_edge(source, target, kind) if graph.has_variable(source) and graph.has_variable(target) \
            and kind in ("directed", "bidirected") else None
        base = old.model_dump(mode="json") if old is not None else {"provenance": "expert"}
        edges.append({**base, "source": source, "target": target, "kind": kind,
                      "provenance": row.get("provenance") or base.get("provenance", "expert"),
                      "confidence": confidence, "rationale": str(row.get("rationale") or "")})
    data = graph.model_dump(mode="json")
    data["edges"] = edges
    return _rebuild(data, "the edge table")
