"""The causal graph: variables, edges, the exposures and outcomes, and metadata.

A :class:`CausalGraph` is validated on construction: variable names are unique,
every edge names known variables, there are no self-loops or duplicate edges,
and the exposure, outcome and adjusted markers name known variables.  Cycles
are *allowed* here, because an expert may be half-way through an edit; the
functions that need a DAG check for one and raise :class:`CycleError`.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from assistant.errors import DuplicateVariableError, GraphValidationError, Location, UnknownVariableError
from assistant.model.edge import Edge
from assistant.model.question import Question
from assistant.model.variable import Variable, check_json_value, check_unicode

FORMAT_TAG = "causal-assistant/graph"
FORMAT_VERSION = 1
# Bounds on one graph. Causal diagrams people review have tens to a few hundred variables; the checks
# (adjustment sets, instruments, front doors per variable) grow faster than linearly, and a 1,000-variable
# graph already takes seconds to critique. Checked before the variables are built, so a file with a
# million of them is refused at once.
MAX_VARIABLES = 1_000
MAX_EDGES = 20_000


class GraphMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    question: Question | None = None
    extra: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("name", "description")
    @classmethod
    def _valid_text(cls, value: str) -> str:
        return check_unicode(value, what="graph metadata")

    @field_validator("extra")
    @classmethod
    def _storable(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        return check_json_value(value, what="metadata.extra")


class CausalGraph(BaseModel):
    """A causal diagram: a DAG with optional latent variables and bidirected edges (an ADMG)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["causal-assistant/graph"] = FORMAT_TAG
    format_version: Literal[1] = FORMAT_VERSION
    variables: list[Variable] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
    exposures: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    adjusted: list[str] = Field(default_factory=list, description="Variables the analyst has decided to adjust for.")
    metadata: GraphMetadata = Field(default_factory=GraphMetadata)

    @field_validator("variables", "edges", mode="before")
    @classmethod
    def _bounded(cls, value: Any, info: Any) -> Any:
        limit = MAX_VARIABLES if info.field_name == "variables" else MAX_EDGES
        if isinstance(value, (list, tuple)) and len(value) > limit:
            raise GraphValidationError(f"the graph has {len(value):,} {info.field_name}; at most {limit:,} are "
                                       "supported", location=Location(path=info.field_name),
                                       hint="split the graph, or drop variables the question does not need")
        return value

    @model_validator(mode="after")
    def _check_structure(self) -> "CausalGraph":
        seen: dict[str, int] = {}
        looks: dict[str, int] = {}  # NFKC form -> index: "café" composed and decomposed, "Ａ" and "A"
        for i, var in enumerate(self.variables):
            if var.name in seen:
                raise DuplicateVariableError(
                    f"duplicate variable name {var.name!r} (first defined at variables[{seen[var.name]}])",
                    location=Location(path=f"variables[{i}].name"),
                )
            look = unicodedata.normalize("NFKC", var.name)
            if look in looks:
                other = self.variables[looks[look]].name
                raise DuplicateVariableError(
                    f"variable name {var.name!a} looks the same as {other!a} (variables[{looks[look]}]); they "
                    "differ only in Unicode form", location=Location(path=f"variables[{i}].name"),
                    hint="rename one of them")
            seen[var.name], looks[look] = i, i
        known = list(seen)
        edge_keys: dict[tuple[str, str, str], int] = {}
        for i, edge in enumerate(self.edges):
            for end in ("source", "target"):
                name = getattr(edge, end)
                if name not in seen:
                    raise UnknownVariableError([name], context=f"edge {edge}", known=known,
                                               location=Location(path=f"edges[{i}].{end}"))
            if edge.source == edge.target:
                raise GraphValidationError(f"self-loop on {edge.source!r}: a variable cannot cause itself",
                                           location=Location(path=f"edges[{i}]"))
            if edge.key in edge_keys:
                raise GraphValidationError(
                    f"duplicate edge {edge} (also at edges[{edge_keys[edge.key]}])",
                    location=Location(path=f"edges[{i}]"))
            edge_keys[edge.key] = i
        for field in ("exposures", "outcomes", "adjusted"):
            names = getattr(self, field)
            for j, n in enumerate(names):
                if n not in seen:
                    raise UnknownVariableError([n], context=field, known=known, location=Location(path=f"{field}[{j}]"))
            if len(set(names)) != len(names):
                raise GraphValidationError(f"{field} lists a variable twice", location=Location(path=field))
        both = set(self.exposures) & set(self.outcomes)
        if both:
            raise GraphValidationError(f"{sorted(both)} marked as both exposure and outcome",
                                       location=Location(path="outcomes"))
        return self

    # --- read-only helpers -------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def variable(self, name: str) -> Variable:
        for var in self.variables:
            if var.name == name:
                return var
        raise UnknownVariableError([name], known=self.names)

    def has_variable(self, name: str) -> bool:
        return any(v.name == name for v in self.variables)

    @property
    def observed(self) -> list[str]:
        return [v.name for v in self.variables if v.observed]

    @property
    def latent(self) -> list[str]:
        return [v.name for v in self.variables if not v.observed]

    def directed_edges(self) -> Iterator[Edge]:
        return (e for e in self.edges if e.kind == "directed")

    def bidirected_edges(self) -> Iterator[Edge]:
        return (e for e in self.edges if e.kind == "bidirected")

    def find_edge(self, source: str, target: str, kind: str = "directed") -> Edge | None:
        probe = Edge(source=source, target=target, kind=kind)  # type: ignore[arg-type]
        for edge in self.edges:
            if edge.key == probe.key:
                return edge
        return None

    def require(self, names: Any, context: str) -> list[str]:
        """Return ``names`` as a list, raising :class:`UnknownVariableError` for any unknown one."""
        if isinstance(names, str):
            names = [names]
        names = list(names)
        unknown = [n for n in names if not self.has_variable(n)]
        if unknown:
            raise UnknownVariableError(unknown, context=context, known=self.names)
        return names
