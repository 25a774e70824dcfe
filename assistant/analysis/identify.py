"""Identification: which criterion turns ``P(outcome | do(exposure))`` into a formula over observed data.

We ask our own graph core (:mod:`assistant.graph`) rather than DoWhy's
``identify_effect``, and then build DoWhy's :class:`IdentifiedEstimand`
ourselves, for three reasons:

* DoWhy's default back-door search enumerates candidate subsets and grows
  exponentially with the number of observed variables; our minimal-separator
  search (:func:`~assistant.graph.minimal_adjustment_sets`) has polynomial delay.
* DoWhy's ``id-algorithm`` ignores ``observed_nodes``: it treats every node,
  latent ones included, as measured, so on a graph with latent confounders it
  "identifies" effects that are not identifiable.  It is useless exactly where
  it would be needed.  For the general verdict we use Tian & Pearl's (2002)
  theorem instead: for a single exposure X, ``P(y | do(x))`` is identifiable
  iff no child of X (among the ancestors of Y) is joined to X by a path of
  bidirected edges in the latent projection.  It names the culprit, so the
  error can say what to measure.
* DoWhy's front-door and IV searches agree with ours on simple graphs but
  return no reason when they fail; ours do.

Criteria are tried in the order back-door, front-door, instrumental variable
(``strategy="auto"``), or as the spec forces.  What DoWhy's estimators can
estimate is narrower than what is identifiable: one front-door mediator,
unconditional instruments.  Those limits are reported, never papered over.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from assistant.analysis.dowhy_graph import DoWhyGraph
from assistant.analysis.spec import Identification, StrategyChoice
from assistant.errors import AnalysisInputError, NotIdentifiableError, UnknownVariableError
from assistant.graph import (
    check_adjustment_set, front_door, instrumental_variables, latent_projection, minimal_adjustment_sets,
)
from assistant.graph.dag import to_latent_dag
from assistant.model import CausalGraph


@dataclass(frozen=True)
class Identified:
    identification: Identification
    estimand: object  # dowhy IdentifiedEstimand, over DoWhy's safe names


def _fmt(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(names)


def check_query(graph: CausalGraph, exposure: str, outcome: str) -> None:
    """The exposure and outcome name observed graph variables, different, with a directed path between them."""
    for what, name in (("exposure", exposure), ("outcome", outcome)):
        if not graph.has_variable(name):
            raise UnknownVariableError([name], context=f"the {what}", known=graph.names)
        if not graph.variable(name).observed:
            raise AnalysisInputError(f"the {what} {name!r} is latent (unmeasured): it cannot be analysed",
                                     hint="mark it observed and supply its column, or pick another variable")
    if exposure == outcome:
        raise AnalysisInputError(f"{exposure!r} cannot be both exposure and outcome")
    ld = to_latent_dag(graph)
    if outcome not in nx.descendants(ld.dag, exposure):
        raise AnalysisInputError(
            f"the graph has no directed path from {exposure!r} to {outcome!r}: it asserts the effect is zero",
            hint="add the causal arrows you believe in, or pick another outcome")


def general_identifiability(graph: CausalGraph, exposure: str, outcome: str) -> tuple[bool, str]:
    """Tian & Pearl (2002): identifiable iff no child of X in An(Y) is bidirected-connected to X.

    Returns the verdict and, when not identifiable, the child and the bidirected path that block it.
    """
    proj = latent_projection(graph)
    directed = nx.DiGraph()
    directed.add_nodes_from(proj.names)
    directed.add_edges_from((e.source, e.target) for e in proj.directed_edges())
    relevant = nx.ancestors(directed, outcome) | {outcome}
    bidirected = nx.Graph()
    bidirected.add_nodes_from(relevant)
    bidirected.add_edges_from((e.source, e.target) for e in proj.bidirected_edges()
                              if e.source in relevant and e.target in relevant)
    for child in sorted(set(directed.successors(exposure)) & relevant):
        if nx.has_path(bidirected, exposure, child):
            path = nx.shortest_path(bidirected, exposure, child)
            return False, f"{child!r} (a child of {exposure!r}) shares a hidden common cause with it: " + \
                " <-> ".join(path)
    return True, ""


def _estimand(dg: DoWhyGraph, x: str, y: str, strategy: str, *, adjustment: list[str] = (),
              instruments: list[str] = (), mediators: list[str] = (), first_stage: list[str] = (),
              second_stage: list[str] = ()):
    from dowhy.causal_identifier.auto_identifier import (
        EstimandType, construct_adjustment_estimand, construct_frontdoor_estimand, construct_iv_estimand,
    )
    from dowhy.causal_identifier.identified_estimand import IdentifiedEstimand

    tx, ty = dg.safe([x]), dg.safe([y])
    estimands: dict[str, object] = {"backdoor": None, "iv": None, "frontdoor": None}
    backdoor_vars: dict[str, list[str]] = {}
    kwargs: dict[str, object] = {}
    if strategy == "backdoor":
        z = dg.safe(adjustment)
        estimands["backdoor"] = construct_adjustment_estimand(tx, ty, z)
        backdoor_vars = {"backdoor": z}
    elif strategy == "iv":
        estimands["iv"] = construct_iv_estimand(tx, ty, dg.safe(instruments))
        kwargs["instrumental_variables"] = dg.safe(instruments)
    elif strategy == "frontdoor":
        m = dg.safe(mediators)
        estimands["frontdoor"] = construct_frontdoor_estimand(tx, ty, m)
        kwargs["frontdoor_variables"] = m
        # DoWhy's two-stage estimator reads these as {"backdoor": [...]}-style dicts.
        kwargs["mediation_first_stage_confounders"] = {"backdoor": dg.safe(first_stage)}
        kwargs["mediation_second_stage_confounders"] = {"backdoor": dg.safe(second_stage)}
    # DoWhy's random-common-cause refuter reads the back-door set even for IV and front-door estimands.
    backdoor_vars = backdoor_vars or {"backdoor": []}
    kwargs.setdefault("instrumental_variables", [])
    kwargs.setdefault("frontdoor_variables", [])
    return IdentifiedEstimand(None, treatment_variable=tx, outcome_variable=ty,
                              estimand_type=EstimandType.NONPARAMETRIC_ATE, estimands=estimands,
                              backdoor_variables=backdoor_vars, default_backdoor_id="backdoor", **kwargs)


def _backdoor(graph: CausalGraph, x: str, y: str, override: list[str] | None) -> tuple[list[str] | None, str, list]:
    if override is not None:
        check = check_adjustment_set(graph, override, x, y)
        if not check.valid:
            raise AnalysisInputError(f"{{{_fmt(override)}}} is not a valid adjustment set: "
                                     + "; ".join(check.problems),
                                     hint="leave the adjustment set out to use a minimal valid one")
        return sorted(override), "", []
    if graph.adjusted and check_adjustment_set(graph, graph.adjusted, x, y).valid:
        return sorted(graph.adjusted), "", []
    sets = minimal_adjustment_sets(graph, x, y)
    if not sets.identifiable:
        return None, "no set of observed variables blocks every back-door path (a latent confounder is in the way)", []
    return list(sets.sets[0]), "", [list(s) for s in sets.sets]


def _front_door(graph: CausalGraph, x: str, y: str, override: list[str] | None) -> tuple[list[str] | None, str]:
    if override is not None:
        from assistant.graph import is_front_door_set

        if not is_front_door_set(graph, override, x, y):
            raise AnalysisInputError(f"{{{_fmt(override)}}} does not satisfy the front-door criterion for "
                                     f"{x!r} -> {y!r}")
        mediators = list(override)
    else:
        fd = front_door(graph, x, y)
        if not fd.exists:
            return None, "no observed set intercepts every causal path while being unconfounded with the exposure"
        mediators = list(fd.minimal or ())
    if len(mediators) != 1:
        return None, (f"the front door needs {len(mediators)} mediators ({_fmt(mediators)}); DoWhy's "
                      "frontdoor.two_stage_regression takes exactly one")
    return mediators, ""


def _instruments(graph: CausalGraph, x: str, y: str, override: list[str] | None) -> tuple[list[str] | None, str]:
    found = instrumental_variables(graph, x, y)
    plain = [i.variable for i in found if not i.conditioning]
    if override is not None:
        bad = [z for z in override if z not in plain]
        if bad:
            raise AnalysisInputError(f"{_fmt(bad)} {'is' if len(bad) == 1 else 'are'} not an unconditional "
                                     f"instrument for {x!r} -> {y!r} in this graph")
        return list(override), ""
    if plain:
        return plain, ""
    if found:
        return None, ("only conditional instruments exist (" + "; ".join(str(i) for i in found)
                      + "), and DoWhy's iv.instrumental_variable takes no covariates")
    return None, "no observed variable moves the exposure while reaching the outcome only through it"


def identify(graph: CausalGraph, dg: DoWhyGraph, exposure: str, outcome: str, *,
             strategy: StrategyChoice = "auto", adjustment_set: list[str] | None = None,
             instruments: list[str] | None = None, mediators: list[str] | None = None) -> Identified:
    """Identify the effect of ``exposure`` on ``outcome``; raises :class:`NotIdentifiableError` with reasons."""
    check_query(graph, exposure, outcome)
    x, y = exposure, outcome
    tried: dict[str, str] = {}
    alternatives: dict[str, list[list[str]]] = {}

    z, why, all_sets = (None, "not tried", [])
    if strategy in ("auto", "backdoor"):
        z, why, all_sets = _backdoor(graph, x, y, adjustment_set)
        tried["back-door"] = why
        if z is not None:
            alternatives["backdoor"] = all_sets or [z]
    m, why_fd = (None, "not tried")
    if strategy in ("auto", "frontdoor"):
        m, why_fd = _front_door(graph, x, y, mediators)
        tried["front-door"] = why_fd
        if m is not None:
            alternatives["frontdoor"] = [m]
    ivs, why_iv = (None, "not tried")
    if strategy in ("auto", "iv"):
        ivs, why_iv = _instruments(graph, x, y, instruments)
        tried["instrumental variable"] = why_iv
        if ivs is not None:
            alternatives["iv"] = [[i] for i in ivs]

    notes: list[str] = []
    if z is not None:
        ident = Identification(
            strategy="backdoor", adjustment_set=z, dowhy_estimand_name="backdoor",
            estimand=(f"E[{y} | do({x})] = " + (f"Σ_{{{_fmt(z)}}} E[{y} | {x}, {_fmt(z)}] P({_fmt(z)})" if z
                                                 else f"E[{y} | {x}]  (no adjustment needed)")),
            alternatives=alternatives, notes=notes)
        return Identified(ident, _estimand(dg, x, y, "backdoor", adjustment=z))
    if m is not None:
        first = minimal_adjustment_sets(graph, x, m)
        second = minimal_adjustment_sets(graph, m, y)
        if not first.identifiable or not second.identifiable:  # cannot happen for a valid front door
            raise NotIdentifiableError("the front-door stages cannot be adjusted", tried=tried)
        s1, s2 = list(first.sets[0]), list(second.sets[0])
        notes.append(f"first stage {x} -> {_fmt(m)} adjusts for {{{_fmt(s1)}}}; "
                     f"second stage {_fmt(m)} -> {y} adjusts for {{{_fmt(s2)}}}")
        ident = Identification(
            strategy="frontdoor", mediators=m, dowhy_estimand_name="frontdoor",
            estimand=(f"E[{y} | do({x})] = Σ_m P({_fmt(m)}=m | {x}) Σ_x' E[{y} | {_fmt(m)}=m, {x}=x'] P({x}=x')"),
            alternatives=alternatives, notes=notes, adjustment_set=[])
        return Identified(ident, _estimand(dg, x, y, "frontdoor", mediators=m, first_stage=s1, second_stage=s2))
    if ivs is not None:
        ident = Identification(
            strategy="iv", instruments=ivs, dowhy_estimand_name="iv",
            estimand=f"effect = Cov({y}, Z) / Cov({x}, Z) with instrument Z in {{{_fmt(ivs)}}}",
            alternatives=alternatives,
            notes=["an instrument identifies the effect only if it is homogeneous (or, for a binary exposure "
                   "and instrument, as the effect among compliers); the graph cannot check this"])
        return Identified(ident, _estimand(dg, x, y, "iv", instruments=ivs))

    ok, culprit = general_identifiability(graph, x, y)
    fixes = ["find an instrument: a variable that moves the exposure and reaches the outcome only through it",
             "find a front door: a measured mediator that carries the whole effect and shares no hidden cause "
             "with the exposure",
             "measure the latent common cause and add it to the data and the graph"]
    if strategy != "auto":
        raise NotIdentifiableError(
            f"the {strategy} criterion does not identify the effect of {x!r} on {y!r}: "
            + next(iter(tried.values()), ""), tried=tried,
            fixes=["run with strategy auto to try every criterion"])
    if ok:
        tried["ID algorithm (Tian & Pearl)"] = ("identifiable in principle, but only by a formula none of the "
                                                "available estimators computes")
        raise NotIdentifiableError(
            f"the effect of {x!r} on {y!r} is identifiable by the general ID algorithm, but not by back-door "
            "adjustment, a single-mediator front door or an unconditional instrument, which are what DoWhy "
            "can estimate", tried=tried, fixes=fixes)
    tried["ID algorithm (Tian & Pearl)"] = "not identifiable: " + culprit
    raise NotIdentifiableError(
        f"the effect of {x!r} on {y!r} is not identifiable from this graph: {culprit}", tried=tried, fixes=fixes)
