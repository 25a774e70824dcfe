"""Pearl's ladder, rungs 2 and 3: interventional and counterfactual questions through ``dowhy.gcm``.

* **Rung 2, intervention** — "what if radio play were set to 10 for everyone?"
  ``E[sales | do(radio = 10)]`` for the population.  We fit a structural causal
  model on the graph (roots: the empirical distribution; other continuous
  nodes: linear additive-noise models; discrete nodes: a logistic classifier)
  and draw interventional samples.
* **Rung 3, counterfactual** — "what would *this* artist's sales have been had
  her radio play been halved?"  For one observed row, the noise terms are
  recovered from the row (abduction), the intervention is applied (action) and
  the outcome recomputed (prediction).  That needs an *invertible* model: every
  non-root mechanism must let us read its noise back from the data, which
  additive-noise models do and classifiers do not.

The tool names the rung a query needs (:func:`rung_needed`) and refuses, with
reasons, what the model's assumptions cannot support: latent confounders
(bidirected edges or latent variables) — an SCM fitted on the observed
variables would silently treat confounded associations as causal — and, for
rung 3, non-invertible (discrete) mechanisms or an unknown row.
Everything is seeded: the fit (via ``gcm.util.general.set_random_seed``) and the
sampling.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

import networkx as nx
import numpy as np
import pandas as pd

from assistant.analysis.prepare import require_columns
from assistant.analysis.runner import quiet_dowhy
from assistant.analysis.spec import QueryResult, QuerySpec
from assistant.errors import AnalysisInputError, RungRefusedError, UnknownVariableError
from assistant.graph.dag import to_latent_dag
from assistant.model import CausalGraph

DISCRETE_TYPES = {"binary", "categorical", "ordinal", "text"}


def rung_needed(spec: QuerySpec) -> int:
    """2 for a population-level intervention, 3 for a unit-level counterfactual."""
    return 3 if spec.unit is not None else 2


def _is_discrete(graph: CausalGraph, data: pd.DataFrame, name: str) -> bool:
    col = data[name]
    return (graph.variable(name).data_type in DISCRETE_TYPES or not pd.api.types.is_numeric_dtype(col)
            or col.nunique() <= 2)


def _relevant(graph: CausalGraph, spec: QuerySpec, outcome: str) -> set[str]:
    """The variables the answer depends on: the outcome, the intervened ones and their ancestors."""
    ld = to_latent_dag(graph)
    nodes = {outcome, *spec.interventions, *spec.scale}
    out = set(nodes)
    for n in nodes:
        out |= {a for a in nx.ancestors(ld.dag, n) if isinstance(a, str)}
    return out


def check_query(graph: CausalGraph, data: pd.DataFrame, spec: QuerySpec) -> str:
    """Validate the query against graph and data; return the outcome. Raises the typed refusals."""
    rung = rung_needed(spec)
    targets = [*spec.interventions, *spec.scale]
    if not targets:
        raise AnalysisInputError("the query sets no variable: give at least one intervention, e.g. --do \"X=10\"")
    both = set(spec.interventions) & set(spec.scale)
    if both:
        raise AnalysisInputError(f"{sorted(both)} both set and scaled; choose one")
    unknown = [t for t in targets if not graph.has_variable(t)]
    if unknown:
        raise UnknownVariableError(unknown, context="the intervention", known=graph.names)
    outcome = spec.outcome or (graph.outcomes[0] if graph.outcomes else None)
    if outcome is None:
        raise AnalysisInputError("no outcome: pass --outcome or mark one in the graph")
    if not graph.has_variable(outcome):
        raise UnknownVariableError([outcome], context="the outcome", known=graph.names)
    if outcome in targets:
        raise AnalysisInputError(f"the outcome {outcome!r} cannot also be intervened on")
    relevant = _relevant(graph, spec, outcome)
    what = "counterfactual" if rung == 3 else "interventional"
    reasons: list[str] = []
    latent = sorted(n for n in relevant if not graph.variable(n).observed)
    if latent:
        reasons.append(f"latent variable(s) {', '.join(map(repr, latent))} affect the answer and cannot be fitted")
    confounded = sorted(str(e) for e in graph.bidirected_edges() if e.source in relevant or e.target in relevant)
    if confounded:
        reasons.append("hidden common causes (" + "; ".join(confounded) + ") make the fitted mechanisms "
                       "confuse confounding with causation")
    if reasons:
        raise RungRefusedError(
            f"this {what} query needs rung {rung} assumptions the model does not support: " + "; ".join(reasons),
            rung=rung, reasons=reasons,
            hint="for the average effect use `causal-assistant analyze`, which identifies it despite the latent "
                 "confounding (front door, instrument) where the graph allows; or measure the latent variable")
    observed = [n for n in graph.observed if n in relevant]
    require_columns(data, observed, "the variable(s)")
    if rung == 3:
        n = len(data)
        if spec.unit < 0 or spec.unit >= n:
            raise RungRefusedError(f"row {spec.unit} is not in the data (it has rows 0 to {n - 1})", rung=3,
                                   reasons=[f"unknown row {spec.unit}"], hint="rows are numbered from 0")
        ld = to_latent_dag(graph)
        non_invertible = sorted(v for v in observed if any(True for _ in ld.dag.predecessors(v))
                                and _is_discrete(graph, data, v))
        if non_invertible:
            reasons = [f"{v!r} is discrete: its mechanism is not invertible, so the row's noise for it cannot be "
                       "recovered" for v in non_invertible]
            raise RungRefusedError(
                "this counterfactual needs rung 3 (an invertible structural model), but " + "; ".join(reasons),
                rung=3, reasons=reasons,
                hint="ask the population-level (rung 2) question instead: drop --unit")
        missing = [v for v in observed if pd.isna(data[v].iloc[spec.unit])]
        if missing:
            raise RungRefusedError(f"row {spec.unit} has no value for {', '.join(map(repr, missing))}", rung=3,
                                   reasons=[f"missing values in row {spec.unit}"])
    return outcome


def _model(graph: CausalGraph, data: pd.DataFrame, nodes: list[str], invertible: bool):
    from dowhy import gcm

    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((e.source, e.target) for e in graph.directed_edges() if e.source in nodes and e.target in nodes)
    scm = gcm.InvertibleStructuralCausalModel(g) if invertible else gcm.StructuralCausalModel(g)
    mechanisms: dict[str, str] = {}
    for n in nx.topological_sort(g):
        if g.in_degree(n) == 0:
            scm.set_causal_mechanism(n, gcm.EmpiricalDistribution())
            mechanisms[n] = "empirical distribution (root)"
        elif _is_discrete(graph, data, n):
            scm.set_causal_mechanism(n, gcm.ClassifierFCM(gcm.ml.create_logistic_regression_classifier()))
            mechanisms[n] = "logistic classifier of its parents"
        else:
            scm.set_causal_mechanism(n, gcm.AdditiveNoiseModel(gcm.ml.create_linear_regressor()))
            mechanisms[n] = "linear in its parents + independent noise (additive noise model)"
    return scm, mechanisms


@contextmanager
def _no_progress_bars() -> Iterator[None]:
    from dowhy.gcm import config

    before = config.show_progress_bars
    config.show_progress_bars = False
    try:
        yield
    finally:
        config.show_progress_bars = before


def _interventions(spec: QuerySpec) -> dict[str, Callable]:
    out: dict[str, Callable] = {k: (lambda x, v=v: np.full_like(x, v, dtype=float)) for k, v in
                                spec.interventions.items()}
    out.update({k: (lambda x, f=f: f * x) for k, f in spec.scale.items()})
    return out


def _describe(spec: QuerySpec) -> list[str]:
    return [f"{k} = {v:g}" for k, v in spec.interventions.items()] + \
           [f"{k} = {f:g} × its value" for k, f in spec.scale.items()]


def run_query(graph: CausalGraph, data: pd.DataFrame, spec: QuerySpec) -> QueryResult:
    """Answer a rung-2 or rung-3 query, or raise :class:`RungRefusedError` saying why not."""
    from dowhy import __version__ as dowhy_version
    from dowhy import gcm
    from dowhy.gcm.util.general import set_random_seed

    outcome = check_query(graph, data, spec)
    rung = rung_needed(spec)
    nodes = [n for n in graph.names if n in _relevant(graph, spec, outcome)]
    frame = data[nodes].dropna()
    if len(frame) < 10:
        raise AnalysisInputError(f"too few complete rows to fit the model: {len(frame)}")
    for n in nodes:
        if not pd.api.types.is_numeric_dtype(frame[n]):
            raise AnalysisInputError(f"{n!r} is not numeric; the structural model needs numbers",
                                     hint="recode it as numbers (0/1 for yes/no)")
    with quiet_dowhy(), _no_progress_bars():
        set_random_seed(spec.seed)
        scm, mechanisms = _model(graph, frame, nodes, invertible=(rung == 3))
        fit_frame = frame.astype(float)
        for n, kind in mechanisms.items():
            if kind.startswith("logistic"):  # gcm's classifiers want string labels
                fit_frame[n] = fit_frame[n].map(lambda v: f"{v:g}")
        gcm.fit(scm, fit_frame)
        set_random_seed(spec.seed)
        what = ", ".join(_describe(spec))
        assumptions = ["the graph is right and has no hidden common causes among these variables",
                       "each mechanism has the fitted form (see mechanisms)"]
        if rung == 2:
            samples = gcm.interventional_samples(scm, _interventions(spec), num_samples_to_draw=spec.samples)
            y = pd.to_numeric(samples[outcome]).to_numpy(dtype=float)
            mean, sd = float(y.mean()), float(y.std(ddof=1))
            from scipy import stats

            z = float(stats.norm.ppf(0.5 + spec.confidence_level / 2))
            half = z * sd / math.sqrt(len(y))
            return QueryResult(
                rung=2, kind="interventional", question=f"E[{outcome} | do({what})]", outcome=outcome,
                interventions={**spec.interventions, **{f"{k} (factor)": f for k, f in spec.scale.items()}},
                value=mean, ci_low=mean - half, ci_high=mean + half,
                observed_value=float(frame[outcome].astype(float).mean()), mechanisms=mechanisms,
                assumptions=assumptions + ["the interval reflects Monte-Carlo sampling only, not uncertainty in "
                                           "the fitted mechanisms"],
                seed=spec.seed, samples=spec.samples, dowhy_version=dowhy_version)
        row = data.loc[[data.index[spec.unit]], nodes].astype(float)
        cf = gcm.counterfactual_samples(scm, _interventions(spec), observed_data=row)
        return QueryResult(
            rung=3, kind="counterfactual", question=f"{outcome} for row {spec.unit} had {what}", outcome=outcome,
            interventions={**spec.interventions, **{f"{k} (factor)": f for k, f in spec.scale.items()}},
            value=float(cf[outcome].iloc[0]), observed_value=float(row[outcome].iloc[0]), unit=spec.unit,
            factual={k: float(v) for k, v in row.iloc[0].items()}, mechanisms=mechanisms,
            assumptions=assumptions + ["the row's own noise terms are kept (abduction, action, prediction)"],
            seed=spec.seed, samples=1, dowhy_version=dowhy_version)


def parse_interventions(items: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
    """``["radio_play=10", "tiktok_use=*0.5"]`` -> (values to set, factors to scale the unit's own value by).

    Each item is split at its last ``=``, so a name may itself contain one.
    """
    set_to: dict[str, float] = {}
    scale: dict[str, float] = {}
    items = [i.strip() for i in items if i.strip()]
    if not items:
        raise AnalysisInputError("name an intervention, e.g. radio_play=10 (or radio_play=*0.5 to halve it)")
    for item in items:
        if "=" not in item:
            raise AnalysisInputError(f"{item!r}: write NAME=VALUE (or NAME=*FACTOR, e.g. radio_play=*0.5)")
        name, _, raw = item.rpartition("=")
        name, raw = name.strip(), raw.strip()
        if not name:
            raise AnalysisInputError(f"{item!r}: name the variable before '=', e.g. radio_play=10")
        if name in set_to or name in scale:
            raise AnalysisInputError(f"{item!r}: {name!r} is intervened on twice; give one value (or one factor)")
        target = scale if raw.startswith("*") else set_to
        try:
            value = float(raw.lstrip("*"))
        except ValueError:
            raise AnalysisInputError(f"{item!r}: {raw!r} is not a number") from None
        if not math.isfinite(value):
            raise AnalysisInputError(f"{item!r}: {raw!r} is not a finite number; give a value the variable can take")
        target[name] = value
    return set_to, scale
