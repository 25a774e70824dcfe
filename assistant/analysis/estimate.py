"""Estimation: pick a DoWhy estimator suited to the criterion and the exposure, fit it, attach an interval.

=====================  ==========================  =====================================
criterion              exposure                    default method (DoWhy)
=====================  ==========================  =====================================
back-door              binary, with covariates     propensity-score weighting
back-door              otherwise                   linear regression
instrumental variable  any                         Wald / covariance ratio (iv.instrumental_variable)
front door             any                         two-stage regression
=====================  ==========================  =====================================

Estimator classes are imported directly and named in one table
(:data:`ESTIMATOR_CLASSES`); DoWhy's dotted method names are recorded only so
an export can reproduce the run.  Effect modifiers are passed as an empty list
on purpose: left to itself DoWhy adds every other parent of the outcome as an
interaction term, which changes the linear model and disables its analytic
confidence interval.

Intervals: linear regression has an analytic (t-based) interval; every other
estimator gets DoWhy's bootstrap interval over ``spec.ci_simulations``
resamples, with numpy's global generator seeded first because DoWhy's
resampling draws from it.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
from scipy import stats

from assistant.analysis.spec import METHODS, AnalysisSpec, Estimate, ExposureType, Strategy
from assistant.errors import AnalysisFailedError, AnalysisInputError

BACKDOOR_METHODS = ("linear_regression", "propensity_score_weighting", "propensity_score_matching",
                    "propensity_score_stratification")
BINARY_ONLY = ("propensity_score_weighting", "propensity_score_matching", "propensity_score_stratification")
METHOD_FOR_STRATEGY = {"iv": ("instrumental_variable",), "frontdoor": ("frontdoor_two_stage_regression",),
                       "backdoor": BACKDOOR_METHODS}


def estimator_class(method: str):
    if method == "linear_regression":
        from dowhy.causal_estimators.linear_regression_estimator import LinearRegressionEstimator as cls
    elif method == "propensity_score_weighting":
        from dowhy.causal_estimators.propensity_score_weighting_estimator import (
            PropensityScoreWeightingEstimator as cls)
    elif method == "propensity_score_matching":
        from dowhy.causal_estimators.propensity_score_matching_estimator import (
            PropensityScoreMatchingEstimator as cls)
    elif method == "propensity_score_stratification":
        from dowhy.causal_estimators.propensity_score_stratification_estimator import (
            PropensityScoreStratificationEstimator as cls)
    elif method == "instrumental_variable":
        from dowhy.causal_estimators.instrumental_variable_estimator import InstrumentalVariableEstimator as cls
    elif method == "frontdoor_two_stage_regression":
        from dowhy.causal_estimators.two_stage_regression_estimator import TwoStageRegressionEstimator as cls
    else:  # the spec's Literal makes this unreachable from validated input
        raise AnalysisInputError(f"unknown estimation method {method!r}")
    return cls


def choose_method(strategy: Strategy, exposure_type: ExposureType, requested: str, n_covariates: int) -> str:
    """The method to use: the requested one if it fits the criterion and exposure, else a suitable default."""
    allowed = METHOD_FOR_STRATEGY.get(strategy, ())
    if requested == "auto":
        if strategy == "backdoor":
            return "propensity_score_weighting" if exposure_type == "binary" and n_covariates else "linear_regression"
        return allowed[0]
    if requested not in allowed:
        raise AnalysisInputError(
            f"method {requested!r} does not fit the {strategy} identification this graph gives",
            hint=f"use one of: {', '.join(allowed)} (or auto)")
    if requested in BINARY_ONLY and exposure_type != "binary":
        raise AnalysisInputError(f"{requested} needs a binary (two-valued) exposure; this one is continuous",
                                 hint="use linear_regression for a continuous exposure")
    if requested in BINARY_ONLY and not n_covariates:
        raise AnalysisInputError(f"{requested} needs covariates to model the propensity score, and the "
                                 "adjustment set is empty", hint="use linear_regression (no adjustment needed)")
    return requested


def seed_everything(seed: int) -> None:
    np.random.seed(seed % (2**32))
    random.seed(seed)


def method_params(method: str, spec: AnalysisSpec, instrument: str | None) -> dict[str, object]:
    params: dict[str, object] = {"confidence_level": spec.confidence_level}
    if method != "linear_regression":
        params["num_simulations"] = spec.ci_simulations
    if method == "instrumental_variable" and instrument is not None:
        params["iv_instrument_name"] = instrument
    return params


def fit_estimate(frame: pd.DataFrame, estimand, method: str, params: dict[str, object], *,
                 control_value: float, treatment_value: float):
    """Fit DoWhy's estimator on ``frame`` (safe names) and return its CausalEstimate."""
    from dowhy.causal_estimator import estimate_effect

    cls = estimator_class(method)
    estimator = cls(estimand, test_significance=False, confidence_intervals=False, **params)
    identifier = METHODS[method].split(".", 1)[0]
    # A copy: DoWhy's propensity-score estimators write "propensity_score" (and weight) columns into the
    # frame they fit, and later fits on a frame that has the column silently reuse the stale scores.
    return estimate_effect(frame.copy(), estimand.treatment_variable, estimand.outcome_variable, identifier, estimator,
                           control_value=control_value, treatment_value=treatment_value, target_units="ate",
                           effect_modifiers=[], fit_estimator=True, method_params={})


def _scalar(value) -> float:
    return float(np.asarray(value, dtype=float).ravel()[0])


def estimate(frame: pd.DataFrame, estimand, method: str, spec: AnalysisSpec, *, exposure_type: ExposureType,
             control_value: float, treatment_value: float, instrument: str | None = None) -> tuple[Estimate, object]:
    """Fit ``method`` and compute its interval; returns our :class:`Estimate` and DoWhy's CausalEstimate."""
    params = method_params(method, spec, instrument)
    seed_everything(spec.seed)
    try:
        result = fit_estimate(frame, estimand, method, params, control_value=control_value,
                              treatment_value=treatment_value)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as exc:
        raise AnalysisFailedError(f"{METHODS[method]} failed on this data: {exc}",
                                  hint="check for collinear covariates or an exposure that never varies "
                                       "within covariate groups") from exc
    if result.value is None or not np.isfinite(_scalar(result.value)):
        raise AnalysisFailedError(f"{METHODS[method]} returned no finite estimate on this data",
                                  hint="an instrument unrelated to the exposure, or no overlap between groups")
    value = _scalar(result.value)
    est = result.estimator
    level = spec.confidence_level
    if method == "linear_regression":
        ci = np.asarray(est.estimate_confidence_intervals(frame, value, confidence_level=level, method="default"))
        se = _scalar(est.estimate_std_error(frame, method="default"))
        p_value = _scalar(est.model.pvalues.iloc[1])
        ci_method = "analytic (ordinary least squares, t distribution)"
    else:
        seed_everything(spec.seed)
        ci = np.asarray(est.estimate_confidence_intervals(frame, value, confidence_level=level, method="bootstrap",
                                                          num_simulations=spec.ci_simulations))
        se = _scalar(est.estimate_std_error(frame, method="bootstrap", num_simulations=spec.ci_simulations))
        p_value = float(2 * stats.norm.sf(abs(value / se))) if se > 0 else None
        ci_method = f"bootstrap ({spec.ci_simulations} resamples, basic interval); p-value from the bootstrap " \
                    "standard error, normal approximation"
    ci = ci.ravel()
    low, high = (float(min(ci[0], ci[1])), float(max(ci[0], ci[1]))) if len(ci) >= 2 else (None, None)
    out = Estimate(method=method, dowhy_method=METHODS[method], method_params=params, exposure_type=exposure_type,
                   control_value=control_value, treatment_value=treatment_value, value=value, ci_low=low,
                   ci_high=high, confidence_level=level, std_error=se, p_value=p_value, ci_method=ci_method,
                   n_rows=len(frame))
    return out, result
