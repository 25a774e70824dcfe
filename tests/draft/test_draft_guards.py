"""Hallucination guards: nothing outside the schema becomes observed, and every repair keeps its reason."""

from __future__ import annotations

from assistant.draft.guards import MAX_INVENTED, SUGGESTED_KEY, ProposedEdge, build_graph
from assistant.draft.infer import infer_exposure_outcome
from assistant.draft.result import MissingVariableSuggestion
from assistant.draft.spec import DraftRequest, VariableSpec
from assistant.graph import find_cycle

import pytest

from assistant.errors import InputError


def _request(**kw) -> DraftRequest:
    variables = kw.pop("variables", None) or [
        VariableSpec(name="label_marketing_spend", label="Label marketing spend", tier=0),
        VariableSpec(name="tiktok_use", label="TikTok use", tier=0),
        VariableSpec(name="radio_play", label="Radio play", tier=1),
        VariableSpec(name="record_sales_6m", label="6-month record sales", tier=2),
    ]
    return DraftRequest(question="Does radio airplay raise record sales?", variables=variables,
                        exposure="radio_play", outcome="record_sales_6m", **kw)


def E(s, t, kind="directed", conf=0.5, why="because"):
    return ProposedEdge(source=s, target=t, kind=kind, confidence=conf, rationale=why)


def test_a_declared_missing_variable_becomes_a_latent_node_never_an_observed_one():
    declared = [MissingVariableSuggestion(name="artist_popularity", why="drives both")]
    out = build_graph(_request(), [E("artist_popularity", "radio_play"), E("artist_popularity", "record_sales_6m")],
                      provenance="llm", missing=declared)
    var = out.graph.variable("artist_popularity")
    assert var.observed is False and "suggested" in var.label
    assert [m.name for m in out.missing] == ["artist_popularity"]
    assert out.graph.metadata.extra[SUGGESTED_KEY] == ["artist_popularity"]
    assert set(out.graph.observed) == {"label_marketing_spend", "tiktok_use", "radio_play", "record_sales_6m"}


def test_an_undeclared_unknown_name_is_refused_not_invented():
    out = build_graph(_request(), [E("a", "b"), E("c", "radio_play")], provenance="llm")
    assert not out.graph.edges and not out.missing
    assert all("neither a variable of the data nor a declared missing variable" in r.reason for r in out.rejected)


def test_names_match_up_to_case_spacing_and_label():
    out = build_graph(_request(), [E("Radio Play", "6-month record sales"), E("TIKTOK_USE", "radio play")],
                      provenance="llm")
    assert {str(e) for e in out.graph.edges} == {"radio_play -> record_sales_6m", "tiktok_use -> radio_play"}
    assert not out.missing


def test_self_loops_duplicates_and_two_cycles_are_refused_with_reasons():
    out = build_graph(_request(), [E("radio_play", "radio_play"), E("tiktok_use", "radio_play", conf=0.4),
                                   E("tiktok_use", "radio_play", conf=0.9),
                                   E("label_marketing_spend", "tiktok_use", conf=0.3),
                                   E("tiktok_use", "label_marketing_spend", conf=0.8)], provenance="llm")
    reasons = " | ".join(r.reason for r in out.rejected)
    assert "self-loop" in reasons and "duplicate" in reasons and "more confident direction" in reasons
    edges = {str(e): e for e in out.graph.edges}
    assert edges["tiktok_use -> radio_play"].confidence == 0.9
    assert "tiktok_use -> label_marketing_spend" in edges and "label_marketing_spend -> tiktok_use" not in edges


def test_edges_against_the_tier_order_and_outcome_to_exposure_are_refused():
    out = build_graph(_request(), [E("record_sales_6m", "label_marketing_spend"), E("record_sales_6m", "radio_play")],
                      provenance="llm")
    assert not out.graph.edges
    assert any("tier" in r.reason for r in out.rejected)


def test_cycles_are_broken_at_their_least_confident_edge_and_the_cycle_is_named():
    req = _request(variables=[VariableSpec(name=n) for n in ["a", "b", "c"]])
    req = req.model_copy(update={"exposure": None, "outcome": None})
    out = build_graph(req, [E("a", "b", conf=0.9), E("b", "c", conf=0.8), E("c", "a", conf=0.2)], provenance="llm")
    assert find_cycle(out.graph) is None
    assert [str(e) for e in out.graph.edges] == ["a -> b", "b -> c"]
    assert any("a -> b -> c -> a" in r.reason for r in out.rejected)


def test_invented_variables_are_capped():
    edges = [E(f"made_up_{i}", "radio_play") for i in range(MAX_INVENTED + 5)]
    declared = [MissingVariableSuggestion(name=f"made_up_{i}") for i in range(MAX_INVENTED + 5)]
    out = build_graph(_request(), edges, provenance="llm", missing=declared)
    assert len(out.missing) == MAX_INVENTED
    assert sum("more than" in r.reason for r in out.rejected) == 5


def test_required_edges_are_added_and_bidirected_edges_kept():
    req = _request(required_edges=[("label_marketing_spend", "radio_play")])
    out = build_graph(req, [E("tiktok_use", "record_sales_6m", kind="bidirected")], provenance="llm")
    kinds = {str(e): e.provenance for e in out.graph.edges}
    assert kinds == {"tiktok_use <-> record_sales_6m": "llm", "label_marketing_spend -> radio_play": "expert"}


def test_exposure_and_outcome_are_inferred_from_the_question_in_order():
    req = _request().model_copy(update={"exposure": None, "outcome": None})
    assert infer_exposure_outcome(req) == ("radio_play", "record_sales_6m")


def test_a_question_that_names_no_known_variable_is_a_clear_error():
    req = _request().model_copy(update={"exposure": None, "outcome": None, "question": "Is the weather nice?"})
    with pytest.raises(InputError, match="names no known variable"):
        infer_exposure_outcome(req)
