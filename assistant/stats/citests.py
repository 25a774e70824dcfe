"""The three conditional-independence tests, on prepared data.

``X ⫫ Y | Z`` ("X is independent of Y given Z") is tested by comparing a model
in which X carries information about Y beyond Z against one in which it does
not.  Which test runs depends on the kinds of the columns (see
:mod:`assistant.stats.data`):

``fisherz`` (all continuous)
    The partial correlation ``r`` of X and Y given Z, from the inverse of
    their correlation matrix; ``sqrt(n - |Z| - 3) * atanh(r)`` is standard
    normal under independence for linear-Gaussian data (Fisher 1924).

``gsq`` (all discrete)
    The likelihood-ratio statistic ``G² = 2 Σ O log(O / E)`` over the X×Y
    table within each configuration (stratum) of Z, where ``E`` is what the
    stratum's margins predict under independence.  Degrees of freedom are
    ``Σ_s (r_s - 1)(c_s - 1)`` with ``r_s`` and ``c_s`` the levels of X and Y
    actually seen in stratum ``s``: empty rows and columns are structural
    zeros, not evidence (as causal-learn's chi-square tests count them).  **Guard:** the
    chi-square approximation needs data; when there are fewer than
    :data:`MIN_ROWS_PER_DOF` rows per degree of freedom the test is not run and
    independence is assumed (p = 1, ``reliable=False``) — the convention of
    pcalg's G² tests, which stops the search from conditioning on ever larger
    sets that the data cannot support.  G² is somewhat anti-conservative on
    sparse tables (about 10% false positives at 25 rows per degree of
    freedom, at a nominal 5%).

``cg-lrt`` (mixed)
    A conditional-Gaussian likelihood-ratio test by nested regressions.  If X
    or Y is continuous, that one is the response of a linear regression on Z,
    compared with the same regression plus the other variable (dummy-coded if
    discrete): ``LR = n log(RSS₀ / RSS₁)``.  If both are discrete (so some Z is
    continuous), the one with fewer levels is the response of a multinomial
    logit on Z, with and without the other: ``LR = 2 (ℓ₁ - ℓ₀)``.  Discrete
    conditioning variables enter as dummies (main effects), continuous ones
    linearly.  ``LR`` is chi-square with as many degrees of freedom as the
    extra coefficients (Wilks 1938); this is the regression form of the
    conditional-Gaussian test of Andrews, Ramsey & Cooper (2018), without
    their per-stratum interactions.

Every test drops the rows missing X, Y or any of Z, and reports how many rows it used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.special import chdtrc, ndtr, xlogy

from assistant.errors import InputError
from assistant.stats.data import PreparedData
from assistant.stats.regression import design, multinomial_loglik, ols_rss

METHODS = ("auto", "fisherz", "gsq", "cg-lrt")
LABELS = {"fisherz": "Fisher-z", "gsq": "G²", "cg-lrt": "CG likelihood-ratio"}
MIN_ROWS_PER_DOF = 5
_DENSE_CELLS = 1 << 20


@dataclass(frozen=True)
class CITestResult:
    """One test of ``x ⫫ y | z``: a small p-value is evidence of dependence."""

    method: str
    statistic: float
    p_value: float
    dof: float | None
    n: int
    x: str
    y: str
    z: tuple[str, ...]
    reliable: bool = True
    note: str = ""

    def independent(self, alpha: float) -> bool:
        return self.p_value > alpha

    @property
    def pair(self) -> tuple[str, str]:
        return (self.x, self.y) if self.x <= self.y else (self.y, self.x)

    def swapped(self, x: str, y: str) -> "CITestResult":
        """The same result, named in the order the caller asked."""
        if (x, y) == (self.x, self.y):
            return self
        return CITestResult(self.method, self.statistic, self.p_value, self.dof, self.n, x, y, self.z,
                            self.reliable, self.note)

    def describe(self) -> str:
        """``x vs y given {a, b}: G²=12.3, dof=4, p=0.015, n=5000``."""
        given = f" given {{{', '.join(self.z)}}}" if self.z else ""
        dof = f", dof={self.dof:g}" if self.dof is not None else ""
        note = f" ({self.note})" if self.note else ""
        return (f"{self.x} vs {self.y}{given}: {LABELS.get(self.method, self.method)}={self.statistic:.4g}{dof}, "
                f"p={format_p(self.p_value)}, n={self.n}{note}")


def format_p(p: float) -> str:
    return "<1e-16" if p < 1e-16 else f"{p:.3g}"


def resolve_method(prepared: PreparedData, names: Sequence[str], method: str) -> str:
    """The concrete test for these columns: ``auto`` picks by kind; a forced method is checked."""
    if method not in METHODS:
        raise InputError(f"unknown independence test {method!r}", hint=f"choose one of {', '.join(METHODS)}")
    kinds = {prepared.kinds[n] for n in names}
    if method == "auto":
        return "fisherz" if kinds == {"continuous"} else "gsq" if kinds == {"discrete"} else "cg-lrt"
    if method == "fisherz":
        bad = [n for n in names if prepared.numeric[n] is None]
        if bad:
            raise InputError(f"Fisher-z needs numbers, but {', '.join(map(repr, bad))} "
                             f"{'is' if len(bad) == 1 else 'are'} not numeric", hint="use method='auto'")
    if method == "gsq":
        bad = [n for n in names if prepared.kinds[n] == "continuous"]
        if bad:
            raise InputError(f"G² needs discrete columns, but {', '.join(map(repr, bad))} "
                             f"{'is' if len(bad) == 1 else 'are'} continuous",
                             hint="use method='auto' (a mixed test) or discretise the column")
    return method


def run_test(prepared: PreparedData, x: str, y: str, z: Sequence[str], method: str) -> CITestResult:
    """Run the (already resolved) ``method`` on ``x ⫫ y | z``; ``z`` must be sorted and exclude x and y."""
    rows = prepared.mask([x, y, *z])
    n = int(rows.sum())
    if method == "fisherz":
        return _fisher_z(prepared, x, y, tuple(z), rows, n)
    if method == "gsq":
        return _g_square(prepared, x, y, tuple(z), rows, n)
    return _cg_lrt(prepared, x, y, tuple(z), rows, n)


def _untestable(method: str, x: str, y: str, z: tuple[str, ...], n: int, note: str,
                dof: float | None = None) -> CITestResult:
    return CITestResult(method, 0.0, 1.0, dof, n, x, y, z, reliable=False, note=note)


def _fisher_z(prepared: PreparedData, x: str, y: str, z: tuple[str, ...], rows: np.ndarray, n: int) -> CITestResult:
    names = [x, y, *z]
    if n - len(z) - 3 < 1:
        return _untestable("fisherz", x, y, z, n, "too few rows for this conditioning set: independence assumed")
    index, full = prepared.complete_correlation()
    if all(c in index for c in names):
        idx = [index[c] for c in names]
        corr = full[np.ix_(idx, idx)]
    else:
        matrix = np.column_stack([prepared.numeric[c][rows] for c in names])  # type: ignore[index]
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.atleast_2d(np.corrcoef(matrix, rowvar=False))
    if not np.all(np.isfinite(corr)):
        return _untestable("fisherz", x, y, z, n, "a column is constant on these rows: independence assumed")
    precision = np.linalg.pinv(corr)
    denom = math.sqrt(abs(precision[0, 0] * precision[1, 1]))
    r = -precision[0, 1] / denom if denom > 0 else 0.0
    r = max(min(r, 1 - 1e-12), -1 + 1e-12)
    stat = math.sqrt(n - len(z) - 3) * math.atanh(r)
    return CITestResult("fisherz", float(stat), float(min(1.0, 2 * ndtr(-abs(stat)))), None, n, x, y, z)


def _g_square(prepared: PreparedData, x: str, y: str, z: tuple[str, ...], rows: np.ndarray, n: int) -> CITestResult:
    if n == 0:
        return _untestable("gsq", x, y, z, 0, "no complete rows")
    cx, cy = prepared.levels[x], prepared.levels[y]
    rows = slice(None) if n == prepared.n_rows else rows  # type: ignore[assignment]  (a view, not a copy)
    cells = math.prod(prepared.levels[c] for c in z) * cx * cy
    if cells <= _DENSE_CELLS:  # count every configuration directly (empty strata contribute nothing)
        index = np.zeros(n, dtype=np.int64)
        for c in (*z, x, y):
            index = index * prepared.levels[c] + prepared.codes[c][rows]
        counts = np.bincount(index, minlength=cells).reshape(-1, cx, cy)
    else:  # too many configurations: number the strata that occur
        _uniq, stratum = np.unique(np.column_stack([prepared.codes[c][rows] for c in z]), axis=0,
                                   return_inverse=True)
        stratum = stratum.ravel()
        n_strata = int(stratum.max()) + 1
        xs, ys = prepared.codes[x][rows], prepared.codes[y][rows]
        counts = np.bincount((stratum * cx + xs) * cy + ys, minlength=n_strata * cx * cy).reshape(n_strata, cx, cy)
    sx = counts.sum(axis=2)
    sy = counts.sum(axis=1)
    ss = sx.sum(axis=1)
    # Σ O log(O / E) with E = sx·sy/ss, expanded so that empty cells and strata need no masking
    g2 = 2.0 * float(xlogy(counts, counts).sum() + xlogy(ss, ss).sum() - xlogy(sx, sx).sum() - xlogy(sy, sy).sum())
    dof = int(np.sum(np.maximum((sx > 0).sum(axis=1) - 1, 0) * np.maximum((sy > 0).sum(axis=1) - 1, 0)))
    if dof == 0:
        return _untestable("gsq", x, y, z, n, "no degrees of freedom: a variable is constant within every stratum",
                           dof=0)
    if n < MIN_ROWS_PER_DOF * dof:
        return _untestable("gsq", x, y, z, n, f"too few rows for {dof} degrees of freedom "
                           f"(fewer than {MIN_ROWS_PER_DOF} per degree): independence assumed", dof=dof)
    return CITestResult("gsq", max(g2, 0.0), float(chdtrc(dof, max(g2, 0.0))), float(dof), n, x, y, z)


def _cg_lrt(prepared: PreparedData, x: str, y: str, z: tuple[str, ...], rows: np.ndarray, n: int) -> CITestResult:
    if n < 3:
        return _untestable("cg-lrt", x, y, z, n, "too few rows")
    kx, ky = prepared.kinds[x], prepared.kinds[y]
    if kx == "continuous" or ky == "continuous":
        response, other = (y, x) if ky == "continuous" else (x, y)
        target = prepared.numeric[response][rows]  # type: ignore[index]
        target = target - target.mean()
        base = design(prepared, z, rows)
        full = np.hstack([base, design(prepared, [other], rows)[:, 1:]])
        rss0, rank0 = ols_rss(target, base)
        rss1, rank1 = ols_rss(target, full)
        dof = rank1 - rank0
        if dof <= 0 or n - rank1 < 1:
            return _untestable("cg-lrt", x, y, z, n, "no degrees of freedom on these rows", dof=max(dof, 0))
        if rss0 <= 0:
            return _untestable("cg-lrt", x, y, z, n, "the response is determined by the conditioning set", dof=dof)
        stat = n * math.log(rss0 / max(rss1, 1e-300))
    else:
        lx, ly = len(np.unique(prepared.codes[x][rows])), len(np.unique(prepared.codes[y][rows]))
        response, other = (x, y) if (lx, x) < (ly, y) else (y, x)
        codes = prepared.codes[response][rows]
        base = design(prepared, z, rows)
        full = np.hstack([base, design(prepared, [other], rows)[:, 1:]])
        ll0, p0 = multinomial_loglik(codes, base)
        ll1, p1 = multinomial_loglik(codes, full)
        dof = p1 - p0
        if dof <= 0:
            return _untestable("cg-lrt", x, y, z, n, "no degrees of freedom on these rows", dof=max(dof, 0))
        stat = 2.0 * (ll1 - ll0)
    stat = max(float(stat), 0.0)
    return CITestResult("cg-lrt", stat, float(chdtrc(dof, stat)), float(dof), n, x, y, z)
