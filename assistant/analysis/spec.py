"""What an analysis is asked to do (:class:`AnalysisSpec`) and what it found (:class:`AnalysisResult`).

These are strict pydantic models because they are a contract with three readers:
the store (``analysis_runs.spec`` / ``analysis_runs.result`` are their JSON
dumps), the exports (a DoWhy script or notebook that must reproduce the
estimate, so every choice DoWhy needs is *resolved* and written down here:
the DoWhy method name, its parameters, the estimand and adjustment set, the
identifier renaming, the seed, the refuters and their settings, the confidence
level), and the CLI/UI, which render them in plain language
(:mod:`assistant.analysis.text`).

A spec says what the user asked for; ``method="auto"`` and friends are
resolved by the runner, and the *resolved* spec is stored inside the result
(``AnalysisResult.spec``) so a run can be repeated exactly.

Rung-2/3 queries (:mod:`assistant.analysis.queries`) have their own small pair:
:class:`QuerySpec` and :class:`QueryResult`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Our method names (stable, short, what the CLI accepts) -> DoWhy's dotted method names.
# DoWhy's dotted strings live only in this table and in the estimate module.
METHODS: dict[str, str] = {
    "linear_regression": "backdoor.linear_regression",
    "propensity_score_weighting": "backdoor.propensity_score_weighting",
    "propensity_score_matching": "backdoor.propensity_score_matching",
    "propensity_score_stratification": "backdoor.propensity_score_stratification",
    "instrumental_variable": "iv.instrumental_variable",
    "frontdoor_two_stage_regression": "frontdoor.two_stage_regression",
}
MethodName = Literal[
    "auto", "linear_regression", "propensity_score_weighting", "propensity_score_matching",
    "propensity_score_stratification", "instrumental_variable", "frontdoor_two_stage_regression",
]
Strategy = Literal["backdoor", "iv", "frontdoor", "general"]
StrategyChoice = Literal["auto", "backdoor", "iv", "frontdoor"]
ExposureType = Literal["binary", "continuous"]
RefuterName = Literal["placebo_treatment", "random_common_cause", "data_subset", "bootstrap"]

ALL_REFUTERS: tuple[str, ...] = ("placebo_treatment", "random_common_cause", "data_subset", "bootstrap")

# Our refuter names -> DoWhy's refute_estimate method names.
DOWHY_REFUTERS: dict[str, str] = {
    "placebo_treatment": "placebo_treatment_refuter",
    "random_common_cause": "random_common_cause",
    "data_subset": "data_subset_refuter",
    "bootstrap": "bootstrap_refuter",
}


# Upper bounds on the work one request may ask for (a run, a query): past these a run takes hours and
# holds a worker or a UI session; the error names the field and the bound.
MAX_REFUTER_SIMULATIONS = 10_000
MAX_CI_SIMULATIONS = 10_000
MAX_QUERY_SAMPLES = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RefuterSpec(_Strict):
    """One refuter and its settings (exactly what is passed to DoWhy's ``refute_estimate``)."""

    name: RefuterName
    num_simulations: int = Field(default=100, ge=1, le=MAX_REFUTER_SIMULATIONS)
    subset_fraction: float = Field(default=0.8, gt=0.0, lt=1.0, description="data_subset only.")
    placebo_type: Literal["permute"] = "permute"


class AnalysisSpec(_Strict):
    """What to analyse and how. Defaults give a sensible full run."""

    exposure: str
    outcome: str
    method: MethodName = "auto"
    strategy: StrategyChoice = Field(default="auto", description="Which identification criterion to use.")
    adjustment_set: list[str] | None = Field(default=None, description="Override the back-door set (validated).")
    instruments: list[str] | None = Field(default=None, description="Override the instruments (iv strategy).")
    mediators: list[str] | None = Field(default=None, description="Override the front-door set.")
    refuters: list[RefuterSpec] = Field(default_factory=lambda: [RefuterSpec(name=n) for n in ALL_REFUTERS])
    sensitivity: bool = True
    benchmarks: list[str] = Field(default_factory=list, description="Observed covariates to benchmark confounding "
                                                                    "strength against (Cinelli & Hazlett).")
    confidence_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    ci_simulations: int = Field(default=200, ge=10, le=MAX_CI_SIMULATIONS,
                                description="Bootstrap resamples for the confidence interval of estimators "
                                            "without an analytic one.")
    seed: int = 0
    control_value: float | None = Field(default=None, description="Resolved: 0 for binary exposures, else 0.")
    treatment_value: float | None = Field(default=None, description="Resolved: 1 (one unit more).")
    min_rows: int = Field(default=30, ge=3)
    allow_unvalidated: bool = False


class Identification(_Strict):
    """How the effect was identified: the criterion, the sets, the estimand in words and in DoWhy's terms."""

    strategy: Strategy
    identifiable: bool = True
    adjustment_set: list[str] = Field(default_factory=list)
    instruments: list[str] = Field(default_factory=list)
    mediators: list[str] = Field(default_factory=list)
    estimand: str = Field(default="", description="The estimand as an expression, e.g. E[Y | do(X)] = ...")
    dowhy_estimand_type: str = "nonparametric-ate"
    dowhy_estimand_name: str = Field(default="", description="backdoor | iv | frontdoor | general_adjustment")
    source: Literal["graph-core", "dowhy"] = "graph-core"
    alternatives: dict[str, list[list[str]]] = Field(
        default_factory=dict, description="Other criteria that also work, e.g. {'backdoor': [['Z']]}.")
    notes: list[str] = Field(default_factory=list)


class DoWhyInput(_Strict):
    """How our graph was handed to DoWhy (what an export needs to rebuild the same CausalModel).

    Columns are renamed to safe identifiers (``v0``, ``v1``, ...) because DoWhy's
    formula-based estimators build patsy/statsmodels formulas from column names.
    """

    names: dict[str, str] = Field(description="original variable name -> DoWhy node/column name")
    latents: dict[str, list[str]] = Field(default_factory=dict,
                                          description="synthetic latent DoWhy name -> the two (original) "
                                                      "variables of the bidirected edge, or [name] for a "
                                                      "declared latent variable")
    edges: list[tuple[str, str]] = Field(default_factory=list, description="directed edges, DoWhy names")


class Estimate(_Strict):
    method: str = Field(description="our method name")
    dowhy_method: str = Field(description="DoWhy method_name passed to estimate_effect")
    method_params: dict[str, object] = Field(default_factory=dict)
    exposure_type: ExposureType
    control_value: float
    treatment_value: float
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    confidence_level: float
    std_error: float | None = None
    p_value: float | None = None
    ci_method: str = Field(default="", description="How the interval was computed.")
    n_rows: int


class Refutation(_Strict):
    name: str
    dowhy_name: str
    settings: dict[str, object] = Field(default_factory=dict)
    original_effect: float
    new_effect: float | None = None
    p_value: float | None = None
    passed: bool | None = None
    rule: str = Field(default="", description="The pass/fail rule used, in words.")
    error: str | None = None


class Benchmark(_Strict):
    """How strong a confounder 1x as strong as an observed covariate would be, and what it would do."""

    covariate: str
    r2dz_x: float = Field(description="partial R² of the confounder with the exposure")
    r2yz_dx: float = Field(description="partial R² of the confounder with the outcome")
    adjusted_estimate: float | None = Field(
        default=None, description="None when no confounder can be as strong as this covariate (the bound is >= 1).")
    adjusted_ci_low: float | None = None
    adjusted_ci_high: float | None = None
    note: str = ""


class Contour(_Strict):
    """Adjusted estimate over a grid of confounder strengths (for a contour plot)."""

    r2dz_x: list[float]
    r2yz_dx: list[float]
    estimates: list[list[float]] = Field(description="estimates[i][j] at r2dz_x[i], r2yz_dx[j]")


class EValue(_Strict):
    point: float
    ci: float | None = Field(default=None, description="E-value of the confidence limit closest to 1")
    scale: str = Field(description="How the effect was put on the risk-ratio scale.")
    risk_ratio: float | None = None


class Sensitivity(_Strict):
    """Cinelli & Hazlett (2020) omitted-variable-bias analysis, plus the E-value."""

    method: str = "cinelli-hazlett linear partial R² (computed from the outcome regression)"
    estimate: float
    std_error: float
    t_value: float
    dof: int
    r2yd_x: float = Field(description="partial R² of exposure with outcome, given the adjustment set")
    robustness_value: float = Field(description="RV_q (q=1): strength that would erase the estimate")
    robustness_value_alpha: float = Field(description="RV_{q,alpha}: strength that would make it insignificant")
    benchmarks: list[Benchmark] = Field(default_factory=list)
    contour: Contour | None = None
    summary: str = ""


class DataInfo(_Strict):
    sha256: str
    n_rows: int
    n_used: int
    columns: list[str]


class AnalysisResult(_Strict):
    spec: AnalysisSpec = Field(description="The resolved spec: method, refuters, values, seed.")
    rung: Literal[2] = 2
    identification: Identification
    dowhy_input: DoWhyInput
    estimate: Estimate
    refutations: list[Refutation] = Field(default_factory=list)
    sensitivity: Sensitivity | None = Field(default=None, description="back-door estimates only")
    evalue: EValue | None = None
    data: DataInfo
    warnings: list[str] = Field(default_factory=list)
    dowhy_version: str = ""
    duration_seconds: float = 0.0


# --- Pearl's ladder: rung-2/3 queries --------------------------------------------------------


class QuerySpec(_Strict):
    interventions: dict[str, float] = Field(description="do(X=x): variable -> value")
    outcome: str | None = None
    unit: int | None = Field(default=None, description="Row index (0-based): a rung-3 counterfactual for it.")
    scale: dict[str, float] = Field(default_factory=dict,
                                    description="Counterfactual shift as a factor of the unit's own value, "
                                                "e.g. {'radio': 0.5} = halved (rung 3 only).")
    samples: int = Field(default=10_000, ge=10, le=MAX_QUERY_SAMPLES)
    seed: int = 0
    confidence_level: float = Field(default=0.95, gt=0.0, lt=1.0)


class QueryResult(_Strict):
    rung: Literal[2, 3]
    kind: Literal["interventional", "counterfactual"]
    question: str
    outcome: str
    interventions: dict[str, float]
    value: float = Field(description="rung 2: mean outcome under do(); rung 3: the unit's counterfactual outcome")
    ci_low: float | None = None
    ci_high: float | None = None
    observed_value: float | None = Field(default=None, description="rung 2: observed mean; rung 3: the unit's "
                                                                    "factual outcome")
    unit: int | None = None
    factual: dict[str, float] = Field(default_factory=dict)
    mechanisms: dict[str, str] = Field(default_factory=dict, description="variable -> fitted mechanism")
    assumptions: list[str] = Field(default_factory=list)
    seed: int = 0
    samples: int = 0
    dowhy_version: str = ""
