"""`causal-assistant propose`: offline and LLM drafts, saving with provenance, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_helpers import run

from assistant.errors import EXIT_INPUT, EXIT_LLM, EXIT_OK
from assistant.llm import install_fake
from assistant.llm.registry import unregister_chat_provider
from assistant.store import Store

NAMES = ["label_marketing_spend", "tiktok_use", "radio_play", "record_sales_6m"]


def _csv(tmp_path, seed=3, n=2000):
    rng = np.random.default_rng(seed)
    spend, tiktok = rng.normal(size=n), rng.normal(size=n)
    radio = 0.8 * spend + 0.6 * tiktok + rng.normal(size=n)
    sales = 0.5 * radio + 0.7 * spend + 0.6 * tiktok + rng.normal(size=n)
    path = tmp_path / "sales.csv"
    pd.DataFrame(dict(zip(NAMES, [spend, tiktok, radio, sales]))).to_csv(path, index=False)
    return path


def _vars(tmp_path):
    path = tmp_path / "vars.yaml"
    path.write_text("variables:\n  label_marketing_spend: {tier: 0}\n  tiktok_use: {tier: 0}\n"
                    "  radio_play: {tier: 1}\n  record_sales_6m: {tier: 2}\n")
    return path


@pytest.fixture
def fake(monkeypatch):
    model = install_fake([])
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_PROVIDER", "fake")
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_MODEL", "fake-model")
    yield model
    unregister_chat_provider("fake")


def test_offline_draft_is_saved_with_data_provenance_per_edge(tmp_path, sqlite_url):
    run("project", "create", "p", db=sqlite_url)
    res = run("propose", str(_csv(tmp_path)), "-q", "Does radio airplay raise record sales?",
              "--variables", str(_vars(tmp_path)), "--project", "p", "--graph", "draft", "--format", "json",
              db=sqlite_url)
    assert res.exit_code == EXIT_OK, res.stderr
    out = res.json()
    assert out["draft"]["exposure"] == "radio_play" and out["draft"]["exposure_outcome_inferred"] is True
    assert out["saved"]["version"] == 1
    with Store.open(sqlite_url) as store:
        graph = store.get_version("p", "draft").graph
    assert graph.edges and {e.provenance for e in graph.edges} <= {"data", "expert"}
    assert all(e.rationale and e.evidence for e in graph.edges)
    assert ("radio_play", "record_sales_6m") in {(e.source, e.target) for e in graph.edges}


def test_llm_draft_through_the_cli_is_logged_and_saved_with_llm_provenance(tmp_path, sqlite_url, fake):
    fake.answers.append(json.dumps({"candidates": [{"edges": [
        {"source": "label_marketing_spend", "target": "radio_play", "confidence": 0.8, "rationale": "promotion"},
        {"source": "radio_play", "target": "record_sales_6m", "confidence": 0.6, "rationale": "exposure"}]}]}))
    run("project", "create", "p", db=sqlite_url)
    res = run("propose", str(_csv(tmp_path)), "-q", "Does radio airplay raise record sales?", "--backend", "openai",
              "--project", "p", db=sqlite_url)
    assert res.exit_code == EXIT_OK, res.stderr
    assert "backend: openai (model fake-model)" in res.stdout and "LLM calls: 1" in res.stdout
    with Store.open(sqlite_url) as store:
        assert {e.provenance for e in store.get_version("p", "draft").graph.edges} == {"llm"}
        (exchange,) = store.list_exchanges()
        assert exchange.template_name == "draft_graph" and exchange.project == "p"
    log = run("llm", "log", "--format", "json", db=sqlite_url)
    assert log.exit_code == EXIT_OK and log.json()[0]["template_name"] == "draft_graph"


def test_an_unreachable_endpoint_says_so_and_offers_the_offline_assistant(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_MAX_RETRIES", "0")
    res = run("propose", str(_csv(tmp_path)), "-q", "Does radio play raise sales?", "--backend", "openai",
              db=sqlite_url)
    assert res.exit_code == EXIT_LLM
    assert "--backend offline" in res.stderr


@pytest.mark.parametrize("content, fragment", [
    ("", "the file is empty"),
    ("only\n1\n2\n3\n", "at least two variables"),
])
def test_unusable_csv_is_a_clear_error_and_nothing_is_saved(tmp_path, sqlite_url, content, fragment):
    run("project", "create", "p", db=sqlite_url)
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    res = run("propose", str(bad), "-q", "Does x cause y?", "--project", "p", db=sqlite_url)
    assert res.exit_code == EXIT_INPUT and fragment in res.stderr
    with Store.open(sqlite_url) as store:
        assert store.list_graphs("p") == []


def test_a_question_naming_no_variable_is_a_clear_error(tmp_path):
    res = run("propose", str(_csv(tmp_path)), "-q", "Is the weather nice today?")
    assert res.exit_code == EXIT_INPUT and "names no known variable" in res.stderr


@pytest.mark.parametrize("knowledge, says", [
    ("required_edges: [[radio_play, record_sales_6m]]\nforbidden_edges: [[radio_play, record_sales_6m]]\n",
     "error[knowledge]: {file}: radio_play -> record_sales_6m is both required and forbidden"),
    ("required_edges: [[radio_play, tiktok_use], [tiktok_use, radio_play]]\n", "error[cycle]: {file}: "),
])
def test_contradicting_knowledge_is_reported_at_the_variables_file(tmp_path, knowledge, says):
    path = tmp_path / "vars.yaml"
    path.write_text(knowledge)
    res = run("propose", str(_csv(tmp_path)), "-q", "Does radio play raise sales?", "--variables", str(path))
    assert res.exit_code == EXIT_INPUT and says.format(file=path) in res.stderr, res.stderr


def test_a_variables_file_is_read_with_a_bound(tmp_path):
    res = run("propose", str(_csv(tmp_path)), "-q", "Does radio play raise sales?", "--variables", "/dev/zero")
    assert res.exit_code == EXIT_INPUT and "/dev/zero" in res.stderr and "larger than 10 MB" in res.stderr
