"""Everything an exported script or notebook needs, resolved: the :class:`ExportPlan`.

An export is made from an :class:`~assistant.analysis.AnalysisResult` (a stored
run: the plan copies its resolved choices, and the script checks it reproduces
its estimate) or from an :class:`~assistant.analysis.AnalysisSpec` (not run
yet: the plan resolves ``method="auto"`` and the identification the same way
the runner would, reading the data for the exposure type when it is given).

Identification is recomputed with :func:`assistant.analysis.identify.identify`
on the *resolved* choices, so the script's DoWhy estimand is built from exactly
the sets the runner used (including the front-door stage sets, which a result
records only in prose).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from assistant import __version__
from assistant.analysis.spec import DOWHY_REFUTERS, METHODS, AnalysisResult, AnalysisSpec
from assistant.errors import InputError
from assistant.model import CausalGraph


@dataclass(frozen=True)
class RefuterPlan:
    name: str
    dowhy_name: str
    num_simulations: int
    subset_fraction: float | None = None
    placebo_type: str | None = None


@dataclass(frozen=True)
class ExportPlan:
    """The analysis, resolved, in plain data.  Original names everywhere except ``nodes``/``edges``/``names``'s
    values, which are DoWhy's safe identifiers (``v0``, ``u0``, ...)."""

    question: str
    exposure: str
    outcome: str
    names: dict[str, str]                 # original variable name -> safe name
    nodes: list[str]                      # safe names, every node of DoWhy's graph
    edges: list[tuple[str, str]]          # safe names
    labels: dict[str, str]                # safe name -> what it stands for (original name or latent description)
    strategy: str                         # backdoor | iv | frontdoor
    adjustment_set: list[str]
    instruments: list[str]
    mediators: list[str]
    first_stage: list[str]
    second_stage: list[str]
    columns: list[str]                    # original names of the columns the estimate reads, in the runner's order
    covariates: list[str]
    method: str                           # ours, e.g. linear_regression
    dowhy_method: str                     # e.g. backdoor.linear_regression
    init_params: dict[str, object]        # estimator constructor arguments (safe names where they name columns)
    control_value: float
    treatment_value: float
    confidence_level: float
    ci_simulations: int
    seed: int
    refuters: list[RefuterPlan] = field(default_factory=list)
    stored_estimate: float | None = None
    stored_ci: tuple[float, float] | None = None
    data_path: str = ""
    version: str = __version__
    dowhy_version: str = ""

    def strings(self) -> list[str]:
        """Every user-supplied string the plan carries (for the injection checks)."""
        out = [self.question, self.exposure, self.outcome, self.data_path, *self.names, *self.labels.values(),
               *self.adjustment_set, *self.instruments, *self.mediators, *self.columns]
        return [s for s in dict.fromkeys(out) if s]

    def anonymized(self) -> "ExportPlan":
        """The same plan with every user-supplied string replaced by a neutral one (same structure)."""
        subst: dict[str, str] = {}
        for i, s in enumerate(self.strings()):
            subst[s] = f"s{i}"

        def m(s: str) -> str:
            return subst.get(s, s)

        return replace(
            self, question=m(self.question), exposure=m(self.exposure), outcome=m(self.outcome),
            names={m(k): v for k, v in self.names.items()}, labels={k: m(v) for k, v in self.labels.items()},
            adjustment_set=[m(s) for s in self.adjustment_set], instruments=[m(s) for s in self.instruments],
            mediators=[m(s) for s in self.mediators], first_stage=[m(s) for s in self.first_stage],
            second_stage=[m(s) for s in self.second_stage], columns=[m(s) for s in self.columns],
            covariates=[m(s) for s in self.covariates], data_path=m(self.data_path))


def _exposure_values(graph: CausalGraph, exposure: str, data: pd.DataFrame | None) -> tuple[str, float, float]:
    from assistant.analysis.prepare import exposure_kind

    if data is not None and exposure in data.columns:
        return exposure_kind(data[exposure].dropna())
    if graph.variable(exposure).data_type == "binary":
        return "binary", 0.0, 1.0
    return "continuous", 0.0, 1.0


def read_data_file(path: str | Path) -> pd.DataFrame:
    """The CSV as causal-assistant reads it (UTF-8, delimiter sniffed, the same missing-value markers)."""
    from assistant.intake.limits import read_data_file as read_limited  # at most the upload limit
    from assistant.intake.profile import read_csv

    return read_csv(read_limited(path), file_name=str(path))[0]


def build_plan(graph: CausalGraph, analysis: AnalysisResult | AnalysisSpec | None = None, *,
               data_path: str | Path | None = None, data_name: str | None = None) -> ExportPlan:
    """Resolve ``analysis`` (default: the graph's first exposure and outcome, defaults otherwise) into a plan."""
    from assistant.analysis.dowhy_graph import to_dowhy_graph
    from assistant.analysis.estimate import choose_method, method_params
    from assistant.analysis.identify import identify

    result = analysis if isinstance(analysis, AnalysisResult) else None
    if result is not None:
        spec = result.spec
    elif isinstance(analysis, AnalysisSpec):
        spec = analysis
    elif analysis is None:
        if not graph.exposures or not graph.outcomes:
            raise InputError("the graph has no exposure and outcome marked, so there is no effect to export",
                             hint="pass --exposure and --outcome")
        spec = AnalysisSpec(exposure=graph.exposures[0], outcome=graph.outcomes[0])
    else:
        raise InputError(f"expected an AnalysisSpec or AnalysisResult, not {type(analysis).__name__}")

    dg = to_dowhy_graph(graph)
    if result is not None:
        idn = result.identification
        ident = identify(graph, dg, spec.exposure, spec.outcome, strategy=idn.strategy,  # type: ignore[arg-type]
                         adjustment_set=idn.adjustment_set if idn.strategy == "backdoor" else None,
                         instruments=idn.instruments if idn.strategy == "iv" else None,
                         mediators=idn.mediators if idn.strategy == "frontdoor" else None)
    else:
        ident = identify(graph, dg, spec.exposure, spec.outcome, strategy=spec.strategy,
                         adjustment_set=spec.adjustment_set, instruments=spec.instruments, mediators=spec.mediators)
    idn = ident.identification
    estimand = ident.estimand
    first = dg.original(((getattr(estimand, "mediation_first_stage_confounders", None) or {}).get("backdoor")) or [])
    second = dg.original(((getattr(estimand, "mediation_second_stage_confounders", None) or {}).get("backdoor"))
                         or [])
    covariates = list(dict.fromkeys([*idn.adjustment_set, *idn.instruments, *idn.mediators, *first, *second]))
    columns = list(dict.fromkeys([spec.exposure, spec.outcome, *covariates]))

    data = read_data_file(data_path) if data_path is not None and Path(data_path).is_file() else None
    if result is not None:
        est = result.estimate
        method, control, treated = est.method, est.control_value, est.treatment_value
        params = dict(est.method_params)
        stored, stored_ci = est.value, (est.ci_low, est.ci_high) if est.ci_low is not None else None
        dowhy_version = result.dowhy_version
    else:
        kind, control, treated = _exposure_values(graph, spec.exposure, data)
        method = choose_method(idn.strategy, kind, spec.method, len(idn.adjustment_set))  # type: ignore[arg-type]
        control = spec.control_value if spec.control_value is not None else control
        treated = spec.treatment_value if spec.treatment_value is not None else treated
        instrument = None
        if idn.strategy == "iv":
            from assistant.analysis.runner import _strongest

            instrument = _strongest(data, spec.exposure, idn.instruments) if data is not None else idn.instruments[0]
        params = method_params(method, spec, instrument)
        stored, stored_ci, dowhy_version = None, None, ""
    if "iv_instrument_name" in params:  # recorded in original names; the estimator wants DoWhy's name
        params["iv_instrument_name"] = dg.to_safe[str(params["iv_instrument_name"])]
    for key, value in params.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"method parameter {key} is not a finite number")

    refuters = [RefuterPlan(name=r.name, dowhy_name=DOWHY_REFUTERS[r.name], num_simulations=r.num_simulations,
                            subset_fraction=r.subset_fraction if r.name == "data_subset" else None,
                            placebo_type=r.placebo_type if r.name == "placebo_treatment" else None)
                for r in spec.refuters]
    question = graph.metadata.question.text if graph.metadata.question else ""
    labels = {safe: dg.from_safe.get(safe, safe) for safe in dg.graph.nodes}
    return ExportPlan(
        question=question or f"What is the effect of {spec.exposure} on {spec.outcome}?",
        exposure=spec.exposure, outcome=spec.outcome, names=dict(dg.to_safe), nodes=[str(n) for n in dg.graph.nodes],
        edges=sorted((str(a), str(b)) for a, b in dg.graph.edges), labels=labels, strategy=idn.strategy,
        adjustment_set=list(idn.adjustment_set), instruments=list(idn.instruments), mediators=list(idn.mediators),
        first_stage=first, second_stage=second, columns=columns, covariates=covariates, method=method,
        dowhy_method=METHODS[method], init_params=params, control_value=float(control),
        treatment_value=float(treated), confidence_level=spec.confidence_level, ci_simulations=spec.ci_simulations,
        seed=spec.seed, refuters=refuters, stored_estimate=stored, stored_ci=stored_ci,
        data_path=data_name if data_name is not None else str(data_path) if data_path is not None else "",
        dowhy_version=dowhy_version)
