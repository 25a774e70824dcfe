"""The ``hybrid`` backend: the LLM proposes, the data testifies for or against every edge.

Each LLM edge between measured variables gets the data's evidence: for
``a -> b``, whether b still depends on a once b's other proposed parents are
accounted for (the local Markov property says it must, if the edge is real);
for ``a <-> b``, whether a and b stay dependent given their parents.  An edge
the data do not support is *kept and flagged* — the expert decides — and
the conflict is listed.  Candidates are re-ranked by how well they fit the
data (BIC), and strong dependencies the LLM's best draft leaves unexplained
are reported.
"""

from __future__ import annotations

import pandas as pd

from assistant.draft.backend import BackendContext
from assistant.draft.llm_backend import LLMBackend
from assistant.draft.result import Candidate, DraftResult, EdgeJudgement
from assistant.draft.spec import DraftRequest
from assistant.errors import InputError
from assistant.model import CausalGraph, Edge, Evidence

MAX_UNEXPLAINED = 10


def _evidence(result, alpha: float, claim: str) -> Evidence:
    dependent = result.p_value <= alpha
    return Evidence(source="ci-test", method=result.method, statistic=result.statistic, p_value=result.p_value,
                    n=result.n, supports=dependent,
                    summary=(f"data {'support' if dependent else 'do not support'} {claim}: {result.describe()}"))


class HybridBackend:
    name = "hybrid"

    def __init__(self, context: BackendContext, llm: LLMBackend | None = None):
        self.context = context
        self.llm = llm or LLMBackend(context)

    def propose(self, request: DraftRequest, data: pd.DataFrame | None) -> DraftResult:
        from assistant.stats import CITestCache, CITester, graph_bic

        if data is None:
            raise InputError("the hybrid assistant checks the LLM's proposals against data: give a CSV file")
        result = self.llm.propose(request, data)
        types = {v.name: v.data_type for v in request.variables
                 if v.observed and v.name in data.columns and v.data_type not in (None, "text", "datetime", "unknown")}
        tester = CITester(data, types, cache=CITestCache(), columns=list(types))
        alpha = self.context.alpha
        conflicts: list[str] = []
        checked: list[Candidate] = []
        for cand in result.candidates:
            graph = self._with_evidence(cand.graph, tester, types, alpha, conflicts if cand.rank == 1 else [])
            score = graph_bic(graph, data, types=types).total if types else None
            checked.append(cand.model_copy(update={"graph": graph, "score": score, "score_name": "BIC"}))
        checked.sort(key=lambda c: (-(c.score if c.score is not None else float("-inf")), c.rank))
        result.candidates = [c.model_copy(update={"rank": i}) for i, c in enumerate(checked, start=1)]
        result.backend = self.name
        result.steps.append(f"tested every LLM edge against the data ({tester.computed} independence tests, "
                            f"alpha {alpha}); re-ranked the candidates by BIC")
        result.notes += [f"conflict: {c}" for c in conflicts]
        if result.best is not None:
            result.notes += self._unexplained(result.best.graph, tester, types, alpha)
        return result

    def _with_evidence(self, graph: CausalGraph, tester, types: dict, alpha: float, conflicts: list[str]
                       ) -> CausalGraph:
        parents: dict[str, set[str]] = {n: set() for n in graph.names}
        for e in graph.directed_edges():
            parents[e.target].add(e.source)
        edges: list[Edge] = []
        for e in graph.edges:
            if e.source not in types or e.target not in types:
                edges.append(e)
                continue
            if e.kind == "directed":
                given = sorted(p for p in parents[e.target] - {e.source} if p in types)
                claim = f"{e.source} -> {e.target}"
            else:
                given = sorted(p for p in (parents[e.source] | parents[e.target]) - {e.source, e.target}
                               if p in types)
                claim = f"a hidden common cause of {e.source} and {e.target}"
            ev = _evidence(tester.test(e.source, e.target, given), alpha, claim)
            if not ev.supports:
                conflicts.append(f"the LLM proposed {e}, but {ev.summary.split(': ', 1)[1]}")
            edges.append(e.model_copy(update={"evidence": list(e.evidence) + [ev]}))
        return graph.model_copy(update={"edges": edges})

    def _unexplained(self, graph: CausalGraph, tester, types: dict, alpha: float) -> list[str]:
        """Pairs the data find dependent given their proposed parents that no edge or path connects."""
        from assistant.graph import d_separated

        parents: dict[str, set[str]] = {n: set() for n in graph.names}
        for e in graph.directed_edges():
            parents[e.target].add(e.source)
        adjacent = {frozenset((e.source, e.target)) for e in graph.edges}
        names = [n for n in graph.names if n in types]
        notes: list[str] = []
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if frozenset((a, b)) in adjacent:
                    continue
                given = sorted(p for p in (parents[a] | parents[b]) - {a, b} if p in types)
                if not d_separated(graph, [a], [b], given):
                    continue  # the graph already predicts a dependence here
                result = tester.test(a, b, given)
                if result.p_value <= alpha / max(1, len(names) * (len(names) - 1) / 2):  # Bonferroni
                    notes.append(f"the data show a dependence the draft does not explain (missing edge or "
                                 f"missing confounder?): {result.describe()}")
                if len(notes) >= MAX_UNEXPLAINED:
                    return notes
        return notes

    def critique(self, graph: CausalGraph, request: DraftRequest, *, previous: CausalGraph | None = None,
                 data: pd.DataFrame | None = None) -> list[EdgeJudgement]:
        return self.llm.critique(graph, request, previous=previous, data=data)
