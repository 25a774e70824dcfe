"""Editing graphs as data: pure diffs between versions and pure edit operations.

* :func:`diff_graphs` says what changed between two graphs (used by the store's
  ``diff``, ``blame`` and conflict reports).
* :func:`apply_edit` applies one JSON-serializable edit (:data:`EditOp`) and
  returns a new graph; critique fixes and UI actions are expressed as edits.
"""

from assistant.edit.diff import (
    EdgeChange, EdgeReversal, FieldChange, GraphDiff, MarkerChange, VariableChange, diff_graphs,
)
from assistant.edit.operations import (
    EDIT_ADAPTER, EDIT_LIST_ADAPTER, AddEdge, AddVariable, EditOp, RemoveEdge, RemoveVariable, ReverseEdge,
    SetAdjusted, SetEdgeKind, SetExposures, SetOutcomes, UpdateEdge, UpdateVariable, apply_edit, apply_edits,
    parse_edit,
)

__all__ = [
    "AddEdge", "AddVariable", "EDIT_ADAPTER", "EDIT_LIST_ADAPTER", "EdgeChange", "EdgeReversal", "EditOp",
    "FieldChange", "GraphDiff", "MarkerChange", "RemoveEdge", "RemoveVariable", "ReverseEdge", "SetAdjusted",
    "SetEdgeKind", "SetExposures", "SetOutcomes", "UpdateEdge", "UpdateVariable", "VariableChange", "apply_edit",
    "apply_edits", "diff_graphs", "parse_edit",
]
