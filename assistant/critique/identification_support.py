"""What the identification rules (I…) share: one analysis of the query per critique, and the words for it.

:class:`_Analysis` (built once and kept in ``ctx.memo``) holds what every
identification rule reads, computed lazily from the pure graph core
(:mod:`assistant.graph`): the resolved exposures and outcomes, the forbidden
set, the proper back-door graph, the chosen adjusted set and whether it is
valid, minimal adjustment sets and fixes built from them, path listings, the
front door and instruments.  Beside it are the helpers that turn paths and
sets into message text and a set of adjusted variables into a fix.
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterable, Sequence

from assistant.critique.context import CritiqueContext
from assistant.critique.structure_rules import op
from assistant.edit import SetAdjusted
from assistant.errors import AnalysisInputError
from assistant.graph.adjustment import is_valid_adjustment_set, minimal_adjustment_sets, resolve_query
from assistant.graph.dag import is_synthetic
from assistant.graph.frontdoor import FrontDoor, front_door
from assistant.graph.instruments import Instrument, instrumental_variables
from assistant.graph.paths import PathReport, all_paths, open_biasing_paths
from assistant.graph.separation import adjacency, ancestors_of, descendants_of, reachable
from assistant.graph.transform import forbidden_nodes, proper_backdoor, proper_causal_nodes
from assistant.model import CausalGraph


#: Paths listed per question (the listings are exponential in the worst case; the checks are not).
PATH_LIMIT = 200
#: Paths named in one message before "and N more".
SHOWN_PATHS = 3
#: Minimal adjustment sets enumerated when looking for a fix.
MAX_SETS = 50
MEMO_KEY = "identification"


def _braces(names: Iterable[str]) -> str:
    return "{" + ", ".join(names) + "}"


def _listing(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _is_are(names: Sequence[str]) -> str:
    return "is" if len(names) == 1 else "are"


def _colliders(p: PathReport) -> list[str]:
    return [p.nodes[i] for i in range(1, len(p.nodes) - 1)
            if p.marks[i - 1].endswith(">") and p.marks[i].startswith("<")]


def _non_colliders(p: PathReport) -> list[str]:
    col = set(_colliders(p))
    return [n for n in p.nodes[1:-1] if n not in col]


def _path_edges(p: PathReport) -> list[str]:
    out = []
    for a, mark, b in zip(p.nodes, p.marks, p.nodes[1:]):
        if mark == "->":
            out.append(f"{a} -> {b}")
        elif mark == "<-":
            out.append(f"{b} -> {a}")
        else:
            lo, hi = sorted((a, b))
            out.append(f"{lo} <-> {hi}")
    return out


def _bidirected(p: PathReport) -> list[str]:
    return [e for e in _path_edges(p) if "<->" in e]


def _by_length(paths: Iterable[PathReport]) -> list[PathReport]:
    return sorted(paths, key=lambda p: (len(p.nodes), p.text))


def _paths_text(paths: Sequence[PathReport]) -> str:
    shown = "; ".join(p.text for p in paths[:SHOWN_PATHS])
    more = len(paths) - SHOWN_PATHS
    return shown + (f" (and {more} more)" if more > 0 else "")


def _set_label(names: Sequence[str]) -> str:
    return f"adjust for {_braces(names)}" if names else "adjust for nothing"


def _without(graph: CausalGraph, drop: Iterable[str], xs: list[str], ys: list[str]) -> CausalGraph:
    """``graph`` with the variables in ``drop`` deleted: its open paths given nothing are the
    collider-free paths of ``graph`` that avoid ``drop``."""
    gone = set(drop)
    return CausalGraph(variables=[v for v in graph.variables if v.name not in gone],
                       edges=[e for e in graph.edges if e.source not in gone and e.target not in gone],
                       exposures=xs, outcomes=ys)


class _Analysis:
    """Everything the identification rules share, computed lazily and once per critique."""

    def __init__(self, ctx: CritiqueContext):
        self.graph = ctx.graph
        self.ld = ctx.latent_dag
        self.xs, self.ys = resolve_query(ctx.graph, ctx.exposures, ctx.outcomes, self.ld)
        self.x_set, self.y_set = set(self.xs), set(self.ys)
        self.order = {n: i for i, n in enumerate(ctx.graph.names)}
        self.parents, self.children = adjacency(self.ld)
        self.pcp = {n for n in proper_causal_nodes(self.parents, self.children, self.x_set, self.y_set)
                    if not is_synthetic(n)}
        self.forbidden = {n for n in forbidden_nodes(self.parents, self.children, self.x_set, self.y_set)
                          if not is_synthetic(n)}
        self.bd_parents, self.bd_children = proper_backdoor(self.parents, self.children, self.x_set, self.y_set)
        query = self.x_set | self.y_set
        #: the adjusted variables that can be adjusted for (observed, neither exposure nor outcome), in graph order
        self.z = self.sort(n for n in ctx.graph.adjusted if n in self.ld.observed and n not in query)
        self.z_set = set(self.z)
        self.single = (self.xs[0], self.ys[0]) if len(self.xs) == 1 and len(self.ys) == 1 else None

    # ---------------------------------------------------------------- basics
    def sort(self, names: Iterable[str]) -> list[str]:
        return sorted(set(names), key=lambda n: self.order.get(n, len(self.order)))

    @property
    def effect(self) -> str:
        xs, ys = _listing(self.xs), _listing(self.ys)
        return f"{'joint ' if len(self.xs) > 1 else ''}effect of {xs} on {ys}"

    def valid(self, z: Iterable[str]) -> bool:
        return is_valid_adjustment_set(self.graph, list(z), self.xs, self.ys)

    @cached_property
    def z_valid(self) -> bool:
        return self.valid(self.z)

    @cached_property
    def sets(self) -> tuple[tuple[str, ...], ...]:
        return minimal_adjustment_sets(self.graph, self.xs, self.ys, max_sets=MAX_SETS).sets

    @property
    def identifiable(self) -> bool:
        return bool(self.sets)

    def smallest(self, include: Iterable[str] = ()) -> list[str] | None:
        """The smallest minimal adjustment set containing ``include``, or None when there is none."""
        include = self.sort(include)
        if not include:
            return list(self.sets[0]) if self.sets else None
        found = minimal_adjustment_sets(self.graph, self.xs, self.ys, include=include, max_sets=MAX_SETS).sets
        return self.sort(found[0]) if found else None

    def additions(self, keep: Sequence[str], limit: int = SHOWN_PATHS) -> list[list[str]]:
        """What could be added to ``keep`` to make it valid: the new members of the smallest
        minimal sets containing it (none when ``keep`` has a forbidden variable)."""
        if not keep or set(keep) & self.forbidden:
            return []
        found = minimal_adjustment_sets(self.graph, self.xs, self.ys, include=list(keep), max_sets=MAX_SETS).sets
        return [self.sort(set(s) - set(keep)) for s in found[:limit] if set(s) - set(keep)]

    def fix_set(self, *candidates: Iterable[str] | None, keep: Iterable[str] = ()) -> list[str] | None:
        """The first valid choice: each candidate set as is, then the smallest minimal set
        containing ``keep``, then the smallest minimal set."""
        for c in candidates:
            if c is not None and self.valid(c):
                return self.sort(c)
        keep = [n for n in keep if n not in self.forbidden]
        return (self.smallest(keep) if keep else None) or self.smallest()

    # ---------------------------------------------------------- why no set
    @cached_property
    def identifiable_if_all_observed(self) -> bool:
        """Would some set work if every latent variable (and every bidirected edge's hidden cause) were measured?

        The generalised adjustment criterion is complete: a valid set exists iff the
        non-forbidden ancestors of the exposures and outcomes form one.
        """
        candidate = ancestors_of(self.parents, self.x_set | self.y_set) - self.forbidden - self.x_set - self.y_set
        return not (reachable(self.bd_parents, self.bd_children, self.xs, candidate) & self.y_set)

    def _best_candidate(self, observed_only: bool) -> list[str]:
        anc = ancestors_of(self.parents, self.x_set | self.y_set)
        names = {n for n in anc if not is_synthetic(n)} - self.forbidden - self.x_set - self.y_set
        if observed_only:
            names = {n for n in names if n in self.ld.observed}
        return self.sort(names)

    def unblockable_paths(self, observed_only: bool) -> tuple[list[PathReport], list[str]]:
        """Collider-free back-door paths that even the largest admissible set leaves open.

        With ``observed_only`` the set is every observed non-forbidden ancestor
        (so the paths run through latent variables or forbidden ones); without,
        latent variables count as adjustable too and paths through bidirected
        edges are dropped (their hidden cause would be adjusted).  Falls back
        to any open path given that set when no collider-free one is found.
        """
        best = self._best_candidate(observed_only)
        sub = _without(self.graph, best, self.xs, self.ys)
        paths = open_biasing_paths(sub, self.xs, self.ys, (), limit=PATH_LIMIT)
        if not observed_only:
            paths = [p for p in paths if "<->" not in p.marks]
        if not paths:
            paths = open_biasing_paths(self.graph, self.xs, self.ys, best, limit=PATH_LIMIT)
            if not observed_only:
                paths = [p for p in paths if "<->" not in p.marks]
        return _by_length(paths), best

    @cached_property
    def front_door(self) -> FrontDoor | None:
        return front_door(self.graph, *self.single) if self.single else None

    @cached_property
    def instruments(self) -> list[Instrument]:
        return instrumental_variables(self.graph, *self.single) if self.single else []

    @cached_property
    def causal_paths(self) -> list[PathReport]:
        return _by_length(all_paths(self.graph, self.xs, self.ys, (), limit=PATH_LIMIT).causal)

    def causal_path_through(self, node: str) -> PathReport | None:
        hits = [p for p in self.causal_paths if node in p.nodes]
        return _by_length(hits)[0] if hits else None

    def chain_from(self, sources: set[str], node: str) -> list[str] | None:
        """A shortest directed path from one of ``sources`` to ``node`` (breadth-first, upwards)."""
        came: dict[str, str | None] = {node: None}
        frontier = [node]
        while frontier:
            nxt: list[str] = []
            for n in frontier:
                if n in sources and n != node:
                    chain = [n]
                    while came[chain[-1]] is not None:
                        chain.append(came[chain[-1]])  # type: ignore[arg-type]
                    return chain
                for p in self.sort(p for p in self.parents[n] if not is_synthetic(p)):
                    if p not in came:
                        came[p] = n
                        nxt.append(p)
            frontier = nxt
        return None

    # ------------------------------------------------- the chosen set's paths
    def openers(self, collider: str) -> set[str]:
        """The adjusted variables that open ``collider``: itself or its descendants."""
        return descendants_of(self.children, [collider]) & self.z_set

    @cached_property
    def opened_paths(self) -> list[tuple[PathReport, frozenset[str]]]:
        """Open non-causal paths with a collider that the adjustment opened, and the adjusted
        variables responsible, leaving out paths a forbidden variable alone opens (I003's)."""
        if not self.z or self.z_valid:
            return []
        out = []
        for p in _by_length(open_biasing_paths(self.graph, self.xs, self.ys, self.z, limit=PATH_LIMIT)):
            cols = _colliders(p)
            if not cols:
                continue
            per = [self.openers(c) for c in cols]
            if any(o <= self.forbidden for o in per):
                continue  # removing the mediators and their descendants (I003) closes it
            out.append((p, frozenset(set().union(*per) - self.forbidden)))
        return out

    @cached_property
    def confounding_paths(self) -> list[PathReport]:
        """Open collider-free back-door paths given the chosen set: confounders not adjusted for."""
        if self.z_valid:
            return []
        sub = _without(self.graph, self.z, self.xs, self.ys)
        found = _by_length(open_biasing_paths(sub, self.xs, self.ys, (), limit=PATH_LIMIT))
        if len(found) >= PATH_LIMIT:
            # the listing is depth-first and was cut short: make sure the shortest paths (through one
            # common cause of an exposure and an outcome) are named first
            both = {n for n in sub.names if self.children[n] & self.x_set and self.children[n] & self.y_set}
            short = _without(sub, set(sub.names) - both - self.x_set - self.y_set, self.xs, self.ys)
            first = [p for p in open_biasing_paths(short, self.xs, self.ys, (), limit=PATH_LIMIT)
                     if len(p.nodes) == 3]
            seen = {p.text for p in first}
            found = _by_length(first) + [p for p in found if p.text not in seen][:PATH_LIMIT - len(first)]
        return found

    def is_instrument_given(self, v: str, rest: set[str]) -> bool:
        """``v`` is a (conditional) instrument given ``rest`` (the definition of
        :mod:`assistant.graph.instruments`, with the conditioning set fixed to ``rest``)."""
        if rest & descendants_of(self.bd_children, self.ys):
            return False
        reach = reachable(self.bd_parents, self.bd_children, [v], rest)
        return not (reach & self.y_set) and bool(reach & self.x_set)

    @cached_property
    def adjusted_instruments(self) -> list[str]:
        clean = self.z_set - self.forbidden
        return [v for v in self.z if v in clean and self.is_instrument_given(v, clean - {v})]


def _analysis(ctx: CritiqueContext) -> _Analysis | str:
    """The shared analysis, or why it cannot be made (a latent exposure, overlapping sets)."""
    if MEMO_KEY not in ctx.memo:
        try:
            ctx.memo[MEMO_KEY] = _Analysis(ctx)
        except AnalysisInputError as exc:
            ctx.memo[MEMO_KEY] = str(exc)
    return ctx.memo[MEMO_KEY]


def _ready(ctx: CritiqueContext) -> _Analysis | None:
    a = _analysis(ctx)
    return a if isinstance(a, _Analysis) else None


def _set_fix(a: _Analysis, names: list[str] | None) -> dict:
    if names is None:
        return {}
    return {"fix": [op(SetAdjusted(names=names))], "fix_label": _set_label(names)}
