"""The ``offline`` backend: candidate graphs from the data and background knowledge alone (no LLM, no network)."""

from __future__ import annotations

import pandas as pd

from assistant.draft.backend import BackendContext
from assistant.draft.derive import confounders, roles
from assistant.draft.guards import add_suggested_latents
from assistant.draft.infer import infer_exposure_outcome
from assistant.draft.result import DraftResult, EdgeJudgement
from assistant.draft.spec import DraftRequest
from assistant.edit.operations import RemoveEdge, ReverseEdge
from assistant.errors import InputError
from assistant.model import CausalGraph


def resolve_question(request: DraftRequest) -> tuple[DraftRequest, bool]:
    """Fill in the exposure and outcome from the question when they were not given."""
    if request.exposure and request.outcome:
        return request, False
    exposure, outcome = infer_exposure_outcome(request)
    return request.model_copy(update={"exposure": exposure, "outcome": outcome}), True


def knowledge_judgements(graph: CausalGraph, request: DraftRequest) -> list[EdgeJudgement]:
    """Edges that contradict the background knowledge, each with a one-click fix."""
    knowledge = request.knowledge()
    out = []
    for e in graph.directed_edges():
        why = knowledge.forbids(e.source, e.target)
        if not why:
            continue
        reversed_ok = knowledge.forbids(e.target, e.source) is None
        fix = (ReverseEdge(source=e.source, target=e.target) if reversed_ok
               else RemoveEdge(source=e.source, target=e.target))
        out.append(EdgeJudgement(edge=str(e), plausible=False, rationale=why, confidence=1.0,
                                 suggested_edit=fix.model_dump(mode="json"), provenance="knowledge"))
    return out


class OfflineBackend:
    name = "offline"

    def __init__(self, context: BackendContext):
        self.context = context

    def propose(self, request: DraftRequest, data: pd.DataFrame | None) -> DraftResult:
        from assistant.draft.offline import propose_offline

        if data is None:
            raise InputError("the offline assistant drafts from data: give a CSV file")
        request, inferred = resolve_question(request)
        proposal = propose_offline(request, data, alpha=self.context.alpha)
        candidates = [c.model_copy(update={"graph": add_suggested_latents(c.graph, proposal.missing_variables)})
                      for c in proposal.candidates]
        result = DraftResult(backend=self.name, exposure=request.exposure, outcome=request.outcome,
                             exposure_outcome_inferred=inferred, candidates=candidates,
                             missing_variables=proposal.missing_variables,
                             steps=(["inferred exposure and outcome from the question"] if inferred else [])
                             + list(proposal.steps),
                             notes=list(proposal.notes))
        best = result.best
        if best is not None:
            result.confounders = confounders(best.graph, request.exposure, request.outcome)
            result.roles = roles(best.graph, request.exposure, request.outcome)
        return result

    def critique(self, graph: CausalGraph, request: DraftRequest, *, previous: CausalGraph | None = None,
                 data: pd.DataFrame | None = None) -> list[EdgeJudgement]:
        return knowledge_judgements(graph, request)
