"""What the prompts ask the model to return: pydantic output schemas.

Strict about types, lenient about extra keys: small models like to add
fields nobody asked for, which are dropped (``extra="ignore"``) rather than
failing the answer.  Every list and string has a maximum length, so a runaway
answer is rejected instead of filling memory.

Nothing here is trusted: names are only checked for shape.  Whether a name is
a known variable, and whether an edge is allowed, is the draft agent's job.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_CANDIDATES = 20
MAX_EDGES = 500
MAX_ITEMS = 100

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]
EdgeKindOut = Literal["directed", "bidirected"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class EdgeOut(_Out):
    """``source -> target`` (directed) or ``source <-> target`` (bidirected: an unobserved common cause)."""

    source: Name
    target: Name
    kind: EdgeKindOut = "directed"
    rationale: Text = ""
    confidence: Confidence | None = None


class CandidateOut(_Out):
    """One candidate DAG over the allowed variable names (plus any suggested missing variables)."""

    name: Short = ""
    summary: Text = ""
    edges: list[EdgeOut] = Field(default_factory=list, max_length=MAX_EDGES)


class ConfounderOut(_Out):
    name: Name
    observed: bool
    rationale: Text = ""
    blocks: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS,
                                description='Back-door paths adjusting for it blocks, e.g. "x <- z -> y".')


class MissingVariableOut(_Out):
    name: Name
    description: Text = ""
    why: Text = ""
    unblocks: Text = Field(default="", description="What measuring it would make possible.")
    affects: list[Name] = Field(default_factory=list, max_length=MAX_ITEMS,
                                description="Observed variables it would cause.")


class RoleOut(_Out):
    name: Name
    role: Literal["instrument", "mediator", "collider"]
    rationale: Text = ""
    conditioning: list[Name] = Field(default_factory=list, max_length=MAX_ITEMS)


class QuestionOut(_Out):
    """The exposure and outcome a question is about (``None`` when the model cannot tell)."""

    exposure: Name | None = None
    outcome: Name | None = None
    rationale: Text = ""
    confidence: Confidence | None = None


class DraftOutput(_Out):
    """Everything ``draft_graph`` asks for, in one answer."""

    inferred_question: QuestionOut | None = None
    candidates: list[CandidateOut] = Field(min_length=1, max_length=MAX_CANDIDATES)
    confounders: list[ConfounderOut] = Field(default_factory=list, max_length=MAX_ITEMS)
    missing_variables: list[MissingVariableOut] = Field(default_factory=list, max_length=MAX_ITEMS)
    roles: list[RoleOut] = Field(default_factory=list, max_length=MAX_ITEMS)
    notes: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)


class EdgeRef(_Out):
    source: Name
    target: Name
    kind: EdgeKindOut = "directed"


class SuggestedEditOut(_Out):
    op: Literal["keep", "remove_edge", "reverse_edge", "set_edge_kind", "add_edge"]
    source: Name | None = None
    target: Name | None = None
    kind: EdgeKindOut = "directed"


class CritiqueItemOut(_Out):
    """A judgement on one edge of the graph (``edge``) or on the proposed edit (``edit``)."""

    edge: EdgeRef | None = None
    edit: Short | None = None
    plausible: bool | None = None
    rationale: Text = ""
    confidence: Confidence | None = None
    suggested_edit: SuggestedEditOut | None = None


class CritiqueOut(_Out):
    items: list[CritiqueItemOut] = Field(default_factory=list, max_length=MAX_EDGES)
    summary: Text = ""


class CheckOut(_Out):
    """The answer to the ``check`` prompt (``causal-assistant llm check``)."""

    ok: bool
    word: Short = ""


SCHEMAS: dict[str, type[BaseModel]] = {
    "check": CheckOut,
    "draft_graph": DraftOutput,
    "critique_graph": CritiqueOut,
    "infer_question": QuestionOut,
}
"""The output schema each prompt template asks for (``repair_output`` reuses the original one)."""
