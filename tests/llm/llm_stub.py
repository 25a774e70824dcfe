"""The scripted OpenAI-ish server's parts and the planted key, shared by the LLM tests (a module of its
own: ``from conftest import`` picks up whichever conftest was imported first when several test folders
run together)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any

PLANTED_KEY = "sk-test-PLANTED-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class StubServer:
    """Answers each request with the next scripted :class:`Reply` (the last one repeats)."""

    url: str
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def script(self, *replies: Reply) -> "StubServer":
        self.replies[:] = list(replies)
        return self


def completion(content: str | None = None, *, tool_args: str | None = None, name: str = "answer",
               usage: tuple[int, int] = (11, 7)) -> dict:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_args is not None:
        message["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": name, "arguments": tool_args}}]
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "stub-model",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}}
