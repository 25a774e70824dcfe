"""Edits to a causal graph as data: small pydantic models applied by a pure function.

An edit is one of the models below, told apart by its ``op`` field, so a list
of edits can be stored, sent to an LLM or proposed by a critique rule as
plain JSON and parsed back with :data:`EDIT_ADAPTER`:

>>> from assistant.model import CausalGraph, Variable
>>> g = CausalGraph(variables=[Variable(name="smoking"), Variable(name="cancer")])
>>> op = EDIT_ADAPTER.validate_python({"op": "add_edge", "edge": {"source": "smoking", "target": "cancer"}})
>>> h = apply_edit(g, op)
>>> [str(e) for e in h.edges], g.edges
(['smoking -> cancer'], [])
>>> EDIT_ADAPTER.dump_python(op, mode="json")["op"]
'add_edge'

:func:`apply_edit` never changes its input; it returns a new, validated
graph, or raises a typed error (:class:`~assistant.errors.UnknownVariableError`,
:class:`~assistant.errors.GraphValidationError`) when the edit does not apply.
Edges are named by ``source``, ``target`` and ``kind``; a bidirected edge may
be named in either direction.  Cycles are allowed, as in the model itself.
"""

from __future__ import annotations

from typing import Annotated, Any, Iterable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from assistant.errors import DuplicateVariableError, GraphValidationError
from assistant.model import CausalGraph, Edge, EdgeKind, Variable

UPDATABLE_EDGE_FIELDS = ("provenance", "confidence", "rationale", "evidence")
UPDATABLE_VARIABLE_FIELDS = tuple(f for f in Variable.model_fields if f != "name")


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _EdgeOp(_Op):
    source: str
    target: str
    kind: EdgeKind = "directed"

    def edge_text(self) -> str:
        return str(Edge.model_construct(source=self.source, target=self.target, kind=self.kind))


class AddVariable(_Op):
    op: Literal["add_variable"] = "add_variable"
    variable: Variable


class RemoveVariable(_Op):
    """Remove a variable with every edge that touches it and its exposure/outcome/adjusted marks."""

    op: Literal["remove_variable"] = "remove_variable"
    name: str


class UpdateVariable(_Op):
    """Set some attributes of a variable; ``fields`` maps attribute names to new values (not ``name``)."""

    op: Literal["update_variable"] = "update_variable"
    name: str
    fields: dict[str, JsonValue]


class AddEdge(_Op):
    op: Literal["add_edge"] = "add_edge"
    edge: Edge


class RemoveEdge(_EdgeOp):
    op: Literal["remove_edge"] = "remove_edge"


class ReverseEdge(_Op):
    """Turn the directed edge ``source -> target`` into ``target -> source``, keeping its attributes."""

    op: Literal["reverse_edge"] = "reverse_edge"
    source: str
    target: str


class SetEdgeKind(_EdgeOp):
    """Change the edge ``source -(kind)- target`` to ``new_kind``, keeping its attributes."""

    op: Literal["set_edge_kind"] = "set_edge_kind"
    new_kind: EdgeKind


class UpdateEdge(_EdgeOp):
    """Set some of an edge's provenance, confidence, rationale and evidence."""

    op: Literal["update_edge"] = "update_edge"
    fields: dict[str, JsonValue]


class SetExposures(_Op):
    op: Literal["set_exposures"] = "set_exposures"
    names: list[str]


class SetOutcomes(_Op):
    op: Literal["set_outcomes"] = "set_outcomes"
    names: list[str]


class SetAdjusted(_Op):
    op: Literal["set_adjusted"] = "set_adjusted"
    names: list[str]


EditOp = Annotated[
    Union[AddVariable, RemoveVariable, UpdateVariable, AddEdge, RemoveEdge, ReverseEdge, SetEdgeKind, UpdateEdge,
          SetExposures, SetOutcomes, SetAdjusted],
    Field(discriminator="op"),
]
EDIT_ADAPTER: TypeAdapter[EditOp] = TypeAdapter(EditOp)
EDIT_LIST_ADAPTER: TypeAdapter[list[EditOp]] = TypeAdapter(list[EditOp])


def parse_edit(data: Any) -> EditOp:
    """Parse one edit from JSON-like data, raising :class:`GraphValidationError` with pydantic's reasons."""
    try:
        return EDIT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise GraphValidationError(f"not a valid edit: {_reasons(exc)}") from exc


def _reasons(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())


def _rebuild(data: dict[str, Any], what: str) -> CausalGraph:
    try:
        return CausalGraph.model_validate(data)
    except ValidationError as exc:
        raise GraphValidationError(f"{what} would make the graph invalid: {_reasons(exc)}") from exc


def _find_edge_index(graph: CausalGraph, source: str, target: str, kind: str) -> int:
    graph.require([source, target], f"edge {source} {'->' if kind == 'directed' else '<->'} {target}")
    probe = Edge.model_construct(source=source, target=target, kind=kind).key
    for i, edge in enumerate(graph.edges):
        if edge.key == probe:
            return i
    shown = str(Edge.model_construct(source=source, target=target, kind=kind))
    raise GraphValidationError(f"the graph has no edge {shown}")


def _checked_fields(fields: dict[str, JsonValue], allowed: tuple[str, ...], what: str) -> None:
    bad = sorted(set(fields) - set(allowed))
    if bad:
        raise GraphValidationError(f"cannot update {', '.join(map(repr, bad))} of {what}; "
                                   f"updatable fields: {', '.join(allowed)}")


def apply_edit(graph: CausalGraph, op: EditOp) -> CausalGraph:
    """Return a new graph with ``op`` applied; ``graph`` is left unchanged.

    Raises
    ------
    UnknownVariableError
        The edit names a variable the graph does not have.
    GraphValidationError
        The edit does not apply (the edge is missing or already there, an
        update names an unknown field, the result would be invalid, ...).
    """
    data = graph.model_dump()
    if isinstance(op, AddVariable):
        if graph.has_variable(op.variable.name):
            raise DuplicateVariableError(f"the graph already has a variable named {op.variable.name!r}")
        data["variables"].append(op.variable.model_dump())
    elif isinstance(op, RemoveVariable):
        graph.require(op.name, "remove_variable")
        data["variables"] = [v for v in data["variables"] if v["name"] != op.name]
        data["edges"] = [e for e in data["edges"] if op.name not in (e["source"], e["target"])]
        for marker in ("exposures", "outcomes", "adjusted"):
            data[marker] = [n for n in data[marker] if n != op.name]
    elif isinstance(op, UpdateVariable):
        graph.require(op.name, "update_variable")
        _checked_fields(op.fields, UPDATABLE_VARIABLE_FIELDS, f"variable {op.name!r}")
        i = graph.names.index(op.name)
        data["variables"][i] = {**data["variables"][i], **op.fields}
    elif isinstance(op, AddEdge):
        graph.require([op.edge.source, op.edge.target], f"edge {op.edge}")
        if any(e.key == op.edge.key for e in graph.edges):
            raise GraphValidationError(f"the graph already has the edge {op.edge}")
        data["edges"].append(op.edge.model_dump())
    elif isinstance(op, RemoveEdge):
        del data["edges"][_find_edge_index(graph, op.source, op.target, op.kind)]
    elif isinstance(op, ReverseEdge):
        i = _find_edge_index(graph, op.source, op.target, "directed")
        if graph.find_edge(op.target, op.source) is not None:
            raise GraphValidationError(f"cannot reverse {op.source} -> {op.target}: "
                                       f"{op.target} -> {op.source} already exists")
        data["edges"][i] = {**data["edges"][i], "source": op.target, "target": op.source}
    elif isinstance(op, SetEdgeKind):
        i = _find_edge_index(graph, op.source, op.target, op.kind)
        data["edges"][i] = {**data["edges"][i], "kind": op.new_kind}
    elif isinstance(op, UpdateEdge):
        i = _find_edge_index(graph, op.source, op.target, op.kind)
        _checked_fields(op.fields, UPDATABLE_EDGE_FIELDS, f"edge {op.edge_text()}")
        data["edges"][i] = {**data["edges"][i], **op.fields}
    elif isinstance(op, (SetExposures, SetOutcomes, SetAdjusted)):
        field = op.op.removeprefix("set_")
        graph.require(op.names, field)
        data[field] = list(op.names)
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"not an edit operation: {op!r}")
    return _rebuild(data, op.op)


def apply_edits(graph: CausalGraph, ops: Iterable[EditOp]) -> CausalGraph:
    """Apply edits in order; the first that does not apply raises, and ``graph`` is unchanged."""
    for op in ops:
        graph = apply_edit(graph, op)
    return graph


__all__ = [
    "AddEdge", "AddVariable", "EDIT_ADAPTER", "EDIT_LIST_ADAPTER", "EditOp", "RemoveEdge", "RemoveVariable",
    "ReverseEdge", "SetAdjusted", "SetEdgeKind", "SetExposures", "SetOutcomes", "UpdateEdge", "UpdateVariable",
    "apply_edit", "apply_edits", "parse_edit",
]
