"""I006 and I007: adjusted variables that remove no bias: an instrument, or a variable the set does not need.

Both concern a set that may well be valid: I006 flags an adjusted instrument
(it costs precision and amplifies any bias left by unmeasured confounding),
I007 a variable whose removal keeps the set valid and which tells nothing
about the outcome; the fix drops it when what remains is still valid.
"""

from __future__ import annotations

from assistant.critique.context import CritiqueContext
from assistant.critique.identification_support import _braces, _listing, _ready, _set_fix
from assistant.critique.rules import Example, Rule, rule
from assistant.graph.separation import d_separated


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
