"""What changed between two versions of a causal graph.

:func:`diff_graphs` compares two :class:`~assistant.model.CausalGraph` objects
and returns a :class:`GraphDiff`: plain data that the CLI, the UI and the
conflict report of the store all render.  It is a pure function: no I/O, and
neither input is changed.

Identity rules
--------------
* A variable is identified by its name.  Renaming is therefore a removal plus
  an addition.
* An edge is identified by its :attr:`~assistant.model.Edge.key`:
  ``(source, target, "directed")`` or, for a bidirected edge, the unordered
  pair.  A directed ``a -> b`` in the old graph that is ``b -> a`` in the new
  one (and ``a -> b`` is gone) is reported once, as *reversed*.  Changing an
  edge's kind (``a -> b`` to ``a <-> b``) is a removal plus an addition,
  because the two claims mean different things.
* Order is not content: moving a variable or an edge within its list, or
  re-ordering the exposures, is not a change.

>>> from assistant.model import CausalGraph, Edge, Variable
>>> old = CausalGraph(variables=[Variable(name=n) for n in "abc"],
...                   edges=[Edge(source="a", target="b"), Edge(source="b", target="c")])
>>> new = CausalGraph(variables=[Variable(name=n) for n in "abc"],
...                   edges=[Edge(source="b", target="a"), Edge(source="a", target="c")])
>>> d = diff_graphs(old, new)
>>> d.summary()
'+1 edge, -1 edge, 1 reversed'
>>> [str(e) for e in d.edges_added], [str(r) for r in d.edges_reversed]
(['a -> c'], ['a -> b is now b -> a'])
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from assistant.model import CausalGraph, Edge, EdgeKind, Variable

EDGE_ATTRIBUTES = ("provenance", "confidence", "rationale", "evidence")
VARIABLE_ATTRIBUTES = tuple(f for f in Variable.model_fields if f != "name")
MARKER_FIELDS = ("exposures", "outcomes", "adjusted")


class FieldChange(BaseModel):
    """One attribute that changed, with its old and new value as JSON."""

    model_config = ConfigDict(extra="forbid")

    field: str
    old: JsonValue = None
    new: JsonValue = None

    def __str__(self) -> str:
        return f"{self.field}: {self.old!r} -> {self.new!r}"


class VariableChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    changes: list[FieldChange]


class EdgeChange(BaseModel):
    """An edge present in both graphs whose attributes changed."""

    model_config = ConfigDict(extra="forbid")

    source: str
    target: str
    kind: EdgeKind = "directed"
    changes: list[FieldChange]

    def __str__(self) -> str:
        return str(Edge(source=self.source, target=self.target, kind=self.kind))


class EdgeReversal(BaseModel):
    """``old`` (``a -> b``) became ``new`` (``b -> a``); ``changes`` lists attribute changes made with it."""

    model_config = ConfigDict(extra="forbid")

    old: Edge
    new: Edge
    changes: list[FieldChange] = Field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.old} is now {self.new}"


class MarkerChange(BaseModel):
    """Names added to and removed from one of the exposures/outcomes/adjusted lists."""

    model_config = ConfigDict(extra="forbid")

    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class GraphDiff(BaseModel):
    """Everything that differs between two graphs; see the module docstring for identity rules."""

    model_config = ConfigDict(extra="forbid")

    variables_added: list[Variable] = Field(default_factory=list)
    variables_removed: list[Variable] = Field(default_factory=list)
    variables_changed: list[VariableChange] = Field(default_factory=list)
    edges_added: list[Edge] = Field(default_factory=list)
    edges_removed: list[Edge] = Field(default_factory=list)
    edges_reversed: list[EdgeReversal] = Field(default_factory=list)
    edges_changed: list[EdgeChange] = Field(default_factory=list)
    exposures: MarkerChange | None = None
    outcomes: MarkerChange | None = None
    adjusted: MarkerChange | None = None
    metadata_changes: list[FieldChange] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.variables_added or self.variables_removed or self.variables_changed
                    or self.edges_added or self.edges_removed or self.edges_reversed or self.edges_changed
                    or self.exposures or self.outcomes or self.adjusted or self.metadata_changes)

    @property
    def metadata_changed(self) -> bool:
        return bool(self.metadata_changes)

    def summary(self) -> str:
        """A one-line count, e.g. ``"+2 edges, -1 edge, 1 reversed, 1 variable changed"``."""
        parts: list[str] = []

        def count(n: int, text: str, plural: str | None = None) -> None:
            if n:
                parts.append(text.format(n=n, s="" if n == 1 else (plural or "s")))

        count(len(self.variables_added), "+{n} variable{s}")
        count(len(self.variables_removed), "-{n} variable{s}")
        count(len(self.edges_added), "+{n} edge{s}")
        count(len(self.edges_removed), "-{n} edge{s}")
        count(len(self.edges_reversed), "{n} reversed")
        count(len(self.variables_changed), "{n} variable{s} changed")
        count(len(self.edges_changed), "{n} edge{s} changed")
        for name in MARKER_FIELDS:
            if getattr(self, name):
                parts.append(f"{name} changed")
        if self.metadata_changes:
            parts.append("metadata changed")
        return ", ".join(parts) if parts else "no changes"

    def lines(self) -> list[str]:
        """One human-readable line per change, ``+``/``-``/``~`` prefixed, for terminals and logs."""
        out: list[str] = []
        out += [f"+ variable {v.name}" for v in self.variables_added]
        out += [f"- variable {v.name}" for v in self.variables_removed]
        for vc in self.variables_changed:
            out += [f"~ variable {vc.name}: {c}" for c in vc.changes]
        out += [f"+ edge {e}" for e in self.edges_added]
        out += [f"- edge {e}" for e in self.edges_removed]
        out += [f"~ reversed {r}" for r in self.edges_reversed]
        for ec in self.edges_changed:
            out += [f"~ edge {ec}: {c}" for c in ec.changes]
        for name in MARKER_FIELDS:
            marker: MarkerChange | None = getattr(self, name)
            if marker:
                out += [f"+ {name} {n}" for n in marker.added] + [f"- {name} {n}" for n in marker.removed]
        out += [f"~ metadata {c}" for c in self.metadata_changes]
        return out


def _json(value: Any) -> JsonValue:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _field_changes(old: BaseModel, new: BaseModel, fields: tuple[str, ...]) -> list[FieldChange]:
    changes = []
    for name in fields:
        a, b = _json(getattr(old, name)), _json(getattr(new, name))
        if a != b:
            changes.append(FieldChange(field=name, old=a, new=b))
    return changes


def _marker_change(old: list[str], new: list[str]) -> MarkerChange | None:
    added = [n for n in new if n not in old]
    removed = [n for n in old if n not in new]
    return MarkerChange(added=added, removed=removed) if added or removed else None


def diff_graphs(old: CausalGraph, new: CausalGraph) -> GraphDiff:
    """Compare ``old`` with ``new``; the result lists what ``new`` adds, removes and changes.

    Parameters
    ----------
    old, new : CausalGraph
        The two graphs; neither is modified.

    Returns
    -------
    GraphDiff
        Lists are in declaration order (of ``new`` for additions, of ``old`` for removals).

    Examples
    --------
    >>> from assistant.model import CausalGraph, Variable
    >>> g = CausalGraph(variables=[Variable(name="x")])
    >>> diff_graphs(g, g).is_empty
    True
    >>> h = CausalGraph(variables=[Variable(name="x", label="Exposure")], exposures=["x"])
    >>> diff_graphs(g, h).summary()
    '1 variable changed, exposures changed'
    """
    diff = GraphDiff()
    old_vars = {v.name: v for v in old.variables}
    new_vars = {v.name: v for v in new.variables}
    diff.variables_added = [v for v in new.variables if v.name not in old_vars]
    diff.variables_removed = [v for v in old.variables if v.name not in new_vars]
    for var in new.variables:
        before = old_vars.get(var.name)
        if before is not None:
            changes = _field_changes(before, var, VARIABLE_ATTRIBUTES)
            if changes:
                diff.variables_changed.append(VariableChange(name=var.name, changes=changes))

    old_edges = {e.key: e for e in old.edges}
    new_edges = {e.key: e for e in new.edges}
    reversed_new: set[tuple[str, str, str]] = set()
    for edge in old.edges:
        if edge.key in new_edges:
            changes = _field_changes(edge, new_edges[edge.key], EDGE_ATTRIBUTES)
            if changes:
                diff.edges_changed.append(EdgeChange(source=edge.source, target=edge.target, kind=edge.kind,
                                                     changes=changes))
            continue
        flipped = (edge.target, edge.source, edge.kind)
        if edge.kind == "directed" and flipped in new_edges and flipped not in old_edges:
            after = new_edges[flipped]
            diff.edges_reversed.append(EdgeReversal(old=edge, new=after,
                                                    changes=_field_changes(edge, after, EDGE_ATTRIBUTES)))
            reversed_new.add(flipped)
        else:
            diff.edges_removed.append(edge)
    diff.edges_added = [e for e in new.edges if e.key not in old_edges and e.key not in reversed_new]

    for name in MARKER_FIELDS:
        setattr(diff, name, _marker_change(getattr(old, name), getattr(new, name)))
    diff.metadata_changes = _field_changes(old.metadata, new.metadata, tuple(type(old.metadata).model_fields))
    return diff
