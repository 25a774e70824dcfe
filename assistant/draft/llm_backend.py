"""The ``openai`` backend: an LLM drafts, graph theory and the guards check.

One structured call (``draft_graph``) asks for everything at once — k
candidates with a rationale and confidence per edge, confounders, missing
variables, instruments, mediators, collider warnings and, when not given, the
exposure and outcome — so a draft costs one call plus at most one repair,
whatever the number of variables (pywhy-llm's pairwise questions grow as
n(n-1)/2).  The budget is :data:`MAX_CALLS_PER_DRAFT`.

The answer is never taken as fact: names go through the guards
(:mod:`assistant.draft.guards`), roles and confounders are recomputed from
the proposed graphs (:mod:`assistant.draft.derive`), and every refusal is
reported with its reason.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from assistant.draft.backend import BackendContext
from assistant.draft.derive import check_claimed_roles, confounders, roles
from assistant.draft.guards import NameResolver, ProposedEdge, build_graph
from assistant.draft.infer import infer_exposure_outcome
from assistant.draft.offline_backend import knowledge_judgements
from assistant.draft.result import (
    Candidate, DraftResult, EdgeJudgement, MissingVariableSuggestion, RejectedClaim,
    RoleSuggestion,
)
from assistant.draft.spec import DraftRequest
from assistant.edit.operations import parse_edit
from assistant.errors import CausalAssistantError
from assistant.model import CausalGraph

MAX_CALLS_PER_DRAFT = 3  # the draft call, one repair, and nothing else


def variables_payload(request: DraftRequest) -> list[dict[str, Any]]:
    return [{"name": v.name, "label": v.label, "description": v.description, "data_type": v.data_type,
             "role": v.role, "tier": v.tier, "observed": v.observed} for v in request.variables]


class LLMBackend:
    name = "openai"

    def __init__(self, context: BackendContext, client: Any = None):
        self.context = context
        self._client = client

    @property
    def client(self):
        if self._client is None:
            from assistant.llm import LLMClient

            self._client = LLMClient.from_settings(self.context.llm_settings, sink=self.context.sink,
                                                   cache=self.context.cache)
        return self._client

    def _context(self, purpose: str):
        from assistant.llm import ExchangeContext

        return ExchangeContext(purpose=purpose, project=self.context.project, graph_name=self.context.graph_name)

    def propose(self, request: DraftRequest, data: pd.DataFrame | None) -> DraftResult:
        from assistant.llm.schemas import DraftOutput

        steps = [f"asked {self.client.model} for {request.candidates} candidate graphs in one structured call"]
        answer = self.client.structured("draft_graph", {
            "question": request.question, "exposure": request.exposure or "unknown",
            "outcome": request.outcome or "unknown", "variables": variables_payload(request),
            "allowed_names": request.observed_names, "k": request.candidates,
        }, DraftOutput, context=self._context("draft"))
        out: DraftOutput = answer.value
        usage = answer.usage
        if usage.calls > 1:
            steps.append("the first answer was invalid; one repair request fixed it")
        request, inferred, rejected = self._question(request, out)
        if inferred:
            steps.append(f"exposure {request.exposure} and outcome {request.outcome} inferred from the question")

        missing = self._missing(request, out, rejected)
        candidates: list[Candidate] = []
        all_missing: dict[str, MissingVariableSuggestion] = {m.name: m for m in missing}
        for i, cand in enumerate(out.candidates[: request.candidates], start=1):
            edges = [ProposedEdge(source=e.source, target=e.target, kind=e.kind, rationale=e.rationale,
                                  confidence=e.confidence) for e in cand.edges]
            guarded = build_graph(request, edges, provenance="llm", missing=missing, name=cand.name or f"llm-{i}")
            rejected += guarded.rejected
            for m in guarded.missing:
                all_missing.setdefault(m.name, m)
            candidates.append(Candidate(rank=i, graph=guarded.graph, summary=cand.summary or cand.name))
        steps.append(f"checked {len(candidates)} candidates: {len(rejected)} proposals refused or repaired")

        result = DraftResult(backend=self.name, model=self.client.model, exposure=request.exposure,
                             outcome=request.outcome, exposure_outcome_inferred=inferred, candidates=candidates,
                             missing_variables=list(all_missing.values()), rejected=rejected, usage=usage,
                             steps=steps, notes=[n for n in out.notes][:20])
        if candidates:
            self._derive(result, out, request)
        return result

    # --- pieces ------------------------------------------------------------

    def _question(self, request: DraftRequest, out) -> tuple[DraftRequest, bool, list[RejectedClaim]]:
        rejected: list[RejectedClaim] = []
        if request.exposure and request.outcome:
            return request, False, rejected
        resolver = NameResolver(request)
        guess = out.inferred_question
        exposure = request.exposure or (resolver.resolve(guess.exposure) if guess and guess.exposure else None)
        outcome = request.outcome or (resolver.resolve(guess.outcome) if guess and guess.outcome else None)
        if exposure and outcome and exposure != outcome:
            return request.model_copy(update={"exposure": exposure, "outcome": outcome}), True, rejected
        if guess is not None:
            rejected.append(RejectedClaim(claim=f"exposure {guess.exposure!r}, outcome {guess.outcome!r}",
                                          reason="not two distinct variables of the data; inferred from the "
                                                 "question's wording instead"))
        x, y = infer_exposure_outcome(request)
        return request.model_copy(update={"exposure": x, "outcome": y}), True, rejected

    def _missing(self, request: DraftRequest, out, rejected: list[RejectedClaim]) -> list[MissingVariableSuggestion]:
        resolver = NameResolver(request)
        kept = []
        for m in out.missing_variables:
            known = resolver.resolve(m.name)
            if known is not None and request.spec(known).observed:
                rejected.append(RejectedClaim(claim=f"collect {m.name!r}", reason=f"{known} is already in the data"))
                continue
            kept.append(MissingVariableSuggestion(name=m.name, description=m.description, why=m.why,
                                                  unblocks=m.unblocks, affects=list(m.affects), provenance="llm"))
        return kept

    def _derive(self, result: DraftResult, out, request: DraftRequest) -> None:
        best = result.candidates[0].graph
        x, y = request.exposure, request.outcome
        derived_conf = confounders(best, x, y)
        resolver = NameResolver(request)
        confirmed = {c.name for c in derived_conf}
        for c in out.confounders:
            name = resolver.resolve(c.name) or c.name
            if name in confirmed:
                for d in derived_conf:
                    if d.name == name and c.rationale:
                        d.rationale = f"{d.rationale}. LLM: {c.rationale}"
                continue
            result.rejected.append(RejectedClaim(
                claim=f"{c.name} confounds {x} and {y}",
                reason="the LLM's own first candidate does not make it a common cause of exposure and outcome"))
        result.confounders = derived_conf
        derived = roles(best, x, y)
        claims = [RoleSuggestion(name=resolver.resolve(r.name) or r.name, role=r.role, rationale=r.rationale,
                                 conditioning=list(r.conditioning), provenance="llm") for r in out.roles]
        kept, refused = check_claimed_roles(best, claims, derived, "llm")
        result.rejected += refused
        seen = {(r.name, r.role) for r in kept}
        result.roles = kept + [r for r in derived if (r.name, r.role) not in seen]

    def critique(self, graph: CausalGraph, request: DraftRequest, *, previous: CausalGraph | None = None,
                 data: pd.DataFrame | None = None) -> list[EdgeJudgement]:
        """The LLM's judgement of each edge (and of the edit, given ``previous``), plus knowledge violations."""
        from assistant.edit import diff_graphs
        from assistant.llm.schemas import CritiqueOut

        edges = [{"source": e.source, "target": e.target, "kind": e.kind} for e in graph.edges]
        edit = diff_graphs(previous, graph).lines() if previous is not None else []
        previous_edges = ([{"source": e.source, "target": e.target, "kind": e.kind} for e in previous.edges]
                          if previous is not None else "none")
        answer = self.client.structured("critique_graph", {
            "question": request.question, "variables": variables_payload(request), "edges": edges,
            "previous_edges": previous_edges, "edit": edit or "none",
        }, CritiqueOut, context=self._context("critique"))
        out: list[EdgeJudgement] = knowledge_judgements(graph, request)
        known = set(graph.names)
        for item in answer.value.items:
            if item.edge is not None:
                if item.edge.source not in known or item.edge.target not in known:
                    continue  # a judgement about variables the graph does not have is noise
                label = f"{item.edge.source} {'<->' if item.edge.kind == 'bidirected' else '->'} {item.edge.target}"
            else:
                label = item.edit or "the edit"
            fix = None
            s = item.suggested_edit
            if s is not None and s.op != "keep" and s.source in known and s.target in known:
                spec = {"op": s.op, "source": s.source, "target": s.target}
                if s.op == "add_edge":
                    spec = {"op": "add_edge", "edge": {"source": s.source, "target": s.target, "kind": s.kind,
                                                       "provenance": "llm", "rationale": item.rationale[:2000]}}
                elif s.op == "set_edge_kind":
                    spec["new_kind"] = s.kind
                elif s.op == "remove_edge":
                    spec["kind"] = item.edge.kind if item.edge else "directed"
                try:
                    fix = parse_edit(spec).model_dump(mode="json")
                except CausalAssistantError:
                    fix = None
            out.append(EdgeJudgement(edge=label, plausible=item.plausible, rationale=item.rationale,
                                     confidence=item.confidence, suggested_edit=fix, provenance="llm"))
        return out


