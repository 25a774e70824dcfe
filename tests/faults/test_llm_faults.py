"""LLM endpoint faults from a real faulty HTTP server on 127.0.0.1 (``faulty_llm_server.py``), through the real
client (LangChain's ChatOpenAI and the OpenAI SDK, on the wire) and the real ``causal-assistant`` command.

What is proved: transient faults (a server slower than the timeout, 429 with Retry-After, 500, a connection
reset mid-response) are retried with growing delays, visible at the server; faults that retrying cannot fix
(a garbage or truncated body) are not retried; every failure is one typed error naming the endpoint without
its credentials; the CLI exits 7 and says the offline assistant is still there, and it is.
"""

from __future__ import annotations

import json

import pytest
from faulty_llm_server import FaultyLLMServer
from faults_helpers import REPO, cli

from assistant.errors import EXIT_LLM, EXIT_OK, LLMUnavailableError
from assistant.llm import LLMClient, LLMSettings
from assistant.llm.schemas import CheckOut, QuestionOut
from assistant.store import Store

KEY = "sk-test-FAULTS-4711"
URL_PASSWORD = "pw-FAULTS-0815"
CHECK = '{"ok": true, "word": "causal"}'
QUESTION = '{"exposure": "radio_play", "outcome": "record_sales_6m"}'
DRAFT = json.dumps({"candidates": [{"name": "llm", "summary": "airplay sells records", "edges": [
    {"source": "radio_play", "target": "record_sales_6m", "rationale": "airplay sells records", "confidence": 0.8},
    {"source": "label_marketing_spend", "target": "radio_play", "rationale": "labels buy airplay"},
    {"source": "label_marketing_spend", "target": "record_sales_6m", "rationale": "ads sell records"}]}]})
ANSWERS = {"CheckOut": CHECK, "QuestionOut": QUESTION, "DraftOutput": DRAFT}
TIMEOUT_S = 0.4
DELAY_S = 0.05   # retry_delay_s: backoff 0.05, 0.1, 0.2, 0.4 s (x jitter in [1, 1.25))
DATA = REPO / "assistant" / "data" / "record_sales.csv"
VARIABLES = REPO / "assistant" / "data" / "record_sales_variables.yaml"


pytestmark = pytest.mark.usefixtures("clean_llm_env")


@pytest.fixture
def server():
    with FaultyLLMServer(["good"], answers=ANSWERS, sleep_s=TIMEOUT_S * 4, retry_after="0.3") as s:
        yield s


def secret_url(server: FaultyLLMServer) -> str:
    """The base URL with credentials in it, which must never be shown."""
    return server.url.replace("http://", f"http://user:{URL_PASSWORD}@")


def client_for(server: FaultyLLMServer, max_retries: int = 4) -> LLMClient:
    return LLMClient.from_settings(LLMSettings(base_url=secret_url(server), api_key=KEY, model="faulty",
                                               timeout_s=TIMEOUT_S, max_retries=max_retries,
                                               retry_delay_s=DELAY_S, cache=False))


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert KEY not in text and URL_PASSWORD not in text, text


def test_transient_faults_are_retried_with_backoff_until_a_good_answer(server):
    server.script("sleep", "429", "500", "reset", "good")
    client = client_for(server)
    result = client.structured("check", {"word": "causal"}, CheckOut)

    assert result.value.word == "causal" and result.usage.calls == 5
    assert server.behaviours == ["sleep", "429", "500", "reset", "good"]
    gaps = server.gaps()
    # after the timeout: the timeout itself plus the first backoff (0.05 s)
    assert gaps[0] >= TIMEOUT_S + DELAY_S - 0.02
    # after the 429: the server's Retry-After (0.3 s) replaces the computed backoff
    assert 0.3 <= gaps[1] < 1.5
    # after the 500 and the reset: exponential backoff, 0.05 * 2**2 and 0.05 * 2**3
    assert gaps[2] >= DELAY_S * 4 and gaps[3] >= DELAY_S * 8 and gaps[3] > gaps[2]
    errors = [r.error for r in client.sink.records]
    assert errors[:4] == ["retry: the request timed out", errors[1], errors[2], errors[3]]
    assert errors[1].startswith("retry: HTTP 429") and errors[2].startswith("retry: HTTP 500")
    assert errors[3] == "retry: cannot connect: [Errno 104] Connection reset by peer" and errors[4] is None
    assert_no_secret(*(json.dumps(r.model_dump(mode="json")) for r in client.sink.records))


@pytest.mark.parametrize("behaviour, attempts, says", [
    ("sleep", 3, "timed out"),
    ("429", 3, "HTTP 429"),
    ("500", 3, "HTTP 500"),
    ("reset", 3, "cannot connect: [Errno 104] Connection reset by peer"),
    # Not retried: a web page or half a JSON object in a 200 answer is a wrong URL or a broken proxy,
    # which the same request a second later will not fix.
    ("garbage", 1, "not an OpenAI-compatible chat completion"),
    ("truncated", 1, "did not answer usably"),
])
def test_a_persistent_fault_is_one_typed_error_naming_the_endpoint(server, behaviour, attempts, says):
    server.script(behaviour)
    server.retry_after = "0.01"
    client = client_for(server, max_retries=2)
    with pytest.raises(LLMUnavailableError) as info:
        client.structured("check", {"word": "causal"}, CheckOut)
    err = info.value
    assert len(server.requests) == attempts
    assert server.url in str(err) and err.base_url == server.url and says in str(err), str(err)
    if attempts > 1:
        assert f"after {attempts} attempts" in str(err)
    assert err.hint
    assert_no_secret(str(err), repr(err), json.dumps(err.as_dict()),
                     *(json.dumps(r.model_dump(mode="json")) for r in client.sink.records))
    assert len(client.sink.records) == attempts and all(r.error for r in client.sink.records)

    # The endpoint recovers: the same client answers the next request (nothing is poisoned).
    server.script("good")
    assert client.structured("check", {"word": "causal"}, CheckOut).value.ok is True


def test_garbage_then_truncated_then_good_over_three_requests(server):
    server.script("garbage", "truncated", "good")
    client = client_for(server)
    for _ in range(2):
        with pytest.raises(LLMUnavailableError):
            client.structured("infer_question", {"question": "Does airplay sell records?",
                                                 "variables": ["radio_play", "record_sales_6m"]}, QuestionOut)
    result = client.structured("infer_question", {"question": "Does airplay sell records?",
                                                  "variables": ["radio_play", "record_sales_6m"]}, QuestionOut)
    assert result.value.exposure == "radio_play"
    assert server.behaviours == ["garbage", "truncated", "good"]


# --- the real command line ------------------------------------------------------------------------


def llm_env(server: FaultyLLMServer, **extra: str) -> dict[str, str]:
    return {"CAUSAL_ASSISTANT_LLM_BASE_URL": secret_url(server), "CAUSAL_ASSISTANT_LLM_API_KEY": KEY,
            "CAUSAL_ASSISTANT_LLM_MODEL": "faulty", "CAUSAL_ASSISTANT_LLM_TIMEOUT_S": str(TIMEOUT_S),
            "CAUSAL_ASSISTANT_LLM_MAX_RETRIES": "2", "CAUSAL_ASSISTANT_LLM_RETRY_DELAY_S": str(DELAY_S),
            "CAUSAL_ASSISTANT_LLM_CACHE": "0", **extra}


def propose(db: str, backend: str, env: dict[str, str] | None = None):
    return cli("propose", str(DATA), "-q", "Does radio airplay raise record sales?", "-x", "radio_play",
               "-y", "record_sales_6m", "--variables", str(VARIABLES), "--backend", backend, "-k", "1",
               db=db, env=env)


def test_cli_llm_check_down_endpoint_exits_7_naming_it_and_offers_the_offline_assistant(server, sqlite_url):
    server.script("500", "reset", "500")
    res = cli("llm", "check", db=sqlite_url, env=llm_env(server))
    assert res.exit_code == EXIT_LLM, (res.stdout, res.stderr)
    assert f"error[llm-unavailable]: cannot use the LLM endpoint {server.url} after 3 attempts" in res.stderr
    assert "the offline assistant works without an LLM" in res.stderr
    assert_no_secret(res.stdout, res.stderr)
    assert server.behaviours == ["500", "reset", "500"]
    # every attempt is in the exchange log, without the credentials
    with Store.open(sqlite_url) as store:
        rows = store.list_exchanges()
    assert [r.error.split(":")[0] for r in rows] == ["retry"] * 3
    assert all(r.base_url == server.url for r in rows)
    assert_no_secret(*(json.dumps(r.model_dump(mode="json")) for r in rows))


def test_cli_llm_check_rides_out_transient_faults(server, sqlite_url):
    server.script("429", "reset", "good")
    server.retry_after = "0.05"
    res = cli("llm", "check", "--format", "json", db=sqlite_url, env=llm_env(server))
    assert res.exit_code == EXIT_OK, res.stderr
    report = json.loads(res.stdout)
    assert report["calls"] == 3 and report["answer_valid"] and len(report["exchange_ids"]) == 3
    assert server.behaviours == ["429", "reset", "good"]


def test_cli_propose_openai_fails_cleanly_and_offline_still_works(server, sqlite_url):
    server.script("sleep")
    res = propose(sqlite_url, "openai", llm_env(server))
    assert res.exit_code == EXIT_LLM, (res.stdout, res.stderr)
    assert f"cannot use the LLM endpoint {server.url} after 3 attempts: the request timed out" in res.stderr
    assert "use --backend offline" in res.stderr
    assert "Traceback" not in res.stderr
    assert_no_secret(res.stdout, res.stderr)
    assert len(server.requests) == 3

    # the offline assistant, same store, endpoint still down (and still configured)
    offline = propose(sqlite_url, "offline", llm_env(server))
    assert offline.exit_code == EXIT_OK, offline.stderr
    assert "backend: offline" in offline.stdout and "Candidate 1" in offline.stdout
    assert len(server.requests) == 3   # the offline assistant never called the endpoint
