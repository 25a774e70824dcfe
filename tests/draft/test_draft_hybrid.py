"""Hybrid drafting: every LLM edge carries the data's evidence, conflicts are flagged, candidates re-ranked."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from assistant.draft import BackendContext, draft
from assistant.draft.spec import DraftRequest, VariableSpec
from assistant.llm import LLMSettings, MemorySink, install_fake
from assistant.llm.registry import unregister_chat_provider

NAMES = ["label_marketing_spend", "tiktok_use", "radio_play", "record_sales_6m"]


def _data(seed: int = 11, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    spend = rng.normal(size=n)
    tiktok = rng.normal(size=n)
    radio = 0.8 * spend + 0.6 * tiktok + rng.normal(size=n)
    sales = 0.5 * radio + 0.7 * spend + 0.6 * tiktok + rng.normal(size=n)
    return pd.DataFrame(dict(zip(NAMES, [spend, tiktok, radio, sales])))


@pytest.fixture
def fake():
    model = install_fake([])
    yield model
    unregister_chat_provider("fake")


def _edges(pairs):
    return [{"source": a, "target": b, "confidence": 0.6, "rationale": "because"} for a, b in pairs]


def test_llm_edges_get_data_evidence_conflicts_are_flagged_and_candidates_reranked(fake):
    sparse = _edges([("radio_play", "record_sales_6m"), ("label_marketing_spend", "tiktok_use")])
    close = _edges([("label_marketing_spend", "radio_play"), ("tiktok_use", "radio_play"),
                    ("label_marketing_spend", "record_sales_6m"), ("radio_play", "record_sales_6m"),
                    ("label_marketing_spend", "tiktok_use")])
    fake.answers.append(json.dumps({"candidates": [{"name": "sparse", "edges": sparse},
                                                   {"name": "close", "edges": close}]}))
    request = DraftRequest(question="Does radio play raise sales?", exposure="radio_play", outcome="record_sales_6m",
                           variables=[VariableSpec(name=n, data_type="continuous") for n in NAMES], candidates=2)
    context = BackendContext(llm_settings=LLMSettings(provider="fake", model="m"), sink=MemorySink())
    result = draft(request, _data(), backend="hybrid", context=context)

    assert result.backend == "hybrid"
    assert [c.graph.metadata.name for c in result.candidates] == ["close", "sparse"]  # BIC re-ranked them
    assert result.candidates[0].score > result.candidates[1].score
    best = {str(e): e for e in result.best.graph.edges}
    for e in best.values():
        (ev,) = [x for x in e.evidence if x.source == "ci-test"]
        assert ev.p_value is not None and ev.n == 3000
    assert best["label_marketing_spend -> radio_play"].evidence[-1].supports is True
    wrong = best["label_marketing_spend -> tiktok_use"]
    assert wrong.evidence[-1].supports is False and wrong.provenance == "llm"  # kept, but flagged
    assert any("label_marketing_spend -> tiktok_use" in n for n in result.notes if n.startswith("conflict"))
    assert any("tiktok_use vs record_sales_6m" in n for n in result.notes if "does not explain" in n)
    assert result.usage.calls == 1
