"""Edges: directed causal claims and bidirected latent-confounding claims, with provenance."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.model.variable import check_name, check_text, check_unicode

EdgeKind = Literal["directed", "bidirected"]
Provenance = Literal["expert", "llm", "data", "import"]


class Evidence(BaseModel):
    """One piece of evidence for or against an edge (a test, a rule, a citation)."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="What produced it: ci-test, tier-rule, llm, literature, expert, ...")
    summary: str = ""
    method: str | None = None
    statistic: float | None = Field(default=None, allow_inf_nan=False)
    p_value: float | None = Field(default=None, ge=0.0, le=1.0)
    n: int | None = Field(default=None, ge=0)
    supports: bool | None = Field(default=None, description="True for, False against, None if neutral.")

    @field_validator("source", "summary", "method")
    @classmethod
    def _valid_text(cls, value: str | None) -> str | None:
        return None if value is None else check_unicode(value, what="evidence text")


class Edge(BaseModel):
    """``source -> target`` (directed) or ``source <-> target`` (bidirected: a latent common cause)."""

    model_config = ConfigDict(extra="forbid")

    source: str
    target: str
    kind: EdgeKind = "directed"
    provenance: Provenance = "expert"
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    rationale: str = ""
    evidence: list[Evidence] = Field(default_factory=list)

    @field_validator("source", "target")
    @classmethod
    def _endpoint_is_a_name(cls, value: str) -> str:
        return check_name(value)

    @field_validator("rationale")
    @classmethod
    def _rationale_is_text(cls, value: str) -> str:
        return check_text(value, multiline=True, what="rationale")

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of the edge: bidirected edges are unordered."""
        if self.kind == "bidirected":
            a, b = sorted((self.source, self.target))
            return (a, b, self.kind)
        return (self.source, self.target, self.kind)

    def __str__(self) -> str:
        arrow = "->" if self.kind == "directed" else "<->"
        return f"{self.source} {arrow} {self.target}"
