"""D003: an edge of the graph along which the data show no dependence.

Each directed edge is tested locally (its ends given the target's other
parents), each bidirected one given a minimal set that separates its ends once
it is removed; a large p-value is reported as absence of evidence, with the
effect the test could have detected, never as proof that the edge is absent.
"""

from __future__ import annotations

import numpy as np

from assistant.critique.context import CritiqueContext
from assistant.critique.data_support import (
    POWER, _caveat, _evidence, _given, _parents_children, _selection, _sorted, _testable, _tester,
    detectable_correlation, partial_correlation,
)
from assistant.critique.implied_independencies import minimal_separator
from assistant.critique.rules import Example, Rule, rule
from assistant.critique.structure_rules import op
from assistant.edit import RemoveEdge
from assistant.errors import CausalAssistantError
from assistant.stats.citests import format_p


def _separator_without_edge(ctx: CritiqueContext, a: str, b: str, testable: set[str]) -> frozenset | None:
    """A minimal testable set separating ``a`` and ``b`` in the graph with the bidirected edge between them removed."""
    parents, _ = _parents_children(ctx)
    from assistant.graph.dag import latent_node_for

    u = latent_node_for(a, b)
    trimmed = {n: (ps - {u}) for n, ps in parents.items() if n != u}
    return minimal_separator(trimmed, a, b, testable - set(_selection(ctx)), set(_selection(ctx)))


@rule("D003", "edge-unsupported", "info", "data", needs=("data",),
      summary="The data show no dependence along an edge of the graph (absence of evidence, not evidence of absence).",
      explanation="""
For each directed edge ``a -> b`` between testable variables, the local test
asks whether ``a`` still tells something about ``b`` once ``b``'s other parents
are known (``a ⫫ b | pa(b) \\ {a}``).  If the edge is real and the data are
faithful to the graph, the two are dependent given *any* set, so a large
p-value (above alpha, uncorrected) means the data do not support the edge.
For a bidirected edge ``a <-> b`` the test uses a minimal set that separates
``a`` and ``b`` once that edge is removed; when no such set exists the edge is
skipped and counted in the data summary.

This is informational: a test that does not reject has not shown
independence.  The finding gives the rows used and the partial correlation the
test would have detected with 80% power — with few rows only strong edges can
be seen, and an edge may be real but weak, nonlinear, or cancelled by another
path.  The fix removes the edge; apply it only if no other knowledge supports
the edge.
""",
      examples=[
          Example("dag { A -> B -> C A -> C }", True, "A -> C: A tells nothing about C once B is known",
                  data_from="dag { A -> B -> C }", seed=1),
          Example("dag { A -> B -> C A -> C }", False, "every edge carries a clear dependence",
                  data_from="dag { A -> B -> C A -> C }"),
      ])
def edge_unsupported(ctx: CritiqueContext, r: Rule):
    tester = _tester(ctx)
    if tester is None:
        return
    testable = set(_testable(ctx))
    alpha = ctx.options.alpha
    parents_of: dict[str, list[str]] = {n: [] for n in ctx.graph.names}
    for e in ctx.graph.directed_edges():
        parents_of[e.target].append(e.source)
    skipped_bidirected: list[str] = []
    for e in ctx.graph.edges:
        a, b = e.source, e.target
        if a not in testable or b not in testable:
            continue
        omitted: list[str] = []
        if e.kind == "directed":
            others = [p for p in parents_of[b] if p != a]
            given = [p for p in others if p in testable]
            omitted = [p for p in others if p not in testable]
        else:
            if not ctx.acyclic:
                skipped_bidirected.append(str(e))
                continue
            sep = _separator_without_edge(ctx, a, b, testable)
            if sep is None:
                skipped_bidirected.append(str(e))
                continue
            given = [str(n) for n in sep]
        given = list(_sorted(ctx, given))
        try:
            res = tester.test(a, b, given)
        except (CausalAssistantError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            _caveat(ctx, f"the test of {e} failed: {exc}")
            continue
        if not res.reliable:
            _caveat(ctx, f"the support of {e} could not be tested reliably ({res.note})")
            continue
        if res.p_value <= alpha:
            continue
        effect = partial_correlation(tester.prepared, res)
        detectable = detectable_correlation(res.n, len(given), alpha)
        claim = f"{a} _||_ {b}" + (f" | {', '.join(given)}" if given else "")
        power = (f"; with {res.n} rows this test detects a partial correlation of about {detectable:.2f} with "
                 f"{POWER:.0%} power" if detectable is not None else "")
        seen = f" (observed {effect:+.2f})" if effect is not None else ""
        low = (f" Only {ctx.rows} complete rows: weak evidence either way." if ctx.low_power else "")
        left_out = (f" ({', '.join(omitted)} could not be conditioned on: not testable)" if omitted else "")
        what = "the edge" if e.kind == "directed" else "the latent common cause"
        yield r.finding(
            f"no evidence in the data for {e}: {a} vs {b}{_given(given)} has p={format_p(res.p_value)} (n={res.n})"
            f"{seen}{power} — absence of evidence, not evidence of absence; remove {what} only if nothing else "
            f"supports it.{low}{left_out}",
            nodes=[a, b], edges=[str(e)],
            evidence=[_evidence(res, claim=claim, effect=effect,
                                note="no dependence found; a large p-value is not proof of independence")],
            fix=[op(RemoveEdge(source=a, target=b, kind=e.kind))], fix_label=f"remove {e}", source="data")
    if skipped_bidirected:
        _caveat(ctx, f"D003 could not test {len(skipped_bidirected)} bidirected edge(s) "
                     f"({', '.join(skipped_bidirected[:5])}): no testable set separates their ends once the edge "
                     "is removed")
