"""The independencies the graph implies, planned and tested once per critique (shared by D001, D002 and D006).

:func:`implied_tests` (memoised in ``ctx.memo``) takes one implication per
non-adjacent pair of testable variables, with one minimal separating set
(:func:`minimal_separator`, in the moral graph of the pair's ancestors), runs
each through ``ctx.tester`` — so that a critique after a one-edge edit
recomputes only the tests whose conditioning sets changed — corrects the
reliable ones as one family, and records in the data summary what was tested,
what could not be and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from assistant.critique.context import CritiqueContext
from assistant.critique.data_support import (
    CORRECTIONS, _caveat, _correction, _count, _order, _parents_children, _selection, _sorted, _stats, _testable,
    _tester, adjust_pvalues,
)
from assistant.errors import CausalAssistantError
from assistant.graph.dag import Node
from assistant.graph.separation import ancestors_of
from assistant.graph.separators import closest_separator
from assistant.stats import CITestResult


def _moral(parents: dict[Node, set[Node]], nodes: Iterable[Node]) -> dict[Node, set[Node]]:
    """The moral graph of the sub-DAG on ``nodes``, which must be an ancestral set (every parent inside)."""
    adj: dict[Node, set[Node]] = {n: set() for n in nodes}
    for v in adj:
        ps = parents[v]
        if not ps:
            continue
        adj[v] |= ps
        for p in ps:
            neighbours = adj[p]
            neighbours.add(v)
            neighbours |= ps
            neighbours.discard(p)
    return adj


def minimal_separator(parents: dict[Node, set[Node]], a: Node, b: Node, allowed: Iterable[Node],
                      conditioned: Iterable[Node] = (), *, ancestors: dict[Node, frozenset[Node]] | None = None
                      ) -> frozenset[Node] | None:
    """One minimal set of ``allowed`` nodes that, with ``conditioned``, d-separates ``a`` and ``b``; None if none does.

    ``parents`` describes a DAG (latent nodes included); ``ancestors`` may map
    each node to its ancestors (itself included) to save recomputing them.  The
    two candidates are the minimal separators closest to ``a`` and closest to
    ``b`` in the moral graph of the ancestors of ``{a, b} ∪ conditioned`` (from
    which the conditioned nodes are deleted); the smaller is returned (the one
    closest to ``a`` on a tie).  O(nodes + edges) per pair.
    """
    cond = set(conditioned) - {a, b}
    if ancestors is None:
        ancestral = ancestors_of(parents, {a, b} | cond)
    else:
        ancestral = set(ancestors[a] | ancestors[b])
        for c in cond:
            ancestral |= ancestors[c]
    moral = _moral(parents, ancestral)
    for c in cond:
        for neighbour in moral.pop(c, ()):
            if neighbour in moral:
                moral[neighbour].discard(c)
    ok = (set(allowed) & moral.keys()) - {a, b}
    best: frozenset[Node] | None = None
    for s, t in ((a, b), (b, a)):
        found = closest_separator(moral, s, t, ok)
        if found is None:
            return None
        sep = frozenset(found[0])
        if best is None or len(sep) < len(best):
            best = sep
    return best


def _ancestors(ctx: CritiqueContext) -> dict[Node, frozenset[Node]]:
    if "_ancestors" not in ctx.memo:
        parents, _ = _parents_children(ctx)
        ctx.memo["_ancestors"] = {n: frozenset(ancestors_of(parents, [n])) for n in parents}
    return ctx.memo["_ancestors"]


@dataclass(frozen=True)
class Implication:
    """The graph implies ``a ⫫ b | given``."""

    a: str
    b: str
    given: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.a} _||_ {self.b}" + (f" | {', '.join(self.given)}" if self.given else "")


@dataclass
class ImpliedTest:
    implication: Implication
    result: CITestResult
    p_adjusted: float | None = None  # None: not in the correction family (an unreliable test)
    effect: float | None = None
    effect_done: bool = False


@dataclass
class ImpliedTests:
    """Every implied independence tested for one critique, and what could not be tested."""

    tests: list[ImpliedTest] = field(default_factory=list)
    family: int = 0
    correction: str = "holm"
    non_adjacent: int = 0
    untestable: list[tuple[str, str]] = field(default_factory=list)  # a separator needs a latent/untested variable
    untested_columns: int = 0  # pairs involving a variable the data cannot test
    no_implication: int = 0  # non-adjacent pairs no observed set separates (latent paths)
    capped: int = 0
    failed: list[tuple[Implication, str]] = field(default_factory=list)

    @property
    def reliable(self) -> list[ImpliedTest]:
        return [t for t in self.tests if t.p_adjusted is not None]

    @property
    def unreliable(self) -> list[ImpliedTest]:
        return [t for t in self.tests if t.p_adjusted is None]


def plan_implications(ctx: CritiqueContext, testable: Sequence[str]) -> ImpliedTests:
    """One implication per non-adjacent pair of testable observed variables, with one minimal separator."""
    plan = ImpliedTests()
    graph = ctx.graph
    ld = ctx.latent_dag
    parents, _children = _parents_children(ctx)
    testable_set = set(testable)
    observed = [n for n in graph.names if n in ld.observed]
    selection = set(_selection(ctx))
    selection_tested = [s for s in selection if s in testable_set]
    allowed_testable = testable_set - selection
    allowed_observed = set(observed) - selection
    adjacent = {frozenset((e.source, e.target)) for e in graph.edges}
    order = _order(ctx)
    anc = _ancestors(ctx)
    planned: list[Implication] = []
    for i, a in enumerate(observed):
        if a in selection:
            continue
        for b in observed[i + 1:]:
            if b in selection or frozenset((a, b)) in adjacent:
                continue
            plan.non_adjacent += 1
            if a not in testable_set or b not in testable_set:
                plan.untested_columns += 1
                continue
            sep = minimal_separator(parents, a, b, allowed_testable, selection, ancestors=anc)
            if sep is None:
                if minimal_separator(parents, a, b, allowed_observed, selection, ancestors=anc) is None:
                    plan.no_implication += 1
                else:
                    plan.untestable.append((a, b))
                continue
            planned.append(Implication(a, b, _sorted(ctx, [*map(str, sep), *selection_tested])))
    cap = max(0, int(ctx.options.max_implications))
    if len(planned) > cap:
        # the smallest conditioning sets first: the most powerful and reliable tests
        planned.sort(key=lambda imp: (len(imp.given), order[imp.a], order[imp.b]))
        plan.capped = len(planned) - cap
        planned = planned[:cap]
    plan.tests = [ImpliedTest(imp, None) for imp in planned]  # type: ignore[arg-type]
    return plan


def implied_tests(ctx: CritiqueContext) -> ImpliedTests:
    """Plan and run the implied-independence tests once per critique (shared by D001, D002 and D006)."""
    if "implied_tests" in ctx.memo:
        return ctx.memo["implied_tests"]
    testable = _testable(ctx)
    tester = _tester(ctx)
    plan = plan_implications(ctx, testable) if tester is not None else ImpliedTests()
    plan.correction = _correction(ctx)
    done: list[ImpliedTest] = []
    for t in plan.tests:
        imp = t.implication
        try:
            t.result = tester.test(imp.a, imp.b, imp.given)  # type: ignore[union-attr]
        except (CausalAssistantError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            plan.failed.append((imp, str(exc)))
            continue
        done.append(t)
    plan.tests = done
    family = [t for t in done if t.result.reliable]
    for t, p in zip(family, adjust_pvalues([t.result.p_value for t in family], plan.correction)):
        t.p_adjusted = p
    plan.family = len(family)
    _record(ctx, plan)
    ctx.memo["implied_tests"] = plan
    return plan


def _record(ctx: CritiqueContext, plan: ImpliedTests) -> None:
    stats = _stats(ctx)
    stats.update({"implications_tested": plan.family, "implications_unreliable": len(plan.unreliable),
                  "implications_untestable": len(plan.untestable), "implications_capped": plan.capped,
                  "non_adjacent_pairs": plan.non_adjacent, "correction": plan.correction})
    label = CORRECTIONS[plan.correction]
    if plan.family:
        tested = _count(plan.family, "implied independence", "implied independencies")
        _caveat(ctx, f"{tested} tested (D001/D002), one per non-adjacent pair, {label}-corrected as one family at "
                     f"alpha={ctx.options.alpha:g}")
    elif plan.non_adjacent == 0 and ctx.acyclic:
        _caveat(ctx, "the graph implies no independence between observed variables (every pair is adjacent), "
                     "so the data cannot contradict it this way")
    if plan.unreliable:
        _caveat(ctx, f"{len(plan.unreliable)} implied independencies could not be tested reliably (too few rows "
                     "for the test): independence was assumed, not checked (see D006)")
    if plan.untestable:
        shown = ", ".join(f"{a}–{b}" for a, b in plan.untestable[:5])
        more = f" and {len(plan.untestable) - 5} more" if len(plan.untestable) > 5 else ""
        _caveat(ctx, f"{len(plan.untestable)} non-adjacent pairs can only be separated through latent or untested "
                     f"variables, so their implied independence cannot be tested: {shown}{more}")
    if plan.untested_columns:
        _caveat(ctx, f"{plan.untested_columns} non-adjacent pairs involve a variable the data cannot test "
                     "(see S004) and were not tested")
    if plan.capped:
        _caveat(ctx, f"only {plan.family + len(plan.unreliable)} of {plan.family + len(plan.unreliable) + plan.capped}"
                     f" implied independencies were tested (max_implications={ctx.options.max_implications}); "
                     "the ones with the smallest conditioning sets were kept")
    for imp, reason in plan.failed[:5]:
        _caveat(ctx, f"the test of {imp} failed: {reason}")
    if _selection(ctx):
        _caveat(ctx, f"the data are taken as selected on {', '.join(_selection(ctx))}: implied independencies are "
                     "those that hold given the selection")
