"""Signs of an unmeasured common cause, read off FCI's output.

FCI marks each edge end with a tail, an arrowhead or a circle (undecided).
An arrowhead at ``a`` on the edge between ``a`` and ``b`` says *a does not
cause b*.  When the edge has arrowheads at both ends, ``a <-> b``, neither
causes the other, yet they are dependent given every set FCI tried: the
standard explanation is a common cause that is not in the data.  Each
arrowhead comes from a collider, which we cite: some ``c`` adjacent to ``a``
but not to ``b`` is independent of ``b`` given a set that excludes ``a``.
Only edges whose *both* arrowheads rest on such a cited collider are
suggested; FCI's later rules also propagate arrowheads, and with finite
samples one wrong test spreads that way, so those are only noted.

Each such edge becomes a :class:`~assistant.draft.result.MissingVariableSuggestion`
with provenance ``data``, the tests behind it, and what measuring the
variable would make possible.
"""

from __future__ import annotations

from assistant.draft.offline.inputs import Problem
from assistant.draft.offline.rationale import ci_evidence
from assistant.draft.offline.search import FCIResult
from assistant.draft.result import MissingVariableSuggestion
from assistant.model import Evidence
from assistant.model.variable import MAX_NAME_LENGTH
from assistant.stats.citests import format_p


def _name(a: str, b: str, taken: set[str]) -> str:
    base = f"U_{a}_{b}"
    if len(base) > MAX_NAME_LENGTH - 4:
        base = "U_latent"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _collider_evidence(fci: FCIResult, end: str, other: str) -> Evidence | None:
    """Why there is an arrowhead at ``end`` on ``end <-> other``: a collider ``c *-> end <-* other``."""
    for head, c in sorted(fci.arrowhead_at):
        if head != end or c == other or frozenset((c, other)) in fci.adjacent:
            continue
        sep = fci.separations.get(frozenset((c, other)))
        if sep is None or end in sep.z:
            continue
        given = f"{{{', '.join(sep.z)}}}" if sep.z else "the empty set"
        return ci_evidence(sep, True, f"{c} and {other} are independent given {given} (p={format_p(sep.p_value)}, "
                                      f"n={sep.n}), which excludes {end}: an arrowhead at {end} "
                                      f"({c} *-> {end} <-* {other})")
    return None


def _unblocks(problem: Problem, a: str, b: str) -> str:
    x, y = problem.request.exposure, problem.request.outcome
    if {a, b} == {x, y}:
        return (f"adjusting for it would block the back-door path {x} <- U -> {y}, which no measured variable "
                f"blocks: without it the effect of {x} on {y} is confounded")
    touched = [f"the {role} {v}" for role, v in (("exposure", x), ("outcome", y)) if v in (a, b)]
    if touched:
        return (f"measuring it would let you adjust for the hidden confounding of {a} and {b}, "
                f"which involves {touched[0]}")
    return f"measuring it would let you adjust for the hidden common cause of {a} and {b}, " \
           "and tell whether their association is causal"


def latent_suggestions(fci: FCIResult, problem: Problem) -> tuple[list[MissingVariableSuggestion], list[tuple[str, str]]]:
    """One suggestion per ``a <-> b`` in FCI's output whose two arrowheads each rest on a cited collider.

    Returns the suggestions and the bidirected pairs left out because an
    arrowhead came only from FCI's propagation rules (finite-sample errors
    spread that way, so they are reported in a note instead).
    """
    taken = set(problem.request.names)
    out = []
    unsupported: list[tuple[str, str]] = []
    for a, b in fci.bidirected:
        colliders = [e for e in (_collider_evidence(fci, a, b), _collider_evidence(fci, b, a)) if e is not None]
        if len(colliders) < 2:
            unsupported.append((a, b))
            continue
        tests = [r for r in fci.records if {r.x, r.y} == {a, b}]
        evidence: list[Evidence] = []
        dependence = ""
        if tests:
            weakest = max(tests, key=lambda t: t.p_value)
            evidence.append(ci_evidence(weakest, True, f"{a} and {b} stay dependent: weakest test {weakest.describe()}"))
            dependence = f" (weakest test: {weakest.describe()})"
        evidence += colliders
        because = " ".join(e.summary + "." for e in colliders)
        out.append(MissingVariableSuggestion(
            name=_name(a, b, taken),
            description=f"An unmeasured common cause of {a} and {b}, suggested by the data.",
            why=(f"FCI (alpha={fci.alpha:g}) found {a} <-> {b}: the two are dependent whatever it conditions on"
                 f"{dependence}, yet the arrowheads at both ends say neither causes the other. {because} "
                 "A common cause missing from the data explains both.").replace("  ", " ").strip(),
            unblocks=_unblocks(problem, a, b), affects=[a, b], provenance="data", evidence=evidence))
    return out, unsupported
