"""``causal-assistant llm log`` and ``llm check``, driven with the fake model through the registry, asserting
on the rows in the database."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from assistant.cli.llm_commands import llm
from assistant.cli.main import cli
from assistant.errors import EXIT_LLM, EXIT_NOT_FOUND, EXIT_OK
from assistant.llm.fake import http_error, tool_call_answer
from assistant.store import Store

CHECK = '{"ok": true, "word": "causal"}'


@pytest.fixture
def app() -> click.Group:
    """The real CLI with the llm group (registered here until main.py registers it)."""
    if "llm" not in cli.commands:
        cli.add_command(llm)
    return cli


def run(app, db: str, *args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, ["--database-url", db, *args], env=env, catch_exceptions=False)
    return result


@pytest.fixture
def fake_env(monkeypatch, fake):
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_PROVIDER", "fake")
    return fake


def test_llm_check_reports_the_method_tokens_and_latency_and_logs_the_exchange(app, sqlite_url, fake_env):
    fake_env.queue(http_error(400, "json_schema response_format not supported"),
                   tool_call_answer("CheckOut", {"ok": True, "word": "causal"}),
                   tool_call_answer("CheckOut", {"ok": True, "word": "causal"}))
    res = run(app, sqlite_url, "llm", "check")
    assert res.exit_code == EXIT_OK, res.output
    assert "structured output via function_calling" in res.stdout and "tokens:" in res.stdout
    res = run(app, sqlite_url, "llm", "check", "--format", "json")   # the method is remembered now
    report = json.loads(res.stdout)
    assert report["method"] == "function_calling" and report["calls"] == 1 and report["total_tokens"] > 0
    with Store.open(sqlite_url) as store:
        rows = store.list_exchanges()
    assert [(r.template_name, r.method, r.status) for r in rows] == [
        ("check", "function_calling", "ok"), ("check", "function_calling", "ok"), ("check", "json_schema", "error")]


def test_llm_check_never_uses_the_cache(app, sqlite_url, fake_env):
    fake_env.queue(CHECK, CHECK)
    run(app, sqlite_url, "llm", "check")
    run(app, sqlite_url, "llm", "check")
    assert len(fake_env.calls) == 2


def test_llm_check_without_configuration_is_a_clear_error(app, sqlite_url):
    res = run(app, sqlite_url, "llm", "check")
    assert res.exit_code == EXIT_LLM
    assert "error[llm-not-configured]: no LLM endpoint is configured" in res.stderr
    assert "CAUSAL_ASSISTANT_LLM_BASE_URL" in res.stderr


def test_llm_check_with_a_rejected_key_says_so(app, sqlite_url, fake_env):
    fake_env.queue(http_error(401, "invalid key"))
    res = run(app, sqlite_url, "llm", "check", "--format", "json")
    assert res.exit_code == EXIT_LLM
    assert json.loads(res.stderr)["error"]["code"] == "llm-auth"


def test_llm_log_lists_one_line_per_exchange_and_filters(app, sqlite_url, fake_env):
    fake_env.queue(CHECK, "not json", '{"ok": "maybe"}')
    run(app, sqlite_url, "llm", "check")
    assert run(app, sqlite_url, "llm", "check").exit_code == EXIT_LLM   # invalid, then invalid after repair
    res = run(app, sqlite_url, "llm", "log")
    lines = res.stdout.strip().splitlines()
    assert lines[0].split() == ["id", "time", "(UTC)", "template", "model", "method", "tokens", "latency", "status"]
    assert len(lines) == 2 + 3
    assert "repair_output@1" in lines[2] and "error (invalid output)" not in lines[2]
    assert lines[2].rstrip().endswith("error") and lines[4].rstrip().endswith("ok")
    assert "check@1" in lines[4] and "fake-model" in lines[4] and "json_schema" in lines[4]
    only = json.loads(run(app, sqlite_url, "llm", "log", "--template", "repair_output", "--format", "json").stdout)
    assert [r["template_name"] for r in only] == ["repair_output"]
    assert json.loads(run(app, sqlite_url, "llm", "log", "--project", "nope", "--format", "json").stdout) == []
    assert len(json.loads(run(app, sqlite_url, "llm", "log", "--limit", "1", "--format", "json").stdout)) == 1


def test_llm_log_show_prints_messages_raw_answer_and_parsed_result_or_error(app, sqlite_url, fake_env):
    fake_env.queue(CHECK, "not json", "still not json")
    run(app, sqlite_url, "llm", "check")
    run(app, sqlite_url, "llm", "check")
    ok = run(app, sqlite_url, "llm", "log", "--show", "1").stdout
    assert "--- system ---" in ok and '<data name="word">' in ok
    assert "--- raw response ---\n" + CHECK in ok and '--- parsed ---\n{\n  "ok": true' in ok
    bad = run(app, sqlite_url, "llm", "log", "--show", "3").stdout
    assert "--- error ---\ninvalid output: the answer contains no JSON object" in bad
    shown = json.loads(run(app, sqlite_url, "llm", "log", "--show", "3", "--format", "json").stdout)
    assert shown["id"] == 3 and shown["template_name"] == "repair_output"


def test_llm_log_on_an_empty_database_and_an_unknown_id(app, sqlite_url):
    assert run(app, sqlite_url, "llm", "log").stdout.strip() == "no LLM exchanges logged"
    res = run(app, sqlite_url, "llm", "log", "--show", "42")
    assert res.exit_code == EXIT_NOT_FOUND and "no LLM exchange with id 42" in res.stderr
