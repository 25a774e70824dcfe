"""Data rules (D…): does the data agree with what the graph implies?

A causal graph is falsifiable: every pair of variables it leaves unconnected
is a claim that some set of measured variables makes them independent.  These
rules test those claims (D001, D002), look for edges the data do not support
(D003), for associations that reverse sign under adjustment (D004), for
selection on a collider (D005, a graph check), and say when the data are too
few for silence to mean anything (D006).  ``data_rules_intro.md`` (next to
this file) explains what the tests assume and when not to trust them.

The implied-independence tests are planned once per critique
(:func:`implied_tests`, memoised in ``ctx.memo``) and shared by D001, D002 and
D006: one test per non-adjacent pair of testable variables, with one minimal
separating set, through ``ctx.tester`` so that a critique after a one-edge
edit recomputes only the tests whose conditioning sets changed.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtr

from assistant.critique.context import LOW_POWER_ROWS, CritiqueContext
from assistant.critique.finding import TestEvidence
from assistant.critique.rules import Example, Rule, rule
from assistant.critique.structure_rules import op
from assistant.edit import AddEdge, RemoveEdge, SetAdjusted
from assistant.errors import CausalAssistantError
from assistant.graph.dag import Node, is_synthetic
from assistant.graph.separation import adjacency, ancestors_of, descendants_of
from assistant.graph.separators import closest_separator
from assistant.model import Edge, Evidence
from assistant.stats import CITestCache, CITester, CITestResult, PreparedData
from assistant.stats.citests import LABELS, format_p
from assistant.stats.regression import design

CORRECTIONS = {"holm": "Holm", "bh": "Benjamini–Hochberg"}
#: Power used when the rules say what effect a test could have detected.
POWER = 0.8
#: How many simple paths D005 examines before giving up naming one.
MAX_PATHS = 2000
MAX_PATH_LENGTH = 10


# --------------------------------------------------------------------------------------------- statistics helpers
def adjust_pvalues(p_values: Sequence[float], method: str = "holm") -> list[float]:
    """Multiple-testing adjusted p-values: Holm (family-wise error) or Benjamini–Hochberg (false discovery rate).

    Both are monotone in the raw p-values and never smaller than them.

    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm")
    [0.03, 0.06, 0.06]
    >>> [round(p, 3) for p in adjust_pvalues([0.01, 0.04, 0.03], "bh")]
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(list(p_values), dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="mergesort")
    ranked = p[order]
    if method == "bh":
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    elif method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        raise ValueError(f"unknown correction {method!r}: choose holm or bh")
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return [float(v) for v in out]


def detectable_correlation(n: int, given: int = 0, level: float = 0.05, power: float = POWER) -> float | None:
    """The partial correlation a two-sided Fisher-z test at ``level`` detects with ``power`` on ``n`` rows.

    An approximation for the other tests too: it tells the reader how strong a
    dependence would have to be for its absence to mean something.

    >>> round(detectable_correlation(1000), 3)
    0.088
    """
    dof = n - given - 3
    if dof < 1 or not 0 < level < 1:
        return None
    z = float(ndtri(1 - level / 2) + ndtri(power))
    return float(math.tanh(z / math.sqrt(dof)))


def _numeric_values(prepared: PreparedData, name: str, rows: np.ndarray) -> np.ndarray | None:
    """A column as numbers on ``rows``: continuous values, or a binary column's 0/1; None otherwise."""
    if prepared.kinds[name] == "continuous" and prepared.numeric[name] is not None:
        return prepared.numeric[name][rows]  # type: ignore[index]
    codes = prepared.codes[name][rows]
    if len(np.unique(codes)) <= 2:
        numeric = prepared.numeric[name]
        return numeric[rows] if numeric is not None else codes.astype(float)
    return None


def partial_correlation(prepared: PreparedData, result: CITestResult) -> float | None:
    """The partial correlation of a test's two variables given its conditioning set, where it is defined.

    Fisher-z's comes from its statistic; for the other tests both variables must
    be continuous or binary (the conditioning set enters as in the tests:
    continuous linearly, discrete as dummies).  None for a many-level
    categorical variable.
    """
    z = tuple(result.z)
    if result.method == "fisherz":
        dof = result.n - len(z) - 3
        return float(math.tanh(result.statistic / math.sqrt(dof))) if dof > 0 else None
    try:
        rows = prepared.mask([result.x, result.y, *z])
        if int(rows.sum()) < len(z) + 4:
            return None
        xs, ys = _numeric_values(prepared, result.x, rows), _numeric_values(prepared, result.y, rows)
        if xs is None or ys is None:
            return None
        base = design(prepared, z, rows)
        coef, *_ = np.linalg.lstsq(base, np.column_stack([xs, ys]), rcond=None)
        resid = np.column_stack([xs, ys]) - base @ coef
        sx, sy = resid[:, 0].std(), resid[:, 1].std()
        if sx <= 0 or sy <= 0:
            return None
        return float(np.clip(np.mean((resid[:, 0] - resid[:, 0].mean()) * (resid[:, 1] - resid[:, 1].mean()))
                             / (sx * sy), -1.0, 1.0))
    except (ValueError, np.linalg.LinAlgError):
        return None


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _evidence(result: CITestResult, *, claim: str, p_adjusted: float | None = None, effect: float | None = None,
              note: str = "") -> TestEvidence:
    notes = "; ".join(n for n in (result.note, note) if n)
    return TestEvidence(test=claim, method=result.method, statistic=_finite(result.statistic), dof=_finite(result.dof),
                        p_value=min(max(result.p_value, 0.0), 1.0), p_adjusted=p_adjusted, n=result.n,
                        effect=_finite(effect), reliable=result.reliable, note=notes)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _given(names: Iterable[str]) -> str:
    names = list(names)
    return f" given {{{', '.join(names)}}}" if names else ""


def _stats(ctx: CritiqueContext) -> dict[str, Any]:
    """``ctx.memo['data_stats']``, which the runner turns into the report's data summary."""
    return ctx.memo.setdefault("data_stats", {"caveats": []})


def _caveat(ctx: CritiqueContext, text: str) -> None:
    caveats = _stats(ctx).setdefault("caveats", [])
    if text not in caveats:
        caveats.append(text)


def _tester(ctx: CritiqueContext) -> CITester | None:
    """``ctx.tester``, or — when a column cannot be encoded (text in a column declared numeric, infinities) — a
    tester over the columns that can, with a caveat naming the others."""
    if "tester" in ctx.__dict__ or "_tester_failed" not in ctx.memo:
        try:
            return ctx.tester
        except CausalAssistantError:
            ctx.memo["_tester_failed"] = True
    if "_fallback_tester" in ctx.memo:
        return ctx.memo["_fallback_tester"]
    assert ctx.data is not None
    good: list[str] = []
    for c in ctx.testable:
        try:
            PreparedData.from_frame(ctx.data[[c]], {c: ctx.column_types[c]}, data_fingerprint="")
            good.append(c)
        except CausalAssistantError as exc:
            _caveat(ctx, f"column {c!r} cannot be tested: {exc}")
    tester = None
    if len(good) >= 2:
        from assistant.stats.data import fingerprint

        if ctx.data_fingerprint is None:
            ctx.data_fingerprint = fingerprint(ctx.data)
        prepared = PreparedData.from_frame(ctx.data[good], {c: ctx.column_types[c] for c in good},
                                           data_fingerprint=ctx.data_fingerprint)
        tester = CITester(prepared, cache=ctx.cache)
        ctx.__dict__["prepared"] = prepared
        ctx.__dict__["tester"] = tester  # so that the data summary counts these tests
    ctx.memo["_fallback_tester"] = tester
    return tester


def _testable(ctx: CritiqueContext) -> list[str]:
    """The variables the tests can read (``ctx.testable`` minus columns that could not be encoded)."""
    tester = _tester(ctx)
    if tester is None:
        return []
    names = set(tester.prepared.names)
    return [n for n in ctx.testable if n in names]


def _correction(ctx: CritiqueContext) -> str:
    method = (ctx.options.correction or "holm").lower()
    if method not in CORRECTIONS:
        _caveat(ctx, f"unknown correction {ctx.options.correction!r}: Holm was used")
        return "holm"
    return method


# ----------------------------------------------------------------------------------------------- graph helpers
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


def _order(ctx: CritiqueContext) -> dict[str, int]:
    if "_order" not in ctx.memo:
        ctx.memo["_order"] = {n: i for i, n in enumerate(ctx.graph.names)}
    return ctx.memo["_order"]


def _topological_index(ctx: CritiqueContext) -> dict[str, int]:
    if "_topo" not in ctx.memo:
        order = _order(ctx)
        directed = nx.DiGraph()
        directed.add_nodes_from(ctx.graph.names)
        directed.add_edges_from((e.source, e.target) for e in ctx.graph.directed_edges())
        topo = nx.lexicographical_topological_sort(directed, key=order.get)
        ctx.memo["_topo"] = {n: i for i, n in enumerate(topo)}
    return ctx.memo["_topo"]


def _parents_children(ctx: CritiqueContext) -> tuple[dict[Node, set[Node]], dict[Node, set[Node]]]:
    if "_adjacency" not in ctx.memo:
        ctx.memo["_adjacency"] = adjacency(ctx.latent_dag)
    return ctx.memo["_adjacency"]


def _selection(ctx: CritiqueContext) -> list[str]:
    return [v.name for v in ctx.graph.variables if v.role == "selection"]


def _sorted(ctx: CritiqueContext, names: Iterable[str]) -> tuple[str, ...]:
    order = _order(ctx)
    return tuple(sorted(names, key=lambda n: order.get(n, len(order))))


def _missing_edge_fix(ctx: CritiqueContext, a: str, b: str, rationale: str,
                      evidence: Evidence) -> tuple[list[dict], str, str]:
    """An edge between ``a`` and ``b`` that keeps the graph acyclic and respects tiers: (fix, label, text).

    Directed from the one earlier in a topological order (so never a cycle),
    unless tiers say otherwise; bidirected when no direction is allowed.
    """
    topo = _topological_index(ctx)
    tiers = {v.name: v.tier for v in ctx.graph.variables}
    parents, _ = _parents_children(ctx)
    first, second = sorted((a, b), key=lambda n: topo[n])
    choice: tuple[str, str] | None = None
    for s, t in ((first, second), (second, first)):
        if tiers[s] is not None and tiers[t] is not None and tiers[s] > tiers[t]:
            continue  # would point back in time
        if t in ancestors_of(parents, [s]):
            continue  # would close a cycle
        choice = (s, t)
        break
    if choice is None:
        edge = Edge(source=first, target=second, kind="bidirected", provenance="data", rationale=rationale,
                    evidence=[evidence])
        return [op(AddEdge(edge=edge))], f"add {edge}", f"a latent common cause {edge}"
    edge = Edge(source=choice[0], target=choice[1], provenance="data", rationale=rationale, evidence=[evidence])
    return [op(AddEdge(edge=edge))], f"add {edge}", f"an edge {edge} (or a latent common cause {a} <-> {b})"


# ------------------------------------------------------------------------------------- the implied independencies
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


def _effect(ctx: CritiqueContext, t: ImpliedTest) -> float | None:
    if not t.effect_done:
        tester = _tester(ctx)
        t.effect = partial_correlation(tester.prepared, t.result) if tester is not None else None
        t.effect_done = True
    return t.effect


def _violations(ctx: CritiqueContext, marginal: bool) -> Iterable[ImpliedTest]:
    plan = implied_tests(ctx)
    alpha = ctx.options.alpha
    for t in plan.reliable:
        if bool(t.implication.given) == marginal:
            continue
        if t.p_adjusted is not None and t.p_adjusted <= alpha:
            yield t


def _violation_finding(ctx: CritiqueContext, r: Rule, t: ImpliedTest, marginal: bool):
    imp, res = t.implication, t.result
    plan = implied_tests(ctx)
    effect = _effect(ctx, t)
    label = CORRECTIONS[plan.correction]
    size = f", partial correlation {effect:+.2f}" if effect is not None and imp.given else \
        f", correlation {effect:+.2f}" if effect is not None else ""
    stat = (f"{LABELS.get(res.method, res.method)}={res.statistic:.4g}"
            + (f", dof={res.dof:g}" if res.dof is not None else "")
            + f", p={format_p(res.p_value)}, {label}-adjusted p={format_p(t.p_adjusted or 0.0)} over "
              f"{_count(plan.family, 'test')}, n={res.n}{size}")
    evidence = _evidence(res, claim=str(imp), p_adjusted=t.p_adjusted, effect=effect)
    edge_evidence = Evidence(source="ci-test", summary=res.describe(), method=res.method,
                             statistic=_finite(res.statistic), p_value=min(max(res.p_value, 0.0), 1.0), n=res.n,
                             supports=True)
    if marginal:
        rationale = f"the data show {imp.a} and {imp.b} dependent ({stat}) though the graph has no open path"
        fix, fix_label, explain = _missing_edge_fix(ctx, imp.a, imp.b, rationale, edge_evidence)
        message = (f"{imp.a} and {imp.b} are dependent ({stat}), but the graph leaves no open path between them "
                   f"(they are d-separated with nothing conditioned on): a missing edge or a missing confounder? "
                   f"{explain[0].upper() + explain[1:]} would explain it")
    else:
        rationale = f"the data contradict {imp} ({stat})"
        fix, fix_label, explain = _missing_edge_fix(ctx, imp.a, imp.b, rationale, edge_evidence)
        message = (f"{imp.a} and {imp.b} are dependent{_given(imp.given)} ({stat}), but the graph implies "
                   f"{imp}: {explain} would explain it, or a path the graph blocks is in fact open")
    return r.finding(message, nodes=[imp.a, imp.b, *imp.given], evidence=[evidence], fix=fix, fix_label=fix_label,
                     source="data")


@rule("D001", "implied-independence-violated", "warning", "data", needs=("data", "dag"),
      summary="An independence the graph implies between two non-adjacent variables is contradicted by the data.",
      explanation="""
Every pair of observed variables the graph leaves non-adjacent is a claim: some
set of other observed variables makes them independent (they are
d-separated).  For each such pair of testable variables this rule takes **one**
minimal separating set — the smaller of the minimal separators closest to
either variable — and tests the conditional independence with the test the
column types call for (Fisher-z for continuous columns, G² for discrete ones,
a conditional-Gaussian likelihood-ratio test for a mix).  Each pair is tested
once, so the number of tests is the number of non-adjacent pairs (capped by
``max_implications``, smallest conditioning sets first).

**Multiple testing.**  The tests of D001 and D002 form *one family*: they are
the same kind of claim (D002 merely reports the pairs with an empty
separating set), and a graph with 50 variables implies about a thousand of
them, so without correction dozens would "fail" by chance alone.  The default
is Holm's step-down correction, which keeps the chance of *any* false alarm
on a correct graph below alpha; ``correction="bh"`` uses Benjamini–Hochberg,
which keeps the expected *fraction* of false alarms below alpha and has more
power on large graphs.  Tests the data cannot support (too few rows per
degree of freedom) are left out of the family and counted in the data
summary, never silently passed.

A violation reports the statistic, the raw and adjusted p-values, the rows
used and the partial correlation, and suggests the edge that would explain it,
directed from the variable earlier in a topological order (so the graph stays
acyclic; reversed when tiers require it) — or the alternative, a latent
common cause ``a <-> b``, which the data cannot tell apart from an edge.
Pairs that can only be separated through latent or untested variables cannot
be tested; they are counted in the data summary.  When the data were selected
on a variable (role ``selection``), the implied independencies are those that
hold given it.

**When not to trust it.**  Fisher-z assumes linear relations; a nonlinear
relation can both hide and fake dependence.  G² on sparse tables is somewhat
anti-conservative.  A violation says *some* claim of the graph near this pair
is wrong — often a missing edge, sometimes a wrong direction elsewhere that
blocks the wrong path — not necessarily that this exact edge is missing.
""",
      examples=[
          Example("dag { A -> B -> C }", True, "A and C stay dependent given B: A -> C is missing",
                  data_from="dag { A -> B -> C A -> C }"),
          Example("dag { A -> B -> C D -> C }", False,
                  "the data come from this graph: every implied independence holds",
                  data_from="dag { A -> B -> C D -> C }"),
      ])
def implied_independence_violated(ctx: CritiqueContext, r: Rule):
    for t in _violations(ctx, marginal=False):
        yield _violation_finding(ctx, r, t, marginal=False)


@rule("D002", "dependence-without-path", "warning", "data", needs=("data", "dag"),
      summary="Two variables the graph leaves with no open path at all are clearly dependent in the data.",
      explanation="""
When two variables are d-separated with nothing conditioned on — no directed
path between them, no common cause, only paths through colliders if any — the
graph says they are independent outright.  A dependence that survives the
multiple-testing correction (D001 and D002 are one family of tests, see D001)
means the graph is missing an edge between them or a common cause of both: the
finding asks which, and offers the directed edge as the fix (a bidirected edge
``a <-> b`` is the other answer).

The test is marginal, so it is the most powerful and the least assumption-laden
of the implied independencies; still, a variable cut from a continuous one, or
a nonlinear relation, can mislead it (see the introduction).
""",
      examples=[
          Example("dag { A -> B <- C }", True, "A and C only meet at the collider B, yet they are dependent",
                  data_from="dag { A -> B <- C A -> C }"),
          Example("dag { A -> B <- C }", False, "A and C are independent, as the collider graph says",
                  data_from="dag { A -> B <- C }"),
      ])
def dependence_without_path(ctx: CritiqueContext, r: Rule):
    for t in _violations(ctx, marginal=True):
        yield _violation_finding(ctx, r, t, marginal=True)


# ---------------------------------------------------------------------------------------------- D003 edge support
def _separator_without_edge(ctx: CritiqueContext, a: str, b: str, testable: set[str]) -> frozenset | None:
    """A minimal testable set separating ``a`` and ``b`` in the graph with the bidirected edge between them removed."""
    parents, _ = _parents_children(ctx)
    from assistant.graph.dag import latent_node_for

    u = latent_node_for(a, b)
    trimmed = {n: (ps - {u}) for n, ps in parents.items() if n != u}
    return minimal_separator(trimmed, a, b, testable - set(_selection(ctx)), set(_selection(ctx)))


@rule("D003", "edge-unsupported", "info", "data", needs=("data",),
      summary="The data show no dependence along an edge of the graph (absence of evidence, not evidence of absence).",
      explanation="""
For each directed edge ``a -> b`` between testable variables, the local test
asks whether ``a`` still tells something about ``b`` once ``b``'s other parents
are known (``a ⫫ b | pa(b) \\ {a}``).  If the edge is real and the data are
faithful to the graph, the two are dependent given *any* set, so a large
p-value (above alpha, uncorrected) means the data do not support the edge.
For a bidirected edge ``a <-> b`` the test uses a minimal set that separates
``a`` and ``b`` once that edge is removed; when no such set exists the edge is
skipped and counted in the data summary.

This is informational: a test that does not reject has not shown
independence.  The finding gives the rows used and the partial correlation the
test would have detected with 80% power — with few rows only strong edges can
be seen, and an edge may be real but weak, nonlinear, or cancelled by another
path.  The fix removes the edge; apply it only if no other knowledge supports
the edge.
""",
      examples=[
          Example("dag { A -> B -> C A -> C }", True, "A -> C: A tells nothing about C once B is known",
                  data_from="dag { A -> B -> C }", seed=1),
          Example("dag { A -> B -> C A -> C }", False, "every edge carries a clear dependence",
                  data_from="dag { A -> B -> C A -> C }"),
      ])
def edge_unsupported(ctx: CritiqueContext, r: Rule):
    tester = _tester(ctx)
    if tester is None:
        return
    testable = set(_testable(ctx))
    alpha = ctx.options.alpha
    parents_of: dict[str, list[str]] = {n: [] for n in ctx.graph.names}
    for e in ctx.graph.directed_edges():
        parents_of[e.target].append(e.source)
    skipped_bidirected: list[str] = []
    for e in ctx.graph.edges:
        a, b = e.source, e.target
        if a not in testable or b not in testable:
            continue
        omitted: list[str] = []
        if e.kind == "directed":
            others = [p for p in parents_of[b] if p != a]
            given = [p for p in others if p in testable]
            omitted = [p for p in others if p not in testable]
        else:
            if not ctx.acyclic:
                skipped_bidirected.append(str(e))
                continue
            sep = _separator_without_edge(ctx, a, b, testable)
            if sep is None:
                skipped_bidirected.append(str(e))
                continue
            given = [str(n) for n in sep]
        given = list(_sorted(ctx, given))
        try:
            res = tester.test(a, b, given)
        except (CausalAssistantError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            _caveat(ctx, f"the test of {e} failed: {exc}")
            continue
        if not res.reliable:
            _caveat(ctx, f"the support of {e} could not be tested reliably ({res.note})")
            continue
        if res.p_value <= alpha:
            continue
        effect = partial_correlation(tester.prepared, res)
        detectable = detectable_correlation(res.n, len(given), alpha)
        claim = f"{a} _||_ {b}" + (f" | {', '.join(given)}" if given else "")
        power = (f"; with {res.n} rows this test detects a partial correlation of about {detectable:.2f} with "
                 f"{POWER:.0%} power" if detectable is not None else "")
        seen = f" (observed {effect:+.2f})" if effect is not None else ""
        low = (f" Only {ctx.rows} complete rows: weak evidence either way." if ctx.low_power else "")
        left_out = (f" ({', '.join(omitted)} could not be conditioned on: not testable)" if omitted else "")
        what = "the edge" if e.kind == "directed" else "the latent common cause"
        yield r.finding(
            f"no evidence in the data for {e}: {a} vs {b}{_given(given)} has p={format_p(res.p_value)} (n={res.n})"
            f"{seen}{power} — absence of evidence, not evidence of absence; remove {what} only if nothing else "
            f"supports it.{low}{left_out}",
            nodes=[a, b], edges=[str(e)],
            evidence=[_evidence(res, claim=claim, effect=effect,
                                note="no dependence found; a large p-value is not proof of independence")],
            fix=[op(RemoveEdge(source=a, target=b, kind=e.kind))], fix_label=f"remove {e}", source="data")
    if skipped_bidirected:
        _caveat(ctx, f"D003 could not test {len(skipped_bidirected)} bidirected edge(s) "
                     f"({', '.join(skipped_bidirected[:5])}): no testable set separates their ends once the edge "
                     "is removed")


# ------------------------------------------------------------------------------------------------ D004 Simpson
@dataclass(frozen=True)
class Coefficient:
    value: float
    se: float
    p_value: float
    n: int
    dof: int


def ols_coefficient(prepared: PreparedData, y: str, x: str, covariates: Sequence[str], rows: np.ndarray
                    ) -> Coefficient | None:
    """The least-squares coefficient of ``x`` in ``y ~ x + covariates`` (per unit of x), with its t-test.

    ``x`` and ``y`` must be continuous or binary; covariates enter as in the
    tests (continuous linearly, discrete as dummies).  None when undefined.
    """
    n = int(rows.sum())
    yv = _numeric_values(prepared, y, rows)
    xv = _numeric_values(prepared, x, rows)
    if yv is None or xv is None or n < 4:
        return None
    sd = float(xv.std())
    if sd <= 0:
        return None
    columns = [np.ones(n), (xv - xv.mean()) / sd]
    matrix = np.column_stack(columns)
    if covariates:
        matrix = np.hstack([matrix, design(prepared, covariates, rows)[:, 1:]])
    try:
        beta, _res, rank, _sv = np.linalg.lstsq(matrix, yv, rcond=None)
        resid = yv - matrix @ beta
        dof = n - int(rank)
        if dof < 1:
            return None
        sigma2 = float(resid @ resid) / dof
        cov = sigma2 * np.linalg.pinv(matrix.T @ matrix)
    except (np.linalg.LinAlgError, ValueError):
        return None
    var = float(cov[1, 1])
    if not (var > 0 and math.isfinite(var)):
        return None
    se = math.sqrt(var)
    t = float(beta[1]) / se
    return Coefficient(value=float(beta[1]) / sd, se=se / sd, p_value=float(2 * stdtr(dof, -abs(t))), n=n, dof=dof)


#: Regression results by (data fingerprint, y, x, covariates, incomplete columns), kept as long as the caller's
#: CITestCache: they do not depend on the graph, so a critique after an edit reuses them.
_REGRESSIONS: "weakref.WeakKeyDictionary[CITestCache, dict[tuple, Coefficient | None]]" = weakref.WeakKeyDictionary()


def _cached_coefficient(ctx: CritiqueContext, prepared: PreparedData, y: str, x: str, covariates: Sequence[str],
                        rows: np.ndarray, gaps: tuple[str, ...]) -> Coefficient | None:
    try:
        store = _REGRESSIONS.setdefault(ctx.cache, {})
    except TypeError:  # a cache that cannot be weakly referenced: no reuse
        store = ctx.memo.setdefault("_regressions", {})
    key = (prepared.fingerprint, y, x, tuple(covariates), gaps)
    if key not in store:
        store[key] = ols_coefficient(prepared, y, x, covariates, rows)
    return store[key]


def _role_of(ctx: CritiqueContext, x: str, y: str, c: str) -> str:
    """What the graph makes ``c`` for the effect of ``x`` on ``y``: confounder, mediator, collider or other."""
    parents, children = _parents_children(ctx)
    de_x = descendants_of(children, [x])
    if c in de_x:
        if c in ancestors_of(parents, [y]):
            return "mediator"
        return "collider"  # a descendant of the exposure off the causal paths: a collider or its descendant
    if c in descendants_of(children, [y]):
        return "collider"
    if c in ancestors_of(parents, [x]):
        # a cause of y along a path that avoids x
        without_x = {n: (ps - {x}) for n, ps in parents.items()}
        if c in ancestors_of(without_x, [y]):
            return "confounder"
    return "other"


def _level_labels(ctx: CritiqueContext, c: str) -> list[str]:
    try:
        return [str(v) for v in pd.factorize(ctx.data[c], sort=True)[1]]  # type: ignore[index]
    except TypeError:
        return [str(v) for v in pd.factorize(ctx.data[c].map(lambda v: v if pd.isna(v) else str(v)),  # type: ignore
                                             sort=True)[1]]


@rule("D004", "simpson-reversal", "warning", "data", needs=("data", "query", "dag"),
      summary="The exposure–outcome association reverses sign once a third variable is taken into account.",
      explanation="""
Simpson's paradox: the association of the exposure X with the outcome Y has
one sign overall and the opposite sign given a third variable C.  For each
testable C the rule compares the least-squares coefficient of X in ``Y ~ X``
with the one in ``Y ~ X + C`` (C continuous enters linearly; a discrete C
enters as one dummy per level, which pools the stratified comparisons, and the
per-stratum coefficients are shown as evidence).  A reversal is reported when
the signs differ and *both* coefficients are significant: the candidate's
p-value is the larger of the two (an intersection–union test), corrected over
the candidates with the critique's correction.  X and Y must be continuous or
binary (a binary outcome gives a linear-probability coefficient).

Which of the two associations is right is a causal question the data cannot
answer, and the graph can:

* C is a **confounder** (a cause of X and, not through X, of Y): the adjusted
  association estimates the effect — adjust for C (the fix adds it).
* C is a **mediator** or a **collider** (a descendant of X or of Y): the
  marginal association is the total effect; adjusting for C would be wrong (if
  C is adjusted, the fix removes it; otherwise the finding is informational).
* C has **no role** in the graph: yet adjusting for it changes the sign, so the
  graph probably misses an edge from C to X or to Y.

Assumes linear relations; a reversal that depends on an interaction is seen
only through its average.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }", True,
                  "C confounds X and Y strongly enough to flip the sign; C is not adjusted",
                  data_from="dag { C -> X -> Y C -> Y }", weights={"X -> Y": -0.5, "C -> Y": 1.5}),
          Example("dag { X [exposure] Y [outcome] C [adjusted] X -> C -> Y X -> Y }", True,
                  "C is a mediator, and adjusting for it flips the sign of the X–Y association",
                  data_from="dag { X -> C -> Y X -> Y }", weights={"X -> Y": -0.3, "C -> Y": 1.0}),
          Example("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }", False,
                  "adjusting for C changes the association but not its sign",
                  data_from="dag { C -> X -> Y C -> Y }"),
      ])
def simpson_reversal(ctx: CritiqueContext, r: Rule):
    tester = _tester(ctx)
    if tester is None:
        return
    prepared = tester.prepared
    testable = _testable(ctx)
    alpha = ctx.options.alpha
    method = _correction(ctx)
    selection = set(_selection(ctx))
    adjusted = list(ctx.graph.adjusted)
    for x in ctx.exposures:
        for y in ctx.outcomes:
            if x not in testable or y not in testable:
                continue
            candidates: list[tuple[str, Coefficient, Coefficient, float]] = []
            skipped = False
            for c in testable:
                if c in (x, y) or c in ctx.exposures or c in ctx.outcomes or c in selection:
                    continue
                rows = prepared.mask([x, y, c])
                gaps = tuple(n for n in (x, y, c) if not prepared.present[n].all())
                b0 = _cached_coefficient(ctx, prepared, y, x, [], rows, gaps)
                if b0 is None:
                    skipped = True
                    break
                b1 = _cached_coefficient(ctx, prepared, y, x, [c], rows, gaps)
                if b1 is None:
                    continue
                reversal = b0.value * b1.value < 0
                candidates.append((c, b0, b1, max(b0.p_value, b1.p_value) if reversal else 1.0))
            if skipped:
                _caveat(ctx, f"D004 skipped {x} -> {y}: the exposure and the outcome must be continuous or binary "
                             "for the coefficient comparison")
                continue
            adjusted_p = adjust_pvalues([p for *_rest, p in candidates], method)
            for (c, b0, b1, p), p_adj in zip(candidates, adjusted_p):
                if p_adj > alpha:
                    continue
                yield from _simpson_finding(ctx, r, x, y, c, b0, b1, p_adj, method, adjusted, len(candidates))


def _simpson_finding(ctx: CritiqueContext, r: Rule, x: str, y: str, c: str, b0: Coefficient, b1: Coefficient,
                     p_adj: float, method: str, adjusted: list[str], family: int):
    role = _role_of(ctx, x, y, c)
    label = CORRECTIONS[method]
    what = (f"the association of {x} with {y} reverses when {c} is taken into account: {b0.value:+.3g} overall "
            f"(p={format_p(b0.p_value)}) but {b1.value:+.3g} given {c} (p={format_p(b1.p_value)}), n={b1.n}; "
            f"{label}-adjusted p={format_p(p_adj)} over {_count(family, 'candidate')}")
    evidence = [
        TestEvidence(test=f"{y} ~ {x}", method="ols", statistic=b0.value / b0.se, dof=b0.dof, p_value=b0.p_value,
                     n=b0.n, effect=b0.value, note="coefficient of the exposure, no adjustment"),
        TestEvidence(test=f"{y} ~ {x} + {c}", method="ols", statistic=b1.value / b1.se, dof=b1.dof,
                     p_value=b1.p_value, p_adjusted=p_adj, n=b1.n, effect=b1.value,
                     note=f"coefficient of the exposure given {c}"),
    ]
    tester = _tester(ctx)
    prepared = tester.prepared  # type: ignore[union-attr]
    if prepared.kinds[c] == "discrete":
        labels = _level_labels(ctx, c)
        base = prepared.mask([x, y, c])
        for level in range(min(prepared.levels[c], 6)):
            rows = base & (prepared.codes[c] == level)
            if int(rows.sum()) < 20:
                continue
            coef = ols_coefficient(prepared, y, x, [], rows)
            if coef is not None:
                name = labels[level] if level < len(labels) else str(level)
                evidence.append(TestEvidence(test=f"{y} ~ {x} where {c} = {name}", method="stratified-ols",
                                             statistic=coef.value / coef.se, dof=coef.dof, p_value=coef.p_value,
                                             n=coef.n, effect=coef.value, note="within one stratum"))
    nodes = [x, y, c]
    if role == "confounder":
        if c in adjusted:
            return
        yield r.finding(f"{what}. The graph makes {c} a confounder (a cause of both {x} and {y}), so the adjusted "
                        f"association is the one that estimates the effect: adjust for {c}",
                        nodes=nodes, evidence=evidence, fix=[op(SetAdjusted(names=[*adjusted, c]))],
                        fix_label=f"adjust for {c}", source="data")
    elif role in ("mediator", "collider"):
        kind = ("a mediator (on a causal path from " + x + " to " + y + ")" if role == "mediator"
                else "a collider or a descendant of one (caused by " + x + " or " + y + ")")
        if c in adjusted:
            yield r.finding(f"{what}. The graph makes {c} {kind}, so the marginal association is the total effect "
                            f"and adjusting for {c} gives the wrong sign: stop adjusting for it",
                            nodes=nodes, evidence=evidence,
                            fix=[op(SetAdjusted(names=[n for n in adjusted if n != c]))],
                            fix_label=f"stop adjusting for {c}", source="data")
        else:
            yield r.finding(f"{what}. The graph makes {c} {kind}, so the marginal association is the right one "
                            f"for the total effect; do not adjust for {c}", severity="info", nodes=nodes,
                            evidence=evidence, source="data")
    else:
        yield r.finding(f"{what}. The graph gives {c} no role between {x} and {y} (neither a common cause, a "
                        f"mediator nor a collider), yet adjusting for it flips the sign: the graph probably misses "
                        f"an edge from {c} to {x} or to {y}", nodes=nodes, evidence=evidence, source="data")


# ---------------------------------------------------------------------------------------------- D005 selection
def _render_path(ctx: CritiqueContext, path: Sequence[Node]) -> str:
    """``X -> C <- Y``, with a synthetic latent ``a <- U -> b`` written ``a <-> b``."""
    dag = ctx.latent_dag.dag
    parts: list[str] = [str(path[0])]
    i = 0
    while i < len(path) - 1:
        u, v = path[i], path[i + 1]
        if is_synthetic(v) and i + 2 < len(path):
            parts += ["<->", str(path[i + 2])]
            i += 2
            continue
        parts += ["->" if dag.has_edge(u, v) else "<-", str(v)]
        i += 1
    return " ".join(parts)


def _path_open(children: dict[Node, set[Node]], path: Sequence[Node], given: set[Node], anc_given: set[Node]
               ) -> bool:
    for i in range(1, len(path) - 1):
        u, m, w = path[i - 1], path[i], path[i + 1]
        if m in children[u] and m in children[w]:
            if m not in anc_given:
                return False
        elif m in given:
            return False
    return True


def opened_path(ctx: CritiqueContext, x: str, y: str, selection: Iterable[str], given: Iterable[str] = (), *,
                backdoor: bool = True) -> list[Node] | None:
    """The shortest path between ``x`` and ``y`` that ``given`` blocks but ``given`` plus ``selection`` opens.

    With ``backdoor`` the search is in the proper back-door graph (the first
    edge of every causal path from x to y removed), so only non-causal paths
    count.  Returns ``[]`` when such a path exists but was not found within
    :data:`MAX_PATHS` candidates, and None when there is none.
    """
    from assistant.graph.separation import reachable
    from assistant.graph.transform import proper_backdoor

    parents, children = _parents_children(ctx)
    if backdoor:
        parents, children = proper_backdoor(parents, children, {x}, {y})
    base = set(given) - {x, y}
    with_sel = (base | set(selection)) - {x, y}
    anc_base = ancestors_of(parents, base)
    anc_sel = ancestors_of(parents, with_sel)
    if not any(len(parents[m]) >= 2 for m in anc_sel - anc_base):
        return None  # no collider that the selection newly opens
    if y not in reachable(parents, children, [x], with_sel):
        return None
    fresh = y not in reachable(parents, children, [x], base)  # every path open with the selection is new
    relevant = ancestors_of(parents, {x, y} | with_sel)
    skeleton = nx.Graph()
    skeleton.add_nodes_from(relevant)
    skeleton.add_edges_from((p, c) for c in relevant for p in parents[c])
    try:
        for k, path in enumerate(nx.shortest_simple_paths(skeleton, x, y)):
            if k >= MAX_PATHS or len(path) > MAX_PATH_LENGTH + 1:
                break
            if _path_open(children, path, with_sel, anc_sel) and (
                    fresh or not _path_open(children, path, base, anc_base)):
                return path
    except nx.NetworkXNoPath:
        return None
    return [] if fresh else None


@rule("D005", "selection-collider", "warning", "data", needs=("dag",),
      summary="The data were selected on a collider (or a descendant of one): Berkson's bias opens a path.",
      explanation="""
A variable with role ``selection`` is one the data were selected on (only
admitted patients, only published studies, only survey responders).  Selecting
on it is conditioning on it.  If it is a collider on a path between the
exposure and the outcome, or a descendant of one, the selection opens that
path and creates an association that is not causal — Berkson's paradox.  The
finding names the shortest path the selection opens (given the adjusted
variables).  Without an exposure and outcome, the rule names pairs of
otherwise independent causes of the selection variable (or of its ancestors)
that the selection makes dependent.

This is a graph check (the selection variable is usually constant in the
data, so no test can see it).  No edit repairs it: the remedies are to model
the selection (inverse-probability-of-selection weights with external data on
who was excluded), to bound the bias, or to change the question.
""",
      examples=[
          Example("dag { X [exposure] Y [outcome] X -> Y X -> S <- Y }", True,
                  "only cases with S were collected, and S is caused by both X and Y", roles={"S": "selection"}),
          Example("dag { A -> S <- B A -> C }", True, "no query: selecting on S makes A and B dependent",
                  roles={"S": "selection"}),
          Example("dag { X [exposure] Y [outcome] X -> Y S -> X }", False,
                  "selection on a cause of the exposure opens no path", roles={"S": "selection"}),
      ])
def selection_collider(ctx: CritiqueContext, r: Rule):
    selection = _selection(ctx)
    if not selection:
        return
    parents, children = _parents_children(ctx)
    adjusted = [a for a in ctx.graph.adjusted if a not in selection]
    if ctx.has_query:
        for s in selection:
            for x in ctx.exposures:
                for y in ctx.outcomes:
                    if s in (x, y):
                        continue
                    path = opened_path(ctx, x, y, [s], adjusted)
                    if path is None:
                        continue
                    if not path:
                        yield r.finding(f"the data were selected on {s}, which opens a non-causal path between {x} "
                                        f"and {y} through a collider (Berkson's bias); the path is too long to "
                                        "name here", nodes=[s, x, y])
                        continue
                    shown = _render_path(ctx, path)
                    colliders = [str(m) for i, m in enumerate(path[1:-1], start=1)
                                 if ctx.latent_dag.dag.has_edge(path[i - 1], m)
                                 and ctx.latent_dag.dag.has_edge(path[i + 1], m)]
                    where = (f"{s} is the collider" if colliders == [s] else
                             f"{s} is a descendant of the collider {', '.join(c for c in colliders if c != s)}")
                    yield r.finding(f"the data were selected on {s}, and {where} on the path {shown}: selecting "
                                    f"on it opens this path, so {x} and {y} are associated in the selected data even "
                                    "where there is no effect (Berkson's bias); model the selection or bound the "
                                    "bias", nodes=[s, x, y, *[str(n) for n in path if not is_synthetic(n)]],
                                    edges=_path_edges(ctx, path))
        return
    graph_adjacent = {frozenset((e.source, e.target)) for e in ctx.graph.edges}
    observed = ctx.latent_dag.observed
    anc_base = ancestors_of(parents, adjusted)
    for s in selection:
        pairs: list[tuple[str, str, str]] = []
        anc_s = ancestors_of(parents, [s])
        for c in sorted(anc_s - anc_base, key=lambda n: _order(ctx).get(n, 0) if isinstance(n, str) else 0):
            ps = sorted((p for p in parents[c] if p in observed), key=lambda n: _order(ctx)[n])
            for i, p in enumerate(ps):
                for q in ps[i + 1:]:
                    if frozenset((p, q)) in graph_adjacent:
                        continue
                    if _newly_connected(ctx, p, q, s, adjusted):
                        pairs.append((p, q, str(c)))
        if not pairs:
            continue
        shown = "; ".join(f"{p} -> {c} <- {q}" for p, q, c in pairs[:5])
        more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
        yield r.finding(f"the data were selected on {s}, a collider or a descendant of one: in the selected data "
                        f"its causes become associated without affecting each other (Berkson's bias): {shown}{more}",
                        nodes=[s, *dict.fromkeys(n for p, q, c in pairs for n in (p, q, c))],
                        edges=[f"{p} -> {c}" for p, q, c in pairs[:5]] + [f"{q} -> {c}" for p, q, c in pairs[:5]])


def _newly_connected(ctx: CritiqueContext, p: str, q: str, s: str, given: Sequence[str]) -> bool:
    """``p`` and ``q`` are d-separated given ``given`` but d-connected once ``s`` is added."""
    from assistant.graph.separation import reachable

    parents, children = _parents_children(ctx)
    base = set(given) - {p, q}
    return q not in reachable(parents, children, [p], base) and q in reachable(parents, children, [p], base | {s})


def _path_edges(ctx: CritiqueContext, path: Sequence[Node]) -> list[str]:
    dag = ctx.latent_dag.dag
    out: list[str] = []
    i = 0
    while i < len(path) - 1:
        u, v = path[i], path[i + 1]
        if is_synthetic(v) and i + 2 < len(path):
            out.append(f"{u} <-> {path[i + 2]}")
            i += 2
            continue
        out.append(f"{u} -> {v}" if dag.has_edge(u, v) else f"{v} -> {u}")
        i += 1
    return out


# ---------------------------------------------------------------------------------------------- D006 few rows
@rule("D006", "few-rows", "info", "data", needs=("data",),
      summary="Too few complete rows (overall or per test) for the data tests to have power: silence is not support.",
      explanation=f"""
A critique that finds no data violation is only reassuring if the tests could
have found one.  This rule speaks up when they could not: fewer than
{LOW_POWER_ROWS} complete rows, implied independencies whose test had too few
rows per degree of freedom (a G² test on a sparse table is not run, and
independence is then *assumed*), or tests that lost most of their rows to
missing values.  It states the smallest partial correlation the tests could
detect with {POWER:.0%} power after the multiple-testing correction.

The remedy is more data, fewer levels in categorical columns (merge rare
categories), or fewer variables in the graph.
""",
      examples=[
          Example("dag { A -> B -> C }", True, "100 rows", data_from="dag { A -> B -> C }", rows=100),
          Example("dag { A -> B -> C }", False, "2000 rows", data_from="dag { A -> B -> C }"),
      ])
def few_rows(ctx: CritiqueContext, r: Rule):
    plan = implied_tests(ctx) if ctx.acyclic else None
    alpha = ctx.options.alpha
    family = max(plan.family, 1) if plan is not None else 1
    used = [t.result.n for t in plan.reliable] if plan is not None else []
    if ctx.low_power:
        if used and min(used) >= LOW_POWER_ROWS:
            yield r.finding(f"only {ctx.rows} rows are complete in every column, but each test used the rows "
                            f"complete in its own columns (at least {min(used)}): the tests have more power than "
                            "the complete rows suggest", nodes=[], source="data")
        else:
            n = min(used) if used else ctx.rows
            detectable = detectable_correlation(n, 0, alpha / family)
            power = (f"; at this size the tests detect only partial correlations above about {detectable:.2f} with "
                     f"{POWER:.0%} power ({CORRECTIONS[_correction(ctx)]}-corrected over "
                     f"{_count(family, 'test')})" if detectable is not None else "")
            fewest = f" (the smallest test used {n})" if used and n != ctx.rows else ""
            yield r.finding(f"only {ctx.rows} complete rows (fewer than {LOW_POWER_ROWS}){fewest}{power}: finding "
                            "no violation is weak evidence that the graph fits", nodes=[], source="data")
    if plan is not None and plan.unreliable:
        shown = "; ".join(f"{t.implication} ({t.result.note or 'not run'})" for t in plan.unreliable[:3])
        more = f" and {len(plan.unreliable) - 3} more" if len(plan.unreliable) > 3 else ""
        nodes = list(dict.fromkeys(n for t in plan.unreliable for n in (t.implication.a, t.implication.b)))
        yield r.finding(f"{len(plan.unreliable)} of {len(plan.tests)} implied independencies could not be tested "
                        f"reliably, so independence was assumed, not checked: {shown}{more}",
                        nodes=nodes, evidence=[_evidence(t.result, claim=str(t.implication))
                                               for t in plan.unreliable[:5]], source="data")
