"""Temporal rules (T…): edges must not point back in time, and exogenous variables have no causes."""

from __future__ import annotations

from assistant.critique.context import CritiqueContext
from assistant.critique.rules import Example, Rule, rule
from assistant.critique.structure_rules import op
from assistant.edit import RemoveEdge, ReverseEdge


@rule("T001", "edge-against-time", "error", "temporal",
      summary="A directed edge points from a later temporal tier to an earlier one.",
      explanation="""
Tiers order variables in time (0 first): a cause precedes its effect, so an
edge may stay within a tier or go forward, never back.  The fix reverses the
edge.  Bidirected edges (latent common causes) may join any tiers.
""",
      examples=[Example("dag { A -> B }", True, "B (tier 0) cannot be caused by A (tier 1)", tiers={"A": 1, "B": 0}),
                Example("dag { A -> B A <-> C }", False, "forward in time; a bidirected edge may join any tiers",
                        tiers={"A": 0, "B": 1, "C": 0})])
def edge_against_time(ctx: CritiqueContext, r: Rule):
    tiers = {v.name: v.tier for v in ctx.graph.variables}
    for e in ctx.graph.directed_edges():
        a, b = tiers[e.source], tiers[e.target]
        if a is not None and b is not None and a > b:
            yield r.finding(f"{e} points back in time: {e.source} is in tier {a}, {e.target} in tier {b}",
                            nodes=[e.source, e.target], edges=[str(e)],
                            fix=[op(ReverseEdge(source=e.source, target=e.target))],
                            fix_label=f"reverse to {e.target} -> {e.source}")


@rule("T002", "exogenous-has-parent", "warning", "temporal",
      summary="A variable marked exogenous (age, sex, genotype, ...) has a cause in the graph.",
      explanation="""
Marking a variable exogenous says nothing in the model causes it.  An edge
into it contradicts that mark: either the edge points the wrong way, or the
mark is wrong.  The fix removes the edge.
""",
      examples=[Example("dag { income -> age }", True, "income -> age", roles={"age": "exogenous"}),
                Example("dag { age -> income }", False, "age only has children", roles={"age": "exogenous"})])
def exogenous_has_parent(ctx: CritiqueContext, r: Rule):
    exogenous = {v.name for v in ctx.graph.variables if v.role == "exogenous"}
    for e in ctx.graph.directed_edges():
        if e.target in exogenous:
            yield r.finding(f"{e.target} is marked exogenous but {e} gives it a cause",
                            nodes=[e.target, e.source], edges=[str(e)],
                            fix=[op(RemoveEdge(source=e.source, target=e.target))], fix_label=f"remove {e}")
