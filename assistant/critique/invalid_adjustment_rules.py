"""I003, I004, I005 and I008: what exactly is wrong with an adjusted set that is not valid.

Each problem is reported once, by the most specific rule: a mediator or a
descendant of one (I003), a collider that opens a path downstream of the
exposure or outcome (I004) or before the exposure (I005, M-bias), and only
then a back-door path left open, a confounder not adjusted for (I008).  A
chosen set is valid exactly when none of these, nor I001 or I002, fires; each
finding's fix sets the adjustment to a valid one.
"""

from __future__ import annotations

from assistant.critique.context import CritiqueContext
from assistant.critique.identification_support import (
    PATH_LIMIT, SHOWN_PATHS, _Analysis, _braces, _colliders, _is_are, _listing, _non_colliders, _path_edges,
    _paths_text, _ready, _set_fix,
)
from assistant.critique.rules import Example, Rule, rule
from assistant.graph.paths import PathReport
from assistant.graph.separation import ancestors_of, descendants_of


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
