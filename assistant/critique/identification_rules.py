"""Identification rules (I…): can the effect be estimated from this graph, and is the chosen adjustment right?

Two questions, kept apart:

* Is the effect identified by covariate adjustment at all?  When not, is the
  reason latent confounding (I002, which also says whether the front door or
  an instrument rescues it) or something else, such as several exposures
  whose back-door paths run through each other's mediators (I001)?
* Is the set the analyst chose to adjust for (the graph's ``adjusted``
  markers) valid, and if not, what exactly is wrong with it?  Each problem is
  reported once, by the most specific rule: a mediator or a descendant of one
  (I003), a collider that opens a path (I004, or I005 for M-bias), an
  instrument (I006), a harmless but useless variable (I007), and only then an
  unadjusted confounder (I008).

Every rule reads one shared :class:`_Analysis` (kept in ``ctx.memo``) built
from the pure graph core (:mod:`assistant.graph`): the forbidden set, the
proper back-door graph, minimal adjustment sets, path listings, the front
door and instruments.  A chosen set is valid exactly when none of I001–I005
and I008 fires.
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterable, Sequence

from assistant.critique.context import CritiqueContext
from assistant.critique.rules import Example, Rule, rule
from assistant.critique.structure_rules import op
from assistant.edit import SetAdjusted
from assistant.errors import AnalysisInputError
from assistant.graph.adjustment import is_valid_adjustment_set, minimal_adjustment_sets, resolve_query
from assistant.graph.dag import is_synthetic
from assistant.graph.frontdoor import FrontDoor, front_door
from assistant.graph.instruments import Instrument, instrumental_variables
from assistant.graph.paths import PathReport, all_paths, open_biasing_paths
from assistant.graph.separation import adjacency, ancestors_of, d_separated, descendants_of, reachable
from assistant.graph.transform import forbidden_nodes, proper_backdoor, proper_causal_nodes
from assistant.model import CausalGraph

#: Paths listed per question (the listings are exponential in the worst case; the checks are not).
PATH_LIMIT = 200
#: Paths named in one message before "and N more".
SHOWN_PATHS = 3
#: Minimal adjustment sets enumerated when looking for a fix.
MAX_SETS = 50
MEMO_KEY = "identification"


# --------------------------------------------------------------------------- helpers
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


def _rescue_text(a: _Analysis) -> tuple[str, bool]:
    """What rescues a non-identified effect: the front door, an instrument, or nothing; and whether anything does."""
    if a.single is None:
        return ("the front door and instruments are only checked for one exposure and one outcome", False)
    x, y = a.single
    parts = []
    door = a.front_door
    if door is not None and door.exists:
        m = list(door.minimal or ())
        parts.append(f"the front door rescues it: {_braces(m)} intercept{'s' if len(m) == 1 else ''} every causal "
                     f"path from {x} to {y} and {_is_are(m)} shielded from the confounding, so the front-door "
                     f"formula through {_braces(m)} identifies the effect")
    if a.instruments:
        shown = ", ".join(f"{i.variable} (conditioning on {_braces(i.conditioning)})" if i.conditioning
                          else f"{i.variable} (unconditionally)" for i in a.instruments)
        parts.append(f"under linearity (or monotonicity) an instrument rescues it: {shown}")
    if not parts:
        return ("neither the front door nor an instrument rescues it: measure the hidden common cause (or a "
                "variable that blocks its path), or report a sensitivity analysis", False)
    return ("; ".join(parts), True)


# ============================================================================ I001
@rule("I001", "no-adjustment-set", "error", "identification", needs=("dag", "query"),
      summary="No set of covariates identifies the effect, for a reason other than latent confounding.",
      explanation="""
Covariate adjustment identifies the total effect when some set of measured
variables blocks every non-causal path from the exposure to the outcome
without touching a causal path (the generalised adjustment criterion, which is
complete: when it fails no covariate set works).  When the failure is *not*
due to unmeasured variables (that is I002), the graph itself rules
adjustment out:

* with **several exposures**, a variable may be needed to block one
  exposure's back-door path while lying on a causal path of another
  (``X1 -> Z -> X2`` with ``Z -> Y``): the joint effect needs a sequential
  (g-formula) analysis, not one regression;
* the **outcome causes the exposure directly** (``Y -> X``): nothing can
  separate them;
* the exposure or outcome is **latent**: nothing about it can be estimated.

The finding names a path that stays open whatever is adjusted for, says
whether the front door rescues the effect (for one exposure and one
outcome), and, for several exposures, which of them is identified on its own.
""",
      examples=[
          Example("dag { X1 [exposure] X2 [exposure] Y [outcome] X1 -> Z -> X2 -> Y Z -> Y X1 -> Y }", True,
                  "Z confounds X2 but mediates X1: the joint effect needs a sequential analysis"),
          Example("dag { X1 [exposure] X2 [exposure] Y [outcome] X1 -> X2 -> Y Z -> X2 Z -> Y X1 -> Y }", False,
                  "Z confounds X2 and is not caused by X1: adjust for Z"),
          Example("dag { X [exposure] Y [outcome] X <-> Y X -> Y }", False,
                  "latent confounding is I002's finding, not I001's"),
      ])
def no_adjustment_set(ctx: CritiqueContext, r: Rule):
    a = _analysis(ctx)
    if isinstance(a, str):
        yield r.finding(f"the identification rules cannot check this query: {a}",
                        nodes=[n for n in ctx.exposures + ctx.outcomes if n in ctx.graph.names])
        return
    if a.identifiable or a.identifiable_if_all_observed:
        return
    paths, _best = a.unblockable_paths(observed_only=False)
    message = f"no covariate adjustment identifies the {a.effect}"
    nodes: list[str] = [*a.xs, *a.ys]
    edges: list[str] = []
    if paths:
        p = paths[0]
        nodes += list(p.nodes[1:-1])
        edges = _path_edges(p)
        inner = [n for n in _non_colliders(p) if n in a.forbidden]
        if len(p.nodes) == 2:
            message += (f": {p.nodes[0]} and {p.nodes[1]} are joined by {edges[0]}, so no set can block the "
                        f"non-causal path {p.text}")
            if p.marks[0] == "<-" and p.nodes[-1] not in a.pcp:
                message += (f" (the outcome {p.nodes[-1]} causes the exposure {p.nodes[0]} and no causal path "
                            f"leads from {p.nodes[0]} to {p.nodes[-1]}: check the direction of {edges[0]})")
        elif inner:
            examples = [a.causal_path_through(n) for n in inner]
            via = "; ".join(c.text for c in examples if c is not None)
            message += (f": the path {p.text} could only be blocked by adjusting for {_listing(inner)}, but "
                        f"{_listing(inner)} {_is_are(inner)} on (or descend{'s' if len(inner) == 1 else ''} from) "
                        f"a causal path from the exposure{'s' if len(a.xs) > 1 else ''}"
                        + (f" ({via})" if via else "") + ", so adjusting for it would remove part of the effect")
        else:
            message += f": even adjusting for every admissible variable leaves {p.text} open"
    if a.single is not None:
        door = a.front_door
        if door is not None and door.exists:
            message += f"; the front door rescues it through {_braces(door.minimal or ())}"
        else:
            message += "; the front door does not rescue it either"
    else:
        message += "; the front door is only checked for one exposure and one outcome"
        alone = []
        for x in a.xs:
            found = minimal_adjustment_sets(a.graph, [x], a.ys, max_sets=1).sets
            if found:
                alone.append(f"{x} alone ({_set_label(list(found[0]))})")
        if alone:
            message += (f"; separately, the effect of {_listing(alone)} is identified — estimate the effects one "
                        f"exposure at a time, or use a sequential (g-formula) analysis for the joint effect")
        else:
            message += "; a sequential (g-formula) analysis may still identify the joint effect"
    yield r.finding(message, nodes=a.sort(nodes), edges=edges)


# ============================================================================ I002
@rule("I002", "latent-confounding", "error", "identification", needs=("dag", "query"),
      summary="Unmeasured confounding leaves a back-door path that no observed set can block "
              "(a warning when the front door or an instrument rescues the effect).",
      explanation="""
A latent variable or a bidirected edge (``X <-> Y``: some unmeasured common
cause) on a back-door path can only be blocked by adjusting for a measured
variable on the same path.  When every such path runs only through
unmeasured variables, no covariate adjustment removes the bias.

The effect may still be identified another way, and the finding says which:

* the **front door**: a set of mediators that carries the whole effect and
  is not itself confounded with the exposure (named by the finding); the
  front-door formula then identifies the effect without measuring the
  confounder;
* an **instrument**: a variable that moves the exposure and reaches the
  outcome only through it, possibly after adjusting for a conditioning set
  (both named); instrumental-variable estimation needs extra assumptions
  such as linearity or monotonicity.

With a rescue the finding is a warning (the estimation strategy must change);
without one it is an error, and the options are to measure the confounder or
a proxy that blocks its path, or to report a sensitivity analysis.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] U [latent] U -> X U -> Y X -> Y }", True,
                  "U is unmeasured and nothing rescues the effect: an error"),
          Example("dag { X [exposure] Y [outcome] U [latent] U -> X U -> Y X -> M -> Y }", True,
                  "rescued by the front door through M: a warning"),
          Example("dag { X [exposure] Y [outcome] Z -> X X <-> Y X -> Y }", True,
                  "rescued, under linearity, by the instrument Z: a warning"),
          Example("dag { X [exposure] Y [outcome] U [latent] W [adjusted] U -> W -> X U -> Y X -> Y }", False,
                  "U is latent, but its path runs through the measured W, which blocks it"),
      ])
def latent_confounding(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None or a.identifiable or not a.identifiable_if_all_observed:
        return
    paths, best = a.unblockable_paths(observed_only=True)
    rescue, rescued = _rescue_text(a)
    nodes: list[str] = [*a.xs, *a.ys]
    edges: list[str] = []
    if paths:
        latent_first = sorted(paths, key=lambda p: (not (set(p.nodes) - a.ld.observed or "<->" in p.marks),
                                                    len(p.nodes), p.text))
        p = latent_first[0]
        hidden = [n for n in p.nodes if n not in a.ld.observed]
        bidirected = _bidirected(p)
        what = []
        if hidden:
            what.append(f"the unobserved {_listing(hidden)}")
        if bidirected:
            what.append(f"the bidirected edge{'s' if len(bidirected) > 1 else ''} {_listing(bidirected)} "
                        f"(an unmeasured common cause)")
        through = f" through {' and '.join(what)}" if what else ""
        cols = _colliders(p)
        if not cols:
            message = (f"latent confounding: the back-door path {p.text} runs{through} and cannot be blocked by "
                       f"any set of observed variables, so no covariate adjustment identifies the {a.effect}")
        else:
            message = (f"latent confounding: no set of observed variables blocks every back-door path at once — "
                       f"even adjusting for every admissible observed variable ({_braces(best)}) leaves {p.text} "
                       f"open{through}, at the collider{'s' if len(cols) > 1 else ''} {_listing(cols)} — so no "
                       f"covariate adjustment identifies the {a.effect}")
        nodes += list(p.nodes[1:-1])
        edges = _path_edges(p)
    else:
        message = (f"latent confounding: no set of observed variables blocks every back-door path, so no "
                   f"covariate adjustment identifies the {a.effect}")
    yield r.finding(f"{message}; {rescue}", severity="warning" if rescued else "error", nodes=a.sort(nodes),
                    edges=edges)


# ============================================================================ I003
@rule("I003", "adjusted-mediator", "error", "identification", needs=("dag", "query"),
      summary="An adjusted variable lies on a causal path from the exposure to the outcome, or descends from one.",
      explanation="""
Adjusting for a **mediator** (a variable on a causal path ``X -> M -> Y``)
removes the part of the effect that flows through it: the estimate is no
longer the total effect.  Adjusting for a **descendant** of a mediator or of
the outcome partly conditions on them, and can also open collider paths
(``X -> M <- U -> Y``).  Together these make the *forbidden* set of the
generalised adjustment criterion; a valid adjustment set contains none of it.

If the direct effect (not through M) is what is wanted, that is a different
estimand (a controlled or natural direct effect) needing its own
assumptions.  The fix stops adjusting for the variable, or, when what remains
is not valid, sets the adjustment to a valid minimal set.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] M [adjusted] X -> M -> Y }", True, "M is a mediator"),
          Example("dag { X [exposure] Y [outcome] D [adjusted] X -> Y -> D }", True,
                  "D is a descendant of the outcome"),
          Example("dag { X [exposure] Y [outcome] Z [adjusted] Z -> X Z -> Y X -> M -> Y }", False,
                  "Z is a confounder and the mediator M is left alone"),
      ])
def adjusted_mediator(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None:
        return
    offenders = [n for n in a.z if n in a.forbidden]
    if not offenders:
        return
    allowed = [n for n in a.z if n not in a.forbidden]
    for n in offenders:
        if n in a.pcp:
            causal = a.causal_path_through(n)
            shown = f" {causal.text}" if causal else ""
            why = (f"{n} is a mediator on the causal path{shown}: adjusting for it removes the part of the "
                   f"{a.effect} that flows through {n}")
            edges = _path_edges(causal) if causal else []
            nodes = list(causal.nodes) if causal else [n]
        else:
            chain = a.chain_from(a.pcp, n) or [n]
            start = chain[0]
            role = "outcome" if start in a.y_set else "mediator"
            why = (f"{n} descends from the {role} {start} ({' -> '.join(chain)}): adjusting for it partly "
                   f"adjusts for {start}, which biases the {a.effect}")
            edges = [f"{u} -> {v}" for u, v in zip(chain, chain[1:])]
            nodes = chain
        target = a.fix_set([m for m in a.z if m != n], keep=allowed)
        yield r.finding(f"adjusting for {n} is not allowed: {why}", nodes=a.sort(nodes), edges=edges,
                        **_set_fix(a, target))


# ======================================================================= I004/I005
def _collider_findings(a: _Analysis, r: Rule, m_bias: bool):
    # one finding per set of responsible variables; a path that needs several of them open is
    # reported with a smaller set it contains (dropping any one member closes it)
    groups: dict[frozenset[str], list[PathReport]] = {}
    for p, who in sorted(a.opened_paths, key=lambda t: (len(t[1]), a.sort(t[1]), len(t[0].nodes))):
        home = next((k for k in groups if k <= who), who)
        groups.setdefault(home, []).append(p)
    downstream = descendants_of(a.children, a.x_set | a.y_set)
    for who, paths in groups.items():
        pre_exposure = all(c not in downstream for p in paths for c in _colliders(p))
        if pre_exposure != m_bias:
            continue
        names = a.sort(who)
        p = paths[0]
        roles = []
        for c in _colliders(p):
            i = p.nodes.index(c)
            around = f"{p.nodes[i - 1]} and {p.nodes[i + 1]}"
            openers = a.sort(a.openers(c) - a.forbidden)
            if c in who:
                roles.append(f"{c} is a common effect (collider) of {around}")
            else:
                roles.append(f"{_listing(openers)} descend{'s' if len(openers) == 1 else ''} from {c}, a common "
                             f"effect (collider) of {around}")
            if c in downstream and not m_bias:
                hit = sorted(a.x_set & ancestors_of(a.parents, [c])) or sorted(a.y_set & ancestors_of(a.parents, [c]))
                if hit:
                    roles[-1] += f" and a descendant of {'the exposure' if hit[0] in a.x_set else 'the outcome'} " \
                                 f"{hit[0]}"
        listing = _paths_text(paths)
        rest = [n for n in a.z if n not in who]
        if m_bias:
            message = (f"M-bias: adjusting for {_listing(names)} opens the back-door path {listing}, which is blocked "
                       f"without it: {'; '.join(roles)}, and comes before the exposure")
        else:
            message = (f"adjusting for {_listing(names)} opens the non-causal path {listing}, which is blocked "
                       f"without it: {'; '.join(roles)}")
        additions = a.additions(a.z)
        extra = " or ".join(_braces(s) if len(s) > 1 else s[0] for s in additions)
        if a.valid(rest):
            target = a.sort(rest)
            if extra:
                message += f"; either stop adjusting for {_listing(names)} or also adjust for {extra}"
        else:
            superset = a.smallest(a.z) if additions else None
            target = superset or a.fix_set(keep=[n for n in rest if n not in a.forbidden])
            if extra:
                message += (f"; dropping {_listing(names)} is not enough (the rest of the adjusted set is not valid "
                            f"without it), so also adjust for {extra}")
        nodes = set(names) | {n for q in paths[:SHOWN_PATHS] for n in q.nodes}
        edges = list(dict.fromkeys(e for q in paths[:SHOWN_PATHS] for e in _path_edges(q)))
        yield r.finding(message, nodes=a.sort(nodes), edges=edges, **_set_fix(a, target))


@rule("I004", "adjusted-collider", "error", "identification", needs=("dag", "query"),
      summary="Adjusting for a collider (or a collider's descendant) downstream of the exposure or outcome opens "
              "a non-causal path.",
      explanation="""
A path through a **collider** (``A -> C <- B``: a common effect) is blocked
as long as neither C nor any of its descendants is adjusted for.  Adjusting
for one *opens* the path and creates an association that is not effect
(collider or selection bias, Berkson's paradox).  This rule covers colliders
that are caused by the exposure or the outcome, for example
``X -> C <- U -> Y``: C is not on a causal path to Y, so the adjustment
criterion does not forbid it outright, yet adjusting for it connects X to the
unmeasured U.  (Pre-exposure colliders are I005's M-bias; mediators and
their descendants are I003's.)

The finding names the opened path; the fix stops adjusting for the variable
when what remains is valid, or sets a valid minimal set, and the message
says which extra variable would block the path if the collider must stay.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] U [latent] C [adjusted] X -> C <- U -> Y X -> Y }", True,
                  "C is caused by X and by the hidden U, which causes Y"),
          Example("dag { X [exposure] Y [outcome] U [latent] C [adjusted] X -> C <- U X -> Y }", False,
                  "C is a collider, but U does not reach Y: nothing opens"),
          Example("dag { X [exposure] Y [outcome] M [adjusted] A -> X A -> M B -> M B -> Y X -> Y }", False,
                  "a pre-exposure collider is M-bias (I005), not I004"),
      ])
def adjusted_collider(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None:
        return
    yield from _collider_findings(a, r, m_bias=False)


@rule("I005", "m-bias", "error", "identification", needs=("dag", "query"),
      summary="Adjusting for a pre-exposure collider opens a back-door path (M-bias).",
      explanation="""
"Adjust for everything measured before the exposure" is not safe.  In the
M-structure ``X <- A -> M <- B -> Y`` the pre-exposure variable M is a
common *effect* of A and B, so the back-door path is blocked as long as M is
left alone; adjusting for M opens it.  Pre-exposure colliders are common in
practice (a baseline measurement influenced by two unmeasured traits).

Either stop adjusting for M (the fix, when what remains is valid), or
also adjust for A or B, which blocks the path again; the message names the
extra variables.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] M [adjusted] A -> X A -> M B -> M B -> Y X -> Y }", True,
                  "the gallery's m_bias with M adjusted"),
          Example("dag { X [exposure] Y [outcome] M [adjusted] A [adjusted] A -> X A -> M B -> M B -> Y X -> Y }",
                  False, "A is adjusted too, which blocks the path that M opens"),
      ])
def m_bias(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None:
        return
    yield from _collider_findings(a, r, m_bias=True)


# ============================================================================ I006
@rule("I006", "adjusted-instrument", "warning", "identification", needs=("dag", "query"),
      summary="An adjusted variable is an instrument: it affects the outcome only through the exposure.",
      explanation="""
A variable that moves the exposure but is connected to the outcome only
through it (given the rest of the adjusted set) removes no bias when adjusted
for.  It does harm: it soaks up variation in the exposure, so the estimate is
less precise, and it *amplifies* whatever bias is left from unmeasured
confounding (bias amplification; Pearl 2010, Myers et al. 2011).  When the
effect is confounded by something unmeasured, such a variable is better used
as an instrument.

The fix removes it from the adjusted set when what remains is still a valid
adjustment set.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] Z [adjusted] W [adjusted] Z -> X W -> X W -> Y X -> Y }", True,
                  "Z causes only X"),
          Example("dag { X [exposure] Y [outcome] Z [adjusted] Z -> X Z -> Y X -> Y }", False,
                  "Z also causes Y: a confounder, not an instrument"),
      ])
def adjusted_instrument(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None:
        return
    for v in a.adjusted_instruments:
        rest = [n for n in a.z if n != v]
        given = [n for n in rest if n not in a.forbidden]
        cond = f" given the rest of the adjusted set {_braces(given)}" if given else ""
        message = (f"{v} is an instrument{cond}: it affects {_listing(a.ys)} only through {_listing(a.xs)}, so "
                   f"adjusting for it removes no bias, costs precision and amplifies any bias left by unmeasured "
                   f"confounding")
        fix = {}
        if a.valid(rest):
            fix = _set_fix(a, rest)
        elif not a.identifiable and a.single is not None and any(i.variable == v for i in a.instruments):
            message += f"; with the latent confounding here, use {v} as an instrument instead"
        edges = [f"{v} -> {x}" for x in a.xs if x in a.children.get(v, ())]
        yield r.finding(message, nodes=a.sort([v, *a.xs, *a.ys]), edges=edges, **fix)


# ============================================================================ I007
@rule("I007", "over-adjustment", "info", "identification", needs=("dag", "query"),
      summary="The adjusted set is valid but contains variables that are not needed and do not help precision.",
      explanation="""
A valid adjustment set may contain more than it needs.  A variable whose
removal leaves the set valid, and which carries no information about the
outcome once the exposure and the rest of the set are known, adds noise
without removing bias: dropping it keeps the estimate unbiased and can only
improve its precision.  (Variables that predict the outcome, such as other
causes of it, are worth keeping: they reduce the standard error.  Instruments
are I006's.)
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] Z [adjusted] V [adjusted] V -> Z Z -> X Z -> Y X -> Y }", True,
                  "Z blocks the back-door path; V, a cause of Z, adds nothing"),
          Example("dag { X [exposure] Y [outcome] Z [adjusted] P [adjusted] Z -> X Z -> Y P -> Y X -> Y }", False,
                  "P is not needed for validity, but it predicts Y and so improves precision"),
      ])
def over_adjustment(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None or not a.z or not a.z_valid:
        return
    instruments = set(a.adjusted_instruments)
    for v in a.z:
        if v in instruments:
            continue
        rest = [n for n in a.z if n != v]
        if not a.valid(rest):
            continue
        if not d_separated(a.graph, [v], a.ys, [*a.xs, *rest]):
            continue  # v predicts the outcome: a precision variable
        shown = _braces(rest) if rest else "the empty set"
        yield r.finding(f"{v} is not needed: {shown} is already a valid adjustment set, and {v} carries no "
                        f"information about {_listing(a.ys)} beyond {_listing([*a.xs, *rest])}, so dropping it "
                        f"keeps the estimate unbiased and can only improve its precision",
                        nodes=[v], **_set_fix(a, rest))


# ============================================================================ I008
@rule("I008", "open-backdoor", "error", "identification", needs=("dag", "query"),
      summary="The adjusted set leaves a back-door path open: a confounder is not adjusted for.",
      explanation="""
A back-door path (``X <- Z -> Y``) carries association that is not effect
until some variable on it is adjusted for.  This rule fires when the chosen
adjusted set (possibly empty) leaves such a path open, naming it; problems
caused by the adjustment itself (mediators, colliders) are reported by
I003–I005 instead.

The fix sets the adjustment to a minimal valid set: the smallest one that
keeps everything already adjusted for when there is one, otherwise the
smallest.  When no valid set exists at all the effect is not identified by
adjustment, which is I001's or I002's finding, and this rule stays silent.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] Z -> X Z -> Y X -> Y }", True,
                  "the confounder Z is not adjusted for"),
          Example("dag { X [exposure] Y [outcome] Z [adjusted] Z -> X Z -> Y X -> Y }", False,
                  "Z is adjusted for"),
          Example("dag { X [exposure] Y [outcome] U [latent] U -> X U -> Y X -> Y }", False,
                  "nothing can block X <- U -> Y: that is I002's finding"),
      ])
def open_backdoor(ctx: CritiqueContext, r: Rule):
    a = _ready(ctx)
    if a is None or not a.identifiable or a.z_valid:
        return
    paths = a.confounding_paths
    if not paths:
        return
    blockers = a.sort(n for p in paths[:SHOWN_PATHS] for n in _non_colliders(p)
                      if n in a.ld.observed and n not in a.forbidden)
    what = _braces(a.z) if a.z else "nothing"
    count = f"at least {len(paths)}" if len(paths) >= PATH_LIMIT else str(len(paths))
    kind = "a back-door path" if len(paths) == 1 else f"{count} back-door paths"
    message = f"adjusting for {what} leaves {kind} open: {_paths_text(paths)}"
    if blockers:
        message += f" ({_listing(blockers)} {_is_are(blockers)} on {'it' if len(paths) == 1 else 'them'} " \
                   f"and not adjusted for)"
    clean = [n for n in a.z if n not in a.forbidden]
    opened = set().union(*(who for _p, who in a.opened_paths)) if a.opened_paths else set()
    target = a.smallest(a.z) or a.smallest([n for n in clean if n not in opened]) or a.smallest()
    nodes = {n for p in paths[:SHOWN_PATHS] for n in p.nodes}
    edges = list(dict.fromkeys(e for p in paths[:SHOWN_PATHS] for e in _path_edges(p)))
    yield r.finding(message, nodes=a.sort(nodes), edges=edges, **_set_fix(a, target))
