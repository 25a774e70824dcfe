"""A fast linear estimate of one exposure's effect on one outcome, adjusting for a set: the edit-time preview.

:func:`linear_effect` fits ordinary least squares of the outcome on the
exposure and the adjustment set, and reports the exposure's coefficient with
its standard error and a t confidence interval.  It is what the critique's
edit impact shows as "the estimate before and after" an edit; the full
analysis (:mod:`assistant.analysis`) goes through DoWhy with refuters.

Why hand-rolled OLS rather than DoWhy's ``backdoor.linear_regression``: the
preview runs on every edit (twice: once per version), and DoWhy's estimator
builds a statsmodels formula model, re-identifies the estimand and copies the
frame on each call, which is orders of magnitude slower than one numpy least
squares on the few columns that matter.  The point estimate is the same.

How columns are read (the encoding of :class:`~assistant.stats.data.PreparedData`):

* **Adjustment covariates**: continuous columns as they are (standardised,
  which leaves the exposure's coefficient unchanged), discrete columns as
  dummies (first level as reference).  Covariates that are constant on the
  used rows, and covariate dummies that are collinear with each other, drop
  out without harm: only their column space matters.
* **Exposure**: a continuous (or integer) exposure gives the effect *per unit*.
  A discrete exposure with two observed levels is coded 0/1 — the second
  level (in sorted order: ``1`` for a 0/1 column, ``True``, or the later
  label) against the first — so the value is the difference in mean outcome
  between the two levels.  An ordinal exposure with more levels is used as
  its numeric values when it has them (per unit) and as its level rank
  otherwise (per level step).  A categorical exposure with more than two
  levels is reduced to *first level versus any other level*: the value
  compares the other levels, pooled, with the first; the ``contrast`` field
  says so.
* **Outcome**: a continuous outcome is used as it is.  A binary outcome is
  coded 0/1 (second level vs first) and fitted as a *linear probability
  model*: the value is a difference in probabilities, and the standard error
  is heteroskedasticity-robust (HC1), since a binary outcome's variance
  depends on its mean.  An ordinal outcome is used as its values (or its
  level rank).  A categorical outcome with more than two levels has no
  meaningful linear scale and is refused.

Rows with a missing value in any used column are dropped; ``n`` is the number
of rows used and ``n_dropped`` the number left out.

>>> from assistant.formats import read_graph
>>> from assistant.stats.simulate import simulate_linear
>>> g = read_graph("dag { Z -> X -> Y Z -> Y }", "dagitty")
>>> frame = simulate_linear(g, 2000, seed=3, weights={"X -> Y": 0.5})
>>> round(linear_effect(frame, "X", "Y", ["Z"]).value, 1)
0.5
"""

from __future__ import annotations

import math
from typing import Iterable, Literal, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import AnalysisInputError, DataError
from assistant.model import DataType
from assistant.stats.data import UNTESTABLE, PreparedData
from assistant.stats.regression import design

Method = Literal["ols", "linear probability model"]

#: Fewer residual degrees of freedom than this and there is no estimate to speak of.
MIN_RESIDUAL_DF = 1
#: An exposure whose variance left after the covariates is below this fraction of its own is collinear with them.
COLLINEAR_TOL = 1e-8


class EffectEstimate(BaseModel):
    """The exposure's linear coefficient on the outcome, adjusted for ``adjustment_set``."""

    model_config = ConfigDict(extra="forbid")

    exposure: str
    outcome: str
    value: float
    std_error: float
    ci_low: float
    ci_high: float
    confidence: float = 0.95
    n: int = Field(description="Rows used: complete in the exposure, the outcome and every adjustment variable.")
    n_dropped: int = Field(default=0, description="Rows left out for a missing value in a used column.")
    adjustment_set: list[str]
    method: Method = "ols"
    contrast: str = Field(description="What one unit of the exposure means, e.g. 'per unit of X' or "
                                      "'X = 1 vs X = 0'.")
    robust_se: bool = Field(default=False, description="True when the standard error is HC1 (robust).")
    note: str = ""

    def short(self) -> str:
        """``0.81 (±0.02)``: the value and its standard error."""
        return f"{format_number(self.value)} (±{format_number(self.std_error)})"


def format_number(value: float) -> str:
    """Two decimals for ordinary magnitudes, three significant digits otherwise."""
    if value == 0:
        return "0"
    if 0.01 <= abs(value) < 1000:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _infer_types(data: pd.DataFrame, columns: list[str], types: Mapping[str, DataType] | None
                 ) -> dict[str, DataType]:
    known = {c: t for c, t in (types or {}).items() if c in columns and t != "unknown"}
    rest = [c for c in columns if c not in known]
    if rest:
        from assistant.intake.profile import profile_frame

        known.update({p.name: p.inferred_type for p in profile_frame(data[rest])})
    return {c: known[c] for c in columns}


def _level_label(series: pd.Series, code: int) -> str:
    values = series.dropna()
    try:
        levels = sorted(pd.unique(values))
    except TypeError:
        levels = sorted({str(v) for v in values})
    return str(levels[code]) if code < len(levels) else str(code)


def _column(prepared: PreparedData, data: pd.DataFrame, name: str, rows: np.ndarray, role: str
            ) -> tuple[np.ndarray, str, bool]:
    """The column as numbers on ``rows``, what a unit of it means, and whether it is a 0/1 indicator."""
    if prepared.kinds[name] == "continuous":
        return prepared.numeric[name][rows], f"per unit of {name}", False  # type: ignore[index]
    codes = prepared.codes[name][rows]
    observed = np.unique(codes)
    series = data[name]
    if len(observed) <= 2:
        hi = int(observed[-1])
        lo = int(observed[0])
        return (codes == hi).astype(float), f"{name} = {_level_label(series, hi)} vs {name} = " \
                                            f"{_level_label(series, lo)}", True
    if prepared.types[name] == "ordinal":
        values = prepared.numeric[name]
        if values is not None:
            return values[rows], f"per unit of {name}", False
        rank = np.searchsorted(observed, codes).astype(float)
        return rank, f"per level step of {name} (levels in sorted order)", False
    if role == "outcome":
        raise AnalysisInputError(f"the outcome {name!r} is categorical with {len(observed)} levels: a linear "
                                 "estimate needs a numeric or binary outcome",
                                 hint="mark it ordinal if its levels are ordered, or recode it to two levels")
    first = int(observed[0])
    return (codes != first).astype(float), f"{name} ≠ {_level_label(series, first)} (any other level, pooled) " \
                                           f"vs {name} = {_level_label(series, first)}", True


def linear_effect(data: pd.DataFrame, exposure: str, outcome: str, adjustment_set: Iterable[str] = (), *,
                  types: Mapping[str, DataType] | None = None, confidence: float = 0.95,
                  robust: bool | None = None) -> EffectEstimate:
    """OLS of ``outcome`` on ``exposure`` plus ``adjustment_set``; the exposure's coefficient with its uncertainty.

    ``types`` gives column data types (graph declarations or a profile);
    columns it does not cover are inferred.  ``robust`` chooses HC1 standard
    errors (default: only for a binary outcome, i.e. the linear probability
    model).  Raises :class:`~assistant.errors.DataError` for a column the data
    lack, an unusable column, a constant exposure or too few complete rows, and
    :class:`~assistant.errors.AnalysisInputError` for overlapping roles and an
    exposure collinear with the adjustment set.
    """
    adjust = list(dict.fromkeys(adjustment_set))
    if exposure == outcome:
        raise AnalysisInputError(f"{exposure!r} cannot be both the exposure and the outcome")
    overlap = sorted({exposure, outcome} & set(adjust))
    if overlap:
        raise AnalysisInputError(f"the adjustment set cannot contain the exposure or the outcome: {overlap}")
    if not 0 < confidence < 1:
        raise AnalysisInputError(f"confidence must be between 0 and 1, got {confidence}")
    columns = [exposure, outcome, *adjust]
    present = {str(c) for c in data.columns}
    missing = [c for c in columns if c not in present]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        shown = ", ".join(repr(c) for c in list(present)[:12]) + (" ..." if len(present) > 12 else "")
        raise DataError(f"column{'s' if len(missing) > 1 else ''} {listed} {'are' if len(missing) > 1 else 'is'} "
                        f"not in the data", hint=f"the data have {shown}" if present else "the data have no columns")
    col_types = _infer_types(data, columns, types)
    bad = [c for c in columns if col_types[c] in UNTESTABLE]
    if bad:
        shown = ", ".join(f"{c!r} ({col_types[c]})" for c in bad)
        raise DataError(f"a linear estimate cannot use {shown}",
                        hint="mark each as continuous, integer, binary, categorical or ordinal")
    frame = data[columns]
    prepared = PreparedData.from_frame(frame, col_types, columns, data_fingerprint="linear-effect")
    rows = prepared.mask(columns)
    n = int(rows.sum())
    dropped = len(frame) - n

    x, contrast, _ = _column(prepared, frame, exposure, rows, "exposure")
    y, _, binary_outcome = _column(prepared, frame, outcome, rows, "outcome")
    covariates = design(prepared, adjust, rows)  # intercept, standardised continuous, dummies
    params = covariates.shape[1] + 1
    if n < params + MIN_RESIDUAL_DF:
        raise DataError(f"too few complete rows for a linear estimate: {n} row{'s' if n != 1 else ''} "
                        f"{'complete' if not dropped else f'complete ({dropped} dropped for missing values)'} "
                        f"in {', '.join(columns)}, for {params} coefficients",
                        hint="adjust for fewer variables, or use data with fewer missing values")
    if np.ptp(x) == 0:
        raise DataError(f"the exposure {exposure!r} is constant on the {n} complete rows: its effect cannot be "
                        "estimated from these data")

    # Frisch-Waugh-Lovell: residualise exposure and outcome on the covariates (numpy least squares, which
    # copes with collinear covariates), then regress residual on residual.
    both = np.column_stack([x, y])
    coef, _res, rank, _sv = np.linalg.lstsq(covariates, both, rcond=None)
    resid = both - covariates @ coef
    rx, ry = resid[:, 0], resid[:, 1]
    sxx = float(rx @ rx)
    centred = x - x.mean()
    if sxx <= COLLINEAR_TOL * float(centred @ centred):
        what = f"{{{', '.join(adjust)}}}" if adjust else "the intercept"
        raise AnalysisInputError(f"the exposure {exposure!r} is collinear with the adjustment set {what} on the "
                                 f"{n} complete rows: no variation is left to estimate its effect",
                                 hint="drop the variable that duplicates the exposure from the adjustment set")
    beta = float(rx @ ry) / sxx
    e = ry - beta * rx
    df = n - int(rank) - 1
    if df < MIN_RESIDUAL_DF:
        raise DataError(f"too few complete rows for a linear estimate: {n} rows for {int(rank) + 1} free "
                        "coefficients leave no residual degrees of freedom")
    use_robust = binary_outcome if robust is None else robust
    if use_robust:
        var = float(np.sum(rx ** 2 * e ** 2)) / sxx ** 2 * n / df  # HC1
    else:
        var = float(e @ e) / df / sxx
    se = math.sqrt(max(var, 0.0))
    from scipy import stats

    crit = float(stats.t.ppf(0.5 + confidence / 2, df))
    notes = []
    if dropped:
        notes.append(f"{dropped} of {len(frame)} rows dropped for missing values")
    if binary_outcome:
        notes.append(f"binary outcome: a linear probability model, the value is a difference in the probability "
                     f"of {_outcome_level(prepared, frame, outcome, rows)}")
    if "pooled" in contrast:
        notes.append("categorical exposure with more than two levels: the first level against the others, pooled")
    return EffectEstimate(exposure=exposure, outcome=outcome, value=beta, std_error=se, ci_low=beta - crit * se,
                          ci_high=beta + crit * se, confidence=confidence, n=n, n_dropped=dropped,
                          adjustment_set=adjust, method="linear probability model" if binary_outcome else "ols",
                          contrast=contrast, robust_se=use_robust, note="; ".join(notes))


def _outcome_level(prepared: PreparedData, frame: pd.DataFrame, outcome: str, rows: np.ndarray) -> str:
    observed = np.unique(prepared.codes[outcome][rows])
    return f"{outcome} = {_level_label(frame[outcome], int(observed[-1]))}"
