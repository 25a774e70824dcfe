"""Score-based orientation of a constraint-based skeleton: greedy BIC hill climbing (MMHC-style).

Tests decide *adjacencies* well, but a single wrong test can create or hide a
collider, and those errors spread through Meek's rules.  Max-min hill
climbing (Tsamardinos, Brown & Aliferis 2006) takes a different route for
directions: keep the skeleton the tests found, then search DAGs whose edges
lie in it, greedily adding, deleting or reversing the one edge that raises
the BIC most, until no move helps.  Every move respects the knowledge
(required edges stay, forbidden directions are never added) and keeps the
graph acyclic.

The result is one DAG; its colliders are what the score decided, and they
seed the usual orientation (knowledge, then these colliders, then Meek's
rules), so its equivalence class is treated like any other pattern.
"""

from __future__ import annotations

import math
import time
from itertools import combinations
from typing import Iterable

from assistant.draft.offline.inputs import Problem
from assistant.draft.offline.knowledge import forbid_reason
from assistant.draft.offline.pdag import PDAG, Pair, Why
from assistant.draft.offline.search import SearchResult
from assistant.stats.scores import BICScorer

MAX_MOVES = 10_000


def _reaches(children: dict[str, set[str]], start: str, goal: str, skip: Pair | None = None) -> bool:
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in children[node]:
            if (node, nxt) != skip and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def hill_climb(problem: Problem, scorer: BICScorer, skeleton: PDAG,
               start: Iterable[Pair] = ()) -> dict[str, set[str]]:
    """The parents of each variable in a BIC-greedy DAG whose edges lie in ``skeleton``.

    The climb starts from the DAG ``start`` (its arrows; default: no edges) plus the required edges.
    """
    k = problem.knowledge
    nodes = skeleton.nodes
    parents: dict[str, set[str]] = {n: set() for n in nodes}
    children: dict[str, set[str]] = {n: set() for n in nodes}
    required = {(a, b) for a, b in k.required_edges if a in parents and b in parents}
    for a, b in sorted(required | set(start)):
        parents[b].add(a)
        children[a].add(b)
    pairs = skeleton.edges()

    penalty = 0.5 * math.log(scorer.n)

    def gain(node: str, new: set[str]) -> float:
        old_ll, old_k = scorer.local(node, sorted(parents[node]))
        new_ll, new_k = scorer.local(node, sorted(new))
        return (new_ll - penalty * new_k) - (old_ll - penalty * old_k)

    for _ in range(MAX_MOVES):
        best: tuple[float, int, str, Pair] | None = None
        for i, (a, b) in enumerate(pairs):
            for x, y in ((a, b), (b, a)):
                if (x, y) in required:
                    continue
                if x in parents[y]:
                    moves = [("delete", gain(y, parents[y] - {x}))]
                    if not forbid_reason(k, y, x) and not _reaches(children, x, y, skip=(x, y)):
                        moves.append(("reverse", gain(y, parents[y] - {x}) + gain(x, parents[x] | {y})))
                elif y not in parents[x] and not forbid_reason(k, x, y) and not _reaches(children, y, x):
                    moves = [("add", gain(y, parents[y] | {x}))]
                else:
                    continue
                for op, g in moves:
                    if g > 1e-9 and (best is None or g > best[0] + 1e-9):
                        best = (g, i, op, (x, y))
        if best is None:
            break
        _g, _i, op, (x, y) = best
        if op in ("delete", "reverse"):
            parents[y].discard(x)
            children[x].discard(y)
        if op == "reverse":
            parents[x].add(y)
            children[y].add(x)
        if op == "add":
            parents[y].add(x)
            children[x].add(y)
    return parents


def hill_climb_source(problem: Problem, scorer: BICScorer, base: SearchResult, *, start_from: Iterable[Pair] = (),
                      label: str = "") -> SearchResult:
    """A search result whose skeleton and colliders come from hill climbing on ``base``'s skeleton."""
    start = time.perf_counter()
    parents = hill_climb(problem, scorer, base.skeleton, start_from)
    skeleton = PDAG(base.skeleton.nodes, [(p, c) for c, ps in parents.items() for p in ps])
    arrows: dict[Pair, Why] = {}
    for c, ps in parents.items():
        for a, b in combinations(sorted(ps, key=skeleton.rank.get), 2):
            if not skeleton.adjacent(a, b):
                text = (f"BIC hill climbing on the PC skeleton makes {c} a collider: {a} -> {c} <- {b} "
                        f"fits better than any other orientation it reached")
                arrows[(a, c)] = arrows.get((a, c)) or Why("score", text)
                arrows[(b, c)] = arrows.get((b, c)) or Why("score", text)
    label = label or f"{base.label} skeleton + BIC hill climbing"
    return SearchResult(label=label, algorithm="hill-climb", alpha=base.alpha, skeleton=skeleton,
                        separations=base.separations, records=base.records,
                        seconds=time.perf_counter() - start, seed_arrows=arrows)
