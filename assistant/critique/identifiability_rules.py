"""I001 and I002: is the effect identified by covariate adjustment at all, and if not, why not?

When no adjustment set exists, I002 reports latent confounding (a back-door
path only unmeasured variables could block) and says whether the front door
or an instrument rescues the effect; I001 reports every other reason, such as
several exposures whose back-door paths run through each other's mediators,
an outcome that causes the exposure, or a latent exposure.
"""

from __future__ import annotations

from assistant.critique.context import CritiqueContext
from assistant.critique.identification_support import (
    _Analysis, _analysis, _bidirected, _braces, _colliders, _is_are, _listing, _non_colliders, _path_edges, _ready,
    _set_label,
)
from assistant.critique.rules import Example, Rule, rule
from assistant.graph.adjustment import minimal_adjustment_sets


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
