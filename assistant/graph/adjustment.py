"""Covariate adjustment: which sets Z make ``P(y | do(x))`` computable by adjusting for Z?

A set Z is a valid *adjustment set* for the total effect of X on Y when
(generalised adjustment criterion, Shpitser et al. 2010; Perković et al. 2018):

1. Z contains no node on, or descending from a node on, a proper causal path
   from X to Y (no mediators, no descendants of mediators or of Y); and
2. Z blocks every non-causal path from X to Y — equivalently, Z d-separates X
   and Y in the *proper back-door graph*, where the first edge of every proper
   causal path is removed.

Pearl's back-door criterion is the special case that forbids all descendants
of X; the generalised criterion is complete, so "no valid set" really means
that no covariate adjustment identifies the effect (an instrument or the front
door may still help; see :mod:`assistant.graph.instruments` and
:mod:`assistant.graph.frontdoor`).

Latent variables can never be adjusted for.  *Minimal* sets (no proper subset
is valid) are listed with polynomial delay by :func:`minimal_adjustment_sets`,
matching DAGitty's ``adjustmentSets(type="minimal")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from assistant.errors import AnalysisInputError
from assistant.graph.dag import LatentDAG, is_synthetic, to_latent_dag
from assistant.graph.separation import adjacency, reachable
from assistant.graph.separators import minimal_separators
from assistant.graph.transform import SINK, SOURCE, forbidden_nodes, moral_ancestral, proper_backdoor
from assistant.model import CausalGraph

DEFAULT_MAX_SETS = 100


@dataclass(frozen=True)
class AdjustmentSets:
    """Minimal adjustment sets, sorted; ``truncated`` is True when the cap cut the list."""

    exposures: tuple[str, ...]
    outcomes: tuple[str, ...]
    sets: tuple[tuple[str, ...], ...]
    truncated: bool = False

    @property
    def identifiable(self) -> bool:
        """True when at least one valid adjustment set exists (possibly the empty set)."""
        return bool(self.sets)


@dataclass(frozen=True)
class AdjustmentCheck:
    """Whether a proposed set is a valid adjustment set, and if not, why."""

    valid: bool
    adjustment_set: tuple[str, ...]
    problems: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = field(default=())
    latent: tuple[str, ...] = field(default=())
    open_biasing_path: tuple[str, ...] | None = None


def resolve_query(graph: CausalGraph, exposures: Iterable[str] | str | None, outcomes: Iterable[str] | str | None,
                  ld: LatentDAG) -> tuple[list[str], list[str]]:
    """Exposures and outcomes from the arguments, or from the graph's markers; checked."""
    def as_list(v: Iterable[str] | str | None, default: list[str]) -> list[str]:
        if v is None:
            return list(default)
        return [v] if isinstance(v, str) else list(v)

    xs = as_list(exposures, graph.exposures)
    ys = as_list(outcomes, graph.outcomes)
    if not xs:
        raise AnalysisInputError("no exposure given: pass one, or mark a variable as exposure in the graph")
    if not ys:
        raise AnalysisInputError("no outcome given: pass one, or mark a variable as outcome in the graph")
    ld.require_observed(xs, "the exposure")
    ld.require_observed(ys, "the outcome")
    both = set(xs) & set(ys)
    if both:
        raise AnalysisInputError(f"{sorted(both)} cannot be both exposure and outcome")
    return xs, ys


def _sorted_names(nodes: Iterable[object]) -> tuple[str, ...]:
    return tuple(sorted(str(n) for n in nodes if not is_synthetic(n)))


def minimal_adjustment_sets(graph: CausalGraph, exposures: Iterable[str] | str | None = None,
                            outcomes: Iterable[str] | str | None = None, *, include: Iterable[str] = (),
                            exclude: Iterable[str] = (), max_sets: int | None = DEFAULT_MAX_SETS) -> AdjustmentSets:
    """All minimal adjustment sets for the total effect of the exposures on the outcomes.

    ``include`` must be in every set (e.g. the graph's *adjusted* markers) and
    ``exclude`` may be in none (e.g. variables too expensive to measure).  An
    empty result means no valid adjustment set exists; a result containing the
    empty tuple means no adjustment is needed.

    >>> from assistant.gallery import load
    >>> minimal_adjustment_sets(load("confounding")).sets
    (('Z',),)
    >>> minimal_adjustment_sets(load("m_bias")).sets      # adjust for nothing; M would open A -> M <- B
    ((),)
    >>> minimal_adjustment_sets(load("front_door")).sets  # the latent confounder cannot be adjusted for
    ()
    """
    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposures, outcomes, ld)
    must = set(ld.require_known(include, "include"))
    must_not = set(ld.require_known(exclude, "exclude"))
    if must & must_not:
        raise AnalysisInputError(f"{sorted(must & must_not)} both included and excluded")
    ld.require_observed(must, "adjusted variables")
    if must & (set(xs) | set(ys)):
        raise AnalysisInputError("the exposure and outcome cannot be in the adjustment set")

    parents, children = adjacency(ld)
    x_set, y_set = set(xs), set(ys)
    forbidden = forbidden_nodes(parents, children, x_set, y_set)
    empty = AdjustmentSets(tuple(xs), tuple(ys), ())
    if must & forbidden:
        return empty
    bd_parents, _bd_children = proper_backdoor(parents, children, x_set, y_set)
    moral = moral_ancestral(bd_parents, x_set | y_set | must, contract=(x_set, y_set), remove=must)
    allowed = {n for n in moral if n in ld.observed} - forbidden - must_not - x_set - y_set
    if max_sets is not None and max_sets < 1:
        raise AnalysisInputError("max_sets must be at least 1")
    found: list[tuple[str, ...]] = []
    truncated = False
    for sep in minimal_separators(moral, SOURCE, SINK, allowed, limit=None if max_sets is None else max_sets + 1):
        if max_sets is not None and len(found) >= max_sets:
            truncated = True
            break
        found.append(_sorted_names(sep | must))
    return AdjustmentSets(tuple(xs), tuple(ys), tuple(sorted(found, key=lambda s: (len(s), s))), truncated)


def check_adjustment_set(graph: CausalGraph, adjustment_set: Iterable[str],
                         exposures: Iterable[str] | str | None = None,
                         outcomes: Iterable[str] | str | None = None) -> AdjustmentCheck:
    """Say whether ``adjustment_set`` is valid for the total effect, and explain why not.

    >>> from assistant.gallery import load
    >>> check_adjustment_set(load("m_bias"), ["M"]).problems[0]
    'adjusting for {M} leaves a biasing path open: X <- A -> M <- B -> Y'
    """
    from assistant.graph.paths import open_biasing_paths  # paths builds on this module's helpers

    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposures, outcomes, ld)
    z = ld.require_known(adjustment_set, "adjustment set")
    z_set = set(z)
    problems: list[str] = []
    if z_set & (set(xs) | set(ys)):
        problems.append(f"the adjustment set contains the exposure or outcome: {sorted(z_set & (set(xs) | set(ys)))}")
    latent = sorted(n for n in z_set if n not in ld.observed)
    if latent:
        problems.append(f"cannot adjust for unobserved variable(s) {latent}")
    parents, children = adjacency(ld)
    forbidden = sorted(str(n) for n in forbidden_nodes(parents, children, set(xs), set(ys)) & z_set)
    if forbidden:
        problems.append(f"{forbidden} lie on or descend from a causal path from the exposure to the outcome "
                        "(mediators or their descendants): adjusting for them removes part of the effect "
                        "or opens collider bias")
    open_path: tuple[str, ...] | None = None
    if not (z_set & (set(xs) | set(ys))):
        bd_parents, bd_children = proper_backdoor(parents, children, set(xs), set(ys))
        if reachable(bd_parents, bd_children, xs, z_set) & set(ys):
            paths = open_biasing_paths(graph, xs, ys, sorted(z_set), limit=1)
            shown = paths[0].text if paths else "a path through latent variables"
            open_path = tuple(paths[0].nodes) if paths else None
            what = f"{{{', '.join(sorted(z_set))}}}" if z_set else "nothing"
            problems.append(f"adjusting for {what} leaves a biasing path open: {shown}")
    return AdjustmentCheck(valid=not problems, adjustment_set=tuple(sorted(z_set)), problems=tuple(problems),
                           forbidden=tuple(forbidden), latent=tuple(latent), open_biasing_path=open_path)


def is_valid_adjustment_set(graph: CausalGraph, adjustment_set: Iterable[str],
                            exposures: Iterable[str] | str | None = None,
                            outcomes: Iterable[str] | str | None = None) -> bool:
    """True when ``adjustment_set`` satisfies the generalised adjustment criterion."""
    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposures, outcomes, ld)
    z = set(ld.require_known(adjustment_set, "adjustment set"))
    if z & (set(xs) | set(ys)) or any(n not in ld.observed for n in z):
        return False
    parents, children = adjacency(ld)
    if z & forbidden_nodes(parents, children, set(xs), set(ys)):
        return False
    bd_parents, bd_children = proper_backdoor(parents, children, set(xs), set(ys))
    return not (reachable(bd_parents, bd_children, xs, z) & set(ys))
