"""D001 and D002: an independence the graph implies is contradicted by the data.

Both rules report violations from the one family of implied-independence
tests (:mod:`assistant.critique.implied_independencies`): D001 those with a
non-empty separating set, D002 the pairs the graph leaves with no open path at
all.  A violation carries the test's evidence and effect size and, as its fix,
the edge that would explain it — directed so that the graph stays acyclic and
respects tiers, or bidirected when no direction may be.
"""

from __future__ import annotations

from typing import Iterable

import networkx as nx

from assistant.critique.context import CritiqueContext
from assistant.critique.data_support import (
    CORRECTIONS, _count, _evidence, _finite, _given, _order, _parents_children, _tester, partial_correlation,
)
from assistant.critique.implied_independencies import ImpliedTest, implied_tests
from assistant.critique.rules import Example, Rule, rule
from assistant.critique.structure_rules import op
from assistant.edit import AddEdge
from assistant.graph.separation import ancestors_of
from assistant.model import Edge, Evidence
from assistant.stats.citests import LABELS, format_p


def _topological_index(ctx: CritiqueContext) -> dict[str, int]:
    if "_topo" not in ctx.memo:
        order = _order(ctx)
        directed = nx.DiGraph()
        directed.add_nodes_from(ctx.graph.names)
        directed.add_edges_from((e.source, e.target) for e in ctx.graph.directed_edges())
        topo = nx.lexicographical_topological_sort(directed, key=order.get)
        ctx.memo["_topo"] = {n: i for i, n in enumerate(topo)}
    return ctx.memo["_topo"]


def _missing_edge_fix(ctx: CritiqueContext, a: str, b: str, rationale: str,
                      evidence: Evidence) -> tuple[list[dict], str, str]:
    """An edge between ``a`` and ``b`` that keeps the graph acyclic and respects tiers: (fix, label, text).

    Directed from the one earlier in a topological order (so never a cycle),
    unless tiers say otherwise; bidirected when no direction is allowed.
    """
    topo = _topological_index(ctx)
    tiers = {v.name: v.tier for v in ctx.graph.variables}
    parents, _ = _parents_children(ctx)
    first, second = sorted((a, b), key=lambda n: topo[n])
    choice: tuple[str, str] | None = None
    for s, t in ((first, second), (second, first)):
        if tiers[s] is not None and tiers[t] is not None and tiers[s] > tiers[t]:
            continue  # would point back in time
        if t in ancestors_of(parents, [s]):
            continue  # would close a cycle
        choice = (s, t)
        break
    if choice is None:
        edge = Edge(source=first, target=second, kind="bidirected", provenance="data", rationale=rationale,
                    evidence=[evidence])
        return [op(AddEdge(edge=edge))], f"add {edge}", f"a latent common cause {edge}"
    edge = Edge(source=choice[0], target=choice[1], provenance="data", rationale=rationale, evidence=[evidence])
    return [op(AddEdge(edge=edge))], f"add {edge}", f"an edge {edge} (or a latent common cause {a} <-> {b})"


def _effect(ctx: CritiqueContext, t: ImpliedTest) -> float | None:
    if not t.effect_done:
        tester = _tester(ctx)
        t.effect = partial_correlation(tester.prepared, t.result) if tester is not None else None
        t.effect_done = True
    return t.effect


def _violations(ctx: CritiqueContext, marginal: bool) -> Iterable[ImpliedTest]:
    plan = implied_tests(ctx)
    alpha = ctx.options.alpha
    for t in plan.reliable:
        if bool(t.implication.given) == marginal:
            continue
        if t.p_adjusted is not None and t.p_adjusted <= alpha:
            yield t


def _violation_finding(ctx: CritiqueContext, r: Rule, t: ImpliedTest, marginal: bool):
    imp, res = t.implication, t.result
    plan = implied_tests(ctx)
    effect = _effect(ctx, t)
    label = CORRECTIONS[plan.correction]
    size = f", partial correlation {effect:+.2f}" if effect is not None and imp.given else \
        f", correlation {effect:+.2f}" if effect is not None else ""
    stat = (f"{LABELS.get(res.method, res.method)}={res.statistic:.4g}"
            + (f", dof={res.dof:g}" if res.dof is not None else "")
            + f", p={format_p(res.p_value)}, {label}-adjusted p={format_p(t.p_adjusted or 0.0)} over "
              f"{_count(plan.family, 'test')}, n={res.n}{size}")
    evidence = _evidence(res, claim=str(imp), p_adjusted=t.p_adjusted, effect=effect)
    edge_evidence = Evidence(source="ci-test", summary=res.describe(), method=res.method,
                             statistic=_finite(res.statistic), p_value=min(max(res.p_value, 0.0), 1.0), n=res.n,
                             supports=True)
    if marginal:
        rationale = f"the data show {imp.a} and {imp.b} dependent ({stat}) though the graph has no open path"
        fix, fix_label, explain = _missing_edge_fix(ctx, imp.a, imp.b, rationale, edge_evidence)
        message = (f"{imp.a} and {imp.b} are dependent ({stat}), but the graph leaves no open path between them "
                   f"(they are d-separated with nothing conditioned on): a missing edge or a missing confounder? "
                   f"{explain[0].upper() + explain[1:]} would explain it")
    else:
        rationale = f"the data contradict {imp} ({stat})"
        fix, fix_label, explain = _missing_edge_fix(ctx, imp.a, imp.b, rationale, edge_evidence)
        message = (f"{imp.a} and {imp.b} are dependent{_given(imp.given)} ({stat}), but the graph implies "
                   f"{imp}: {explain} would explain it, or a path the graph blocks is in fact open")
    return r.finding(message, nodes=[imp.a, imp.b, *imp.given], evidence=[evidence], fix=fix, fix_label=fix_label,
                     source="data")


@rule("D001", "implied-independence-violated", "warning", "data", needs=("data", "dag"),
      summary="An independence the graph implies between two non-adjacent variables is contradicted by the data.",
      explanation="""
Every pair of observed variables the graph leaves non-adjacent is a claim: some
set of other observed variables makes them independent (they are
d-separated).  For each such pair of testable variables this rule takes **one**
minimal separating set — the smaller of the minimal separators closest to
either variable — and tests the conditional independence with the test the
column types call for (Fisher-z for continuous columns, G² for discrete ones,
a conditional-Gaussian likelihood-ratio test for a mix).  Each pair is tested
once, so the number of tests is the number of non-adjacent pairs (capped by
``max_implications``, smallest conditioning sets first).

**Multiple testing.**  The tests of D001 and D002 form *one family*: they are
the same kind of claim (D002 merely reports the pairs with an empty
separating set), and a graph with 50 variables implies about a thousand of
them, so without correction dozens would "fail" by chance alone.  The default
is Holm's step-down correction, which keeps the chance of *any* false alarm
on a correct graph below alpha; ``correction="bh"`` uses Benjamini–Hochberg,
which keeps the expected *fraction* of false alarms below alpha and has more
power on large graphs.  Tests the data cannot support (too few rows per
degree of freedom) are left out of the family and counted in the data
summary, never silently passed.

A violation reports the statistic, the raw and adjusted p-values, the rows
used and the partial correlation, and suggests the edge that would explain it,
directed from the variable earlier in a topological order (so the graph stays
acyclic; reversed when tiers require it) — or the alternative, a latent
common cause ``a <-> b``, which the data cannot tell apart from an edge.
Pairs that can only be separated through latent or untested variables cannot
be tested; they are counted in the data summary.  When the data were selected
on a variable (role ``selection``), the implied independencies are those that
hold given it.

**When not to trust it.**  Fisher-z assumes linear relations; a nonlinear
relation can both hide and fake dependence.  G² on sparse tables is somewhat
anti-conservative.  A violation says *some* claim of the graph near this pair
is wrong — often a missing edge, sometimes a wrong direction elsewhere that
blocks the wrong path — not necessarily that this exact edge is missing.
""",
      examples=[
          Example("dag { A -> B -> C }", True, "A and C stay dependent given B: A -> C is missing",
                  data_from="dag { A -> B -> C A -> C }"),
          Example("dag { A -> B -> C D -> C }", False,
                  "the data come from this graph: every implied independence holds",
                  data_from="dag { A -> B -> C D -> C }"),
      ])
def implied_independence_violated(ctx: CritiqueContext, r: Rule):
    for t in _violations(ctx, marginal=False):
        yield _violation_finding(ctx, r, t, marginal=False)


@rule("D002", "dependence-without-path", "warning", "data", needs=("data", "dag"),
      summary="Two variables the graph leaves with no open path at all are clearly dependent in the data.",
      explanation="""
When two variables are d-separated with nothing conditioned on — no directed
path between them, no common cause, only paths through colliders if any — the
graph says they are independent outright.  A dependence that survives the
multiple-testing correction (D001 and D002 are one family of tests, see D001)
means the graph is missing an edge between them or a common cause of both: the
finding asks which, and offers the directed edge as the fix (a bidirected edge
``a <-> b`` is the other answer).

The test is marginal, so it is the most powerful and the least assumption-laden
of the implied independencies; still, a variable cut from a continuous one, or
a nonlinear relation, can mislead it (see the introduction).
""",
      examples=[
          Example("dag { A -> B <- C }", True, "A and C only meet at the collider B, yet they are dependent",
                  data_from="dag { A -> B <- C A -> C }"),
          Example("dag { A -> B <- C }", False, "A and C are independent, as the collider graph says",
                  data_from="dag { A -> B <- C }"),
      ])
def dependence_without_path(ctx: CritiqueContext, r: Rule):
    for t in _violations(ctx, marginal=True):
        yield _violation_finding(ctx, r, t, marginal=True)
