"""Every edge's evidence, rationale and confidence.

An edge in a candidate makes two claims, and each cites its evidence:

* **adjacency** — the pair stayed dependent whatever the search conditioned
  on.  Cited: the weakest dependence found (the test with the largest
  p-value, i.e. the closest the data came to separating them) and the
  strongest.  An edge the search did not test (from GES, or required by the
  expert) is tested given the target's other parents in that candidate.  A
  test that *did* separate them is cited against the edge (and, for an edge
  the score put back, the test given the target's other parents as well).
* **direction** — knowledge (a required edge, a tier, an exogenous variable,
  a forbidden edge, exposure before outcome), a collider with its separating
  test, one of Meek's rules, GES's equivalence class, or a free choice among
  Markov-equivalent DAGs.

Confidence is ``adjacency × direction``, both in [0, 1]:

* ``adjacency = clip(0.5 + 0.125 · log10(alpha / p_weak), 0.05, 1)`` where
  ``p_weak`` is the largest p-value cited for the pair: 0.5 when the weakest
  test sits exactly at ``alpha``, 1 at ``alpha / 10⁴`` or stronger, below 0.5
  when the data separated the pair.  It only falls as ``p_weak`` rises.
* ``direction`` is 1 for knowledge, 0.9 for a collider, 0.85 for a Meek
  rule, 0.8 for GES, and 0.5 for a free choice (a coin flip the data cannot
  settle).

Required edges are the expert's claim and get confidence 1 whatever the data say.
"""

from __future__ import annotations

import math

from assistant.draft.offline.pdag import Why
from assistant.draft.offline.search import SearchResult
from assistant.model import Edge, Evidence
from assistant.stats.citests import CITestResult
from assistant.stats.independence import CITester

DIRECTION_WEIGHT = {"required": 1.0, "knowledge": 1.0, "tier-rule": 1.0, "v-structure": 0.9, "meek-1": 0.85,
                    "meek-2": 0.85, "meek-3": 0.85, "meek-4": 0.85, "score": 0.8, "choice": 0.5}
_METHOD = {"required": "required-edge", "knowledge": "forbidden-direction", "tier-rule": "temporal-tier",
           "v-structure": "v-structure", "meek-1": "meek-rule-1", "meek-2": "meek-rule-2", "meek-3": "meek-rule-3",
           "meek-4": "meek-rule-4", "score": "ges-equivalence-class", "choice": "equivalence-choice"}


def adjacency_strength(p_weak: float, alpha: float) -> float:
    """Monotone in the weakest p-value: 0.5 at ``alpha``, 1 at ``alpha / 1e4`` or below."""
    p = max(p_weak, 1e-300)
    return min(1.0, max(0.05, 0.5 + 0.125 * math.log10(alpha / p)))


def ci_evidence(test: CITestResult, supports: bool | None, summary: str | None = None) -> Evidence:
    return Evidence(source="ci-test", method=test.method, statistic=test.statistic, p_value=test.p_value,
                    n=test.n, supports=supports, summary=summary or test.describe())


def direction_evidence(why: Why) -> Evidence:
    source = why.rule if why.rule in ("knowledge", "tier-rule") else "knowledge" if why.rule == "required" \
        else "orientation-rule"
    test = why.test
    return Evidence(source=source, method=_METHOD.get(why.rule, why.rule), summary=why.text,
                    supports=None if why.rule == "choice" else True,
                    statistic=test.statistic if test else None, p_value=test.p_value if test else None,
                    n=test.n if test else None)


def _adjacency(a: str, b: str, source: SearchResult, other_parents: list[str], tester: CITester,
               alpha: float) -> tuple[list[Evidence], str, float]:
    tests = source.pair_tests(a, b)
    if not tests:
        t = tester.test(a, b, other_parents)
        dependent = t.p_value <= alpha
        text = (f"{source.label} did not test this pair; given {b}'s other parents here it is "
                f"{'dependent' if dependent else 'not clearly dependent'} ({t.describe()}).")
        return [ci_evidence(t, dependent)], text, t.p_value
    separating = [t for t in tests if t.p_value > alpha]
    if separating:
        best = max(separating, key=lambda t: t.p_value)
        evidence = [ci_evidence(best, False, f"separated: {best.describe()}")]
        text = f"The data separated {a} and {b} ({best.describe()})."
        if source.algorithm == "hill-climb":  # the score put the edge back: cite the dependence it acted on
            t = tester.test(a, b, other_parents)
            dependent = t.p_value <= alpha
            evidence.append(ci_evidence(t, dependent, f"given {b}'s other parents here: {t.describe()}"))
            text += (f" The score added the edge back: given {b}'s other parents in this candidate they are "
                     f"{'dependent' if dependent else 'not clearly dependent'} ({t.describe()}).")
        return evidence, text, best.p_value
    strongest = min(tests, key=lambda t: (t.p_value, -abs(t.statistic)))
    weakest = max(tests, key=lambda t: (t.p_value, -abs(t.statistic)))
    evidence = [ci_evidence(weakest, True, f"weakest dependence: {weakest.describe()}")]
    if weakest is not strongest:
        evidence.append(ci_evidence(strongest, True, f"strongest dependence: {strongest.describe()}"))
    n_tests = f"{len(tests)} test{'s' if len(tests) > 1 else ''}"
    text = (f"Adjacent: no set separated {a} and {b} in {n_tests} at alpha={alpha:g}; the weakest dependence was "
            f"{weakest.describe()}" + (f", the strongest {strongest.describe()}." if weakest is not strongest else "."))
    return evidence, text, weakest.p_value


def build_edge(a: str, b: str, why: Why, source: SearchResult, other_parents: list[str], tester: CITester,
               alpha: float) -> Edge:
    """The edge ``a -> b`` of a candidate, with evidence, rationale and confidence."""
    evidence, adjacency_text, p_weak = _adjacency(a, b, source, other_parents, tester, alpha)
    evidence.append(direction_evidence(why))
    if why.rule == "required":
        confidence = 1.0
        adjacency_text = f"Required by the expert. {adjacency_text}"
    else:
        confidence = adjacency_strength(p_weak, alpha) * DIRECTION_WEIGHT.get(why.rule, 0.5)
    return Edge(source=a, target=b, provenance="expert" if why.rule == "required" else "data",
                confidence=round(confidence, 3), rationale=f"{adjacency_text} Direction: {why.text}.",
                evidence=evidence)


def latent_edge(a: str, b: str) -> Edge:
    """A required edge touching a latent variable: the expert's claim, untestable on this data."""
    return Edge(source=a, target=b, provenance="expert", confidence=1.0,
                rationale=f"Required by the expert. One end is unmeasured, so the data cannot test {a} -> {b}.",
                evidence=[Evidence(source="knowledge", method="required-edge", supports=True,
                                   summary=f"{a} -> {b} is required by the expert")])
