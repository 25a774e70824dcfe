"""Semantic rules (L…): an LLM's judgement of each edge and of the edit, set beside the data's evidence.

The LLM is a common-sense database, not an oracle: its judgements are shown as
claims with the model's rationale, and when data were given every judged edge
also carries what the data say about it (the local independence test), so the
expert sees the two side by side.  The data never get overruled by the LLM; a
finding whose claim the data contradict says so.

The model is asked once per critique (the ``critique_graph`` prompt, one call
however many edges); the answer is shared by the rules below.
"""

from __future__ import annotations

from typing import Any

from assistant.critique.context import CritiqueContext
from assistant.critique.finding import TestEvidence
from assistant.critique.rules import Example, Rule, rule
from assistant.errors import CausalAssistantError, LLMError

_ANSWER = "semantic_answer"


def request_from_graph(ctx: CritiqueContext):
    """The drafting request the LLM backend reads: the question and the variables, as data."""
    from assistant.draft.spec import DraftRequest, VariableSpec

    if ctx.options.request is not None:
        return ctx.options.request
    q = ctx.graph.metadata.question
    text = q.text if q is not None else (ctx.graph.metadata.description or "")
    if not text and ctx.single_query:
        text = f"What is the effect of {ctx.single_query[0]} on {ctx.single_query[1]}?"
    specs = [VariableSpec(name=v.name, label=v.label, description=v.description,
                          data_type=None if v.data_type == "unknown" else v.data_type, role=v.role, tier=v.tier,
                          observed=v.observed) for v in ctx.graph.variables]
    return DraftRequest(question=text or "(no question given)", variables=specs,
                        exposure=ctx.single_query[0] if ctx.single_query else None,
                        outcome=ctx.single_query[1] if ctx.single_query else None)


def llm_judgements(ctx: CritiqueContext) -> tuple[list[Any], str | None]:
    """The backend's judgements (computed once per critique), or the reason there are none."""
    if _ANSWER not in ctx.memo:
        try:
            found = ctx.options.llm.critique(ctx.graph, request_from_graph(ctx), previous=ctx.previous,
                                             data=ctx.data)
            ctx.memo[_ANSWER] = ([j for j in found if j.provenance == "llm"], None)
        except (LLMError, CausalAssistantError) as err:
            ctx.memo[_ANSWER] = ([], str(err))
    return ctx.memo[_ANSWER]


def _model_name(ctx: CritiqueContext) -> str:
    settings = getattr(getattr(ctx.options.llm, "context", None), "llm_settings", None)
    model = getattr(settings, "model", None)
    return f"the LLM ({model})" if model else "the LLM"


def edge_data_evidence(ctx: CritiqueContext, source: str, target: str) -> TestEvidence | None:
    """The data's word on a direct edge: ``source`` vs ``target`` given ``target``'s other parents."""
    if not ctx.has_data or source not in ctx.testable or target not in ctx.testable:
        return None
    given = sorted(e.source for e in ctx.graph.directed_edges()
                   if e.target == target and e.source != source and e.source in ctx.testable)
    result = ctx.tester.test(source, target, given)
    label = f"{source} _||_ {target}" + (f" | {', '.join(given)}" if given else "")
    return TestEvidence(test=label, method=result.method, statistic=result.statistic, dof=result.dof,
                        p_value=result.p_value, n=result.n, reliable=result.reliable, note=result.note)


def _data_words(ev: TestEvidence | None, alpha: float, *, claims_dependence: bool) -> str:
    if ev is None:
        return ""
    dependent = ev.reliable and ev.p_value is not None and ev.p_value <= alpha
    agrees = dependent == claims_dependence
    what = "a dependence" if dependent else "no dependence"
    return (f" The data {'agree' if agrees else 'disagree'}: they show {what} "
            f"(test of {ev.test}: p={ev.p_value:.3g}, n={ev.n}).")


def _said(j) -> str:
    return f': "{j.rationale.strip()}"' if j.rationale.strip() else ""


def _confidence(j) -> str:
    return f", confidence {j.confidence:.2f}" if j.confidence is not None else ""


def _fix(j) -> list[dict]:
    return [j.suggested_edit] if j.suggested_edit else []


_ONE_EDGE_GRAPH = "dag { rain -> umbrella_sales umbrella_sales -> traffic }"
_IMPLAUSIBLE = ('{"items": [{"edge": {"source": "umbrella_sales", "target": "traffic", "kind": "directed"}, '
                '"plausible": false, "rationale": "Selling umbrellas does not move cars; rain causes both.", '
                '"confidence": 0.8, "suggested_edit": {"op": "remove_edge", "source": "umbrella_sales", '
                '"target": "traffic"}}], "summary": ""}')
_PLAUSIBLE = ('{"items": [{"edge": {"source": "rain", "target": "umbrella_sales", "kind": "directed"}, '
              '"plausible": true, "rationale": "People buy umbrellas when it rains.", "confidence": 0.9, '
              '"suggested_edit": {"op": "keep"}}], "summary": ""}')


@rule("L001", "llm-implausible-edge", "warning", "semantic", needs=("llm",),
      summary="An LLM judges an edge implausible (a claim with its rationale, shown beside the data's evidence).",
      explanation="""
The LLM reads the question, the variable descriptions (as quoted data, never
as instructions) and the edges, and judges each edge.  An edge it finds
implausible is reported with the model's rationale and confidence, marked as
the model's claim, and — when data were given — with the local test of that
edge (source against target given the target's other parents), so that an LLM
doubt about an edge the data strongly support is visibly outweighed.  If the
LLM cannot be reached, one finding says so and the other rules are unaffected.
""",
      examples=[Example(_ONE_EDGE_GRAPH, True, "the model doubts umbrella_sales -> traffic",
                        llm_answers=(_IMPLAUSIBLE,)),
                Example(_ONE_EDGE_GRAPH, False, "the model finds the edges plausible", llm_answers=(_PLAUSIBLE,))])
def llm_implausible_edge(ctx: CritiqueContext, r: Rule):
    judgements, failure = llm_judgements(ctx)
    if failure is not None:
        yield r.finding(f"the LLM could not be used, so no semantic check ran: {failure}", source="engine")
        return
    edges = {str(e): e for e in ctx.graph.edges}
    for j in judgements:
        if j.plausible is not False or j.edge not in edges:
            continue
        e = edges[j.edge]
        ev = edge_data_evidence(ctx, e.source, e.target) if e.kind == "directed" else None
        yield r.finding(f"{_model_name(ctx)} judges {j.edge} implausible{_confidence(j)}{_said(j)} "
                        "(a claim, not a fact)."
                        + _data_words(ev, ctx.options.alpha, claims_dependence=False),
                        nodes=[e.source, e.target], edges=[j.edge], evidence=[ev] if ev else [],
                        fix=_fix(j), fix_label=(j.suggested_edit or {}).get("op", "").replace("_", " "),
                        source="llm", rationale=j.rationale)


_EDIT_DOUBTED = ('{"items": [{"edge": null, "edit": "reversed rain -> umbrella_sales", "plausible": false, '
                 '"rationale": "Umbrella sales cannot change the weather.", "confidence": 0.95, '
                 '"suggested_edit": {"op": "reverse_edge", "source": "umbrella_sales", "target": "rain"}}], '
                 '"summary": ""}')
_EDIT_FINE = ('{"items": [{"edge": null, "edit": "added rain -> traffic", "plausible": true, '
              '"rationale": "Rain slows traffic.", "confidence": 0.7, "suggested_edit": {"op": "keep"}}], '
              '"summary": ""}')


@rule("L002", "llm-doubts-edit", "info", "semantic", needs=("llm", "previous"),
      summary="An LLM questions the latest edit (compared with the previous version).",
      explanation="""
Given the previous version, the model also judges the edit as a whole — the
question an expert asks after drawing an arrow: "does this make sense?".  Its
doubt is information for the expert, never a block; the edit's measurable
consequences are in the critique's edit impact.
""",
      examples=[Example("dag { umbrella_sales -> rain }", True, "the model doubts a reversal",
                        previous="dag { rain -> umbrella_sales }", llm_answers=(_EDIT_DOUBTED,)),
                Example("dag { rain -> umbrella_sales rain -> traffic }", False, "the model accepts the edit",
                        previous="dag { rain -> umbrella_sales traffic }", llm_answers=(_EDIT_FINE,))])
def llm_doubts_edit(ctx: CritiqueContext, r: Rule):
    judgements, failure = llm_judgements(ctx)
    if failure is not None:
        return  # L001 reports the failure once
    edges = {str(e) for e in ctx.graph.edges}
    for j in judgements:
        if j.plausible is not False or j.edge in edges:
            continue
        yield r.finding(f"{_model_name(ctx)} questions the edit \"{j.edge}\"{_confidence(j)}{_said(j)} "
                        "(a claim, not a fact)",
                        fix=_fix(j), fix_label=(j.suggested_edit or {}).get("op", "").replace("_", " "),
                        source="llm", rationale=j.rationale)


_MISSING = ('{"items": [{"edge": {"source": "rain", "target": "umbrella_sales", "kind": "directed"}, '
            '"plausible": true, "rationale": "Rain drives umbrella purchases.", "confidence": 0.9, '
            '"suggested_edit": {"op": "keep"}}, {"edge": null, "edit": "rain also slows traffic", '
            '"plausible": true, "rationale": "Wet roads slow traffic.", "confidence": 0.7, '
            '"suggested_edit": {"op": "add_edge", "source": "rain", "target": "traffic", "kind": "directed"}}], '
            '"summary": ""}')


@rule("L003", "llm-suggests-edge", "info", "semantic", needs=("llm",),
      summary="An LLM suggests an edge the graph does not have; the data's evidence for it is shown.",
      explanation="""
A suggested addition is a hypothesis: the finding carries the model's
rationale and, with data, the test of the suggested dependence (given the
target's current parents), and its fix adds the edge with provenance ``llm``
so the version history keeps where it came from.
""",
      examples=[Example("dag { rain -> umbrella_sales traffic }", True, "the model suggests rain -> traffic",
                        data_from="dag { rain -> umbrella_sales rain -> traffic }", llm_answers=(_MISSING,)),
                Example(_ONE_EDGE_GRAPH, False, "no additions suggested", llm_answers=(_PLAUSIBLE,))])
def llm_suggests_edge(ctx: CritiqueContext, r: Rule):
    judgements, failure = llm_judgements(ctx)
    if failure is not None:
        return
    existing = {(e.source, e.target) for e in ctx.graph.edges}
    for j in judgements:
        s = j.suggested_edit or {}
        if s.get("op") != "add_edge":
            continue
        edge = s.get("edge") or {}
        a, b = edge.get("source"), edge.get("target")
        if not a or not b or (a, b) in existing:
            continue
        ev = edge_data_evidence(ctx, a, b) if edge.get("kind", "directed") == "directed" else None
        arrow = "<->" if edge.get("kind") == "bidirected" else "->"
        yield r.finding(f"{_model_name(ctx)} suggests adding {a} {arrow} {b}{_confidence(j)}{_said(j)} "
                        "(a claim, not a fact)."
                        + _data_words(ev, ctx.options.alpha, claims_dependence=True),
                        nodes=[a, b], edges=[f"{a} {arrow} {b}"], evidence=[ev] if ev else [], fix=[s],
                        fix_label=f"add {a} {arrow} {b}", source="llm", rationale=j.rationale)
