"""Three-way merge of graph edits: replay my change (as edit operations) on top of someone else's.

When a save is stale — another session saved since my edit started — the
workspace offers to *rebase*: take what I changed from the base version
(:func:`ops_between` turns that diff into :mod:`assistant.edit` operations)
and apply it to the new head.  An operation that no longer applies, or that
touches something the other side changed differently, is a conflict; it is
reported, never silently dropped.  Versions are never rewritten.

>>> from assistant.formats import read_graph
>>> base = read_graph("dag { a -> b  c }", "dagitty")
>>> mine = read_graph("dag { a -> b  b -> c }", "dagitty")
>>> theirs = read_graph("dag { a -> b  a -> c }", "dagitty")
>>> merged = three_way_merge(base, mine, theirs)
>>> sorted(str(e) for e in merged.graph.edges), merged.conflicts
(['a -> b', 'a -> c', 'b -> c'], [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.edit.diff import diff_graphs
from assistant.edit.operations import apply_edit, parse_edit
from assistant.errors import CausalAssistantError
from assistant.model import CausalGraph


def ops_between(old: CausalGraph, new: CausalGraph) -> list[dict[str, Any]]:
    """Edit operations (JSON) that turn ``old`` into ``new`` (metadata aside; see :func:`three_way_merge`)."""
    d = diff_graphs(old, new)
    ops: list[dict[str, Any]] = []
    ops += [{"op": "add_variable", "variable": v.model_dump(mode="json")} for v in d.variables_added]
    for vc in d.variables_changed:
        ops.append({"op": "update_variable", "name": vc.name, "fields": {c.field: c.new for c in vc.changes}})
    ops += [{"op": "remove_edge", "source": e.source, "target": e.target, "kind": e.kind} for e in d.edges_removed]
    for r in d.edges_reversed:
        ops.append({"op": "reverse_edge", "source": r.old.source, "target": r.old.target})
        if r.changes:
            ops.append({"op": "update_edge", "source": r.new.source, "target": r.new.target,
                        "fields": {c.field: c.new for c in r.changes}})
    ops += [{"op": "add_edge", "edge": e.model_dump(mode="json")} for e in d.edges_added]
    for ec in d.edges_changed:
        ops.append({"op": "update_edge", "source": ec.source, "target": ec.target, "kind": ec.kind,
                    "fields": {c.field: c.new for c in ec.changes}})
    for marker in ("exposures", "outcomes", "adjusted"):
        if getattr(d, marker):
            ops.append({"op": f"set_{marker}", "names": list(getattr(new, marker))})
    ops += [{"op": "remove_variable", "name": v.name} for v in d.variables_removed]
    return ops


def describe(op: dict[str, Any]) -> str:
    """An operation in words, e.g. ``add edge a -> b``."""
    kind = op.get("op", "?")
    if kind == "add_edge":
        e = op["edge"]
        return f"add edge {e['source']} {'<->' if e.get('kind') == 'bidirected' else '->'} {e['target']}"
    if kind in ("remove_edge", "update_edge", "set_edge_kind"):
        arrow = "<->" if op.get("kind") == "bidirected" else "->"
        return f"{kind.replace('_', ' ')} {op['source']} {arrow} {op['target']}"
    if kind == "reverse_edge":
        return f"reverse {op['source']} -> {op['target']}"
    if kind == "add_variable":
        return f"add variable {op['variable']['name']}"
    if kind in ("remove_variable", "update_variable"):
        return f"{kind.replace('_', ' ')} {op['name']}"
    if kind.startswith("set_"):
        return f"set {kind[4:]} to {', '.join(op['names']) or 'nothing'}"
    return kind


@dataclass
class MergeConflict:
    """One of my operations that could not be replayed as is, and what happened instead."""

    op: dict[str, Any]
    reason: str
    resolution: str = "not applied"

    def __str__(self) -> str:
        return f"{describe(self.op)}: {self.reason} ({self.resolution})"


@dataclass
class MergeResult:
    graph: CausalGraph
    applied: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    conflicts: list[MergeConflict] = field(default_factory=list)


def _touched_edges(base: CausalGraph, theirs: CausalGraph) -> set[tuple[str, str]]:
    """Unordered pairs whose edge the other side added, removed, reversed or changed."""
    d = diff_graphs(base, theirs)
    pairs = [(e.source, e.target) for e in d.edges_added + d.edges_removed]
    pairs += [(r.old.source, r.old.target) for r in d.edges_reversed]
    pairs += [(c.source, c.target) for c in d.edges_changed]
    return {tuple(sorted(p)) for p in pairs}  # type: ignore[misc]


def _op_pair(op: dict[str, Any]) -> tuple[str, str] | None:
    if op["op"] == "add_edge":
        return tuple(sorted((op["edge"]["source"], op["edge"]["target"])))  # type: ignore[return-value]
    if op["op"] in ("remove_edge", "reverse_edge", "update_edge", "set_edge_kind"):
        return tuple(sorted((op["source"], op["target"])))  # type: ignore[return-value]
    return None


def three_way_merge(base: CausalGraph, mine: CausalGraph, theirs: CausalGraph) -> MergeResult:
    """Replay ``base -> mine`` on ``theirs``.

    * An operation whose effect is already in ``theirs`` (both added the same
      edge, both removed it) is skipped, not a conflict.
    * An operation on an edge the other side also changed is applied if it
      still applies (mine wins) and reported as a conflict so the user looks.
    * An operation that no longer applies (its variable or edge is gone) is
      reported as a conflict and left out.
    * Markers (exposures, outcomes, adjusted) changed on both sides: mine wins, reported.
    * Metadata changed by me is kept (mine wins).
    """
    result = MergeResult(graph=theirs)
    touched = _touched_edges(base, theirs)
    their_diff = diff_graphs(base, theirs)
    for op in ops_between(base, mine):
        current = result.graph
        pair = _op_pair(op)
        if op["op"] == "add_edge":
            e = op["edge"]
            if current.find_edge(e["source"], e["target"], e.get("kind", "directed")) is not None:
                result.skipped.append(f"{describe(op)}: already in the head version")
                continue
        if op["op"] == "remove_edge" and current.has_variable(op["source"]) and current.has_variable(op["target"]) \
                and current.find_edge(op["source"], op["target"], op.get("kind", "directed")) is None:
            result.skipped.append(f"{describe(op)}: already removed in the head version")
            continue
        if op["op"] == "add_variable" and current.has_variable(op["variable"]["name"]):
            result.skipped.append(f"{describe(op)}: the head version already has it")
            continue
        if op["op"] == "remove_variable" and not current.has_variable(op["name"]):
            result.skipped.append(f"{describe(op)}: already removed in the head version")
            continue
        try:
            result.graph = apply_edit(current, parse_edit(op))
        except CausalAssistantError as err:
            result.conflicts.append(MergeConflict(op=op, reason=f"it no longer applies: {err.message}"))
            continue
        result.applied.append(op)
        if pair is not None and pair in touched:
            result.conflicts.append(MergeConflict(op=op, reason="the other save changed this edge too",
                                                  resolution="yours was applied; check it"))
        elif op["op"].startswith("set_") and getattr(their_diff, op["op"][4:], None):
            result.conflicts.append(MergeConflict(op=op, reason=f"the other save changed {op['op'][4:]} too",
                                                  resolution="yours was applied; check it"))
    if mine.metadata != base.metadata:
        result.graph = result.graph.model_copy(update={"metadata": mine.metadata})
    return result
