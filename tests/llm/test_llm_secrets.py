"""An API key planted in the environment never reaches the database, the logs, error messages or reprs —
through the fake model, a scripted HTTP server and the real local model, on successes and failures."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from llm_stub import PLANTED_KEY, Reply, completion

from assistant.errors import CausalAssistantError
from assistant.llm import LLMClient, LLMSettings, install_fake, unregister_chat_provider
from assistant.llm.fake import http_error
from assistant.llm.schemas import QuestionOut
from assistant.store import Store

MARK = "PLANTED"   # any fragment of the key counts
VARS = {"question": "Does radio airplay raise record sales?", "variables": ["radio_play", "record_sales"]}
GOOD = '{"exposure": "radio_play", "outcome": "record_sales"}'


@pytest.fixture
def planted(monkeypatch, caplog):
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_API_KEY", PLANTED_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED_KEY)
    caplog.set_level(logging.DEBUG)
    return caplog


def exercise(client: LLMClient, errors: list[str]) -> None:
    """One request; a failure's every rendering is kept for scanning."""
    try:
        client.structured("infer_question", VARS, QuestionOut)
    except CausalAssistantError as err:
        errors += [str(err), repr(err), err.message, err.hint or "", json.dumps(err.as_dict(), default=str),
                   repr(err.__cause__), repr(err.__context__)]
    errors.append(repr(client))


def scan_database(url: str) -> int:
    """Every column of every row of every table; returns how many values were scanned."""
    with Store.open(url) as store:
        engine = store.engine
        scanned = 0
        with engine.connect() as conn:
            for table in sa.inspect(engine).get_table_names():
                for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                        assert MARK not in text, f"the key leaked into {table}: {text[:200]}"
                        scanned += 1
    return scanned


def test_the_key_never_leaks_through_the_fake_model(planted, database_url, delays):
    fake = install_fake([
        GOOD,                                                            # success
        "not json", f'{{"exposure": "{PLANTED_KEY}"',                    # invalid twice -> LLMOutputError
        http_error(400, f"Invalid request; your key {PLANTED_KEY} is fine but tools are not supported"),
        http_error(400, f"context length exceeded for key {PLANTED_KEY}"),
        http_error(401, f"Incorrect API key provided: {PLANTED_KEY}"),
        http_error(500, f"crash while handling {PLANTED_KEY}"), http_error(500, f"again {PLANTED_KEY}"),
    ], name="fake")
    errors: list[str] = []
    try:
        with Store.open(database_url) as store:
            settings = LLMSettings.load().model_copy(update={"provider": "fake", "max_retries": 1})
            assert settings.api_key.get_secret_value() == PLANTED_KEY
            for _ in range(5):
                exercise(LLMClient.from_settings(settings, sink=store, cache=False), errors)
            assert len(store.list_exchanges()) >= 8
            errors += [repr(settings), str(settings), settings.model_dump_json()]
    finally:
        unregister_chat_provider("fake")
    assert not fake.answers
    assert scan_database(database_url) > 100
    for text in errors + [planted.text]:
        assert MARK not in text, text


def test_the_key_never_leaks_through_the_real_http_path(planted, database_url, stub_server, delays):
    stub_server.script(
        Reply(200, completion(GOOD)),
        Reply(200, completion(f"I was told {PLANTED_KEY}")), Reply(200, completion("still no JSON")),
        Reply(401, {"error": {"message": f"Incorrect API key provided: {PLANTED_KEY}"}}),
        Reply(500, f"<html>{PLANTED_KEY}</html>"), Reply(500, f"<html>{PLANTED_KEY}</html>"),
        Reply(200, f"<html>{PLANTED_KEY}</html>"),
    )
    errors: list[str] = []
    with Store.open(database_url) as store:
        settings = LLMSettings.load().model_copy(update={"base_url": stub_server.url, "max_retries": 1})
        for _ in range(5):
            exercise(LLMClient.from_settings(settings, sink=store, cache=False), errors)
    assert all(r["headers"]["authorization"] == f"Bearer {PLANTED_KEY}" for r in stub_server.requests)
    scan_database(database_url)
    for text in errors + [planted.text]:
        assert MARK not in text, text


@pytest.mark.slow
def test_the_key_never_leaks_through_the_real_local_model(planted, local_model_url, sqlite_url, delays):
    errors: list[str] = []
    with Store.open(sqlite_url) as store:
        settings = LLMSettings.load().model_copy(update={"base_url": local_model_url, "max_tokens": 64,
                                                         "max_retries": 0})
        exercise(LLMClient.from_settings(settings, sink=store), errors)          # an answer (or output error)
        client = LLMClient.from_settings(settings, sink=store)
        try:                                                                    # a failure: context overflow
            client.structured("infer_question", {**VARS, "question": "why " * 3000}, QuestionOut)
        except CausalAssistantError as err:
            errors += [str(err), repr(err), json.dumps(err.as_dict(), default=str)]
            assert err.code == "llm-request" and "context" in str(err)
        else:
            pytest.fail("a prompt longer than the context window should be refused")
        assert store.list_exchanges()
    scan_database(sqlite_url)
    for text in errors + [planted.text]:
        assert MARK not in text, text
