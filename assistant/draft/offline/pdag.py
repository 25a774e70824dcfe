"""Partially directed graphs, and orienting them with a reason for every arrow.

Constraint-based search finds *adjacencies* (which pairs no set of other
variables makes independent) and a few directions; the rest of an edge's
direction is undecided by the data.  A :class:`PDAG` holds that state: a set
of adjacencies, of which some are arrows, each arrow with a :class:`Why`.

:func:`orient` decides as many directions as the evidence allows, in this order:

1. **Knowledge** — required edges, and every edge with one direction ruled
   out (tiers, exogenous variables, forbidden edges, exposure before outcome).
2. **Colliders (v-structures)** — for non-adjacent ``a`` and ``b`` with a
   common neighbour ``c``: if the set that separated ``a`` and ``b`` does not
   contain ``c``, then ``a -> c <- b`` (conditioning on a common effect would
   make them dependent, so ``c`` cannot be one when they are independent
   without it).  The separating set is the one whose test had the largest
   p-value; colliders are applied strongest-evidence first, and one that
   contradicts an earlier arrow is skipped and noted.
3. **Meek's rules** R1–R4 (Meek 1995), repeated until nothing changes: each
   forces a direction because the other would create a new collider (R1) or a
   cycle (R2), or both, with two (R3) or a chain (R4) of arrows.  Meek showed
   these rules are complete with background knowledge: what is left undirected
   can go either way in some DAG that fits.

No step ever creates a cycle or points an arrow the knowledge forbids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Mapping, Sequence

from assistant.draft.spec import Knowledge
from assistant.draft.offline.knowledge import forbid_reason
from assistant.stats.citests import CITestResult, format_p

Pair = tuple[str, str]


@dataclass(frozen=True)
class Why:
    """Why an arrow points the way it does.

    ``rule`` is one of ``required``, ``knowledge``, ``tier-rule``,
    ``v-structure``, ``meek-1`` … ``meek-4``, ``score`` (compelled in the
    equivalence class a score-based search found) or ``choice`` (the data
    cannot decide; this candidate picked it).
    """

    rule: str
    text: str
    test: CITestResult | None = None


@dataclass(frozen=True)
class Separation:
    """How a non-adjacent pair was separated: by a test (the largest p-value found) or by knowledge."""

    test: CITestResult | None
    by_knowledge: str = ""

    @property
    def z(self) -> tuple[str, ...]:
        return self.test.z if self.test else ()


class PDAG:
    """Adjacencies over ordered nodes, some of them oriented, each arrow with its :class:`Why`."""

    def __init__(self, nodes: Sequence[str], edges: Iterable[Pair] = ()):
        self.nodes = tuple(nodes)
        self.rank = {n: i for i, n in enumerate(self.nodes)}
        self.adj: dict[str, set[str]] = {n: set() for n in self.nodes}
        self.arrows: dict[Pair, Why] = {}
        for a, b in edges:
            self.add(a, b)

    def copy(self) -> "PDAG":
        other = PDAG(self.nodes)
        other.adj = {n: set(s) for n, s in self.adj.items()}
        other.arrows = dict(self.arrows)
        return other

    def pair(self, a: str, b: str) -> Pair:
        return (a, b) if self.rank[a] < self.rank[b] else (b, a)

    def add(self, a: str, b: str) -> None:
        self.adj[a].add(b)
        self.adj[b].add(a)

    def remove(self, a: str, b: str) -> None:
        self.adj[a].discard(b)
        self.adj[b].discard(a)
        self.arrows.pop((a, b), None)
        self.arrows.pop((b, a), None)

    def adjacent(self, a: str, b: str) -> bool:
        return b in self.adj[a]

    def is_arrow(self, a: str, b: str) -> bool:
        return (a, b) in self.arrows

    def undirected(self, a: str, b: str) -> bool:
        return b in self.adj[a] and (a, b) not in self.arrows and (b, a) not in self.arrows

    def parents(self, b: str) -> list[str]:
        return sorted((a for a in self.adj[b] if (a, b) in self.arrows), key=self.rank.get)

    def neighbours(self, a: str) -> list[str]:
        return sorted(self.adj[a], key=self.rank.get)

    def edges(self) -> list[Pair]:
        """Every adjacency once, as (earlier, later) in node order."""
        return sorted({self.pair(a, b) for a in self.nodes for b in self.adj[a]},
                      key=lambda p: (self.rank[p[0]], self.rank[p[1]]))

    def undirected_edges(self) -> list[Pair]:
        return [p for p in self.edges() if self.undirected(*p)]

    def reaches(self, start: str, goal: str) -> bool:
        """Is there a directed path ``start -> ... -> goal`` along arrows?"""
        stack, seen = [start], {start}
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            for nxt in self.adj[node]:
                if (node, nxt) in self.arrows and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    def can_orient(self, a: str, b: str) -> bool:
        return self.adjacent(a, b) and (b, a) not in self.arrows and ((a, b) in self.arrows or not self.reaches(b, a))

    def orient(self, a: str, b: str, why: Why) -> bool:
        """Make ``a -> b``; False (and no change) if it points the other way or would close a cycle."""
        if not self.can_orient(a, b):
            return False
        self.arrows.setdefault((a, b), why)
        return True

    def colliders(self) -> set[tuple[str, str, str]]:
        """Unshielded colliders ``(a, c, b)`` with ``a -> c <- b``, a and b non-adjacent, a before b."""
        out = set()
        for c in self.nodes:
            for a, b in combinations(self.parents(c), 2):
                if not self.adjacent(a, b):
                    out.add((a, c, b))
        return out


@dataclass
class OrientationLog:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, rule: str) -> None:
        self.counts[rule] = self.counts.get(rule, 0) + 1


def apply_knowledge(pdag: PDAG, knowledge: Knowledge, log: OrientationLog) -> None:
    """Required edges, then every adjacency with exactly one direction ruled out."""
    for a, b in knowledge.required_edges:
        if a in pdag.adj and b in pdag.adj:
            pdag.add(a, b)
            if pdag.orient(a, b, Why("required", f"{a} -> {b} is required by the expert")):
                log.count("required")
    for a, b in pdag.edges():
        if not pdag.undirected(a, b):
            continue
        ab, ba = forbid_reason(knowledge, a, b), forbid_reason(knowledge, b, a)
        if ab and ba:
            pdag.remove(a, b)
            log.notes.append(f"removed {a} - {b}: the knowledge rules out both directions ({ab[1]}; {ba[1]})")
        elif ab or ba:
            src, dst, (rule, text) = (b, a, ab) if ab else (a, b, ba)  # type: ignore[misc]
            if pdag.orient(src, dst, Why(rule, text)):
                log.count(rule)
            else:
                log.notes.append(f"could not orient {src} -> {dst} as the knowledge says ({text}): "
                                 "it would close a directed cycle with other arrows")


def apply_colliders(pdag: PDAG, separations: Mapping[Pair, Separation], knowledge: Knowledge,
                    log: OrientationLog) -> None:
    """Orient ``a -> c <- b`` for unshielded triples whose separating set excludes ``c``."""
    found: list[tuple[float, str, str, str, CITestResult]] = []
    for c in pdag.nodes:
        for a, b in combinations(pdag.neighbours(c), 2):
            if pdag.adjacent(a, b):
                continue
            sep = separations.get(pdag.pair(a, b))
            if sep is None or sep.test is None or c in sep.z:
                continue
            found.append((-sep.test.p_value, c, a, b, sep.test))
    found.sort(key=lambda t: (t[0], pdag.rank[t[1]], pdag.rank[t[2]], pdag.rank[t[3]]))
    for _neg, c, a, b, test in found:
        given = f"{{{', '.join(test.z)}}}" if test.z else "the empty set"
        why = Why("v-structure", f"{a} and {b} are independent given {given} (p={format_p(test.p_value)}, "
                                 f"n={test.n}), which excludes {c}: so {a} -> {c} <- {b}", test)
        blocked = [(x, c) for x in (a, b) if forbid_reason(knowledge, x, c) or not pdag.can_orient(x, c)]
        if blocked:
            shown = ", ".join(f"{x} -> {y}" for x, y in blocked)
            log.notes.append(f"the data suggest a collider {a} -> {c} <- {b}, but {shown} contradicts the "
                             "knowledge or an earlier orientation; kept the earlier one")
            continue
        for x in (a, b):
            if not pdag.is_arrow(x, c):
                pdag.orient(x, c, why)
                log.count("v-structure")


def _meek(pdag: PDAG, x: str, y: str) -> Why | None:
    """The first of Meek's rules that forces ``x -> y`` for the undirected ``x - y``, if any."""
    for w in pdag.parents(x):
        if not pdag.adjacent(w, y):
            return Why("meek-1", f"Meek rule 1: {w} -> {x} and {w}, {y} are not adjacent, "
                                 f"so {y} -> {x} would make a new collider at {x}")
    for w in pdag.neighbours(x):
        if pdag.is_arrow(x, w) and pdag.is_arrow(w, y):
            return Why("meek-2", f"Meek rule 2: {x} -> {w} -> {y}, so {y} -> {x} would close a cycle")
    ends = [w for w in pdag.neighbours(x) if pdag.undirected(x, w) and pdag.is_arrow(w, y)]
    for w1, w2 in combinations(ends, 2):
        if not pdag.adjacent(w1, w2):
            return Why("meek-3", f"Meek rule 3: {x} - {w1} -> {y} and {x} - {w2} -> {y} with {w1}, {w2} "
                                 f"not adjacent; {y} -> {x} would force a new collider or a cycle")
    for w in pdag.neighbours(x):
        if not pdag.undirected(x, w) or pdag.adjacent(w, y):
            continue
        for v in pdag.neighbours(w):
            if pdag.is_arrow(w, v) and pdag.is_arrow(v, y) and pdag.adjacent(x, v):
                return Why("meek-4", f"Meek rule 4: {x} - {w} -> {v} -> {y} with {x} adjacent to {v} and "
                                     f"{w}, {y} not adjacent; {y} -> {x} would force a new collider or a cycle")
    return None


def apply_meek(pdag: PDAG, knowledge: Knowledge, log: OrientationLog | None = None) -> None:
    """Apply Meek's rules R1–R4 until no undirected edge is forced."""
    changed = True
    while changed:
        changed = False
        for a, b in pdag.undirected_edges():
            for x, y in ((a, b), (b, a)):
                if not pdag.undirected(x, y) or forbid_reason(knowledge, x, y):
                    continue
                why = _meek(pdag, x, y)
                if why is not None and pdag.orient(x, y, why):
                    if log is not None:
                        log.count(why.rule)
                    changed = True
                    break


def orient(pdag: PDAG, knowledge: Knowledge, separations: Mapping[Pair, Separation],
           *, seed_arrows: Mapping[Pair, Why] | None = None) -> OrientationLog:
    """Knowledge, then colliders (or a search's own arrows, ``seed_arrows``), then Meek's rules; in place."""
    log = OrientationLog()
    apply_knowledge(pdag, knowledge, log)
    if seed_arrows is not None:
        for (a, b), why in sorted(seed_arrows.items(), key=lambda kv: (pdag.rank[kv[0][0]], pdag.rank[kv[0][1]])):
            if pdag.adjacent(a, b) and not forbid_reason(knowledge, a, b) and pdag.orient(a, b, why):
                log.count(why.rule)
    else:
        apply_colliders(pdag, separations, knowledge, log)
    for (a, c, b) in sorted(pdag.colliders()):
        whys = {pdag.arrows[(a, c)].rule, pdag.arrows[(b, c)].rule}
        if "v-structure" not in whys and "score" not in whys:
            sep = separations.get(pdag.pair(a, b))
            if sep is not None and sep.test is not None and c in sep.z:
                log.notes.append(f"the knowledge makes {c} a collider ({a} -> {c} <- {b}), although the data "
                                 f"separated {a} and {b} only given {c}")
    apply_meek(pdag, knowledge, log)
    return log
