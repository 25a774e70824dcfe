"""Structure search with causal-learn: PC-stable and FCI on our tests, and GES on continuous data.

* **PC-stable** (Spirtes & Glymour 1991; Colombo & Maathuis 2014) finds the
  adjacencies: it removes an edge as soon as some set of the endpoints'
  neighbours makes them independent, testing larger sets level by level.  It
  runs causal-learn's ``pc`` with the tests of :mod:`assistant.stats` and the
  knowledge as causal-learn ``BackgroundKnowledge`` (pairs forbidden both ways
  are never adjacent).  We keep its skeleton and every test it ran; the
  directions are decided again by :mod:`assistant.draft.offline.pdag` so each
  arrow has a reason that can be cited.  A conditioning set that determines
  x or y in the sample is not accepted as separating them (:class:`Determination`,
  :class:`SeparationRun`), nor, with tiers, one holding a variable later than
  both (:func:`tier_eligible`).
* **FCI** (Spirtes, Meek & Richardson 1995) allows hidden common causes; an
  edge ``a <-> b`` in its output (arrowheads at both ends) is a sign of one.
  It reuses PC's cached tests, runs without knowledge so the signs come from
  the data alone, and stops at a time limit.
* **GES** (Chickering 2002) searches equivalence classes by BIC; it is a
  second, score-based opinion used only for small, fully continuous problems.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from causallearn.search.ConstraintBased.FCI import fci
from causallearn.search.ConstraintBased.PC import pc
from causallearn.search.ScoreBased.GES import ges
from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

from assistant.draft.offline.inputs import Problem
from assistant.draft.offline.knowledge import forbid_reason
from assistant.draft.offline.pdag import PDAG, Pair, Separation, Why
from assistant.stats.causallearn_adapter import METHOD_NAME, TestRun, TimeBudgetExceeded
from assistant.stats.citests import MIN_ROWS_PER_DOF, CITestResult
from assistant.stats.independence import CITester

ARROW = 1
_DENSE_CELLS = 1 << 20


@dataclass
class SearchResult:
    """One search's skeleton, how each missing edge was separated, and the tests it asked for."""

    label: str
    algorithm: str
    alpha: float | None
    skeleton: PDAG
    separations: dict[Pair, Separation]
    records: list[CITestResult]
    seconds: float
    seed_arrows: dict[Pair, Why] | None = None
    _by_pair: dict[frozenset[str], dict[tuple[str, ...], CITestResult]] | None = field(default=None, repr=False)

    def pair_tests(self, a: str, b: str) -> list[CITestResult]:
        """Distinct tests of ``a`` vs ``b`` this search ran, in the order it ran them."""
        if self._by_pair is None:
            self._by_pair = {}
            for r in self.records:
                self._by_pair.setdefault(frozenset((r.x, r.y)), {}).setdefault(r.z, r)
        return list(self._by_pair.get(frozenset((a, b)), {}).values())


@dataclass
class FCIResult:
    """The arrowheads FCI found: ``bidirected`` pairs, plus the marks and tests behind them."""

    bidirected: list[Pair]
    arrowhead_at: set[tuple[str, str]]  # (a, c): an arrowhead at a on the edge c *-> a
    adjacent: set[frozenset[str]]
    records: list[CITestResult]
    completed: bool
    seconds: float
    alpha: float
    separations: dict[frozenset[str], CITestResult] = field(default_factory=dict)


@contextlib.contextmanager
def _quiet():
    """causal-learn prints progress and warns about sample sizes; neither belongs in our output."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _placeholder(problem: Problem) -> np.ndarray:
    # causal-learn reads only the shape: the tests read the prepared columns through the TestRun.
    return np.zeros((problem.n_rows, len(problem.names)))


def _separations(problem: Problem, skeleton: PDAG, records: list[CITestResult], alpha: float) -> dict[Pair, Separation]:
    best: dict[Pair, CITestResult] = {}
    for r in records:
        if r.p_value > alpha:
            key = skeleton.pair(r.x, r.y)
            if key not in best or r.p_value > best[key].p_value:
                best[key] = r
    out: dict[Pair, Separation] = {}
    names = skeleton.nodes
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if skeleton.adjacent(a, b):
                continue
            if (a, b) in best:
                out[(a, b)] = Separation(best[(a, b)])
            else:
                ab, ba = forbid_reason(problem.knowledge, a, b), forbid_reason(problem.knowledge, b, a)
                out[(a, b)] = Separation(None, by_knowledge=f"{ab[1] if ab else ''}; {ba[1] if ba else ''}")
    return out


def tier_eligible(problem: Problem):
    """Tiered PC: a separating set for x and y never needs a variable in a tier later than both.

    Such a variable cannot be an ancestor of x or y, and x and y, if not
    adjacent, are separated by a set of their ancestors; conditioning on a
    later variable only adds tests that can go wrong.
    """
    tiers = problem.knowledge.tiers
    if not tiers:
        return None

    def eligible(x: str, y: str, z) -> bool:
        tx, ty = tiers.get(x), tiers.get(y)
        if tx is None or ty is None:
            return True
        limit = max(tx, ty)
        return all(tiers.get(v, limit) <= limit for v in z)

    return eligible


class Determination:
    """Does a set of discrete variables determine another in the sample?  (memoised)

    ``x`` is *determined* by ``z`` when x takes a single value in every
    configuration of z that occurs, and the configurations are supported by
    data (at least :data:`MIN_ROWS_PER_DOF` rows each on average, so the
    constancy is not an artefact of near-empty strata).  Then ``x ⫫ y | z``
    holds whatever y is: the G² test has no degrees of freedom and says
    nothing about y.  Such a set is uninformative, not evidence that x and y
    are separated (Lemeire, Meganck, Cartella & Liu 2012, "information
    equivalence"; asia's ``either`` = ``tub`` or ``lung`` is the textbook case).
    """

    def __init__(self, problem: Problem):
        self.prepared = problem.prepared
        self._memo: dict[tuple[str, tuple[str, ...]], bool] = {}

    def __call__(self, x: str, z: Sequence[str]) -> bool:
        key = (x, tuple(sorted(z)))
        if key not in self._memo:
            self._memo[key] = self._determined(x, key[1])
        return self._memo[key]

    def _determined(self, x: str, z: tuple[str, ...]) -> bool:
        p = self.prepared
        if not z or any(p.kinds[v] != "discrete" for v in (x, *z)):
            return False
        rows = p.mask([x, *z])
        n = int(rows.sum())
        if n == 0:
            return False
        cells = math.prod(p.levels[v] for v in z)
        if cells * p.levels[x] <= _DENSE_CELLS:  # number the configurations directly
            config = np.zeros(n, dtype=np.int64)
            for v in z:
                config = config * p.levels[v] + p.codes[v][rows]
        else:
            config = np.unique(np.column_stack([p.codes[v][rows] for v in z]), axis=0, return_inverse=True)[1]
            config = config.ravel()
            cells = int(config.max()) + 1
        strata = int(np.count_nonzero(np.bincount(config, minlength=cells)))
        if strata * MIN_ROWS_PER_DOF > n:
            return False
        pairs = int(np.count_nonzero(np.bincount(config * p.levels[x] + p.codes[x][rows])))
        return pairs == strata


@dataclass
class SeparationRun(TestRun):
    """A :class:`TestRun` that also refuses sets which *determine* x or y (see :class:`Determination`).

    Such a test has no degrees of freedom and p = 1 whatever the data say
    about x and y, so it is reported to the search as "does not separate"
    (like a tier-ineligible set) and left out of ``records``: it is never
    cited as a separation.
    """

    __test__ = False  # not a pytest class

    determination: Determination | None = None

    def __call__(self, i: int, j: int, condition) -> float:
        before = len(self.records)
        p_value = super().__call__(i, j, condition)
        if self.determination is None or len(self.records) == before:
            return p_value
        r = self.records[-1]
        if not r.reliable and r.dof == 0 and r.z and (self.determination(r.x, r.z) or self.determination(r.y, r.z)):
            self.records.pop()
            self.skipped += 1
            return 0.0
        return p_value


def run_pc(problem: Problem, tester: CITester, alpha: float, *, max_conditioning: int | None,
           knowledge: BackgroundKnowledge | None) -> SearchResult:
    """PC-stable's skeleton and tests at ``alpha``."""
    names = problem.names
    run = SeparationRun(tester, names, eligible=tier_eligible(problem), determination=Determination(problem))
    start = time.perf_counter()
    with _quiet():
        cg = pc(_placeholder(problem), float(alpha), indep_test=METHOD_NAME, stable=True,
                background_knowledge=knowledge, show_progress=False, node_names=list(names),
                max_k=max_conditioning, run=run)
    matrix = cg.G.graph
    skeleton = PDAG(names)
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            if matrix[i, j] != 0 or matrix[j, i] != 0:
                skeleton.add(a, names[j])
    label = f"PC-stable (alpha={alpha:g})"
    return SearchResult(label=label, algorithm="pc", alpha=alpha, skeleton=skeleton,
                        separations=_separations(problem, skeleton, run.records, alpha), records=run.records,
                        seconds=time.perf_counter() - start)


def run_fci(problem: Problem, tester: CITester, alpha: float, *, max_conditioning: int | None,
            time_limit: float, max_new_tests: int) -> FCIResult:
    """FCI's PAG at ``alpha`` without knowledge.

    ``completed`` is False if it needed more than ``max_new_tests`` tests not
    already cached (deterministic), or ran past ``time_limit`` seconds (a
    safety net on slow machines).
    """
    names = problem.names
    run = SeparationRun(tester, names, deadline=time.monotonic() + time_limit,
                        max_computed=tester.computed + max_new_tests, determination=Determination(problem))
    start = time.perf_counter()
    try:
        with _quiet():
            graph, _edges = fci(_placeholder(problem), METHOD_NAME, float(alpha),
                                depth=-1 if max_conditioning is None else int(max_conditioning),
                                show_progress=False, node_names=list(names), run=run)
    except TimeBudgetExceeded:
        return FCIResult([], set(), set(), run.records, False, time.perf_counter() - start, alpha)
    marks = graph.graph
    bidirected: list[Pair] = []
    arrowheads: set[tuple[str, str]] = set()
    adjacent: set[frozenset[str]] = set()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i == j or marks[i, j] == 0:
                continue
            adjacent.add(frozenset((a, b)))
            if marks[i, j] == ARROW:
                arrowheads.add((a, b))
            if i < j and marks[i, j] == ARROW and marks[j, i] == ARROW:
                bidirected.append((a, b))
    seps: dict[frozenset[str], CITestResult] = {}
    for r in run.records:
        key = frozenset((r.x, r.y))
        if r.p_value > alpha and key not in adjacent and (key not in seps or r.p_value > seps[key].p_value):
            seps[key] = r
    return FCIResult(bidirected, arrowheads, adjacent, run.records, True, time.perf_counter() - start, alpha, seps)


def run_ges(problem: Problem) -> SearchResult:
    """GES with the linear-Gaussian BIC on the rows complete in every (continuous) column."""
    names = problem.names
    prepared = problem.prepared
    rows = prepared.mask(names)
    matrix = np.column_stack([prepared.numeric[n][rows] for n in names])  # type: ignore[index]
    start = time.perf_counter()
    with _quiet():
        record = ges(matrix, score_func="local_score_BIC", node_names=list(names))
    g = record["G"].graph
    skeleton = PDAG(names)
    arrows: dict[Pair, Why] = {}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i < j and (g[i, j] != 0 or g[j, i] != 0):
                skeleton.add(a, b)
            if g[j, i] == 1 and g[i, j] == -1:
                arrows[(a, b)] = Why("score", f"{a} -> {b} is compelled in the equivalence class GES chose by BIC")
    return SearchResult(label="GES (BIC)", algorithm="ges", alpha=None, skeleton=skeleton, separations={},
                        records=[], seconds=time.perf_counter() - start, seed_arrows=arrows)
