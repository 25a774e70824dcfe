"""What a draft returns: ranked candidate graphs and suggestions, each with provenance and evidence.

Nothing here is a fact.  Every edge carries its ``provenance`` (``llm`` or
``data``), a rationale and the evidence for or against it; every suggestion
says where it came from.  Claims a guard refused are kept in ``rejected`` with
the reason, so the expert sees what was proposed and why it was not accepted.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.model import CausalGraph, Evidence, Provenance

Source = Literal["llm", "data", "knowledge", "graph"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Candidate(_Model):
    """One proposed DAG; rank 1 is the best by ``score`` (higher is better)."""

    rank: int = Field(ge=1)
    graph: CausalGraph
    score: float | None = None
    score_name: str = ""
    summary: str = ""


class ConfounderSuggestion(_Model):
    name: str
    observed: bool
    rationale: str = ""
    blocks: list[str] = Field(default_factory=list, description="Back-door paths adjusting for it would block.")
    provenance: Source = "llm"
    evidence: list[Evidence] = Field(default_factory=list)


class MissingVariableSuggestion(_Model):
    """A variable worth collecting: added to candidates as a clearly marked latent node."""

    name: str
    description: str = ""
    why: str = ""
    unblocks: str = Field(default="", description="What measuring it would make possible.")
    affects: list[str] = Field(default_factory=list, description="Observed variables it would cause.")
    provenance: Source = "llm"
    evidence: list[Evidence] = Field(default_factory=list)


class RoleSuggestion(_Model):
    """An instrument, a mediator, or a collider to beware of."""

    name: str
    role: Literal["instrument", "mediator", "collider"]
    rationale: str = ""
    conditioning: list[str] = Field(default_factory=list)
    provenance: Source = "llm"
    evidence: list[Evidence] = Field(default_factory=list)


class RejectedClaim(_Model):
    """A proposal a guard refused or repaired, and why."""

    claim: str
    reason: str
    provenance: Source = "llm"


class Usage(_Model):
    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def add(self, other: "Usage") -> "Usage":
        return Usage(**{k: getattr(self, k) + getattr(other, k) for k in Usage.model_fields})


class DraftResult(_Model):
    backend: str
    model: str | None = None
    exposure: str | None = None
    outcome: str | None = None
    exposure_outcome_inferred: bool = False
    candidates: list[Candidate] = Field(default_factory=list)
    confounders: list[ConfounderSuggestion] = Field(default_factory=list)
    missing_variables: list[MissingVariableSuggestion] = Field(default_factory=list)
    roles: list[RoleSuggestion] = Field(default_factory=list)
    rejected: list[RejectedClaim] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    steps: list[str] = Field(default_factory=list, description="What the assistant did, in order (for a status view).")
    notes: list[str] = Field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


EDGE_PROVENANCE: dict[Source, Provenance] = {"llm": "llm", "data": "data", "knowledge": "expert", "graph": "import"}


class EdgeJudgement(_Model):
    """A critique of one edge (or of a missing one): plausible or not, why, and a fix as an edit operation."""

    edge: str
    plausible: bool | None = None
    rationale: str = ""
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    suggested_edit: dict | None = Field(default=None, description="An assistant.edit operation, as JSON.")
    provenance: Source = "llm"
