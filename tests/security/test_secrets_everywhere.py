"""A planted API key never reaches the database, the logs, the exports, the CLI's output or any error text.

Two distinctive keys are planted: one in ``CAUSAL_ASSISTANT_LLM_API_KEY``, one in the config file's
``[llm] api_key`` (used once the environment's is unset).  A realistic session then runs through the
command line: a dataset is added; drafts are proposed with the fake LLM provider (a success and a 401
that quotes the key) and with the real ``openai`` backend against a local server that answers 401 and
echoes the key; ``llm check``; a critique with ``--llm``; an analysis; every export format; the audit
log; and errors, including a database URL whose password is the key.  Logging is captured at DEBUG.
Then every column of every row of every table (SQLite and PostgreSQL), the SQLite file's raw bytes,
the logs, the exports and every output and error text are scanned for the keys, their base64 and
URL-encoded forms and a fragment of each.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.llm import install_fake, unregister_chat_provider
from assistant.llm.fake import http_error
from assistant.store import Store

KEY_ENV = "sk-live-Q7PLANTEDenv-9f8e7d6c5b4a3210"
KEY_FILE = "sk-live-Q7PLANTEDfile-0a1b2c3d4e5f6789"
DATA = Path(__file__).resolve().parents[2] / "assistant" / "data" / "record_sales.csv"
QUESTION = "Does radio airplay raise record sales?"
FORMATS = ("dowhy", "notebook", "dagitty", "dot", "gml", "json", "networkx")


def leak_patterns(key: str) -> list[str]:
    raw = key.encode()
    return [key, key[8:22], key.lower()[8:22], " ".join(key[8:22]), base64.b64encode(raw).decode()[:24],
            base64.urlsafe_b64encode(raw).decode()[:24], urllib.parse.quote(key), urllib.parse.quote_plus(key),
            key.encode().hex()[:24]]


PATTERNS = leak_patterns(KEY_ENV) + leak_patterns(KEY_FILE) + ["Q7PLANTED"]


def assert_clean(where: str, text: str) -> None:
    for pattern in PATTERNS:
        assert pattern not in text, f"the key leaked into {where} (as {pattern!r}): ...{text[max(0, text.find(pattern) - 150):text.find(pattern) + 80]}..."


class EchoKey401(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that refuses every key and quotes it back, as some servers do, and in the
    other shapes a server's debug output may hold it: cut short, another case, spaced out, base64, hex."""

    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        auth = self.headers.get("authorization", "")
        EchoKey401.seen.append(auth)
        key = auth.removeprefix("Bearer ")
        shapes = (f"{key}; as seen: {key[:-1]}, {key.lower()}, {' '.join(key)}, "
                  f"{base64.b64encode(('user:' + key).encode()).decode()}, {key.encode().hex()}")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {shapes}",
                                     "type": "invalid_request_error", "code": "invalid_api_key"}}).encode()
        # refusals whose text is shown (400, 429, 500) as well as 401, in turn
        self.send_response((401, 400, 429, 500)[(len(EchoKey401.seen) - 1) % 4])
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.do_POST()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoKey401)
    server.daemon_threads = True
    EchoKey401.seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def draft_answer() -> str:
    edges = [("label_marketing_spend", "radio_play"), ("label_marketing_spend", "record_sales_6m"),
             ("tiktok_use", "radio_play"), ("tiktok_use", "record_sales_6m"), ("radio_play", "record_sales_6m")]
    return json.dumps({"inferred_question": None, "notes": [], "confounders": [], "missing_variables": [],
                       "roles": [], "candidates": [{"name": "baseline", "summary": "marketing and tiktok confound",
                                                    "edges": [{"source": a, "target": b, "rationale": "domain",
                                                               "confidence": 0.7} for a, b in edges]}]})


def scan_database(url: str) -> int:
    scanned = 0
    with Store.open(url) as store:
        engine = store.engine
        with engine.connect() as conn:
            for table in sa.inspect(engine).get_table_names():
                for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                    for column, value in row._mapping.items():
                        text = value.decode("utf-8", "replace") if isinstance(value, (bytes, memoryview)) else (
                            json.dumps(value) if isinstance(value, (dict, list)) else str(value))
                        assert_clean(f"{table}.{column}", text)
                        scanned += 1
    return scanned


def test_a_planted_key_appears_nowhere(database_url, tmp_path, monkeypatch, caplog, echo_server):
    caplog.set_level(logging.DEBUG)
    config = tmp_path / "config.toml"
    config.write_text(f'[llm]\napi_key = "{KEY_FILE}"\nmodel = "stub-model"\nmax_retries = 0\n')
    monkeypatch.setenv("CAUSAL_ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_API_KEY", KEY_ENV)
    monkeypatch.setattr("assistant.llm.retry.time.sleep", lambda s: None)
    outputs: list[tuple[str, str]] = []
    runner = CliRunner()

    def run(*args: str, expect: int | None = 0, url: str = database_url) -> str:
        result = runner.invoke(cli, ["--database-url", url, *args])
        text = result.output + (result.stderr if result.stderr_bytes is not None else "")
        outputs.append((" ".join(args), text + "\n" + repr(result.exception)))
        if expect is not None:
            assert result.exit_code == expect, (args, result.exit_code, text)
        return text

    run("project", "create", "sec")
    run("data", "add", str(DATA), "--project", "sec", "--name", "sales")

    # the fake provider: one good draft (saved as a version), then a 401 that quotes the key
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_PROVIDER", "fake")
    install_fake([draft_answer(), http_error(401, f"Incorrect API key provided: {KEY_ENV}")])
    try:
        run("propose", str(DATA), "-q", QUESTION, "--backend", "openai", "--project", "sec", "--graph", "g",
            "-x", "radio_play", "-y", "record_sales_6m", "-k", "1", "--no-cache")
        run("propose", str(DATA), "-q", QUESTION, "--backend", "openai", "-x", "radio_play", "-y", "record_sales_6m",
            "--no-cache", expect=7)
    finally:
        unregister_chat_provider("fake")
    monkeypatch.delenv("CAUSAL_ASSISTANT_LLM_PROVIDER")

    # the real openai backend against a server that answers 401 and echoes the key (env key, then file key)
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_BASE_URL", echo_server)
    for _ in range(2):
        run("propose", str(DATA), "-q", QUESTION, "--backend", "openai", "--project", "sec", "--graph", "g2",
            "-x", "radio_play", "-y", "record_sales_6m", "--no-cache", expect=7)
        run("propose", str(DATA), "-q", QUESTION, "--backend", "hybrid", "-x", "radio_play", "-y", "record_sales_6m",
            "--no-cache", expect=None)
        run("llm", "check", expect=7)
        run("critique", "g", "--project", "sec", "--llm", "--no-cache", expect=None)
        run("llm", "log", "--format", "json", expect=None)
        monkeypatch.delenv("CAUSAL_ASSISTANT_LLM_API_KEY", raising=False)   # the second round uses the config file's key
    assert {a.removeprefix("Bearer ") for a in EchoKey401.seen} == {KEY_ENV, KEY_FILE}  # both were really sent

    # analysis, exports, the audit log, and errors
    run("critique", "g", "--project", "sec", expect=None)
    run("analyze", "g", "--project", "sec", "--data", str(DATA), "--allow-unvalidated", "--refuters", "none",
        "--no-sensitivity", "-x", "radio_play", "-y", "record_sales_6m", "--format", "json")
    exports = []
    for fmt in FORMATS:
        out = tmp_path / f"export.{fmt}"
        run("export", "g", "--project", "sec", "--to", fmt, "-x", "radio_play", "-y", "record_sales_6m",
            "--data", str(DATA), "-o", str(out))
        exports.append((f"the {fmt} export", out.read_text()))
    run("audit", "--format", "json")
    run("graph", "status", "g", "--project", "sec", "--set", "validated", expect=None)   # invalid transition
    run("analyze", "g", "--project", "sec", "--data", str(DATA), "-x", "nope", "-y", "record_sales_6m", expect=None)
    run("project", "list", url=f"postgresql://ana:{KEY_ENV}@127.0.0.1:1/x", expect=4)   # the key as a password
    run("project", "list", url=f"postgresql://ana:{urllib.parse.quote(KEY_FILE)}@127.0.0.1:1/x", expect=4)
    run("project", "list", url=f"postgresql://ana@127.0.0.1:1/x?password={KEY_ENV}", expect=4)   # libpq reads it

    with Store.open(database_url) as store:
        assert store.list_exchanges(limit=100), "the session should have logged LLM exchanges"
        assert len(store.list_analyses("sec", "g")) >= 2 and store.list_critiques("sec", "g")
    scanned = scan_database(database_url)
    assert scanned > 300
    if database_url.startswith("sqlite:///"):
        db_file = Path(database_url.removeprefix("sqlite:///"))
        for path in db_file.parent.glob(db_file.name + "*"):   # the file, its WAL and shared memory
            assert_clean(path.name, path.read_bytes().decode("latin-1"))
    for where, text in outputs:
        assert_clean(f"the output of `{where}`", text)
    for where, text in exports:
        assert_clean(where, text)
    assert caplog.records, "nothing was logged: the scan of the logs would prove nothing"
    assert_clean("the logs", caplog.text)
    for record in caplog.records:
        assert_clean("a log record's arguments", repr(record.args) + str(record.exc_info))
