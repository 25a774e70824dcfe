"""Score-based orientation of a constraint-based skeleton: greedy BIC hill climbing (MMHC-style).

Tests decide *adjacencies* well, but a single wrong test can create or hide a
collider, and those errors spread through Meek's rules.  Max-min hill
climbing (Tsamardinos, Brown & Aliferis 2006) takes a different route for
directions: keep the skeleton the tests found, then search DAGs whose edges
lie in it, greedily adding, deleting or reversing the one edge that raises
the BIC most, until no move helps.  Every move respects the knowledge
(required edges stay, forbidden directions are never added) and keeps the
graph acyclic.

With temporal tiers the climb may also join pairs PC separated, as long as
both variables are tiered (:func:`tiered_pairs`): a wrongly removed edge can
then come back when the score demands it, while the tiers keep the direction
of every cross-tier addition fixed.

The result is one DAG; its colliders are what the score decided, and they
seed the usual orientation (knowledge, then these colliders, then Meek's
rules), so its equivalence class is treated like any other pattern.
"""

from __future__ import annotations

import time
from itertools import combinations
from typing import Iterable

from assistant.draft.offline.inputs import Problem
from assistant.draft.offline.knowledge import forbid_reason
from assistant.draft.offline.pdag import PDAG, Pair, Why
from assistant.draft.offline.search import SearchResult
from assistant.stats.scores import BICScorer

MAX_MOVES = 10_000
TIE_DECIMALS = 6


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
               start: Iterable[Pair] = (), extra: Iterable[Pair] = ()) -> dict[str, set[str]]:
    """The parents of each variable in a score-greedy DAG whose edges lie in ``skeleton`` (or ``extra``).

    The climb starts from the DAG ``start`` (its arrows; default: no edges) plus the required edges.
    ``extra`` lists further pairs the climb may join (see :func:`tiered_pairs`).  Each step
    takes the add, delete or reverse move that raises the score most (ties: the earliest pair,
    in the order given); local score changes are cached and recomputed only for the variables
    whose parents changed.
    """
    k = problem.knowledge
    nodes = skeleton.nodes
    parents: dict[str, set[str]] = {n: set() for n in nodes}
    children: dict[str, set[str]] = {n: set() for n in nodes}
    required = {(a, b) for a, b in k.required_edges if a in parents and b in parents}
    for a, b in sorted(required | set(start)):
        parents[b].add(a)
        children[a].add(b)
    pairs = list(dict.fromkeys([*skeleton.edges(), *(skeleton.pair(a, b) for a, b in extra)]))
    # the ordered moves x -> y, in a fixed order; knowledge-forbidden directions are never added
    ordered = [(x, y) for a, b in pairs for x, y in ((a, b), (b, a))]
    allowed = {(x, y): not forbid_reason(k, x, y) for x, y in ordered}
    candidates: dict[str, list[str]] = {n: [] for n in nodes}   # possible parents of each node
    for x, y in ordered:
        candidates[y].append(x)

    current = {n: scorer.local_score(n, sorted(parents[n])) for n in nodes}
    # delta[y][x]: score change at y from toggling x in parents[y] (adding or deleting it)
    delta: dict[str, dict[str, float]] = {}

    def refresh(y: str) -> None:
        ps = parents[y]
        delta[y] = {x: scorer.local_score(y, sorted(ps - {x} if x in ps else ps | {x})) - current[y]
                    for x in candidates[y]}

    for n in nodes:
        refresh(n)

    for _ in range(MAX_MOVES):
        moves: list[tuple[float, int, str, Pair]] = []
        for i, (x, y) in enumerate(ordered):
            if (x, y) in required:
                continue
            if x in parents[y]:
                g = delta[y][x]
                if g > 1e-9:
                    moves.append((g, 2 * i, "delete", (x, y)))
                if allowed.get((y, x), False):
                    g = delta[y][x] + delta[x][y]
                    if g > 1e-9:
                        moves.append((g, 2 * i + 1, "reverse", (x, y)))
            elif y not in parents[x] and allowed[(x, y)]:
                g = delta[y][x]
                if g > 1e-9:
                    moves.append((g, 2 * i, "add", (x, y)))
        # gains equal in exact arithmetic (Markov-equivalent moves) tie; the earliest move wins
        moves.sort(key=lambda m: (-round(m[0], TIE_DECIMALS), m[1]))
        chosen = None
        for g, _i, op, (x, y) in moves:
            if op == "delete" or (op == "reverse" and not _reaches(children, x, y, skip=(x, y))) \
                    or (op == "add" and not _reaches(children, y, x)):
                chosen = (op, x, y)
                break
        if chosen is None:
            break
        op, x, y = chosen
        if op in ("delete", "reverse"):
            parents[y].discard(x)
            children[x].discard(y)
        if op == "reverse":
            parents[x].add(y)
            children[y].add(x)
        if op == "add":
            parents[y].add(x)
            children[x].add(y)
        for n in {x, y}:
            current[n] = scorer.local_score(n, sorted(parents[n]))
            refresh(n)
    return parents


def tiered_pairs(problem: Problem, skeleton: PDAG) -> list[Pair]:
    """Pairs the climb may join beyond ``skeleton``: with tiers, every non-adjacent pair of tiered variables.

    PC removes an edge on the first p-value above alpha among many tests, so a
    weak or unfaithful dependence (a parent whose effect shows only given its
    co-parents, a proxy of an ancestor) is lost for good in a skeleton-bound
    climb, which then routes the dependence through proxy edges instead.  The
    score can take such an edge back when the DAG it leaves implies an
    independence the data contradict (for ``x`` in an earlier tier than ``y``,
    a candidate without the edge claims ``x ⫫ y | parents(y)``).  The climb is
    widened only when the expert gives tiers: they fix the direction of every
    cross-tier pair, so most additions need no guess about their direction and
    cannot point back in time.  Without knowledge every added edge's
    direction is the score's guess; on the discovery benchmark a climb over all
    pairs was then no better than one on the skeleton and slower, so it stays
    on the skeleton.  Pairs the knowledge rules out both ways are never joined.
    """
    tiers = problem.knowledge.tiers
    if not tiers:
        return []
    out = []
    nodes = skeleton.nodes
    for i, a in enumerate(nodes):
        if a not in tiers:
            continue
        for b in nodes[i + 1:]:
            if b not in tiers or skeleton.adjacent(a, b):
                continue
            if forbid_reason(problem.knowledge, a, b) and forbid_reason(problem.knowledge, b, a):
                continue
            out.append((a, b))
    return out


def hill_climb_source(problem: Problem, scorer: BICScorer, base: SearchResult, *, start_from: Iterable[Pair] = (),
                      label: str = "", extra: Iterable[Pair] = ()) -> SearchResult:
    """A search result whose skeleton and colliders come from hill climbing on ``base``'s skeleton (and ``extra``)."""
    start = time.perf_counter()
    extra = list(extra)
    parents = hill_climb(problem, scorer, base.skeleton, start_from, extra)
    where = "the PC skeleton and the other pairs of tiered variables" if extra else "the PC skeleton"
    skeleton = PDAG(base.skeleton.nodes, [(p, c) for c, ps in parents.items() for p in ps])
    arrows: dict[Pair, Why] = {}
    for c, ps in parents.items():
        for a, b in combinations(sorted(ps, key=skeleton.rank.get), 2):
            if not skeleton.adjacent(a, b):
                text = (f"BIC hill climbing on {where} makes {c} a collider: {a} -> {c} <- {b} "
                        f"fits better than any other orientation it reached")
                arrows[(a, c)] = arrows.get((a, c)) or Why("score", text)
                arrows[(b, c)] = arrows.get((b, c)) or Why("score", text)
    label = (label or f"{base.label} skeleton + BIC hill climbing") + (" (+ tiered pairs)" if extra else "")
    return SearchResult(label=label, algorithm="hill-climb", alpha=base.alpha, skeleton=skeleton,
                        separations=base.separations, records=base.records,
                        seconds=time.perf_counter() - start, seed_arrows=arrows)
