"""Run a whole analysis: prepare → identify → estimate → refute → sensitivity, with progress and cancellation.

>>> from assistant import gallery
>>> from assistant.stats.simulate import simulate_linear
>>> g = gallery.load("confounding")
>>> data = simulate_linear(g, 500, seed=1, weights={"X -> Y": 2.0})
>>> result = run_analysis(g, data, AnalysisSpec(exposure="X", outcome="Y", refuters=[]))
>>> print(result.identification.strategy, result.estimate.ci_low < 2.0 < result.estimate.ci_high)
backdoor True

``progress(step, fraction)`` is called before each step (and with ``"done",
1.0`` at the end); ``cancel`` is a :class:`CancelToken` checked between
steps, raising :class:`~assistant.errors.AnalysisCancelledError`.  Nothing
here touches the store: :func:`assistant.analysis.store_run.run_and_store`
records runs (including failed and cancelled ones).
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from contextlib import contextmanager
from typing import Callable, Iterator

import pandas as pd

from assistant.analysis.dowhy_graph import to_dowhy_graph
from assistant.analysis.estimate import choose_method, estimate
from assistant.analysis.evalue import e_value
from assistant.analysis.identify import identify
from assistant.analysis.prepare import data_sha256, prepare
from assistant.analysis.refute import refute_all
from assistant.analysis.sensitivity import sensitivity
from assistant.analysis.spec import AnalysisResult, AnalysisSpec, DataInfo
from assistant.errors import AnalysisCancelledError
from assistant.model import CausalGraph

Progress = Callable[[str, float], None]


class CancelToken:
    """Thread-safe cancellation flag; the runner checks it between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self, step: str) -> None:
        if self._event.is_set():
            raise AnalysisCancelledError(f"the analysis was cancelled before {step}", step=step)


@contextmanager
def quiet_dowhy() -> Iterator[None]:
    """DoWhy logs at INFO and warns freely (FutureWarnings from pandas/sklearn); keep the CLI readable."""
    logger = logging.getLogger("dowhy")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


class _Steps:
    def __init__(self, progress: Progress | None, cancel: CancelToken | None):
        self.progress, self.cancel = progress, cancel

    def __call__(self, step: str, fraction: float) -> None:
        if self.cancel is not None:
            self.cancel.check(step)
        if self.progress is not None:
            self.progress(step, fraction)


def run_analysis(graph: CausalGraph, data: pd.DataFrame, spec: AnalysisSpec, progress: Progress | None = None,
                 cancel: CancelToken | None = None) -> AnalysisResult:
    """Identify, estimate, refute and assess the sensitivity of the effect ``spec`` asks for."""
    started = time.perf_counter()
    step = _Steps(progress, cancel)
    import dowhy

    with quiet_dowhy():
        step("identify", 0.0)
        dg = to_dowhy_graph(graph)
        ident = identify(graph, dg, spec.exposure, spec.outcome, strategy=spec.strategy,
                         adjustment_set=spec.adjustment_set, instruments=spec.instruments, mediators=spec.mediators)
        idn = ident.identification
        stage_vars = [n for note_set in _stage_sets(ident.estimand, dg) for n in note_set]
        covariates = list(dict.fromkeys([*idn.adjustment_set, *idn.instruments, *idn.mediators, *stage_vars]))

        step("check data", 0.05)
        prepared = prepare(data, spec.exposure, spec.outcome, covariates, min_rows=spec.min_rows,
                           method="the estimator")
        method = choose_method(idn.strategy, prepared.exposure_type, spec.method, len(idn.adjustment_set))
        control = spec.control_value if spec.control_value is not None else prepared.control_value
        treated = spec.treatment_value if spec.treatment_value is not None else prepared.treatment_value
        resolved = spec.model_copy(update={"method": method, "control_value": control, "treatment_value": treated,
                                           "strategy": idn.strategy if idn.strategy != "general" else "auto"})
        frame = dg.frame(prepared.frame, list(prepared.frame.columns))

        step("estimate", 0.1)
        instrument = None
        if idn.strategy == "iv":
            instrument = _strongest(prepared.frame, spec.exposure, idn.instruments)
            idn = idn.model_copy(update={"notes": idn.notes + [f"instrument used: {instrument}"]})
        est, dowhy_estimate = estimate(frame, ident.estimand, method, resolved, exposure_type=prepared.exposure_type,
                                       control_value=control, treatment_value=treated,
                                       instrument=None if instrument is None else dg.to_safe[instrument])
        if instrument is not None:  # recorded in original names: the export maps them itself
            est = est.model_copy(update={"method_params": {**est.method_params, "iv_instrument_name": instrument}})

        n_ref = len(resolved.refuters)
        refutations = refute_all(
            frame, ident.estimand, dowhy_estimate, est, resolved.refuters, resolved.seed,
            before_each=lambda name, i: step(f"refute: {name}", 0.3 + 0.55 * i / max(n_ref, 1)),
            strategy=idn.strategy)

        sens = None
        ev = None
        notes = list(prepared.warnings)
        if resolved.sensitivity:
            step("sensitivity", 0.85)
            ev = e_value(est, prepared.frame, spec.exposure, spec.outcome)
            if idn.strategy == "backdoor":
                sens = sensitivity(prepared.frame, spec.exposure, spec.outcome, idn.adjustment_set,
                                   benchmarks=resolved.benchmarks or None,
                                   confidence_level=resolved.confidence_level)
                if method != "linear_regression":
                    sens = sens.model_copy(update={
                        "method": sens.method + f"; the linear-regression estimate {sens.estimate:.4g} is the one "
                                                f"assessed (the {method} estimate is {est.value:.4g})"})
            else:
                notes.append(f"no partial-R² sensitivity analysis for a {idn.strategy} estimate: the omitted-"
                             "variable-bias formula is for covariate adjustment (the E-value is reported)")
        step("done", 1.0)

    return AnalysisResult(
        spec=resolved, identification=idn, dowhy_input=dg.describe(), estimate=est, refutations=refutations,
        sensitivity=sens, evalue=ev, data=DataInfo(sha256=data_sha256(data), n_rows=prepared.n_rows,
                                        n_used=len(prepared.frame), columns=[str(c) for c in data.columns]),
        warnings=notes, dowhy_version=dowhy.__version__, duration_seconds=round(time.perf_counter() - started, 4))


def _stage_sets(estimand, dg) -> list[list[str]]:
    """Front-door stage adjustment sets, back in original names."""
    out = []
    for attr in ("mediation_first_stage_confounders", "mediation_second_stage_confounders"):
        value = getattr(estimand, attr, None)
        if isinstance(value, dict):
            out.append(dg.original(value.get("backdoor") or []))
    return out


def _strongest(frame: pd.DataFrame, exposure: str, instruments: list[str]) -> str:
    """The instrument most correlated with the exposure (weak instruments inflate IV estimates)."""
    if len(instruments) == 1:
        return instruments[0]
    corr = {z: abs(frame[[z, exposure]].astype(float).corr().iloc[0, 1]) for z in instruments}
    return max(instruments, key=lambda z: (corr[z], -instruments.index(z)))
