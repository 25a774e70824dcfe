"""The offline proposer: ranked candidate DAGs from data and knowledge alone (no LLM, no network).

:func:`propose_offline` runs, in order:

1. **checks** — the request against the data (:mod:`.inputs`) and the knowledge
   for contradictions (:mod:`.knowledge`);
2. **search** — PC-stable at ``alpha`` and at ``alpha / 5`` (a sparser
   second opinion that reuses the cached tests), BIC hill climbing on the
   PC skeleton from an empty graph and from the PC DAG (with tiers, also over
   the other pairs of tiered variables; :mod:`.hillclimb`), and GES for small all-continuous problems (:mod:`.search`);
3. **orientation** — knowledge, colliders, Meek's rules, each arrow with a
   reason (:mod:`.pdag`);
4. **completion** — each pattern's consistent extensions (:mod:`.complete`),
   pooled, de-duplicated, scored by BIC (:mod:`assistant.stats.scores`) and
   ranked; the best ``request.candidates`` are returned with cited evidence
   on every edge (:mod:`.rationale`);
5. **latent signs** — FCI, when the problem has at most
   :data:`FCI_MAX_VARIABLES` variables, within a budget of new tests
   (:data:`FCI_NEW_TEST_FRACTION` of PC's) and :data:`FCI_TIME_LIMIT`
   seconds (:mod:`.latent`).

Nothing is random: the same request and data give the same proposal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from assistant.draft.offline.complete import Extension, extensions, fallback_extension
from assistant.draft.offline.hillclimb import hill_climb_source, tiered_pairs
from assistant.draft.offline.inputs import Problem, check_problem
from assistant.draft.offline.knowledge import background_knowledge, check_knowledge, connected_latents
from assistant.draft.offline.latent import latent_suggestions
from assistant.draft.offline.pdag import PDAG, OrientationLog, orient
from assistant.draft.offline.rationale import build_edge, latent_edge
from assistant.draft.offline.search import SearchResult, run_fci, run_ges, run_pc
from assistant.draft.result import Candidate, MissingVariableSuggestion
from assistant.draft.spec import DraftRequest
from assistant.errors import InputError
from assistant.model import CausalGraph, GraphMetadata, Question, Variable
from assistant.stats.citests import LABELS, METHODS
from assistant.stats.independence import CITestCache, CITester
from assistant.stats.scores import BICScorer

#: PC runs at ``alpha`` times each factor; the first is the primary search.
ALPHA_FACTORS = (1.0, 0.2)
FCI_MAX_VARIABLES = 30
FCI_TIME_LIMIT = 60.0
#: FCI may compute at most this fraction of the tests PC computed (at least FCI_MIN_NEW_TESTS) beyond the cache.
FCI_NEW_TEST_FRACTION = 0.5
FCI_MIN_NEW_TESTS = 1000
GES_MAX_VARIABLES = 12
SCORE_DECIMALS = 4
_RULE_GROUPS = {"required": "knowledge", "knowledge": "knowledge", "tier-rule": "tiers", "v-structure": "colliders",
                "meek-1": "Meek rules", "meek-2": "Meek rules", "meek-3": "Meek rules", "meek-4": "Meek rules",
                "score": "the score"}


class PatternEdge(BaseModel):
    """An edge of candidate 1's pattern: directed (with the rule that decided it) or undecided."""

    model_config = ConfigDict(extra="forbid")

    source: str
    target: str
    directed: bool
    rule: str = ""


class OfflineProposal(BaseModel):
    """What the offline proposer returns; candidates are ranked, rank 1 best (highest BIC)."""

    model_config = ConfigDict(extra="forbid")

    candidates: list[Candidate] = Field(default_factory=list)
    missing_variables: list[MissingVariableSuggestion] = Field(default_factory=list)
    tests_run: int = Field(default=0, description="Distinct independence tests computed (cache hits excluded).")
    test_method: str = ""
    pattern: list[PatternEdge] = Field(default_factory=list,
                                       description="The equivalence class of candidate 1 as its search left it "
                                                   "(after knowledge and Meek's rules): undecided edges undirected.")
    steps: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


@dataclass
class _Pooled:
    extension: Extension
    source: SearchResult
    pattern: PDAG
    log: OrientationLog
    order: int
    score: float = 0.0


def _check_arguments(alpha: float, method: str, max_conditioning: int | None) -> None:
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise InputError(f"alpha must be between 0 and 1 (exclusive), not {alpha!r}")
    if method not in METHODS:
        raise InputError(f"unknown independence test {method!r}", hint=f"choose one of {', '.join(METHODS)}")
    if max_conditioning is not None and (not isinstance(max_conditioning, int) or max_conditioning < 0):
        raise InputError(f"max_conditioning must be a non-negative integer or None, not {max_conditioning!r}")


def _counts_text(log: OrientationLog) -> str:
    groups: dict[str, int] = {}
    for rule, n in log.counts.items():
        groups[_RULE_GROUPS.get(rule, rule)] = groups.get(_RULE_GROUPS.get(rule, rule), 0) + n
    return ", ".join(f"{n} by {g}" for g, n in sorted(groups.items())) or "none decided"


def _type_summary(problem: Problem) -> str:
    kinds = [problem.prepared.kinds[n] for n in problem.names]
    parts = [f"{kinds.count(k)} {k}" for k in ("continuous", "discrete") if kinds.count(k)]
    return " and ".join(parts)


def _variables(problem: Problem, latents: list[str]) -> list[Variable]:
    out = []
    for name in problem.declared:
        spec = problem.request.spec(name)
        out.append(Variable(name=name, label=spec.label, description=spec.description, data_type=problem.types[name],
                            observed=True, tier=spec.tier, role=spec.role))
    for name in latents:
        spec = problem.request.spec(name)
        out.append(Variable(name=name, label=spec.label, description=spec.description,
                            data_type=spec.data_type or "unknown", observed=False, tier=spec.tier, role=spec.role))
    return out


def _graph(problem: Problem, item: _Pooled, latents: list[str], tester: CITester, alpha: float, rank: int) -> CausalGraph:
    dag = item.extension.dag
    edges = []
    for (a, b), why in sorted(dag.arrows.items(), key=lambda kv: (dag.rank[kv[0][0]], dag.rank[kv[0][1]])):
        others = [p for p in dag.parents(b) if p != a]
        edges.append(build_edge(a, b, why, item.source, others, tester, alpha))
    edges += [latent_edge(a, b) for a, b in problem.knowledge.required_edges if a in latents or b in latents]
    request = problem.request
    names = set(problem.names) | set(latents)
    exposure = request.exposure if request.exposure in names else None
    outcome = request.outcome if request.outcome in names else None
    question = Question(text=request.question, exposure=exposure, outcome=outcome) if request.question else None
    return CausalGraph(variables=_variables(problem, latents), edges=edges,
                       exposures=[exposure] if exposure else [], outcomes=[outcome] if outcome else [],
                       metadata=GraphMetadata(name=f"offline candidate {rank}", question=question,
                                              description=f"Proposed from data and knowledge by {item.source.label}.",
                                              extra={"proposer": "offline", "source": item.source.label,
                                                     "seed": request.seed}))


def _summary(item: _Pooled, rank: int, ties: list[int], test_label: str) -> str:
    dag = item.extension.dag
    counts = _counts_text(item.log)
    n_edges = len(dag.arrows)
    text = (f"{item.source.label}" + (f" with {test_label} tests" if item.source.algorithm == "pc" else "")
            + f": {n_edges} edge{'' if n_edges == 1 else 's'}; directions: "
            + (counts if counts != "none decided" else "none decided by the evidence"))
    if item.extension.choices:
        chosen = ", ".join(f"{a} -> {b}" for a, b in item.extension.choices)
        text += f"; {len(item.extension.choices)} undecided edge(s) chosen: {chosen}"
    if not item.extension.consistent:
        text += "; the evidence conflicts, so this completion adds colliders the tests did not show"
    if ties:
        shown = ", ".join(f"#{r}" for r in ties)
        text += (f". Same BIC as {shown}: Markov equivalent (or indistinguishable by this score), "
                 "so the data cannot rank them; ties are listed in search order")
    return text + "."


def _pattern_edges(pattern: PDAG) -> list[PatternEdge]:
    out = []
    for a, b in pattern.edges():
        if pattern.is_arrow(a, b):
            out.append(PatternEdge(source=a, target=b, directed=True, rule=pattern.arrows[(a, b)].rule))
        elif pattern.is_arrow(b, a):
            out.append(PatternEdge(source=b, target=a, directed=True, rule=pattern.arrows[(b, a)].rule))
        else:
            out.append(PatternEdge(source=a, target=b, directed=False))
    return out


def _sources(problem: Problem, tester: CITester, scorer: BICScorer, alpha: float, max_conditioning: int | None,
             steps: list[str], notes: list[str]) -> list[SearchResult]:
    bk = background_knowledge(problem.knowledge, problem.names)
    sources = []
    for factor in ALPHA_FACTORS:
        before = tester.computed
        result = run_pc(problem, tester, alpha * factor, max_conditioning=max_conditioning, knowledge=bk)
        sources.append(result)
        steps.append(f"{result.label}: {len(result.records)} tests asked, {tester.computed - before} computed "
                     f"(the rest cached), {len(result.skeleton.edges())} adjacencies, {result.seconds:.2f} s")
    pc_pattern = sources[0].skeleton.copy()
    orient(pc_pattern, problem.knowledge, sources[0].separations)
    first = extensions(pc_pattern, problem.knowledge, 1)
    pc_dag = first[0].dag if first else fallback_extension(pc_pattern, problem.knowledge)[0].dag
    extra = tiered_pairs(problem, sources[0].skeleton)
    climbs = [hill_climb_source(problem, scorer, sources[0], extra=extra),
              hill_climb_source(problem, scorer, sources[0], start_from=list(pc_dag.arrows), extra=extra,
                                label=f"{sources[0].label} DAG refined by BIC hill climbing")]
    for climbed in climbs:
        steps.append(f"{climbed.label}: {len(climbed.skeleton.edges())} edges, {climbed.seconds:.2f} s")
    sources[1:1] = climbs
    kinds = {problem.prepared.kinds[n] for n in problem.names}
    if kinds == {"continuous"} and len(problem.names) <= GES_MAX_VARIABLES:
        result = run_ges(problem)
        result.records = sources[0].records  # GES runs no tests: its edges cite the tests PC ran on the same data
        sources.append(result)
        steps.append(f"GES (BIC): {len(result.skeleton.edges())} adjacencies, {result.seconds:.2f} s")
    elif kinds == {"continuous"}:
        notes.append(f"GES skipped: {len(problem.names)} variables (it runs for at most {GES_MAX_VARIABLES})")
    return sources


def _pool(problem: Problem, sources: list[SearchResult], limit: int, steps: list[str],
          notes: list[str]) -> list[_Pooled]:
    pooled: list[_Pooled] = []
    seen: set[frozenset] = set()
    for source in sources:
        pattern = source.skeleton.copy()
        log = orient(pattern, problem.knowledge, source.separations, seed_arrows=source.seed_arrows)
        notes.extend(f"{source.label}: {n}" for n in log.notes if f"{source.label}: {n}" not in notes)
        found = extensions(pattern, problem.knowledge, limit)
        if not found:
            fallback, more = fallback_extension(pattern, problem.knowledge)
            found = [fallback]
            notes.extend(f"{source.label}: {n}" for n in more)
        undecided = len(pattern.undirected_edges())
        steps.append(f"{source.label} oriented: {_counts_text(log)}; {undecided} undecided; "
                     f"{len(found)} DAG(s) kept from its equivalence class")
        for ext in found:
            key = frozenset(ext.dag.arrows)
            if key not in seen:
                seen.add(key)
                pooled.append(_Pooled(ext, source, pattern, log, order=len(pooled)))
    return pooled


def propose_offline(request: DraftRequest, data: pd.DataFrame, *, alpha: float = 0.05, method: str = "auto",
                    max_conditioning: int | None = None, cache: CITestCache | None = None) -> OfflineProposal:
    """Propose up to ``request.candidates`` ranked DAGs from ``data`` and the request's knowledge.

    Parameters
    ----------
    request : the question, variables (with tiers, roles, observed flags) and required/forbidden edges.
    data : one column per observed variable; extra columns are ignored (and noted).
    alpha : significance level of the independence tests.
    method : ``auto`` (by column type), ``fisherz``, ``gsq`` or ``cg-lrt``.
    max_conditioning : the largest conditioning set PC and FCI may use (None: no limit).
    cache : a :class:`~assistant.stats.independence.CITestCache` to reuse tests across calls.

    Raises
    ------
    DataError, InputError, UnknownVariableError
        unusable columns (named), too few rows, unknown names, contradictory knowledge.
    """
    _check_arguments(alpha, method, max_conditioning)
    problem = check_problem(request, data)
    check_knowledge(problem.knowledge)
    steps = [f"checked {len(problem.names)} observed variables ({_type_summary(problem)}) and {problem.n_rows} rows"]
    notes = list(problem.notes)
    k = problem.knowledge
    if k.tiers or k.exogenous or k.required_edges or k.forbidden_edges or (k.exposure and k.outcome):
        steps.append(f"knowledge: {len(k.tiers)} tiered variables, {len(k.exogenous)} exogenous, "
                     f"{len(k.required_edges)} required and {len(k.forbidden_edges)} forbidden edges"
                     + (f", {k.exposure} before {k.outcome}" if k.exposure and k.outcome else ""))
    tester = CITester(problem.prepared, method=method, cache=cache if cache is not None else CITestCache())
    scorer = BICScorer(problem.prepared, problem.names)
    if scorer.n < problem.n_rows:
        notes.append(f"BIC uses the {scorer.n} rows complete in every variable (of {problem.n_rows})")
    sources = _sources(problem, tester, scorer, alpha, max_conditioning, steps, notes)
    pooled = _pool(problem, sources, request.candidates, steps, notes)
    for item in pooled:
        dag = item.extension.dag
        # rounded so that Markov-equivalent DAGs, equal in exact arithmetic, show one score and tie
        item.score = round(scorer.score({n: dag.parents(n) for n in problem.names}).total, SCORE_DECIMALS)
    pooled.sort(key=lambda it: (-it.score, it.order))
    chosen = pooled[: request.candidates]
    steps.append(f"{len(pooled)} distinct DAG(s) scored by BIC on {scorer.n} rows; kept the best {len(chosen)}")

    methods = sorted({r.method for s in sources for r in s.records})
    test_method = methods[0] if len(methods) == 1 else f"{method}: {', '.join(methods)}" if methods else method
    test_label = " / ".join(LABELS.get(m, m) for m in methods) or method
    latents = connected_latents(k, problem.latent)
    unused_latents = [n for n in problem.latent if n not in latents]
    if unused_latents:
        notes.append(f"latent variables not connected by any required edge were left out: {', '.join(unused_latents)}")
    candidates = []
    for rank, item in enumerate(chosen, start=1):
        ties = [r for r, other in enumerate(chosen, start=1) if r != rank and other.score == item.score]
        candidates.append(Candidate(rank=rank, graph=_graph(problem, item, latents, tester, alpha, rank),
                                    score=item.score, score_name="BIC", summary=_summary(item, rank, ties, test_label)))

    missing: list[MissingVariableSuggestion] = []
    if len(problem.names) > FCI_MAX_VARIABLES:
        notes.append(f"FCI (latent-confounding check) skipped: {len(problem.names)} variables, "
                     f"more than {FCI_MAX_VARIABLES}")
    else:
        before = tester.computed
        budget = max(FCI_MIN_NEW_TESTS, int(FCI_NEW_TEST_FRACTION * before))
        start = time.monotonic()
        fci_result = run_fci(problem, tester, alpha, max_conditioning=max_conditioning, time_limit=FCI_TIME_LIMIT,
                             max_new_tests=budget)
        if fci_result.completed:
            missing, unsupported = latent_suggestions(fci_result, problem)
            steps.append(f"FCI (alpha={alpha:g}): {len(fci_result.records)} tests asked, "
                         f"{tester.computed - before} new; {len(missing)} sign(s) of an unmeasured common cause, "
                         f"{time.monotonic() - start:.2f} s")
            if unsupported:
                shown = ", ".join(f"{a} <-> {b}" for a, b in unsupported)
                notes.append(f"FCI also marked {shown}, but no collider test supports both arrowheads "
                             "(they come from its propagation rules): not suggested")
        else:
            notes.append(f"FCI (latent-confounding check) stopped: it needed more than {budget} new tests "
                         f"(its budget, {FCI_NEW_TEST_FRACTION:g} x PC's) or {FCI_TIME_LIMIT:g} s; "
                         "no latent-confounding signs reported")
    return OfflineProposal(candidates=candidates, missing_variables=missing, tests_run=tester.computed,
                           test_method=test_method, pattern=_pattern_edges(chosen[0].pattern), steps=steps,
                           notes=notes)
