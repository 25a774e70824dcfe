"""The domain model (pydantic): variables, edges, graphs, questions and dataset profiles."""

from assistant.model.edge import Edge, EdgeKind, Evidence, Provenance
from assistant.model.graph import FORMAT_TAG, FORMAT_VERSION, CausalGraph, GraphMetadata
from assistant.model.profile import ColumnProfile, DatasetProfile
from assistant.model.question import Estimand, Question
from assistant.model.variable import DataType, Position, Role, Variable

__all__ = [
    "CausalGraph", "ColumnProfile", "DataType", "DatasetProfile", "Edge", "EdgeKind", "Estimand", "Evidence",
    "FORMAT_TAG", "FORMAT_VERSION", "GraphMetadata", "Position", "Provenance", "Question", "Role", "Variable",
]
