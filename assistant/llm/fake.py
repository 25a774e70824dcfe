"""A fake chat model for tests and demos: a queue of canned answers, every call recorded.

It is an ordinary LangChain chat model, so it goes through the real registry
and the real client code — nothing anywhere checks for it::

    fake = install_fake(['{"exposure": "x", "outcome": "y"}'])   # registers provider "fake"
    client = LLMClient.from_settings(LLMSettings(provider="fake"))

Each answer in the queue is one of

* a string: the message ``content``;
* an :class:`~langchain_core.messages.AIMessage` (for instance with ``tool_calls``);
* an exception (instance): raised instead of answering, e.g.
  ``http_error(400, "response_format json_schema is not supported")`` or
  ``openai.APITimeoutError(...)``;
* a callable ``(messages, kwargs) -> any of the above``.

Every call is kept in :attr:`FakeChatModel.calls` (messages and keyword
arguments such as ``response_format``, ``tools`` and ``tool_choice``), and each
answer reports ``usage_metadata`` like a real server would (token counts
estimated from text length, about four characters a token).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from assistant.llm.registry import register_chat_provider

FAKE_PROVIDER = "fake"


@dataclass
class FakeCall:
    """One call the fake received."""

    messages: list[BaseMessage]
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """Which structured-output method the call used (as the client sends it)."""
        fmt = self.kwargs.get("response_format")
        if isinstance(fmt, dict):
            return str(fmt.get("type"))
        return "function_calling" if self.kwargs.get("tools") else "plain"

    @property
    def text(self) -> str:
        return "\n".join(str(m.content) for m in self.messages)


def estimate_tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4) if text else 0


class FakeChatModel(BaseChatModel):
    """Answers from :attr:`answers`, in order; raises ``AssertionError`` when they run out."""

    answers: list[Any] = Field(default_factory=list)
    calls: list[FakeCall] = Field(default_factory=list)
    model_name: str = "fake-model"

    @property
    def _llm_type(self) -> str:
        return "fake"

    def queue(self, *answers: Any) -> "FakeChatModel":
        self.answers.extend(answers)
        return self

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self.calls.append(FakeCall(messages=list(messages), kwargs=dict(kwargs)))
        if not self.answers:
            raise AssertionError(f"FakeChatModel has no canned answer left for call {len(self.calls)}")
        answer = self.answers.pop(0)
        if callable(answer) and not isinstance(answer, BaseException):
            answer = answer(list(messages), dict(kwargs))
        if isinstance(answer, BaseException):
            raise answer
        message = AIMessage(content=answer) if isinstance(answer, str) else answer.model_copy()
        prompt_tokens = sum(estimate_tokens(str(m.content)) for m in messages)
        completion_tokens = estimate_tokens(_answer_text(message))
        usage = {"input_tokens": prompt_tokens, "output_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        message.usage_metadata = message.usage_metadata or usage  # type: ignore[assignment]
        token_usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                       "total_tokens": prompt_tokens + completion_tokens}
        message.response_metadata = {**message.response_metadata, "token_usage": token_usage,
                                     "model_name": self.model_name}
        return ChatResult(generations=[ChatGeneration(message=message)],
                          llm_output={"token_usage": token_usage, "model_name": self.model_name})

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None,
                   **kwargs: Any) -> Runnable[Any, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        if isinstance(tool_choice, str) and tool_choice not in ("auto", "none", "required", "any"):
            tool_choice = {"type": "function", "function": {"name": tool_choice}}
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)


def _answer_text(message: AIMessage) -> str:
    text = str(message.content or "")
    for call in message.tool_calls:
        text += json.dumps(call.get("args", {}))
    return text


def tool_call_answer(name: str, args: dict[str, Any]) -> AIMessage:
    """An answer that calls the tool ``name`` with ``args`` (what function calling returns)."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": "call_1", "type": "tool_call"}])


def install_fake(answers: Sequence[Any] = (), *, name: str = FAKE_PROVIDER,
                 model_name: str = "fake-model") -> FakeChatModel:
    """Create a :class:`FakeChatModel` and register it as provider ``name`` through the real registry."""
    fake = FakeChatModel(answers=list(answers), model_name=model_name)
    register_chat_provider(name, lambda settings: fake)
    return fake


def http_error(status: int, message: str, *, headers: dict[str, str] | None = None,
               url: str = "http://fake.invalid/v1/chat/completions") -> Exception:
    """The exception the OpenAI SDK raises for an HTTP ``status`` answer with ``message`` in its body."""
    import httpx2
    import openai

    classes: dict[int, type[openai.APIStatusError]] = {
        400: openai.BadRequestError, 401: openai.AuthenticationError, 403: openai.PermissionDeniedError,
        404: openai.NotFoundError, 409: openai.ConflictError, 422: openai.UnprocessableEntityError,
        429: openai.RateLimitError,
    }
    cls = classes.get(status, openai.InternalServerError if status >= 500 else openai.APIStatusError)
    body = {"error": {"message": message, "type": "fake", "code": None}}
    request = httpx2.Request("POST", url)
    response = httpx2.Response(status, headers=headers or {}, json=body, request=request)
    return cls(f"Error code: {status} - {body}", response=response, body=body["error"])


def timeout_error(url: str = "http://fake.invalid/v1/chat/completions") -> Exception:
    import httpx2
    import openai

    return openai.APITimeoutError(request=httpx2.Request("POST", url))


def connection_error(url: str = "http://fake.invalid/v1/chat/completions") -> Exception:
    import httpx2
    import openai

    return openai.APIConnectionError(request=httpx2.Request("POST", url))


FakeAnswer = str | AIMessage | BaseException | Callable[[list[BaseMessage], dict[str, Any]], Any]
