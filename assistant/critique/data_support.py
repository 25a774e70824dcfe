"""What the data rules (D…) share: multiple-testing correction, power and effect sizes, evidence records, the tester.

The statistics helpers (:func:`adjust_pvalues` for Holm or Benjamini–Hochberg,
:func:`detectable_correlation` for the effect a test could have seen,
:func:`partial_correlation` for the one it saw), the builders of a finding's
evidence and wording, and the per-critique state every data rule reads from
``ctx.memo``: the data summary and its caveats, the independence tester (with
a fallback over the columns that can be encoded when some cannot), the chosen
correction, and the graph's order, adjacency and selection variables.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
from scipy.special import ndtri

from assistant.critique.context import CritiqueContext
from assistant.critique.finding import TestEvidence
from assistant.errors import CausalAssistantError
from assistant.graph.dag import Node
from assistant.graph.separation import adjacency
from assistant.stats import CITester, CITestResult, PreparedData
from assistant.stats.regression import design


CORRECTIONS = {"holm": "Holm", "bh": "Benjamini–Hochberg"}
#: Power used when the rules say what effect a test could have detected.
POWER = 0.8


# --------------------------------------------------------------------------------------------- statistics helpers
def adjust_pvalues(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Multiple-testing adjusted p-values: Holm (family-wise error) or Benjamini–Hochberg (false discovery rate).

    Both are monotone in the raw p-values and never smaller than them.

    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm")
    [0.03, 0.06, 0.06]
    >>> [round(p, 3) for p in adjust_pvalues([0.01, 0.04, 0.03], "bh")]
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(list(p_values), dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="mergesort")
    ranked = p[order]
    if method == "bh":
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    elif method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        raise ValueError(f"unknown correction {method!r}: choose holm or bh")
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return [float(v) for v in out]


def detectable_correlation(n: int, given: int = 0, level: float = 0.05, power: float = POWER) -> float | None:
    """The partial correlation a two-sided Fisher-z test at ``level`` detects with ``power`` on ``n`` rows.

    An approximation for the other tests too: it tells the reader how strong a
    dependence would have to be for its absence to mean something.

    >>> round(detectable_correlation(1000), 3)
    0.088
    """
    dof = n - given - 3
    if dof < 1 or not 0 < level < 1:
        return None
    z = float(ndtri(1 - level / 2) + ndtri(power))
    return float(math.tanh(z / math.sqrt(dof)))


def _numeric_values(prepared: PreparedData, name: str, rows: np.ndarray) -> np.ndarray | None:
    """A column as numbers on ``rows``: continuous values, or a binary column's 0/1; None otherwise."""
    if prepared.kinds[name] == "continuous" and prepared.numeric[name] is not None:
        return prepared.numeric[name][rows]  # type: ignore[index]
    codes = prepared.codes[name][rows]
    if len(np.unique(codes)) <= 2:
        numeric = prepared.numeric[name]
        return numeric[rows] if numeric is not None else codes.astype(float)
    return None


def partial_correlation(prepared: PreparedData, result: CITestResult) -> float | None:
    """The partial correlation of a test's two variables given its conditioning set, where it is defined.

    Fisher-z's comes from its statistic; for the other tests both variables must
    be continuous or binary (the conditioning set enters as in the tests:
    continuous linearly, discrete as dummies).  None for a many-level
    categorical variable.
    """
    z = tuple(result.z)
    if result.method == "fisherz":
        dof = result.n - len(z) - 3
        return float(math.tanh(result.statistic / math.sqrt(dof))) if dof > 0 else None
    try:
        rows = prepared.mask([result.x, result.y, *z])
        if int(rows.sum()) < len(z) + 4:
            return None
        xs, ys = _numeric_values(prepared, result.x, rows), _numeric_values(prepared, result.y, rows)
        if xs is None or ys is None:
            return None
        base = design(prepared, z, rows)
        coef, *_ = np.linalg.lstsq(base, np.column_stack([xs, ys]), rcond=None)
        resid = np.column_stack([xs, ys]) - base @ coef
        sx, sy = resid[:, 0].std(), resid[:, 1].std()
        if sx <= 0 or sy <= 0:
            return None
        return float(np.clip(np.mean((resid[:, 0] - resid[:, 0].mean()) * (resid[:, 1] - resid[:, 1].mean()))
                             / (sx * sy), -1.0, 1.0))
    except (ValueError, np.linalg.LinAlgError):
        return None


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _evidence(result: CITestResult, *, claim: str, p_adjusted: float | None = None, effect: float | None = None,
              note: str = "") -> TestEvidence:
    notes = "; ".join(n for n in (result.note, note) if n)
    return TestEvidence(test=claim, method=result.method, statistic=_finite(result.statistic), dof=_finite(result.dof),
                        p_value=min(max(result.p_value, 0.0), 1.0), p_adjusted=p_adjusted, n=result.n,
                        effect=_finite(effect), reliable=result.reliable, note=notes)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _given(names: Iterable[str]) -> str:
    names = list(names)
    return f" given {{{', '.join(names)}}}" if names else ""


def _stats(ctx: CritiqueContext) -> dict[str, Any]:
    """``ctx.memo['data_stats']``, which the runner turns into the report's data summary."""
    return ctx.memo.setdefault("data_stats", {"caveats": []})


def _caveat(ctx: CritiqueContext, text: str) -> None:
    caveats = _stats(ctx).setdefault("caveats", [])
    if text not in caveats:
        caveats.append(text)


def _tester(ctx: CritiqueContext) -> CITester | None:
    """``ctx.tester``, or — when a column cannot be encoded (text in a column declared numeric, infinities) — a
    tester over the columns that can, with a caveat naming the others."""
    if "tester" in ctx.__dict__ or "_tester_failed" not in ctx.memo:
        try:
            return ctx.tester
        except CausalAssistantError:
            ctx.memo["_tester_failed"] = True
    if "_fallback_tester" in ctx.memo:
        return ctx.memo["_fallback_tester"]
    assert ctx.data is not None
    good: list[str] = []
    for c in ctx.testable:
        try:
            PreparedData.from_frame(ctx.data[[c]], {c: ctx.column_types[c]}, data_fingerprint="")
            good.append(c)
        except CausalAssistantError as exc:
            _caveat(ctx, f"column {c!r} cannot be tested: {exc}")
    tester = None
    if len(good) >= 2:
        from assistant.stats.data import fingerprint

        if ctx.data_fingerprint is None:
            ctx.data_fingerprint = fingerprint(ctx.data)
        prepared = PreparedData.from_frame(ctx.data[good], {c: ctx.column_types[c] for c in good},
                                           data_fingerprint=ctx.data_fingerprint)
        tester = CITester(prepared, cache=ctx.cache)
        ctx.__dict__["prepared"] = prepared
        ctx.__dict__["tester"] = tester  # so that the data summary counts these tests
    ctx.memo["_fallback_tester"] = tester
    return tester


def _testable(ctx: CritiqueContext) -> list[str]:
    """The variables the tests can read (``ctx.testable`` minus columns that could not be encoded)."""
    tester = _tester(ctx)
    if tester is None:
        return []
    names = set(tester.prepared.names)
    return [n for n in ctx.testable if n in names]


def _correction(ctx: CritiqueContext) -> str:
    method = (ctx.options.correction or "holm").lower()
    if method not in CORRECTIONS:
        _caveat(ctx, f"unknown correction {ctx.options.correction!r}: Holm was used")
        return "holm"
    return method


# ----------------------------------------------------------------------------------------------- graph helpers
def _order(ctx: CritiqueContext) -> dict[str, int]:
    if "_order" not in ctx.memo:
        ctx.memo["_order"] = {n: i for i, n in enumerate(ctx.graph.names)}
    return ctx.memo["_order"]


def _parents_children(ctx: CritiqueContext) -> tuple[dict[Node, set[Node]], dict[Node, set[Node]]]:
    if "_adjacency" not in ctx.memo:
        ctx.memo["_adjacency"] = adjacency(ctx.latent_dag)
    return ctx.memo["_adjacency"]


def _selection(ctx: CritiqueContext) -> list[str]:
    return [v.name for v in ctx.graph.variables if v.role == "selection"]


def _sorted(ctx: CritiqueContext, names: Iterable[str]) -> tuple[str, ...]:
    order = _order(ctx)
    return tuple(sorted(names, key=lambda n: order.get(n, len(order))))
