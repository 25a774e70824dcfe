"""The front-door criterion: identification through a fully mediating mechanism.

When X and Y share an unmeasured cause, the effect can still be identified if
a set M of observed mediators satisfies Pearl's front-door criterion:

1. M intercepts every directed path from X to Y;
2. there is no open back-door path from X to any node of M; and
3. every back-door path from M to Y is blocked by X.

Then ``P(y | do(x)) = Σ_m P(m | x) Σ_x' P(y | m, x') P(x')``.

Finding such a set does not need a search over subsets.  Following Jeong,
Tian & Bareinboim (2022), "Finding and listing front-door adjustment sets"
(NeurIPS), condition 2 is checked per node; condition 3 is enforced by
repeatedly removing every candidate that is d-connected to Y given X once the
candidates' outgoing edges are cut; what remains is the *largest* set meeting
2 and 3, so a front-door set exists iff that set meets condition 1.  A minimal
set is then found by dropping nodes while all three conditions still hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from assistant.errors import AnalysisInputError
from assistant.graph.adjustment import resolve_query
from assistant.graph.dag import Node, to_latent_dag
from assistant.graph.separation import adjacency, reachable
from assistant.model import CausalGraph


@dataclass(frozen=True)
class FrontDoor:
    """A front-door set when one exists: the largest and one minimal choice."""

    exposure: str
    outcome: str
    maximal: tuple[str, ...] | None
    minimal: tuple[str, ...] | None

    @property
    def exists(self) -> bool:
        return self.minimal is not None


def _intercepts(children: dict[Node, set[Node]], x: Node, y: Node, m: set[Node]) -> bool:
    seen = {x}
    stack = [x]
    while stack:
        for c in children[stack.pop()]:
            if c == y:
                return False
            if c not in seen and c not in m:
                seen.add(c)
                stack.append(c)
    return True


def _no_backdoor_from_x(parents, children, x: Node, m: set[Node]) -> bool:
    return not (reachable(parents, children, [x], (), cut=[x]) & m)


def _backdoors_blocked_by_x(parents, children, x: Node, y: Node, m: set[Node]) -> bool:
    return not (reachable(parents, children, [y], [x], cut=m) & m)


def is_front_door_set(graph: CausalGraph, mediators: Iterable[str], exposure: str | None = None,
                      outcome: str | None = None) -> bool:
    """True when ``mediators`` satisfies all three front-door conditions."""
    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposure, outcome, ld)
    if len(xs) != 1 or len(ys) != 1:
        raise AnalysisInputError("the front-door criterion here takes exactly one exposure and one outcome")
    m = set(ld.require_observed(mediators, "front-door mediators"))
    x, y = xs[0], ys[0]
    if not m or m & {x, y}:
        return False
    parents, children = adjacency(ld)
    return (_intercepts(children, x, y, m) and _no_backdoor_from_x(parents, children, x, m)
            and _backdoors_blocked_by_x(parents, children, x, y, m))


def front_door(graph: CausalGraph, exposure: str | None = None, outcome: str | None = None) -> FrontDoor:
    """Find a front-door set for the effect of ``exposure`` on ``outcome``, if there is one.

    >>> from assistant.gallery import load
    >>> front_door(load("front_door")).minimal
    ('M',)
    """
    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposure, outcome, ld)
    if len(xs) != 1 or len(ys) != 1:
        raise AnalysisInputError("the front-door criterion here takes exactly one exposure and one outcome")
    x, y = xs[0], ys[0]
    parents, children = adjacency(ld)
    confounded_with_x = reachable(parents, children, [x], (), cut=[x])
    candidates = {n for n in graph.names if n in ld.observed and n not in (x, y) and n not in confounded_with_x}
    while True:  # drop candidates with an open back-door path to Y given X, until none is left
        bad = reachable(parents, children, [y], [x], cut=candidates) & candidates
        if not bad:
            break
        candidates -= bad
    if not candidates or not _intercepts(children, x, y, candidates):
        return FrontDoor(x, y, None, None)
    order = {n: i for i, n in enumerate(graph.names)}
    minimal = set(candidates)
    for node in sorted(candidates, key=lambda n: -order[n]):
        trial = minimal - {node}
        if trial and _intercepts(children, x, y, trial) and _backdoors_blocked_by_x(parents, children, x, y, trial):
            minimal = trial
    return FrontDoor(x, y, tuple(sorted(candidates, key=order.get)), tuple(sorted(minimal, key=order.get)))
