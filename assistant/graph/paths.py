"""Paths between exposure and outcome, and why each one is open or blocked.

A path is any sequence of distinct variables joined by edges, whatever their
direction.  A *causal* path follows the arrows from the exposure to the
outcome (``X -> M -> Y``); every other path is *non-causal*, and a non-causal
path that is open transmits association that is not effect: bias.  A
*back-door* path is a non-causal path that starts with an arrow into the
exposure (``X <- Z -> Y``).

Given a conditioning (adjustment) set Z, each interior node of a path either
lets association through or blocks it:

* a non-collider (``-> m ->``, ``<- m <-``, ``<- m ->``) blocks when it is in Z;
* a collider (``-> c <-``, or ``<->`` arrowheads on both sides) blocks unless it
  or one of its descendants is in Z.

The number of paths can grow exponentially, so listings take a ``limit`` and
report ``truncated``; use :func:`assistant.graph.separation.d_separated` for
the yes/no question, which is linear-time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from assistant.errors import AnalysisInputError
from assistant.graph.dag import require_acyclic
from assistant.graph.separation import descendants_of
from assistant.model import CausalGraph

DEFAULT_PATH_LIMIT = 200
_MAX_STEPS = 200_000  # DFS extensions before a listing gives up and reports truncation
_MAX_DEPTH = 400  # longest path followed (keeps the recursion well inside Python's limit)


@dataclass(frozen=True)
class PathReport:
    """One path, its classification, and the reason it is open or blocked given the conditioning set."""

    nodes: tuple[str, ...]
    marks: tuple[str, ...]  # between consecutive nodes, read left to right: "->", "<-" or "<->"
    causal: bool
    backdoor: bool
    open: bool
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        parts = [self.nodes[0]]
        for mark, node in zip(self.marks, self.nodes[1:]):
            parts += [mark, node]
        return " ".join(parts)

    @property
    def kind(self) -> str:
        return "causal" if self.causal else ("back-door" if self.backdoor else "non-causal")


@dataclass(frozen=True)
class PathListing:
    paths: tuple[PathReport, ...]
    truncated: bool

    @property
    def causal(self) -> tuple[PathReport, ...]:
        return tuple(p for p in self.paths if p.causal)

    @property
    def biasing(self) -> tuple[PathReport, ...]:
        """Open non-causal paths: the ones that bias a naive comparison."""
        return tuple(p for p in self.paths if not p.causal and p.open)


def _neighbour_marks(graph: CausalGraph) -> dict[str, list[tuple[str, str]]]:
    order = {n: i for i, n in enumerate(graph.names)}
    nbrs: dict[str, list[tuple[str, str]]] = {n: [] for n in graph.names}
    for e in graph.edges:
        if e.kind == "directed":
            nbrs[e.source].append((e.target, "->"))
            nbrs[e.target].append((e.source, "<-"))
        else:
            nbrs[e.source].append((e.target, "<->"))
            nbrs[e.target].append((e.source, "<->"))
    for n in nbrs:
        nbrs[n].sort(key=lambda t: (order[t[0]], t[1]))
    return nbrs


def _judge(node: str, left: str, right: str, z: set[str], opened_by: dict[str, str | None]) -> tuple[bool, str]:
    """Does ``node`` (entered via ``left`` mark, left via ``right``) let the path through given z?"""
    collider = left.endswith(">") and right.startswith("<")
    if collider:
        if node in z:
            return True, f"{node} is a collider and is conditioned on, which opens the path"
        via = opened_by.get(node)
        if via is not None:
            return True, f"{node} is a collider whose descendant {via} is conditioned on, which opens the path"
        return False, f"{node} is a collider that is not conditioned on"
    if node in z:
        return False, f"{node} is conditioned on"
    return True, f"{node} is not conditioned on"


def _paths(graph: CausalGraph, xs: list[str], ys: list[str], z: set[str], *, only_open: bool,
           non_causal_only: bool, limit: int) -> PathListing:
    require_acyclic(graph)
    nbrs = _neighbour_marks(graph)
    children: dict[str, set[str]] = {n: set() for n in graph.names}
    for e in graph.directed_edges():
        children[e.source].add(e.target)
    # For each collider candidate, one descendant in z that would open it (or None).
    opened_by: dict[str, str | None] = {}
    for n in graph.names:
        hits = sorted(descendants_of(children, [n]) & z - {n})
        opened_by[n] = hits[0] if hits else None
    targets, sources = set(ys), set(xs)
    found: list[PathReport] = []
    steps = 0
    truncated = False

    def walk(path: list[str], marks: list[str], reasons: list[str], is_open: bool) -> None:
        nonlocal steps, truncated
        node = path[-1]
        if len(path) > _MAX_DEPTH:
            truncated = True
            return
        for nxt, mark in nbrs[node]:
            if nxt in path or (nxt in sources):
                continue
            steps += 1
            if steps > _MAX_STEPS:
                truncated = True
                return
            step_reasons = list(reasons)
            step_open = is_open
            if len(path) > 1:
                passes, why = _judge(node, marks[-1], mark, z, opened_by)
                step_reasons.append(why)
                step_open = step_open and passes
                if only_open and not passes:
                    continue
            if nxt in targets:
                all_marks = marks + [mark]
                causal = all(m == "->" for m in all_marks)
                if non_causal_only and causal:
                    continue
                if only_open and not step_open:
                    continue
                found.append(PathReport(nodes=tuple(path + [nxt]), marks=tuple(all_marks), causal=causal,
                                        backdoor=all_marks[0] in ("<-", "<->"), open=step_open,
                                        reasons=tuple(step_reasons) if step_reasons else ("the edge is direct",)))
                if len(found) >= limit:
                    truncated = True
                    return
                continue
            path.append(nxt)
            marks.append(mark)
            walk(path, marks, step_reasons, step_open)
            path.pop()
            marks.pop()
            if truncated:
                return

    for x in xs:
        walk([x], [], [], True)
        if truncated:
            break
    return PathListing(paths=tuple(found), truncated=truncated)


def _check(graph: CausalGraph, xs: Iterable[str] | str, ys: Iterable[str] | str, z: Iterable[str]
           ) -> tuple[list[str], list[str], set[str]]:
    xl = graph.require([xs] if isinstance(xs, str) else xs, "exposures")
    yl = graph.require([ys] if isinstance(ys, str) else ys, "outcomes")
    zl = graph.require(z, "conditioning set")
    if set(xl) & set(yl):
        raise AnalysisInputError("exposure and outcome sets overlap")
    return xl, yl, set(zl)


def all_paths(graph: CausalGraph, exposures: Iterable[str] | str, outcomes: Iterable[str] | str,
              conditioning: Iterable[str] = (), *, limit: int = DEFAULT_PATH_LIMIT) -> PathListing:
    """Every path from an exposure to an outcome (up to ``limit``), each judged open or blocked.

    >>> from assistant.gallery import load
    >>> [p.text for p in all_paths(load("confounding"), "X", "Y").paths]
    ['X <- Z -> Y', 'X -> Y']
    """
    xs, ys, z = _check(graph, exposures, outcomes, conditioning)
    return _paths(graph, xs, ys, z, only_open=False, non_causal_only=False, limit=limit)


def open_biasing_paths(graph: CausalGraph, exposures: Iterable[str] | str, outcomes: Iterable[str] | str,
                       conditioning: Iterable[str] = (), *, limit: int = DEFAULT_PATH_LIMIT) -> list[PathReport]:
    """Non-causal paths from an exposure to an outcome that stay open given ``conditioning``."""
    xs, ys, z = _check(graph, exposures, outcomes, conditioning)
    return list(_paths(graph, xs, ys, z, only_open=True, non_causal_only=True, limit=limit).paths)
