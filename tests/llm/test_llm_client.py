"""LLMClient with the fake model through the registry: the fallback chain, validation and one repair,
retries with backoff, errors, caching, token usage and the exchange log."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage

from assistant.errors import LLMAuthError, LLMOutputError, LLMRequestError, LLMUnavailableError, PromptError
from assistant.llm import ExchangeContext, LLMClient, LLMSettings, MemorySink, RetryPolicy, remembered_method
from assistant.llm.fake import FakeChatModel, connection_error, http_error, timeout_error, tool_call_answer
from assistant.llm.registry import register_chat_provider, unregister_chat_provider
from assistant.llm.schemas import QuestionOut

VARS = {"question": "Does radio airplay raise record sales?",
        "variables": [{"name": "radio_play"}, {"name": "record_sales"}]}
GOOD = '{"exposure": "radio_play", "outcome": "record_sales", "rationale": "asked", "confidence": 0.9}'
GOOD_ARGS = {"exposure": "radio_play", "outcome": "record_sales"}


def make_client(sink=None, cache=True, **settings) -> LLMClient:
    return LLMClient.from_settings(LLMSettings(provider="fake", **settings), sink=sink or MemorySink(), cache=cache)


def ask(client: LLMClient, **kw):
    return client.structured("infer_question", VARS, QuestionOut, **kw)


# --- the fallback chain ---------------------------------------------------------------------------


def test_json_schema_is_tried_first_and_sent_as_a_non_strict_response_format(fake):
    fake.queue(GOOD)
    result = ask(make_client())
    assert result.value.exposure == "radio_play" and result.method == "json_schema" and not result.cached
    fmt = fake.calls[0].kwargs["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "QuestionOut" and fmt["json_schema"]["strict"] is False
    assert fmt["json_schema"]["schema"]["properties"]["exposure"]


def test_a_rejected_method_falls_back_to_function_calling_which_is_remembered(fake):
    fake.queue(http_error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported"),
               tool_call_answer("QuestionOut", GOOD_ARGS))
    client = make_client()
    result = ask(client)
    assert result.method == "function_calling" and result.value.outcome == "record_sales"
    second = fake.calls[1].kwargs
    assert second["tools"][0]["function"]["name"] == "QuestionOut"
    assert second["tool_choice"] == {"type": "function", "function": {"name": "QuestionOut"}}
    records = client.sink.records
    assert [(r.method, r.status) for r in records] == [("json_schema", "error"), ("function_calling", "ok")]
    assert records[0].error.startswith("rejected: HTTP 400")
    assert remembered_method("fake", "", "fake-model") == "function_calling" == client.method

    fake.queue(tool_call_answer("QuestionOut", GOOD_ARGS))
    again = ask(make_client(), context=ExchangeContext(purpose="again"))
    assert again.method == "function_calling" and len(fake.calls) == 3   # json_schema is not tried again


def test_a_function_calling_answer_without_a_tool_call_falls_back_to_json_object_with_the_schema(fake):
    fake.queue(http_error(422, "response_format: Input should be 'text' or 'json_object'"),
               "I think radio causes sales.", GOOD)
    result = ask(make_client())
    assert result.method == "json_object"
    fmt = fake.calls[2].kwargs["response_format"]
    assert fmt["type"] == "json_object" and fmt["schema"]["properties"]["exposure"]
    system = fake.calls[2].messages[0].content
    assert "JSON Schema" in system and '"exposure"' in system


def test_a_server_refusing_the_schema_key_gets_plain_json_object(fake):
    fake.queue(http_error(400, "response_format json_schema is not supported"),
               http_error(400, "tools are not supported"),
               http_error(400, "Unrecognized request argument: response_format.schema"), GOOD)
    result = ask(make_client())
    assert result.method == "json_object"
    assert fake.calls[-1].kwargs["response_format"] == {"type": "json_object"}
    assert "JSON Schema" in fake.calls[-1].messages[0].content


def test_llama_cpp_style_500_validation_errors_count_as_rejections_not_outages(fake, delays):
    fake.queue(http_error(500, "1 validation error: {'type': 'literal_error', 'loc': ('body', 'response_format', "
                               "'type'), 'msg': \"Input should be 'text' or 'json_object'\"}"),
               tool_call_answer("QuestionOut", GOOD_ARGS))
    assert ask(make_client()).method == "function_calling"
    assert delays == []


def test_a_model_without_tool_support_skips_function_calling():
    class NoTools(FakeChatModel):
        def bind_tools(self, tools, **kwargs):
            raise NotImplementedError

    model = NoTools(answers=[http_error(400, "json_schema not supported"), GOOD])
    register_chat_provider("notools", lambda s: model)
    try:
        client = LLMClient.from_settings(LLMSettings(provider="notools"))
        assert ask(client).method == "json_object"
        assert [r.method for r in client.sink.records] == ["json_schema", "function_calling", "json_object"]
    finally:
        unregister_chat_provider("notools")


def test_when_every_method_is_rejected_the_error_lists_why(fake):
    fake.queue(*[http_error(400, f"response_format / tools not supported ({i})") for i in range(4)])
    with pytest.raises(LLMRequestError, match="accepted none of the structured-output methods") as err:
        ask(make_client())
    assert "json_object(plain)" in str(err.value)


# --- validation and the one repair ----------------------------------------------------------------


def test_an_invalid_answer_gets_exactly_one_repair_prompt(fake):
    fake.queue('{"exposure": ["radio_play"], "outcome": "record_sales"}', GOOD)
    client = make_client()
    result = ask(client)
    assert result.value.exposure == "radio_play"
    assert result.usage.calls == 2 and len(result.exchange_ids) == 2
    repair = "\n".join(m.content for m in fake.calls[1].messages)
    assert '<data name="errors">' in repair and "exposure: Input should be a valid string" in repair
    assert '<data name="output">' in repair and '"radio_play"' in repair
    assert '<data name="schema">' in repair
    first, second = client.sink.records
    assert first.template_name == "infer_question" and first.error.startswith("invalid output: exposure:")
    assert second.template_name == "repair_output" and second.error is None
    assert second.parsed["exposure"] == "radio_play" and second.purpose == "infer_question"


def test_a_repair_that_is_still_invalid_raises_llm_output_error_after_logging_both(fake):
    fake.queue("not json at all", '{"exposure": 42')
    client = make_client()
    with pytest.raises(LLMOutputError) as err:
        ask(client)
    e = err.value
    assert e.code == "llm-output" and e.exit_code == 7
    assert e.raw_output == '{"exposure": 42'
    assert e.errors == ["the answer ends before the JSON object is complete (truncated?)"]
    assert e.exchange_ids == [1, 2]
    assert [r.status for r in client.sink.records] == ["error", "error"]
    assert "llm log --show 2" in e.hint
    assert e.as_dict()["raw_output"] == '{"exposure": 42'
    assert len(fake.calls) == 2


def test_an_answer_cut_off_at_max_tokens_says_so(fake):
    cut = AIMessage(content='{"exposure": "radio', response_metadata={"finish_reason": "length"})
    fake.queue(cut, cut.model_copy())
    with pytest.raises(LLMOutputError) as err:
        ask(make_client())
    assert "the answer was cut off at the token limit (max_tokens)" in err.value.errors


def test_unknown_extra_keys_from_chatty_models_are_ignored(fake):
    fake.queue('```json\n{"exposure": "radio_play", "outcome": "record_sales", "mood": "happy"}\n```')
    assert ask(make_client()).value.outcome == "record_sales"


def test_prompt_errors_are_raised_before_anything_is_sent(fake):
    with pytest.raises(PromptError, match="needs variable variables"):
        make_client().structured("infer_question", {"question": "q"}, QuestionOut)
    with pytest.raises(PromptError, match="no prompt template"):
        make_client().structured("nope", {}, QuestionOut)
    assert fake.calls == []


# --- retries and errors ---------------------------------------------------------------------------


def test_transient_failures_are_retried_with_exponential_backoff_and_jitter(fake, delays):
    fake.queue(http_error(429, "slow down"), http_error(503, "overloaded"), timeout_error(), connection_error(),
               GOOD)
    client = make_client(max_retries=4)
    result = ask(client)
    assert result.value.exposure == "radio_play" and result.usage.calls == 5
    expected = RetryPolicy(seed=0)
    assert delays == [expected.delay(n) for n in range(4)]
    assert all(1.0 * 2 ** n <= d < 1.25 * 2 ** n for n, d in enumerate(delays))
    assert [r.status for r in client.sink.records] == ["error"] * 4 + ["ok"]
    assert client.sink.records[2].error == "retry: the request timed out"


def test_retry_after_is_honoured_but_capped(fake, delays):
    fake.queue(http_error(429, "wait", headers={"retry-after": "2"}),
               http_error(429, "wait", headers={"retry-after": "86400"}),
               http_error(503, "wait", headers={"retry-after-ms": "1500"}), GOOD)
    ask(make_client(max_retries=3))
    assert delays == [2.0, 60.0, 1.5]


def test_retries_give_up_with_llm_unavailable_naming_the_endpoint(fake, delays):
    fake.queue(*[connection_error()] * 3)
    with pytest.raises(LLMUnavailableError, match="after 3 attempts: cannot connect") as err:
        ask(make_client(max_retries=2, base_url="http://llm.internal:8000/v1"))
    assert err.value.base_url == "http://llm.internal:8000/v1" and "llm.internal" in str(err.value)
    assert len(delays) == 2 and err.value.code == "llm-unavailable"


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_are_not_retried(fake, delays, status):
    fake.queue(http_error(status, "Incorrect API key provided: sk-abc"), GOOD)
    with pytest.raises(LLMAuthError, match="rejected the API key") as err:
        ask(make_client(max_retries=5))
    assert delays == [] and len(fake.calls) == 1
    assert "sk-abc" not in str(err.value) and err.value.code == "llm-auth"


def test_other_client_errors_are_request_errors_without_fallback_or_retry(fake, delays):
    fake.queue(http_error(400, "This model's maximum context length is 8192 tokens"))
    with pytest.raises(LLMRequestError, match="maximum context length"):
        ask(make_client())
    fake.queue(http_error(429, "You exceeded your current quota, please check your plan and billing details"))
    with pytest.raises(LLMRequestError, match="quota"):
        ask(make_client())
    assert delays == [] and len(fake.calls) == 2


def test_unexpected_exceptions_from_a_model_become_typed_errors(fake):
    fake.queue(RuntimeError("the plugin broke"))
    with pytest.raises(LLMUnavailableError, match="RuntimeError: the plugin broke"):
        ask(make_client())


# --- caching --------------------------------------------------------------------------------------


def test_an_identical_request_is_served_from_the_log_and_marked_cached(fake):
    sink = MemorySink()
    fake.queue(GOOD)
    first = ask(make_client(sink))
    second = ask(make_client(sink))
    assert len(fake.calls) == 1
    assert second.cached and second.value == first.value and second.method == "json_schema"
    assert (second.usage.calls, second.usage.cached_calls, second.usage.total_tokens) == (0, 1, 0)
    hit = sink.records[-1]
    assert hit.cached and hit.status == "cached" and hit.request_hash == sink.records[0].request_hash
    assert hit.total_tokens is None and hit.parsed == sink.records[0].parsed


def test_the_cache_finds_an_answer_given_by_a_later_method_in_a_new_process(fake):
    sink = MemorySink()
    fake.queue(http_error(400, "response_format json_schema unsupported"), tool_call_answer("QuestionOut", GOOD_ARGS))
    ask(make_client(sink))
    from assistant.llm import forget_methods

    forget_methods()   # as if a new process started
    result = ask(make_client(sink))
    assert result.cached and result.method == "function_calling" and len(fake.calls) == 2


def test_a_different_request_is_not_served_from_the_cache(fake):
    sink = MemorySink()
    fake.queue(GOOD, GOOD, GOOD)
    ask(make_client(sink))
    make_client(sink).structured("infer_question", {**VARS, "question": "Other?"}, QuestionOut)
    ask(make_client(sink, temperature=0.7))
    assert len(fake.calls) == 3


def test_invalid_answers_are_never_served_from_the_cache(fake):
    sink = MemorySink()
    fake.queue("garbage", "garbage")
    with pytest.raises(LLMOutputError):
        ask(make_client(sink))
    fake.queue(GOOD)
    assert not ask(make_client(sink)).cached


def test_the_cache_can_be_switched_off_by_argument_or_environment(fake, monkeypatch):
    sink = MemorySink()
    fake.queue(GOOD, GOOD, GOOD)
    ask(make_client(sink))
    assert not ask(make_client(sink, cache=False)).cached
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_PROVIDER", "fake")
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_CACHE", "0")
    client = LLMClient.from_settings(sink=sink)
    assert not client.cache and not ask(client).cached
    assert len(fake.calls) == 3


# --- usage and context ----------------------------------------------------------------------------


def test_token_usage_is_taken_from_what_the_model_reports(fake):
    reported = AIMessage(content=GOOD, usage_metadata={"input_tokens": 120, "output_tokens": 30,
                                                       "total_tokens": 150})
    fake.queue(reported)
    client = make_client()
    result = ask(client)
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (120, 30, 150)
    record = client.sink.records[0]
    assert (record.prompt_tokens, record.completion_tokens, record.total_tokens) == (120, 30, 150)
    assert record.latency_ms >= 0


def test_the_context_and_the_rendered_messages_are_recorded(fake):
    fake.queue(GOOD)
    client = make_client()
    ask(client, context=ExchangeContext(purpose="draft", project="sales", graph_name="main"))
    r = client.sink.records[0]
    assert (r.purpose, r.project, r.graph_name, r.version_id) == ("draft", "sales", "main", None)
    assert (r.provider, r.model, r.template_name, r.template_version) == ("fake", "fake-model", "infer_question", 1)
    assert r.messages[0]["role"] == "system" and "radio airplay" in r.messages[1]["content"]
    assert json.loads(r.raw_response)["exposure"] == "radio_play"


def test_the_client_repr_names_the_endpoint_but_no_key():
    client = LLMClient.from_settings(LLMSettings(base_url="http://u:pw-SECRET@h:1/v1", api_key="sk-SECRET"))
    assert "SECRET" not in repr(client) and "http://h:1/v1" in repr(client)
