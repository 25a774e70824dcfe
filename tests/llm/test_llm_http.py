"""The real ChatOpenAI wire path against a scripted local HTTP server: garbage bodies, server errors,
rate limits, timeouts, auth failures and an unreachable port all end in typed errors, never tracebacks."""

from __future__ import annotations

import json

import pytest
from llm_stub import PLANTED_KEY, Reply, completion, free_port

from assistant.errors import LLMAuthError, LLMUnavailableError
from assistant.llm import LLMClient, LLMSettings
from assistant.llm.schemas import QuestionOut

VARS = {"question": "Does radio airplay raise record sales?", "variables": ["radio_play", "record_sales"]}
GOOD = '{"exposure": "radio_play", "outcome": "record_sales"}'


def client_for(url: str, **settings) -> LLMClient:
    return LLMClient.from_settings(LLMSettings(base_url=url, api_key=PLANTED_KEY, model="stub-model",
                                               **{"max_retries": 2, "timeout_s": 5, **settings}))


def ask(client: LLMClient):
    return client.structured("infer_question", VARS, QuestionOut)


def test_a_well_behaved_server_answers_through_json_schema(stub_server):
    stub_server.script(Reply(200, completion(GOOD, usage=(40, 12))))
    result = ask(client_for(stub_server.url, max_tokens=99))
    assert result.value.exposure == "radio_play" and result.method == "json_schema"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (40, 12, 52)
    request = stub_server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {PLANTED_KEY}"
    body = request["json"]
    assert body["model"] == "stub-model" and body["temperature"] == 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["max_tokens"] == 99 and "max_completion_tokens" not in body


def test_a_rejected_json_schema_falls_back_to_a_forced_tool_call_on_the_wire(stub_server):
    stub_server.script(Reply(400, {"error": {"message": "response_format json_schema is not supported"}}),
                       Reply(200, completion(None, tool_args=GOOD, name="QuestionOut")))
    result = ask(client_for(stub_server.url))
    assert result.method == "function_calling" and result.value.outcome == "record_sales"
    body = stub_server.requests[1]["json"]
    assert body["tools"][0]["function"]["name"] == "QuestionOut"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "QuestionOut"}}
    assert "response_format" not in body


@pytest.mark.parametrize("reply", [
    Reply(200, "<html><body>Welcome to nginx!</body></html>"),
    Reply(200, {"hello": "world"}),
    Reply(200, '{"id": "chatcmpl-1", "choices": [', headers={"content-type": "application/json"}),
    Reply(200, {"choices": None}),
    Reply(404, "<html>Not Found</html>"),
], ids=["html", "not-a-completion", "truncated-json", "null-choices", "404"])
def test_garbage_bodies_are_llm_unavailable_not_tracebacks(stub_server, delays, reply):
    stub_server.script(reply)
    with pytest.raises(LLMUnavailableError) as err:
        ask(client_for(stub_server.url))
    assert stub_server.url in str(err.value) and err.value.hint
    assert len(stub_server.requests) == 1 and delays == []


def test_server_errors_are_retried_then_succeed(stub_server, delays):
    stub_server.script(Reply(502, "<html>Bad Gateway</html>"), Reply(500, {"error": {"message": "oops"}}),
                       Reply(200, completion(GOOD)))
    assert ask(client_for(stub_server.url)).value.exposure == "radio_play"
    assert len(stub_server.requests) == 3 and len(delays) == 2 and delays[1] > delays[0]


def test_persistent_server_errors_end_in_llm_unavailable_after_the_configured_retries(stub_server, delays):
    stub_server.script(Reply(503, {"error": {"message": "overloaded"}}))
    with pytest.raises(LLMUnavailableError, match="after 4 attempts: HTTP 503: overloaded"):
        ask(client_for(stub_server.url, max_retries=3))
    assert len(stub_server.requests) == 4 and len(delays) == 3


def test_a_429_with_retry_after_is_honoured(stub_server, delays):
    stub_server.script(Reply(429, {"error": {"message": "rate limited"}}, headers={"retry-after": "3"}),
                       Reply(200, completion(GOOD)))
    assert ask(client_for(stub_server.url)).value.exposure == "radio_play"
    assert delays == [3.0]


def test_a_401_is_an_auth_error_at_once_and_never_shows_the_key(stub_server, delays):
    stub_server.script(Reply(401, {"error": {"message": f"Incorrect API key provided: {PLANTED_KEY}"}}))
    with pytest.raises(LLMAuthError, match="rejected the API key") as err:
        ask(client_for(stub_server.url))
    assert len(stub_server.requests) == 1 and delays == []
    assert PLANTED_KEY not in str(err.value) and PLANTED_KEY not in json.dumps(err.value.as_dict())


def test_an_unreachable_endpoint_is_llm_unavailable_naming_the_base_url(delays):
    url = f"http://127.0.0.1:{free_port()}/v1"   # nothing listens there
    with pytest.raises(LLMUnavailableError, match="cannot connect") as err:
        ask(client_for(url, max_retries=2))
    assert err.value.base_url == url and url in str(err.value)
    assert len(delays) == 2


def test_a_slow_server_times_out_and_is_retried(stub_server, delays):
    stub_server.script(Reply(200, completion(GOOD), delay_s=1.5))
    with pytest.raises(LLMUnavailableError, match="timed out"):
        ask(client_for(stub_server.url, timeout_s=0.3, max_retries=1))
    assert len(stub_server.requests) == 2 and len(delays) == 1


def test_an_answer_cut_off_at_max_tokens_is_an_invalid_answer_not_an_outage(stub_server, delays):
    cut = completion('{"exposure": "radio_play", "outc', usage=(30, 8))
    cut["choices"][0]["finish_reason"] = "length"
    stub_server.script(Reply(200, cut), Reply(200, completion(GOOD)))
    client = client_for(stub_server.url, max_tokens=8)
    result = ask(client)        # the SDK raises LengthFinishReasonError; the client treats it as a truncated answer
    assert result.value.exposure == "radio_play" and result.usage.calls == 2
    first = client.sink.records[0]
    assert first.error.startswith("invalid output: the answer ends before the JSON object is complete")
    assert "cut off at the token limit" in first.error and first.total_tokens == 38
    assert delays == []
