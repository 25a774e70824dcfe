"""D004: the exposure–outcome association reverses sign once a third variable is taken into account.

Holds the rule and its regression helpers: :func:`ols_coefficient` (the
exposure's least-squares coefficient with its t-test), a cache of those
coefficients that outlives one critique (they do not depend on the graph), the
role the graph gives the third variable (confounder, mediator, collider or
none), which decides the advice, and the per-stratum evidence for a discrete
third variable.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtr

from assistant.critique.context import CritiqueContext
from assistant.critique.data_support import (
    CORRECTIONS, _caveat, _correction, _count, _numeric_values, _parents_children, _selection, _testable, _tester,
    adjust_pvalues,
)
from assistant.critique.finding import TestEvidence
from assistant.critique.rules import Example, Rule, rule
from assistant.critique.structure_rules import op
from assistant.edit import SetAdjusted
from assistant.graph.separation import ancestors_of, descendants_of
from assistant.stats import CITestCache, PreparedData
from assistant.stats.citests import format_p
from assistant.stats.regression import design


@dataclass(frozen=True)
class Coefficient:
    value: float
    se: float
    p_value: float
    n: int
    dof: int


def ols_coefficient(prepared: PreparedData, y: str, x: str, covariates: Sequence[str], rows: np.ndarray
                    ) -> Coefficient | None:
    """The least-squares coefficient of ``x`` in ``y ~ x + covariates`` (per unit of x), with its t-test.

    ``x`` and ``y`` must be continuous or binary; covariates enter as in the
    tests (continuous linearly, discrete as dummies).  None when undefined.
    """
    n = int(rows.sum())
    yv = _numeric_values(prepared, y, rows)
    xv = _numeric_values(prepared, x, rows)
    if yv is None or xv is None or n < 4:
        return None
    sd = float(xv.std())
    if sd <= 0:
        return None
    columns = [np.ones(n), (xv - xv.mean()) / sd]
    matrix = np.column_stack(columns)
    if covariates:
        matrix = np.hstack([matrix, design(prepared, covariates, rows)[:, 1:]])
    try:
        beta, _res, rank, _sv = np.linalg.lstsq(matrix, yv, rcond=None)
        resid = yv - matrix @ beta
        dof = n - int(rank)
        if dof < 1:
            return None
        sigma2 = float(resid @ resid) / dof
        cov = sigma2 * np.linalg.pinv(matrix.T @ matrix)
    except (np.linalg.LinAlgError, ValueError):
        return None
    var = float(cov[1, 1])
    if not (var > 0 and math.isfinite(var)):
        return None
    se = math.sqrt(var)
    t = float(beta[1]) / se
    return Coefficient(value=float(beta[1]) / sd, se=se / sd, p_value=float(2 * stdtr(dof, -abs(t))), n=n, dof=dof)


#: Regression results by (data fingerprint, y, x, covariates, incomplete columns), kept as long as the caller's
#: CITestCache: they do not depend on the graph, so a critique after an edit reuses them.
_REGRESSIONS: "weakref.WeakKeyDictionary[CITestCache, dict[tuple, Coefficient | None]]" = weakref.WeakKeyDictionary()


def _cached_coefficient(ctx: CritiqueContext, prepared: PreparedData, y: str, x: str, covariates: Sequence[str],
                        rows: np.ndarray, gaps: tuple[str, ...]) -> Coefficient | None:
    try:
        store = _REGRESSIONS.setdefault(ctx.cache, {})
    except TypeError:  # a cache that cannot be weakly referenced: no reuse
        store = ctx.memo.setdefault("_regressions", {})
    key = (prepared.fingerprint, y, x, tuple(covariates), gaps)
    if key not in store:
        store[key] = ols_coefficient(prepared, y, x, covariates, rows)
    return store[key]


def _role_of(ctx: CritiqueContext, x: str, y: str, c: str) -> str:
    """What the graph makes ``c`` for the effect of ``x`` on ``y``: confounder, mediator, collider or other."""
    parents, children = _parents_children(ctx)
    de_x = descendants_of(children, [x])
    if c in de_x:
        if c in ancestors_of(parents, [y]):
            return "mediator"
        return "collider"  # a descendant of the exposure off the causal paths: a collider or its descendant
    if c in descendants_of(children, [y]):
        return "collider"
    if c in ancestors_of(parents, [x]):
        # a cause of y along a path that avoids x
        without_x = {n: (ps - {x}) for n, ps in parents.items()}
        if c in ancestors_of(without_x, [y]):
            return "confounder"
    return "other"


def _level_labels(ctx: CritiqueContext, c: str) -> list[str]:
    try:
        return [str(v) for v in pd.factorize(ctx.data[c], sort=True)[1]]  # type: ignore[index]
    except TypeError:
        return [str(v) for v in pd.factorize(ctx.data[c].map(lambda v: v if pd.isna(v) else str(v)),  # type: ignore
                                             sort=True)[1]]


@rule("D004", "simpson-reversal", "warning", "data", needs=("data", "query", "dag"),
      summary="The exposure–outcome association reverses sign once a third variable is taken into account.",
      explanation="""
Simpson's paradox: the association of the exposure X with the outcome Y has
one sign overall and the opposite sign given a third variable C.  For each
testable C the rule compares the least-squares coefficient of X in ``Y ~ X``
with the one in ``Y ~ X + C`` (C continuous enters linearly; a discrete C
enters as one dummy per level, which pools the stratified comparisons, and the
per-stratum coefficients are shown as evidence).  A reversal is reported when
the signs differ and *both* coefficients are significant: the candidate's
p-value is the larger of the two (an intersection–union test), corrected over
the candidates with the critique's correction.  X and Y must be continuous or
binary (a binary outcome gives a linear-probability coefficient).

Which of the two associations is right is a causal question the data cannot
answer, and the graph can:

* C is a **confounder** (a cause of X and, not through X, of Y): the adjusted
  association estimates the effect — adjust for C (the fix adds it).
* C is a **mediator** or a **collider** (a descendant of X or of Y): the
  marginal association is the total effect; adjusting for C would be wrong (if
  C is adjusted, the fix removes it; otherwise the finding is informational).
* C has **no role** in the graph: yet adjusting for it changes the sign, so the
  graph probably misses an edge from C to X or to Y.

Assumes linear relations; a reversal that depends on an interaction is seen
only through its average.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }", True,
                  "C confounds X and Y strongly enough to flip the sign; C is not adjusted",
                  data_from="dag { C -> X -> Y C -> Y }", weights={"X -> Y": -0.5, "C -> Y": 1.5}),
          Example("dag { X [exposure] Y [outcome] C [adjusted] X -> C -> Y X -> Y }", True,
                  "C is a mediator, and adjusting for it flips the sign of the X–Y association",
                  data_from="dag { X -> C -> Y X -> Y }", weights={"X -> Y": -0.3, "C -> Y": 1.0}),
          Example("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }", False,
                  "adjusting for C changes the association but not its sign",
                  data_from="dag { C -> X -> Y C -> Y }"),
      ])
def simpson_reversal(ctx: CritiqueContext, r: Rule):
    tester = _tester(ctx)
    if tester is None:
        return
    prepared = tester.prepared
    testable = _testable(ctx)
    alpha = ctx.options.alpha
    method = _correction(ctx)
    selection = set(_selection(ctx))
    adjusted = list(ctx.graph.adjusted)
    for x in ctx.exposures:
        for y in ctx.outcomes:
            if x not in testable or y not in testable:
                continue
            candidates: list[tuple[str, Coefficient, Coefficient, float]] = []
            skipped = False
            for c in testable:
                if c in (x, y) or c in ctx.exposures or c in ctx.outcomes or c in selection:
                    continue
                rows = prepared.mask([x, y, c])
                gaps = tuple(n for n in (x, y, c) if not prepared.present[n].all())
                b0 = _cached_coefficient(ctx, prepared, y, x, [], rows, gaps)
                if b0 is None:
                    skipped = True
                    break
                b1 = _cached_coefficient(ctx, prepared, y, x, [c], rows, gaps)
                if b1 is None:
                    continue
                reversal = b0.value * b1.value < 0
                candidates.append((c, b0, b1, max(b0.p_value, b1.p_value) if reversal else 1.0))
            if skipped:
                _caveat(ctx, f"D004 skipped {x} -> {y}: the exposure and the outcome must be continuous or binary "
                             "for the coefficient comparison")
                continue
            adjusted_p = adjust_pvalues([p for *_rest, p in candidates], method)
            for (c, b0, b1, p), p_adj in zip(candidates, adjusted_p):
                if p_adj > alpha:
                    continue
                yield from _simpson_finding(ctx, r, x, y, c, b0, b1, p_adj, method, adjusted, len(candidates))


def _simpson_finding(ctx: CritiqueContext, r: Rule, x: str, y: str, c: str, b0: Coefficient, b1: Coefficient,
                     p_adj: float, method: str, adjusted: list[str], family: int):
    role = _role_of(ctx, x, y, c)
    label = CORRECTIONS[method]
    what = (f"the association of {x} with {y} reverses when {c} is taken into account: {b0.value:+.3g} overall "
            f"(p={format_p(b0.p_value)}) but {b1.value:+.3g} given {c} (p={format_p(b1.p_value)}), n={b1.n}; "
            f"{label}-adjusted p={format_p(p_adj)} over {_count(family, 'candidate')}")
    evidence = [
        TestEvidence(test=f"{y} ~ {x}", method="ols", statistic=b0.value / b0.se, dof=b0.dof, p_value=b0.p_value,
                     n=b0.n, effect=b0.value, note="coefficient of the exposure, no adjustment"),
        TestEvidence(test=f"{y} ~ {x} + {c}", method="ols", statistic=b1.value / b1.se, dof=b1.dof,
                     p_value=b1.p_value, p_adjusted=p_adj, n=b1.n, effect=b1.value,
                     note=f"coefficient of the exposure given {c}"),
    ]
    tester = _tester(ctx)
    prepared = tester.prepared  # type: ignore[union-attr]
    if prepared.kinds[c] == "discrete":
        labels = _level_labels(ctx, c)
        base = prepared.mask([x, y, c])
        for level in range(min(prepared.levels[c], 6)):
            rows = base & (prepared.codes[c] == level)
            if int(rows.sum()) < 20:
                continue
            coef = ols_coefficient(prepared, y, x, [], rows)
            if coef is not None:
                name = labels[level] if level < len(labels) else str(level)
                evidence.append(TestEvidence(test=f"{y} ~ {x} where {c} = {name}", method="stratified-ols",
                                             statistic=coef.value / coef.se, dof=coef.dof, p_value=coef.p_value,
                                             n=coef.n, effect=coef.value, note="within one stratum"))
    nodes = [x, y, c]
    if role == "confounder":
        if c in adjusted:
            return
        yield r.finding(f"{what}. The graph makes {c} a confounder (a cause of both {x} and {y}), so the adjusted "
                        f"association is the one that estimates the effect: adjust for {c}",
                        nodes=nodes, evidence=evidence, fix=[op(SetAdjusted(names=[*adjusted, c]))],
                        fix_label=f"adjust for {c}", source="data")
    elif role in ("mediator", "collider"):
        kind = ("a mediator (on a causal path from " + x + " to " + y + ")" if role == "mediator"
                else "a collider or a descendant of one (caused by " + x + " or " + y + ")")
        if c in adjusted:
            yield r.finding(f"{what}. The graph makes {c} {kind}, so the marginal association is the total effect "
                            f"and adjusting for {c} gives the wrong sign: stop adjusting for it",
                            nodes=nodes, evidence=evidence,
                            fix=[op(SetAdjusted(names=[n for n in adjusted if n != c]))],
                            fix_label=f"stop adjusting for {c}", source="data")
        else:
            yield r.finding(f"{what}. The graph makes {c} {kind}, so the marginal association is the right one "
                            f"for the total effect; do not adjust for {c}", severity="info", nodes=nodes,
                            evidence=evidence, source="data")
    else:
        yield r.finding(f"{what}. The graph gives {c} no role between {x} and {y} (neither a common cause, a "
                        f"mediator nor a collider), yet adjusting for it flips the sign: the graph probably misses "
                        f"an edge from {c} to {x} or to {y}", nodes=nodes, evidence=evidence, source="data")
