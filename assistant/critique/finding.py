"""What a critique reports: findings with a stable rule id, the evidence behind them, and a one-click fix.

A :class:`Finding` is one problem (or observation) about a graph, possibly
with its data: which rule raised it, how serious it is, what it involves, the
statistical evidence when the data were read, and a suggested fix written as
:mod:`assistant.edit` operations (plain JSON) that the UI can apply as is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

Severity = Literal["error", "warning", "info"]
Family = Literal["structure", "identification", "data", "temporal", "semantic", "internal"]
Source = Literal["graph", "data", "llm", "knowledge", "engine"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TestEvidence(_Model):
    """A statistical test behind a data finding: a small p-value is evidence against the claim tested."""

    test: str = Field(description="What was tested, e.g. 'A _||_ B | C'.")
    method: str = Field(description="fisherz, gsq, cg-lrt, ols, stratified-ols, ...")
    statistic: float | None = Field(default=None, allow_inf_nan=False)
    dof: float | None = Field(default=None, allow_inf_nan=False)
    p_value: float | None = Field(default=None, ge=0.0, le=1.0)
    p_adjusted: float | None = Field(default=None, ge=0.0, le=1.0,
                                     description="After the multiple-testing correction the report names.")
    n: int | None = Field(default=None, ge=0, description="Rows used.")
    effect: float | None = Field(default=None, allow_inf_nan=False,
                                 description="An effect size where one applies (partial correlation, coefficient).")
    reliable: bool = True
    note: str = ""

    __test__ = False  # not a pytest test class, despite its name


class Finding(_Model):
    rule: str = Field(description="Stable rule id, e.g. 'S001'.")
    name: str = Field(description="The rule's short name, e.g. 'cycle'.")
    severity: Severity
    family: Family
    message: str
    nodes: list[str] = Field(default_factory=list)
    edges: list[str] = Field(default_factory=list, description="Edges involved, written 'a -> b' or 'a <-> b'.")
    evidence: list[TestEvidence] = Field(default_factory=list)
    fix: list[dict[str, JsonValue]] = Field(
        default_factory=list, description="Edit operations (assistant.edit JSON) that resolve the finding, in order.")
    fix_label: str = Field(default="", description="What applying the fix does, for a button.")
    source: Source = "graph"
    rationale: str = Field(default="", description="For LLM findings: the model's reasoning (a claim, not a fact).")

    def sort_key(self) -> tuple[int, str, str]:
        return (SEVERITY_ORDER[self.severity], self.rule, self.message)


class RuleRun(_Model):
    rule: str
    name: str
    status: Literal["ran", "skipped", "failed"]
    reason: str = ""


class DataSummary(_Model):
    """What the data rules could and could not say, so that silence is never mistaken for support."""

    rows: int
    columns_used: list[str] = Field(default_factory=list)
    tests_run: int = 0
    tests_computed: int = Field(default=0, description="Tests actually computed; the rest came from the cache.")
    correction: str = ""
    alpha: float = 0.05
    low_power: bool = False
    counts: dict[str, int] = Field(default_factory=dict,
                                   description="What the data rules counted: implications tested, untestable, ...")
    caveats: list[str] = Field(default_factory=list)


class CritiqueReport(_Model):
    graph_name: str = ""
    exposures: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    rules: list[RuleRun] = Field(default_factory=list)
    data: DataSummary | None = None
    impact: dict[str, JsonValue] | None = Field(default=None, description="EditImpact, when a previous graph was given.")
    notes: list[str] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule or f.name == rule]
