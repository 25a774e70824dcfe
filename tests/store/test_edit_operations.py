"""Edit operations: pure, JSON-serializable, and loud when they do not apply."""

from __future__ import annotations

import json

import pytest
from store_helpers import make_graph

from assistant.edit import (
    EDIT_ADAPTER, EDIT_LIST_ADAPTER, AddEdge, AddVariable, RemoveEdge, RemoveVariable, ReverseEdge, SetAdjusted,
    SetEdgeKind, SetExposures, SetOutcomes, UpdateEdge, UpdateVariable, apply_edit, apply_edits, diff_graphs,
    parse_edit,
)
from assistant.errors import DuplicateVariableError, GraphValidationError, UnknownVariableError
from assistant.model import Edge, Variable

ALL_OPS = [
    AddVariable(variable=Variable(name="W", description="weather")),
    RemoveVariable(name="Z"),
    UpdateVariable(name="X", fields={"label": "Exposure", "tier": 1}),
    AddEdge(edge=Edge(source="Y", target="Z", provenance="llm", confidence=0.3)),
    RemoveEdge(source="Z", target="Y"),
    ReverseEdge(source="X", target="Y"),
    SetEdgeKind(source="Z", target="X", new_kind="bidirected"),
    UpdateEdge(source="X", target="Y", fields={"rationale": "dose response", "confidence": 0.9}),
    SetExposures(names=["Z"]),
    SetOutcomes(names=["Z"]),
    SetAdjusted(names=["Z"]),
]


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.op)
def test_every_op_returns_a_new_graph_and_leaves_the_input_alone(op, confounding_graph):
    before = confounding_graph.model_dump()
    after = apply_edit(confounding_graph, op)
    assert confounding_graph.model_dump() == before
    assert after is not confounding_graph
    assert not diff_graphs(confounding_graph, after).is_empty


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: op.op)
def test_every_op_survives_a_json_round_trip(op):
    text = json.dumps(EDIT_ADAPTER.dump_python(op, mode="json"))
    assert EDIT_ADAPTER.validate_json(text) == op


def test_a_list_of_edits_round_trips_and_applies_in_order(confounding_graph):
    ops = [AddVariable(variable=Variable(name="U", observed=False)), AddEdge(edge=Edge(source="U", target="X")),
           AddEdge(edge=Edge(source="U", target="Y"))]
    parsed = EDIT_LIST_ADAPTER.validate_json(EDIT_LIST_ADAPTER.dump_json(ops))
    result = apply_edits(confounding_graph, parsed)
    assert diff_graphs(confounding_graph, result).summary() == "+1 variable, +2 edges"


def test_remove_variable_also_removes_its_edges_and_markers(confounding_graph):
    g = apply_edit(confounding_graph, SetAdjusted(names=["Z"]))
    result = apply_edit(g, RemoveVariable(name="X"))
    assert result.names == ["Z", "Y"]
    assert [str(e) for e in result.edges] == ["Z -> Y"]
    assert result.exposures == [] and result.adjusted == ["Z"]


def test_reverse_edge_keeps_its_attributes():
    g = make_graph("ab").model_copy(update={"edges": [Edge(source="a", target="b", rationale="why")]})
    (edge,) = apply_edit(g, ReverseEdge(source="a", target="b")).edges
    assert (edge.source, edge.target, edge.rationale) == ("b", "a", "why")


def test_bidirected_edges_can_be_named_in_either_direction():
    g = make_graph("ab").model_copy(update={"edges": [Edge(source="a", target="b", kind="bidirected")]})
    assert apply_edit(g, RemoveEdge(source="b", target="a", kind="bidirected")).edges == []


@pytest.mark.parametrize("op, error, text", [
    (AddVariable(variable=Variable(name="X")), DuplicateVariableError, "already has a variable named 'X'"),
    (RemoveVariable(name="nope"), UnknownVariableError, "'nope'"),
    (UpdateVariable(name="nope", fields={"label": "n"}), UnknownVariableError, "'nope'"),
    (UpdateVariable(name="X", fields={"name": "X2"}), GraphValidationError, "cannot update 'name'"),
    (UpdateVariable(name="X", fields={"tier": "early"}), GraphValidationError, "tier"),
    (AddEdge(edge=Edge(source="X", target="nope")), UnknownVariableError, "'nope'"),
    (AddEdge(edge=Edge(source="X", target="Y")), GraphValidationError, "already has the edge X -> Y"),
    (RemoveEdge(source="Y", target="X"), GraphValidationError, "no edge Y -> X"),
    (ReverseEdge(source="Y", target="X"), GraphValidationError, "no edge Y -> X"),
    (SetEdgeKind(source="X", target="Y", kind="bidirected", new_kind="directed"), GraphValidationError,
     "no edge X <-> Y"),
    (UpdateEdge(source="X", target="Y", fields={"kind": "bidirected"}), GraphValidationError, "cannot update 'kind'"),
    (UpdateEdge(source="X", target="Y", fields={"confidence": 3}), GraphValidationError, "confidence"),
    (SetExposures(names=["Y"]), GraphValidationError, "both exposure and outcome"),
    (SetOutcomes(names=["ghost"]), UnknownVariableError, "'ghost'"),
    (SetAdjusted(names=["Z", "Z"]), GraphValidationError, "twice"),
], ids=lambda v: v.op if hasattr(v, "op") else "")
def test_an_edit_that_does_not_apply_raises_a_typed_error(op, error, text, confounding_graph):
    before = confounding_graph.model_dump()
    with pytest.raises(error) as info:
        apply_edit(confounding_graph, op)
    assert text in str(info.value)
    assert confounding_graph.model_dump() == before


def test_reversing_into_an_existing_edge_is_refused():
    g = make_graph("ab", [("a", "b"), ("b", "a")])
    with pytest.raises(GraphValidationError, match="b -> a already exists"):
        apply_edit(g, ReverseEdge(source="a", target="b"))


def test_malformed_edit_json_is_a_graph_validation_error():
    with pytest.raises(GraphValidationError, match="not a valid edit"):
        parse_edit({"op": "teleport_variable", "name": "x"})
    with pytest.raises(GraphValidationError, match="not a valid edit"):
        parse_edit({"op": "add_edge", "edge": {"source": "a"}})
