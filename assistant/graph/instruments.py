"""Instrumental variables, including conditional ones.

When a latent confounder makes covariate adjustment impossible, a variable Z
that moves the exposure but touches the outcome only through it can still
identify the effect (under linearity or monotonicity).  Z is a *conditional
instrument* for X -> Y given a set W when

1. W contains no descendant of Y (nor X itself),
2. Z and X are d-connected given W (Z is *relevant*), and
3. Z and Y are d-separated given W in the proper back-door graph, where the
   first edge of every causal path from X to Y is removed (*exclusion* and
   *exogeneity*).

Following van der Zander, Textor & Liśkiewicz (2015), "Efficiently finding
conditional instruments for causal inference" (IJCAI), it suffices to try, for
each candidate Z, the single set W *nearest to Y* that separates Z from Y with
mediators excluded: if any W works, that one does.  This is what DAGitty's
``instrumentalVariables`` reports, one conditioning set per instrument.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import AnalysisInputError
from assistant.graph.adjustment import resolve_query
from assistant.graph.dag import to_latent_dag
from assistant.graph.separation import adjacency, ancestors_of, descendants_of, reachable
from assistant.graph.separators import closest_separator
from assistant.graph.transform import moral_ancestral, proper_backdoor
from assistant.model import CausalGraph


@dataclass(frozen=True)
class Instrument:
    """``variable`` is an instrument for the exposure's effect once ``conditioning`` is adjusted for."""

    variable: str
    conditioning: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.variable + (f" | {', '.join(self.conditioning)}" if self.conditioning else "")


def instrumental_variables(graph: CausalGraph, exposure: str | None = None, outcome: str | None = None
                           ) -> list[Instrument]:
    """All (conditional) instruments for the effect of one exposure on one outcome.

    >>> from assistant.gallery import load
    >>> [str(i) for i in instrumental_variables(load("conditional_instrument"))]
    ['z | w']
    """
    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposure, outcome, ld)
    if len(xs) != 1 or len(ys) != 1:
        raise AnalysisInputError("instrumental variables are defined for exactly one exposure and one outcome; "
                                 f"got exposures {xs} and outcomes {ys}")
    x, y = xs[0], ys[0]
    parents, children = adjacency(ld)
    bd_parents, bd_children = proper_backdoor(parents, children, {x}, {y})
    mediators = (descendants_of(children, [x]) & ancestors_of(parents, [y])) - {x, y}
    below_y = descendants_of(bd_children, [y])
    found: list[Instrument] = []
    for z in graph.names:
        if z in (x, y) or z not in ld.observed:
            continue
        moral = moral_ancestral(bd_parents, {y, z})
        allowed = {n for n in moral if n in ld.observed} - {y, z} - mediators
        nearest = closest_separator(moral, y, z, allowed)
        if nearest is None:
            continue
        w = nearest[0]
        if w & below_y or x in w:
            continue
        if x not in reachable(bd_parents, bd_children, [z], w):
            continue
        found.append(Instrument(variable=z, conditioning=tuple(sorted(str(n) for n in w))))
    return found
