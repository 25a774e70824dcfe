"""The structured-output methods, tried in this order because servers differ:

1. ``json_schema``: ``response_format={"type": "json_schema", "json_schema":
   {"name", "schema", "strict": false}}``; the answer is the message content.
   OpenAI, vLLM, recent llama.cpp ``llama-server``, LM Studio.
2. ``function_calling``: one tool whose parameters are the schema, forced with
   ``tool_choice``; the answer is the tool call's arguments.  Most servers
   with tool support, including llama-cpp-python's server (which constrains
   the arguments with a grammar built from the schema).
3. ``json_object``: the schema written into the system message, and sent as
   ``response_format={"type": "json_object", "schema": ...}`` — the form
   llama-cpp-python's server uses to constrain the output.  Servers that
   refuse the extra ``schema`` key get a last variant, plain
   ``{"type": "json_object"}`` (schema in the prompt only).  Both are logged
   as method ``json_object``.

Strict mode is off (``"strict": false``) because OpenAI's strict mode refuses
schemas with optional fields and defaults, which ours use.

The schema sent to the server is the pydantic schema without ``maxLength``
and ``maxItems``: llama.cpp turns each bound into a grammar with that many
nested optional repetitions, and a ``maxLength`` of a few thousand makes its
server fail to build the grammar and die.  The bounds are still enforced, by
validating every answer against the pydantic model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel

from assistant.llm.failures import NoToolCallError

Method = Literal["json_schema", "function_calling", "json_object"]
METHODS: tuple[Method, ...] = ("json_schema", "function_calling", "json_object")


@dataclass(frozen=True)
class Strategy:
    method: Method
    variant: str = ""

    @property
    def label(self) -> str:
        return f"{self.method}({self.variant})" if self.variant else self.method


STRATEGIES: tuple[Strategy, ...] = (
    Strategy("json_schema"),
    Strategy("function_calling"),
    Strategy("json_object", "schema"),
    Strategy("json_object", "plain"),
)


def schema_name(schema: type[BaseModel]) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", schema.__name__)[:64] or "answer"


_WIRE_DROPPED = frozenset({"maxLength", "maxItems"})


def json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema sent to the server (bounds that grammars cannot afford removed; see above)."""
    return _drop_bounds(schema.model_json_schema())


def _drop_bounds(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_bounds(v) for k, v in node.items() if k not in _WIRE_DROPPED}
    if isinstance(node, list):
        return [_drop_bounds(v) for v in node]
    return node


def schema_instruction(schema: type[BaseModel]) -> str:
    return ("Answer with exactly one JSON object and nothing else (no markdown, no prose). "
            "It must validate against this JSON Schema:\n"
            + json.dumps(json_schema(schema), ensure_ascii=False, separators=(",", ":")))


def final_messages(strategy: Strategy, messages: list[dict[str, str]],
                   schema: type[BaseModel]) -> list[dict[str, str]]:
    """The messages as sent: for ``json_object`` the schema is appended to the first system message."""
    if strategy.method != "json_object":
        return [dict(m) for m in messages]
    out = [dict(m) for m in messages]
    for m in out:
        if m["role"] == "system":
            m["content"] = m["content"].rstrip() + "\n\n" + schema_instruction(schema)
            return out
    return [{"role": "system", "content": schema_instruction(schema)}] + out


def to_langchain(messages: list[dict[str, str]]) -> list[BaseMessage]:
    classes = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [classes[m["role"]](content=m["content"]) for m in messages]


def bind(strategy: Strategy, chat_model: BaseChatModel, schema: type[BaseModel]) -> Runnable[Any, Any]:
    """The chat model with the method's request options bound (may raise NotImplementedError)."""
    name = schema_name(schema)
    if strategy.method == "json_schema":
        return chat_model.bind(response_format={
            "type": "json_schema", "json_schema": {"name": name, "schema": json_schema(schema), "strict": False}})
    if strategy.method == "function_calling":
        tool = {"type": "function", "function": {
            "name": name, "description": f"Return the answer as {name}.", "parameters": json_schema(schema)}}
        return chat_model.bind_tools([tool], tool_choice=name)
    if strategy.variant == "schema":
        return chat_model.bind(response_format={"type": "json_object", "schema": json_schema(schema)})
    return chat_model.bind(response_format={"type": "json_object"})


def request_fields(strategy: Strategy, schema: type[BaseModel]) -> dict[str, Any]:
    """What the method adds to the request (part of the cache key)."""
    return {"method": strategy.method, "variant": strategy.variant, "schema": json_schema(schema),
            "schema_name": schema_name(schema)}


def answer_text(strategy: Strategy, message: Any, schema: type[BaseModel]) -> str:
    """The raw answer: message content, or the forced tool call's arguments (exactly as the server sent them)."""
    if not isinstance(message, AIMessage):
        return str(getattr(message, "content", message))
    if strategy.method != "function_calling":
        return content_text(message.content)
    name = schema_name(schema)
    raw_calls = message.additional_kwargs.get("tool_calls") or []
    for call in raw_calls:
        fn = call.get("function") or {}
        if fn.get("name") == name and isinstance(fn.get("arguments"), str):
            return fn["arguments"]
    for call in message.tool_calls:
        if call.get("name") == name:
            return json.dumps(call.get("args", {}), ensure_ascii=False)
    for bad in message.invalid_tool_calls:
        if bad.get("name") in (name, None) and isinstance(bad.get("args"), str):
            return bad["args"]
    if message.tool_calls:
        return json.dumps(message.tool_calls[0].get("args", {}), ensure_ascii=False)
    content = content_text(message.content)
    raise NoToolCallError("the function-calling answer has no tool call"
                          + (f" (it answered with text: {content[:200]!r})" if content else ""))


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content
                       if isinstance(part, (str, dict)))
    return "" if content is None else str(content)


def cut_off_answer(exc: BaseException) -> AIMessage | None:
    """The answer inside the OpenAI SDK's ``LengthFinishReasonError`` (None for any other exception).

    With a ``response_format`` the SDK raises instead of returning when the
    answer hit ``max_tokens``.  That is still an answer — a truncated one —
    so it goes on to validation (and the one repair) like any other.
    """
    completion = getattr(exc, "completion", None)
    if type(exc).__name__ != "LengthFinishReasonError" or completion is None:
        return None
    try:
        choice = completion.choices[0]
        content = choice.message.content or ""
        usage = completion.usage
    except (AttributeError, IndexError):
        return None
    meta: dict[str, Any] = {"finish_reason": "length"}
    message = AIMessage(content=content, response_metadata=meta)
    if usage is not None:
        message.usage_metadata = {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens,
                                  "total_tokens": usage.total_tokens}
    return message
