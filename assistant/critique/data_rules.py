"""Data rules (D…): does the data agree with what the graph implies?  This module holds D006 (few rows).

A causal graph is falsifiable: every pair of variables it leaves unconnected
is a claim that some set of measured variables makes them independent.  The
data rules test those claims (D001, D002: :mod:`assistant.critique.implied_rules`,
planned in :mod:`assistant.critique.implied_independencies`), look for edges
the data do not support (D003: :mod:`assistant.critique.edge_support_rules`),
for associations that reverse sign under adjustment (D004:
:mod:`assistant.critique.simpson_rules`), for selection on a collider (D005, a
graph check: :mod:`assistant.critique.selection_rules`), and say here when the
data are too few for silence to mean anything (D006).  Their shared helpers
are in :mod:`assistant.critique.data_support`.  ``data_rules_intro.md`` (next
to this file) explains what the tests assume and when not to trust them.
"""

from __future__ import annotations

from assistant.critique.context import LOW_POWER_ROWS, CritiqueContext
from assistant.critique.data_support import CORRECTIONS, POWER, _correction, _count, _evidence, detectable_correlation
from assistant.critique.implied_independencies import implied_tests
from assistant.critique.rules import Example, Rule, rule


@rule("D006", "few-rows", "info", "data", needs=("data",),
      summary="Too few complete rows (overall or per test) for the data tests to have power: silence is not support.",
      explanation=f"""
A critique that finds no data violation is only reassuring if the tests could
have found one.  This rule speaks up when they could not: fewer than
{LOW_POWER_ROWS} complete rows, implied independencies whose test had too few
rows per degree of freedom (a G² test on a sparse table is not run, and
independence is then *assumed*), or tests that lost most of their rows to
missing values.  It states the smallest partial correlation the tests could
detect with {POWER:.0%} power after the multiple-testing correction.

The remedy is more data, fewer levels in categorical columns (merge rare
categories), or fewer variables in the graph.
""",
      examples=[
          Example("dag { A -> B -> C }", True, "100 rows", data_from="dag { A -> B -> C }", rows=100),
          Example("dag { A -> B -> C }", False, "2000 rows", data_from="dag { A -> B -> C }"),
      ])
def few_rows(ctx: CritiqueContext, r: Rule):
    plan = implied_tests(ctx) if ctx.acyclic else None
    alpha = ctx.options.alpha
    family = max(plan.family, 1) if plan is not None else 1
    used = [t.result.n for t in plan.reliable] if plan is not None else []
    if ctx.low_power:
        if used and min(used) >= LOW_POWER_ROWS:
            yield r.finding(f"only {ctx.rows} rows are complete in every column, but each test used the rows "
                            f"complete in its own columns (at least {min(used)}): the tests have more power than "
                            "the complete rows suggest", nodes=[], source="data")
        else:
            n = min(used) if used else ctx.rows
            detectable = detectable_correlation(n, 0, alpha / family)
            power = (f"; at this size the tests detect only partial correlations above about {detectable:.2f} with "
                     f"{POWER:.0%} power ({CORRECTIONS[_correction(ctx)]}-corrected over "
                     f"{_count(family, 'test')})" if detectable is not None else "")
            fewest = f" (the smallest test used {n})" if used and n != ctx.rows else ""
            yield r.finding(f"only {ctx.rows} complete rows (fewer than {LOW_POWER_ROWS}){fewest}{power}: finding "
                            "no violation is weak evidence that the graph fits", nodes=[], source="data")
    if plan is not None and plan.unreliable:
        shown = "; ".join(f"{t.implication} ({t.result.note or 'not run'})" for t in plan.unreliable[:3])
        more = f" and {len(plan.unreliable) - 3} more" if len(plan.unreliable) > 3 else ""
        nodes = list(dict.fromkeys(n for t in plan.unreliable for n in (t.implication.a, t.implication.b)))
        yield r.finding(f"{len(plan.unreliable)} of {len(plan.tests)} implied independencies could not be tested "
                        f"reliably, so independence was assumed, not checked: {shown}{more}",
                        nodes=nodes, evidence=[_evidence(t.result, claim=str(t.implication))
                                               for t in plan.unreliable[:5]], source="data")
