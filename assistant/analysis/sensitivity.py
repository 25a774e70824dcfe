"""Sensitivity to unobserved confounding: Cinelli & Hazlett's (2020) partial-R² analysis, made readable.

We compute it ourselves from the outcome regression ``Y ~ X + Z`` (Z the
adjustment set) rather than through DoWhy's ``add_unobserved_common_cause``
with ``simulation_method="linear-partial-R2"``: the formulas are closed-form,
so one least-squares fit gives everything; DoWhy's version refits its own
statsmodels model, insists on a linear-regression estimate, and prints plots.
The numbers are the same (DoWhy's ``LinearSensitivityAnalyzer`` implements
the same equations; the tests compare against a hand computation).

Definitions (for the exposure coefficient with t-value t and dof residual
degrees of freedom):

* partial R² of the exposure with the outcome: ``R²_{Y~X|Z} = t² / (t² + dof)``;
* partial Cohen's f: ``f = |t| / sqrt(dof)``;
* robustness value ``RV_q = ½(sqrt(f_q⁴ + 4 f_q²) − f_q²)`` with ``f_q = q·f``
  (q = 1: erase the whole estimate).  A confounder explaining ``RV_q`` of the
  residual variance of *both* the exposure and the outcome would bring the
  estimate to zero;
* ``RV_{q,α}`` does the same with ``f_q − f*`` where ``f* = |t_{α/2, dof−1}| /
  sqrt(dof − 1)``: the strength that would make the estimate statistically
  insignificant;
* the bias a confounder with partial R²s ``(R²_{D~U|Z}, R²_{Y~U|D,Z})`` induces:
  ``se · sqrt(dof) · sqrt(R²_{Y~U} · R²_{D~U} / (1 − R²_{D~U}))``, assumed to
  push the estimate towards zero;
* benchmarks: a confounder ``k`` times as strong as an observed covariate
  ``Z_j`` (Cinelli & Hazlett §6.2, k = 1 here).

The analysis concerns the *linear* outcome regression.  When the estimate
came from another estimator (e.g. propensity-score weighting) the
sensitivity numbers describe the regression estimate, which the result
states; for front-door and IV estimates the OVB formula does not apply and
no sensitivity analysis is reported.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from assistant.analysis.spec import Benchmark, Contour, Sensitivity
from assistant.errors import AnalysisInputError


def design(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, list[str]]:
    """A design matrix with intercept; categorical columns become indicators (first level dropped)."""
    parts = [np.ones((len(frame), 1))]
    names = ["(intercept)"]
    for c in columns:
        col = frame[c]
        if isinstance(col.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(col):
            dummies = pd.get_dummies(col.astype("category"), drop_first=True, dtype=float)
            parts.append(dummies.to_numpy())
            names += [f"{c}={lvl}" for lvl in dummies.columns]
        else:
            parts.append(col.to_numpy(dtype=float).reshape(-1, 1))
            names.append(c)
    return np.hstack(parts), names


def ols_t(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Coefficients, standard errors and t-values of an OLS fit, and its residual degrees of freedom."""
    xtx = X.T @ X
    beta = np.linalg.solve(xtx, X.T @ y)
    resid = y - X @ beta
    dof = X.shape[0] - X.shape[1]
    sigma2 = float(resid @ resid) / dof
    se = np.sqrt(np.diag(np.linalg.inv(xtx)) * sigma2)
    return beta, se, beta / se, dof


def partial_r2(t: float, dof: int) -> float:
    return float(t * t / (t * t + dof))


def robustness_value(t: float, dof: int, *, q: float = 1.0, alpha: float | None = None) -> float:
    """Cinelli & Hazlett's RV_q (alpha None) or RV_{q,alpha}."""
    fq = q * abs(t) / math.sqrt(dof)
    f_crit = 0.0 if alpha is None else abs(stats.t.ppf(alpha / 2, dof - 1)) / math.sqrt(dof - 1)
    fa = fq - f_crit
    if fa < 0:
        return 0.0
    rv = 0.5 * (math.sqrt(fa ** 4 + 4 * fa ** 2) - fa ** 2)
    if f_crit > 0 and fq > 1 / f_crit:  # the "extreme" case of the paper's footnote
        rv = (fq ** 2 - f_crit ** 2) / (1 + fq ** 2)
    return float(rv)


def adjusted_estimate(estimate: float, se: float, dof: int, r2dz: float, r2yz: float) -> float:
    """The estimate after removing the bias of a confounder with these partial R²s (towards zero)."""
    bias = se * math.sqrt(dof) * math.sqrt(r2yz * r2dz / (1 - r2dz))
    return float(math.copysign(1.0, estimate) * (abs(estimate) - bias))


def adjusted_se(se: float, dof: int, r2dz: float, r2yz: float) -> float:
    return float(math.sqrt((1 - r2yz) / (1 - r2dz)) * se * math.sqrt(dof / (dof - 1)))


def benchmark_bounds(r2dxj: float, r2yxj: float, kd: float = 1.0, ky: float = 1.0) -> tuple[float, float]:
    """Partial R²s of a confounder ``kd``/``ky`` times as strong as covariate X_j (Cinelli & Hazlett eq. 6.x)."""
    r2dz = kd * r2dxj / (1 - r2dxj)
    if r2dz >= 1:
        return 1.0, 1.0
    r2zxj = kd * r2dxj ** 2 / ((1 - kd * r2dxj) * (1 - r2dxj))
    r2yz = ((math.sqrt(ky) + math.sqrt(r2zxj)) / math.sqrt(1 - r2zxj)) ** 2 * (r2yxj / (1 - r2yxj))
    return float(r2dz), float(min(r2yz, 1.0))


def contour(estimate: float, se: float, dof: int, upto: float, points: int = 21) -> Contour:
    grid = [round(v, 6) for v in np.linspace(0.0, upto, points)]
    values = [[adjusted_estimate(estimate, se, dof, d, y) for y in grid] for d in grid]
    return Contour(r2dz_x=grid, r2yz_dx=grid, estimates=values)


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%" if v < 0.1 else f"{100 * v:.0f}%"


def sensitivity(frame: pd.DataFrame, exposure: str, outcome: str, covariates: list[str], *,
                benchmarks: list[str] | None = None, confidence_level: float = 0.95,
                labels: dict[str, str] | None = None) -> Sensitivity:
    """Cinelli–Hazlett sensitivity of the linear regression of ``outcome`` on ``exposure`` and ``covariates``."""
    labels = labels or {}
    name = lambda n: labels.get(n, n)  # noqa: E731
    bench = list(covariates) if benchmarks is None else list(benchmarks)
    unknown = [b for b in bench if b not in covariates]
    if unknown:
        raise AnalysisInputError(
            f"benchmark covariate{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            "not in the adjustment set", hint=f"benchmarks must be adjusted for: {', '.join(covariates) or 'none'}")
    y = frame[outcome].to_numpy(dtype=float)
    X, names = design(frame, [exposure, *covariates])
    beta, se, tv, dof = ols_t(y, X)
    est, s, t = float(beta[1]), float(se[1]), float(tv[1])
    alpha = 1 - confidence_level
    r2yd = partial_r2(t, dof)
    rv = robustness_value(t, dof)
    rva = robustness_value(t, dof, alpha=alpha)
    t_crit = float(stats.t.ppf(1 - alpha / 2, dof - 1))

    out_bench: list[Benchmark] = []
    if bench:
        d = frame[exposure].to_numpy(dtype=float)
        Xd, names_d = design(frame, covariates)
        _b, _s, td, dof_d = ols_t(d, Xd)
        for cov in bench:
            # a categorical benchmark has one column per level: use its strongest level
            idx_y = [i for i, n in enumerate(names) if n == cov or n.startswith(f"{cov}=")]
            idx_d = [i for i, n in enumerate(names_d) if n == cov or n.startswith(f"{cov}=")]
            r2dxj = max(partial_r2(float(td[i]), dof_d) for i in idx_d)
            r2yxj = max(partial_r2(float(tv[i]), dof) for i in idx_y)
            r2dz, r2yz = benchmark_bounds(r2dxj, r2yxj)
            if r2dz >= 1:  # sensemakr refuses this too: the bound is not a proper partial R²
                out_bench.append(Benchmark(
                    covariate=cov, r2dz_x=min(r2dz, 1.0), r2yz_dx=min(r2yz, 1.0),
                    note=f"{name(cov)} explains so much of the exposure ({_pct(r2dxj)} of its residual variance) "
                         "that a confounder as strong as it, yet unrelated to it, is impossible; no bound"))
                continue
            adj = adjusted_estimate(est, s, dof, r2dz, r2yz)
            adj_se = adjusted_se(s, dof, r2dz, r2yz)
            out_bench.append(Benchmark(covariate=cov, r2dz_x=r2dz, r2yz_dx=r2yz, adjusted_estimate=adj,
                                       adjusted_ci_low=adj - t_crit * adj_se, adjusted_ci_high=adj + t_crit * adj_se))
    bounded = [b for b in out_bench if b.adjusted_estimate is not None]
    upto = min(0.95, max([0.5, 1.5 * rv] + [max(b.r2dz_x, b.r2yz_dx) * 1.2 for b in bounded]))
    summary = (f"An unobserved confounder would need to explain at least {_pct(rv)} of the residual variance of "
               f"both {name(exposure)} and {name(outcome)} to erase this effect, and {_pct(rva)} of both to make "
               f"it statistically indistinguishable from zero at the {confidence_level:.0%} level.")
    if r2yd < rv:
        summary += (f" A confounder that explains all of the outcome's residual variance would have to explain at "
                    f"least {_pct(r2yd)} of the exposure's to erase it.")
    for b in out_bench:
        if b.adjusted_estimate is None:
            summary += f" Benchmarking against {name(b.covariate)} is not possible: {b.note}."
            continue
        summary += (f" A confounder as strong as {name(b.covariate)} (explaining {_pct(b.r2dz_x)} of the exposure "
                    f"and {_pct(b.r2yz_dx)} of the outcome) would move the estimate to {b.adjusted_estimate:.3g}.")
    return Sensitivity(estimate=est, std_error=s, t_value=t, dof=dof, r2yd_x=r2yd, robustness_value=rv,
                       robustness_value_alpha=rva, benchmarks=out_bench, contour=contour(est, s, dof, upto),
                       summary=summary)
