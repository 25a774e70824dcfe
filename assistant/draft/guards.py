"""Hallucination guards: turning proposed edges into a valid graph, keeping every refusal's reason.

An LLM (or any proposer) may name variables that do not exist, point an
effect at itself, repeat an edge, contradict the expert's knowledge or close a
cycle.  None of that reaches a candidate silently:

* a name not in the schema never becomes an observed node: if the proposer
  declared it as a missing variable, it becomes a clearly marked *latent*
  node (at most :data:`MAX_INVENTED` per draft); an undeclared unknown name
  (a hallucination, or a placeholder copied from the prompt) is refused;
* a name that matches a variable up to case, spacing or its label is mapped
  to that variable;
* self-loops are refused; duplicates are merged (the higher confidence wins);
* edges the background knowledge forbids (tiers, exogenous variables,
  outcome -> exposure, forbidden edges) are refused with the rule's reason;
* cycles are broken by dropping their least confident edge, naming the cycle;
* required edges are added.

Every refusal or repair is a :class:`RejectedClaim` with its reason, so the
expert sees what was proposed and why it was changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.draft.result import MissingVariableSuggestion, RejectedClaim, Source
from assistant.draft.spec import DraftRequest
from assistant.graph.dag import find_cycle
from assistant.model import CausalGraph, Edge, Evidence, GraphMetadata, Question, Variable
from assistant.model.variable import check_name

MAX_INVENTED = 10
SUGGESTED_KEY = "suggested_latents"


@dataclass(frozen=True)
class ProposedEdge:
    source: str
    target: str
    kind: str = "directed"
    rationale: str = ""
    confidence: float | None = None
    evidence: tuple[Evidence, ...] = ()


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", text.strip().lower())


class NameResolver:
    """Maps proposed names onto the schema: exact, then case/spacing-insensitive, then by label."""

    def __init__(self, request: DraftRequest):
        self.request = request
        self.exact = {v.name for v in request.variables}
        self.loose: dict[str, str] = {}
        for v in request.variables:
            for key in (v.name, v.label or ""):
                if key:
                    self.loose.setdefault(_norm(key), v.name)

    def resolve(self, name: str) -> str | None:
        if name in self.exact:
            return name
        return self.loose.get(_norm(name))


@dataclass
class GuardOutcome:
    graph: CausalGraph
    rejected: list[RejectedClaim]
    missing: list[MissingVariableSuggestion]


class _Builder:
    def __init__(self, request: DraftRequest, provenance: Source, known_missing: list[MissingVariableSuggestion]):
        self.request = request
        self.provenance = provenance
        self.resolver = NameResolver(request)
        self.knowledge = request.knowledge()
        self.rejected: list[RejectedClaim] = []
        self.invented: dict[str, MissingVariableSuggestion] = {}
        for m in known_missing:
            self._invent(m)

    def reject(self, claim: str, reason: str) -> None:
        self.rejected.append(RejectedClaim(claim=claim, reason=reason, provenance=self.provenance))

    def _invent(self, suggestion: MissingVariableSuggestion) -> None:
        """Accept a declared missing variable as a latent node (checked, and capped at MAX_INVENTED)."""
        try:
            name = check_name(suggestion.name.strip())
        except ValueError as exc:
            self.reject(f"variable {suggestion.name!r}", f"not a usable variable name: {exc}")
            return
        if name in self.invented:
            return
        if len(self.invented) >= MAX_INVENTED:
            self.reject(f"variable {name!r}", f"more than {MAX_INVENTED} variables outside the data were proposed; "
                                              "the rest are ignored")
            return
        self.invented[name] = suggestion.model_copy(update={"name": name})

    def name(self, raw: str) -> str | None:
        resolved = self.resolver.resolve(raw)
        if resolved is not None:
            return resolved
        if raw in self.invented:
            return raw
        return None


def build_graph(request: DraftRequest, edges: list[ProposedEdge], *, provenance: Source,
                missing: list[MissingVariableSuggestion] = (), name: str = "draft") -> GuardOutcome:
    """Apply every guard and return a valid graph (possibly without some proposed edges) plus the reasons."""
    b = _Builder(request, provenance, list(missing))
    kept: dict[tuple[str, str, str], Edge] = {}
    for pe in edges:
        claim = f"{pe.source} {'<->' if pe.kind == 'bidirected' else '->'} {pe.target}"
        src, tgt = b.name(pe.source), b.name(pe.target)
        if src is None or tgt is None:
            unknown = ", ".join(repr(n) for n, r in ((pe.source, src), (pe.target, tgt)) if r is None)
            b.reject(claim, f"{unknown} is neither a variable of the data nor a declared missing variable")
            continue
        if src == tgt:
            b.reject(claim, f"self-loop: {src} cannot cause itself")
            continue
        kind = "bidirected" if pe.kind == "bidirected" else "directed"
        if kind == "directed":
            why = b.knowledge.forbids(src, tgt)
            if why:
                b.reject(claim, why)
                continue
        confidence = None if pe.confidence is None else min(1.0, max(0.0, float(pe.confidence)))
        edge = Edge(source=src, target=tgt, kind=kind, provenance="llm" if provenance == "llm" else "data",
                    rationale=pe.rationale.strip()[:2000], confidence=confidence, evidence=list(pe.evidence))
        if edge.key in kept:
            other = kept[edge.key]
            if (edge.confidence or 0) > (other.confidence or 0):
                kept[edge.key] = edge
            b.reject(claim, "duplicate of an edge already proposed; merged, keeping the higher confidence")
            continue
        reverse = (tgt, src, "directed")
        if kind == "directed" and reverse in kept:
            other = kept[reverse]
            loser = edge if (edge.confidence or 0) <= (other.confidence or 0) else other
            b.reject(str(loser), f"both {src} -> {tgt} and {tgt} -> {src} were proposed; "
                                 f"kept the more confident direction")
            if loser is other:
                del kept[reverse]
                kept[edge.key] = edge
            continue
        kept[edge.key] = edge

    for a, t in request.required_edges:
        key = (a, t, "directed")
        if key not in kept:
            kept[key] = Edge(source=a, target=t, provenance="expert", rationale="required by the variables file",
                             confidence=1.0)
    graph = _assemble(request, list(kept.values()), b.invented, name)
    graph = _break_cycles(graph, b)
    return GuardOutcome(graph=graph, rejected=b.rejected, missing=list(b.invented.values()))


def _assemble(request: DraftRequest, edges: list[Edge], invented: dict[str, MissingVariableSuggestion],
              name: str) -> CausalGraph:
    used = {e.source for e in edges} | {e.target for e in edges}
    variables = [Variable(name=v.name, label=v.label, description=v.description, data_type=v.data_type or "unknown",
                          observed=v.observed, tier=v.tier, role=v.role) for v in request.variables]
    for n, s in invented.items():
        if n in used:
            variables.append(Variable(name=n, observed=False, description=s.description or s.why,
                                      label=f"{n} (suggested, not measured)"))
    exposures = [request.exposure] if request.exposure else []
    outcomes = [request.outcome] if request.outcome else []
    question = Question(text=request.question, exposure=request.exposure, outcome=request.outcome)
    suggested = [n for n in invented if n in used]
    return CausalGraph(variables=variables, edges=edges, exposures=exposures, outcomes=outcomes,
                       metadata=GraphMetadata(name=name, description="", question=question,
                                              extra={SUGGESTED_KEY: suggested} if suggested else {}))


def _break_cycles(graph: CausalGraph, b: _Builder) -> CausalGraph:
    while (cycle := find_cycle(graph)) is not None:
        ring = list(zip(cycle, cycle[1:] + cycle[:1]))
        in_cycle = [e for e in graph.edges if e.kind == "directed" and (e.source, e.target) in ring
                    and e.provenance != "expert"]
        if not in_cycle:  # only required edges form it: the expert's knowledge itself is cyclic
            raise_cycle = " -> ".join(cycle + cycle[:1])
            b.reject(raise_cycle, "the required edges form a cycle; fix the variables file")
            in_cycle = [e for e in graph.edges if e.kind == "directed" and (e.source, e.target) in ring]
        weakest = min(in_cycle, key=lambda e: (e.confidence if e.confidence is not None else 0.5, str(e)))
        b.reject(str(weakest), f"closed the cycle {' -> '.join(cycle + cycle[:1])}; dropped as its least "
                               "confident edge")
        graph = graph.model_copy(update={"edges": [e for e in graph.edges if e is not weakest]})
    return graph


def add_suggested_latents(graph: CausalGraph, suggestions: list[MissingVariableSuggestion]) -> CausalGraph:
    """Add each suggested missing variable as a clearly marked latent cause of the variables it ``affects``."""
    variables, edges = list(graph.variables), list(graph.edges)
    suggested = list(graph.metadata.extra.get(SUGGESTED_KEY, []) or [])
    for s in suggestions:
        targets = [t for t in s.affects if graph.has_variable(t)]
        if len(targets) < 1 or graph.has_variable(s.name):
            continue
        variables.append(Variable(name=s.name, observed=False, description=s.description or s.why,
                                  label=f"{s.name} (suggested, not measured)"))
        provenance = "llm" if s.provenance == "llm" else "data"
        edges += [Edge(source=s.name, target=t, provenance=provenance, rationale=s.why[:2000],
                       evidence=list(s.evidence)) for t in targets]
        suggested.append(s.name)
    if len(variables) == len(graph.variables):
        return graph
    extra = {**graph.metadata.extra, SUGGESTED_KEY: suggested}
    return CausalGraph(variables=variables, edges=edges, exposures=graph.exposures, outcomes=graph.outcomes,
                       adjusted=graph.adjusted, metadata=graph.metadata.model_copy(update={"extra": extra}))
