"""Refutation: re-run the estimate on altered data and see whether it moves the way it should.

=====================  ===================================================  ======================================
refuter                what changes                                         passes when
=====================  ===================================================  ======================================
placebo_treatment      the exposure is replaced by a random permutation     the placebo effect is within the
                                                                            estimate's margin of error of zero
random_common_cause    an independent random covariate is adjusted for      the new effect lies inside the
                                                                            original confidence interval
data_subset            the estimate is re-fitted on random 80% subsets      the same
bootstrap              re-fitted on resamples, covariates perturbed         the same
=====================  ===================================================  ======================================

"Margin of error" is half the width of the original confidence interval.
DoWhy's own p-value (is the original estimate typical of the simulated
ones?) is reported alongside, but it is not the pass rule: with a handful of
simulations it is noisy, and for the placebo it asks the opposite question.

Seeding: DoWhy reseeds a RandomState built from an *integer* seed on every
simulation, so each resample would be identical; we pass a seeded
``numpy.random.RandomState`` object instead (one stream for all simulations)
and seed numpy's global generator, which the bootstrap refuter's noise uses.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from assistant.analysis.estimate import seed_everything
from assistant.analysis.spec import DOWHY_REFUTERS, Estimate, Refutation, RefuterSpec

PLACEBO_RULE = "passes when the placebo effect is within the estimate's margin of error of zero"
STABILITY_RULE = "passes when the new effect lies inside the original confidence interval"


def _margin(estimate: Estimate) -> float:
    if estimate.ci_low is not None and estimate.ci_high is not None:
        return (estimate.ci_high - estimate.ci_low) / 2
    return 0.1 * abs(estimate.value)


def _run(name: str, frame: pd.DataFrame, estimand, dowhy_estimate, spec: RefuterSpec, seed: int):
    from dowhy.causal_refuters.bootstrap_refuter import refute_bootstrap
    from dowhy.causal_refuters.data_subset_refuter import refute_data_subset
    from dowhy.causal_refuters.placebo_treatment_refuter import PlaceboType, refute_placebo_treatment
    from dowhy.causal_refuters.random_common_cause import refute_random_common_cause

    seed_everything(seed)
    rng = np.random.RandomState(seed % (2**32))
    common = dict(num_simulations=spec.num_simulations, random_state=rng, n_jobs=1)
    if name == "placebo_treatment":
        return refute_placebo_treatment(frame, estimand, dowhy_estimate, estimand.treatment_variable,
                                        placebo_type=PlaceboType.PERMUTE, **common)
    if name == "random_common_cause":
        return refute_random_common_cause(frame, estimand, dowhy_estimate, **common)
    if name == "data_subset":
        return refute_data_subset(frame, estimand, dowhy_estimate, subset_fraction=spec.subset_fraction, **common)
    if name == "bootstrap":
        return refute_bootstrap(frame, estimand, dowhy_estimate, **common)
    raise ValueError(name)  # unreachable: RefuterSpec.name is a Literal


def settings(spec: RefuterSpec, seed: int) -> dict[str, object]:
    out: dict[str, object] = {"num_simulations": spec.num_simulations, "random_state": seed}
    if spec.name == "data_subset":
        out["subset_fraction"] = spec.subset_fraction
    if spec.name == "placebo_treatment":
        out["placebo_type"] = spec.placebo_type
    return out


NOT_APPLICABLE = {
    ("placebo_treatment", "iv"): "not applicable to an instrumental-variable estimate: a permuted exposure leaves "
                                 "the instrument with no first stage, so the ratio estimate is meaningless",
    ("placebo_treatment", "frontdoor"): "not applicable to DoWhy's front-door estimator: its two stage models keep "
                                        "the original exposure, so the placebo would not be used",
}


def refute_one(frame: pd.DataFrame, estimand, dowhy_estimate, estimate: Estimate, spec: RefuterSpec,
               seed: int, strategy: str = "backdoor") -> Refutation:
    base = dict(name=spec.name, dowhy_name=DOWHY_REFUTERS[spec.name], settings=settings(spec, seed),
                original_effect=estimate.value)
    if (spec.name, strategy) in NOT_APPLICABLE:
        return Refutation(**base, passed=None, rule=NOT_APPLICABLE[(spec.name, strategy)])
    try:
        result = _run(spec.name, frame, estimand, dowhy_estimate, spec, seed)
    except Exception as exc:  # a refuter that cannot run is reported, not fatal: the estimate stands
        return Refutation(**base, passed=None, error=f"{type(exc).__name__}: {exc}",
                          rule="could not run on this estimator/data")
    new = float(np.asarray(result.new_effect, dtype=float).ravel()[0])
    p_value = None
    if isinstance(result.refutation_result, dict) and result.refutation_result.get("p_value") is not None:
        p_value = float(np.asarray(result.refutation_result["p_value"], dtype=float).ravel()[0])
    margin = _margin(estimate)
    if spec.name == "placebo_treatment":
        passed, rule = abs(new) <= margin, PLACEBO_RULE + f" (|{new:.4g}| <= {margin:.4g})"
    else:
        if estimate.ci_low is not None and estimate.ci_high is not None:
            passed = estimate.ci_low <= new <= estimate.ci_high
            rule = STABILITY_RULE + f" [{estimate.ci_low:.4g}, {estimate.ci_high:.4g}]"
        else:
            passed = abs(new - estimate.value) <= margin
            rule = f"passes when the new effect is within 10% of the original ({margin:.4g})"
    return Refutation(**base, new_effect=new, p_value=p_value, passed=bool(passed), rule=rule)


def refute_all(frame: pd.DataFrame, estimand, dowhy_estimate, estimate: Estimate, specs: list[RefuterSpec],
               seed: int, before_each: Callable[[str, int], None] | None = None,
               strategy: str = "backdoor") -> list[Refutation]:
    out: list[Refutation] = []
    for i, spec in enumerate(specs):
        if before_each is not None:
            before_each(spec.name, i)
        out.append(refute_one(frame, estimand, dowhy_estimate, estimate, spec, seed + i, strategy))
    return out
