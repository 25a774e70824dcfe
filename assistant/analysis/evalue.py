"""The E-value (VanderWeele & Ding, 2017): how strong an unmeasured confounder would have to be.

The E-value is the minimum strength of association, on the risk-ratio scale,
that an unmeasured confounder would need with *both* the exposure and the
outcome to fully explain away the observed association:

    E = RR + sqrt(RR * (RR - 1))      for RR >= 1  (use 1/RR when RR < 1)

For the confidence interval, the same formula is applied to the limit closest
to the null, and the E-value is 1 when the interval already contains the null.

Putting an effect on the risk-ratio scale:

* binary outcome and binary exposure: RR = (p0 + effect) / p0, with p0 the
  outcome's mean among the unexposed (when both risks lie in (0, 1));
* otherwise, VanderWeele & Ding's approximation for a continuous outcome:
  the standardized difference d = effect / SD(outcome) gives RR ≈ exp(0.91·d).
  (The effect is per ``treatment_value - control_value`` of the exposure,
  i.e. per unit for a continuous one.)

>>> round(e_value_rr(2.0), 4)
3.4142
>>> round(e_value_rr(0.5), 4)
3.4142
>>> e_value_rr(1.0)
1.0
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from assistant.analysis.spec import EValue, Estimate

SMD_FACTOR = 0.91


def e_value_rr(rr: float) -> float:
    """E-value of a risk ratio (point estimate or a confidence limit)."""
    if not rr > 0:
        raise ValueError(f"a risk ratio must be positive, not {rr}")
    if rr < 1:
        rr = 1 / rr
    return float(rr + math.sqrt(rr * (rr - 1)))


def rr_from_smd(d: float) -> float:
    return float(math.exp(SMD_FACTOR * d))


def _ci_evalue(rr_low: float | None, rr_high: float | None) -> float | None:
    if rr_low is None or rr_high is None:
        return None
    if rr_low <= 1 <= rr_high:
        return 1.0
    closest = rr_low if rr_low > 1 else rr_high
    return e_value_rr(closest)


def e_value(estimate: Estimate, frame: pd.DataFrame, exposure: str, outcome: str) -> EValue:
    """The E-value of ``estimate`` (original column names in ``frame``)."""
    y = frame[outcome].to_numpy(dtype=float)
    binary_y = set(np.unique(y)) <= {0.0, 1.0}
    lo, hi = estimate.ci_low, estimate.ci_high
    if binary_y and estimate.exposure_type == "binary":
        x = frame[exposure].to_numpy(dtype=float)
        p0 = float(y[x == estimate.control_value].mean())
        risks = [p0 + v for v in (estimate.value, lo, hi) if v is not None]
        if 0 < p0 < 1 and all(0 < r < 1 for r in risks):
            rr = (p0 + estimate.value) / p0
            rr_lo = None if lo is None else (p0 + lo) / p0
            rr_hi = None if hi is None else (p0 + hi) / p0
            return EValue(point=e_value_rr(rr), ci=_ci_evalue(rr_lo, rr_hi), risk_ratio=rr,
                          scale=f"risk ratio from the risk difference, baseline risk {p0:.3g} among the unexposed")
    sd = float(np.std(y, ddof=1))
    if not sd > 0:
        return EValue(point=1.0, ci=1.0, risk_ratio=1.0, scale="outcome is constant: no association to explain")
    rr = rr_from_smd(estimate.value / sd)
    rr_lo = None if lo is None else rr_from_smd(lo / sd)
    rr_hi = None if hi is None else rr_from_smd(hi / sd)
    return EValue(point=e_value_rr(rr), ci=_ci_evalue(rr_lo, rr_hi), risk_ratio=rr,
                  scale=f"approximate risk ratio exp(0.91 × d) from the standardized difference "
                        f"d = effect / SD({outcome}) = {estimate.value / sd:.3g} (VanderWeele & Ding)")
