"""A faulty OpenAI-compatible endpoint on 127.0.0.1: ``/v1/chat/completions`` with scripted misbehaviour.

Each request takes the next behaviour of the script (the last one repeats):

=============  ================================================================================
``sleep``      wait ``sleep_s`` (longer than the client's timeout), then answer well, too late
``429``        HTTP 429 rate limited, with ``Retry-After: <retry_after>``
``500``        HTTP 500 with an OpenAI-style error body
``reset``      status line, headers and half the body, then the socket is closed with an RST
``garbage``    HTTP 200 with an HTML page instead of JSON
``truncated``  HTTP 200, ``application/json``, a body cut off mid-object (with a matching length)
``good``       a valid chat completion whose content is the answer for the requested schema
=============  ================================================================================

The good answer is picked by the schema the client asks for (the ``json_schema`` name or the forced tool's
name), from ``answers``.  Every request is recorded with its arrival time, so tests see the retries and
the backoff between them at the server.

    server = FaultyLLMServer(["500", "reset", "good"], answers={"CheckOut": '{"ok": true, "word": "causal"}'})
    with server:
        ... LLMSettings(base_url=server.url) ...
        assert server.behaviours == ["500", "reset", "good"]
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = ("sleep", "429", "500", "reset", "garbage", "truncated", "good")


@dataclass
class Request:
    at: float              # time.monotonic() on arrival
    behaviour: str
    path: str
    headers: dict[str, str]
    body: Any


def completion(content: str, *, tool: str | None = None) -> dict:
    message: dict[str, Any] = {"role": "assistant", "content": None if tool else content}
    if tool:
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {"name": tool, "arguments": content}}]
    return {"id": "chatcmpl-faulty", "object": "chat.completion", "created": int(time.time()), "model": "faulty",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


class FaultyLLMServer:
    def __init__(self, script: list[str] | tuple[str, ...] = ("good",), *, answers: dict[str, str] | None = None,
                 sleep_s: float = 2.0, retry_after: str = "0.2"):
        self.script(*script)
        self.answers = dict(answers or {})
        self.sleep_s = sleep_s
        self.retry_after = retry_after
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread: threading.Thread | None = None

    # --- control -----------------------------------------------------------

    def script(self, *behaviours: str) -> "FaultyLLMServer":
        unknown = [b for b in behaviours if b not in BEHAVIOURS]
        if unknown or not behaviours:
            raise ValueError(f"unknown behaviours {unknown}; known: {BEHAVIOURS}")
        self._script = list(behaviours)
        return self

    @property
    def behaviours(self) -> list[str]:
        return [r.behaviour for r in self.requests]

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests' arrivals."""
        times = [r.at for r in self.requests]
        return [b - a for a, b in zip(times, times[1:])]

    def __enter__(self) -> "FaultyLLMServer":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()           # wakes up any "sleep" handler
        self._server.shutdown()
        self._server.server_close()

    # --- the handler -------------------------------------------------------

    def _next(self) -> str:
        with self._lock:
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    def _answer_for(self, body: Any) -> tuple[str, str | None]:
        """(content, tool name or None) of the good answer to this request."""
        name, tool = None, None
        if isinstance(body, dict):
            fmt = body.get("response_format") or {}
            if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
                name = fmt["json_schema"].get("name")
            tools = body.get("tools") or []
            if tools:
                name = tool = tools[0].get("function", {}).get("name")
        return self.answers.get(name or "", self.answers.get("*", "{}")), tool

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] = {}) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                behaviour = server._next() if self.path.endswith("/chat/completions") else "404"
                with server._lock:
                    server.requests.append(Request(time.monotonic(), behaviour, self.path,
                                                   {k.lower(): v for k, v in self.headers.items()}, body))
                content, tool = server._answer_for(body)
                good = json.dumps(completion(content, tool=tool)).encode()
                try:
                    if behaviour == "404":
                        self._send(404, b'{"error": {"message": "not found"}}', "application/json")
                    elif behaviour == "sleep":
                        server._stop.wait(server.sleep_s)    # not time.sleep: tests may patch it
                        self._send(200, good, "application/json")
                    elif behaviour == "429":
                        self._send(429, b'{"error": {"message": "Rate limit reached, slow down", '
                                        b'"type": "rate_limit_error"}}', "application/json",
                                   {"retry-after": server.retry_after})
                    elif behaviour == "500":
                        self._send(500, b'{"error": {"message": "The server had an error while processing '
                                        b'your request", "type": "server_error"}}', "application/json")
                    elif behaviour == "reset":
                        self.send_response(200)
                        self.send_header("content-type", "application/json")
                        self.send_header("content-length", str(len(good)))
                        self.end_headers()
                        self.wfile.write(good[: len(good) // 2])
                        self.wfile.flush()
                        # SO_LINGER 0: close() sends an RST, not a FIN: "connection reset by peer".
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.connection.close()
                        self.close_connection = True
                    elif behaviour == "garbage":
                        self._send(200, b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", "text/html")
                    elif behaviour == "truncated":
                        cut = good[: len(good) * 2 // 3]
                        self._send(200, cut, "application/json")
                    else:
                        self._send(200, good, "application/json")
                except (BrokenPipeError, ConnectionResetError, OSError):   # the client gave up first
                    self.close_connection = True

        return Handler
