"""What went wrong with a call, and what to do about it: retry, fall back, or give up.

Servers differ in how they say "I do not support that": OpenAI answers 400,
vLLM 400 or 422, llama-cpp-python's server 500 with a request-validation
message.  :func:`classify` looks at the exception type, the HTTP status and
the server's message together:

============================  ===========================================
``retry``                     timeouts, connection errors, 408, 409, 429
                              (unless the quota is exhausted), 5xx
``rejected``                  the structured-output method is not supported:
                              400/422/5xx naming response_format, tools, ...;
                              ``NotImplementedError``; no tool call in a
                              function-calling answer
``auth``                      401, 403
``request``                   any other 4xx (context too long, quota, ...)
``unavailable``               404 (wrong base URL?), non-JSON or malformed
                              bodies, anything else unexpected
============================  ===========================================
"""

from __future__ import annotations

import base64
import email.utils
import json
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Sequence

Kind = Literal["retry", "rejected", "auth", "request", "unavailable"]

_FEATURE = re.compile(
    r"response_format|json_schema|json_object|json[ _]mode|tool_choice|\btools?\b|function[ _]call|"
    r"\bfunctions?\b|grammar|structured[ _]output", re.I)
_REJECTION = re.compile(
    r"not supported|unsupported|does not support|not implemented|validation error|literal_error|input should be|"
    r"invalid|unknown|unrecognized|not allowed|extra_forbidden|unexpected|not permitted", re.I)
_QUOTA = re.compile(r"insufficient_quota|exceeded your current quota|billing", re.I)


class NoToolCallError(Exception):
    """A function-calling answer came back without the forced tool call."""


@dataclass(frozen=True)
class Failure:
    kind: Kind
    message: str
    status: int | None = None
    retry_after: float | None = None


# A server can echo a key in other shapes than verbatim (a truncated "sk-abc...xyz", another case, spaced
# out, base64 or hex in a debug dump). Any run of this many characters of the key, in any case, with up to
# three separator characters between them, is redacted; so are the key's base64 (at each of the three
# alignments inside a longer encoded text) and hex forms.
_WINDOW = 8
_SEPARATORS = r"[\s\-_.:/|,;'\"`]{0,3}"


@lru_cache(maxsize=32)
def _secret_pattern(secret: str) -> re.Pattern[str]:
    shapes: set[str] = set()
    if len(secret) < _WINDOW:
        shapes.add(re.escape(secret))
    else:
        for i in range(len(secret) - _WINDOW + 1):
            shapes.add(_SEPARATORS.join(re.escape(c) for c in secret[i:i + _WINDOW]))
    raw = secret.encode("utf-8")
    for pad in range(3):  # the key's bytes at offset 0, 1 or 2 of a 3-byte group of a longer encoded text
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * pad + raw).decode("ascii")
            # only the characters whose 6 bits all come from the key: the others depend on the bytes around it
            core = encoded[(pad * 8 + 5) // 6:((pad + len(raw)) * 8) // 6]
            if len(core) >= _WINDOW:
                shapes.add(re.escape(core))
    shapes.add(re.escape(raw.hex()))
    return re.compile("|".join(sorted(shapes, key=len, reverse=True)), re.IGNORECASE)


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (API key, URL password) replaced by ``***``, in whatever shape it is echoed."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
            # windows overlap: find every match (a lookahead finds one at each position), merge the spans
            spans: list[list[int]] = []
            for m in re.finditer(f"(?=({_secret_pattern(secret).pattern}))", text, re.IGNORECASE):
                start, end = m.start(1), m.end(1)
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = max(spans[-1][1], end)
                else:
                    spans.append([start, end])
            for start, end in reversed(spans):
                text = text[:start] + "***" + text[end:]
    return text


def _body_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    parts = [getattr(exc, "message", None) or str(exc)]
    if body is not None:
        parts.append(body if isinstance(body, str) else json.dumps(body, default=str))
    return " ".join(parts)


def _said(exc: Any) -> str:
    """The server's message, without the SDK's "Error code: 400 - " prefix."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return re.sub(r"^Error code: \d+( - )?", "", getattr(exc, "message", None) or str(exc)).strip() or "(no message)"


def looks_like_method_rejection(text: str, *, status: int | None) -> bool:
    if not _FEATURE.search(text):
        return False
    if status is not None and status >= 500:
        return bool(_REJECTION.search(text))
    return True


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from ``Retry-After`` (seconds or an HTTP date) or ``retry-after-ms``; None if absent or bad."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
    except Exception:
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _short(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _root_cause(exc: BaseException) -> BaseException | None:
    """The innermost cause of ``exc`` that says something.

    LangChain and the SDK wrap the transport error twice in "Connection error."; the reason a user can act
    on ("[Errno 111] Connection refused", "[Errno 104] Connection reset by peer") is at the bottom.
    """
    found, current, seen = None, exc.__cause__ or exc.__context__, 0
    while current is not None and seen < 10:
        if str(current) and str(current) != "Connection error.":
            found = current
        current, seen = current.__cause__ or current.__context__, seen + 1
    return found


def classify(exc: BaseException) -> Failure:
    """Sort an exception raised by a chat model call (see the module docstring)."""
    try:
        import openai
    except ImportError:  # a plugin provider may not use the OpenAI SDK at all
        openai = None  # type: ignore[assignment]

    if isinstance(exc, NoToolCallError):
        return Failure("rejected", str(exc))
    if isinstance(exc, NotImplementedError):
        return Failure("rejected", f"not implemented by the chat model: {exc}" if str(exc) else
                       "not implemented by the chat model")
    if openai is not None:
        if isinstance(exc, openai.APITimeoutError):
            return Failure("retry", "the request timed out")
        if isinstance(exc, openai.APIConnectionError):
            cause = _root_cause(exc)
            reason = f": {_short(str(cause), 200)}" if cause is not None and str(cause) else ""
            return Failure("retry", f"cannot connect{reason}")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            text = _body_text(exc)
            headers = getattr(getattr(exc, "response", None), "headers", None)
            said = f"HTTP {status}: {_short(_said(exc))}"
            if status in (401, 403):
                return Failure("auth", f"HTTP {status}", status)
            if status == 429:
                if _QUOTA.search(text):
                    return Failure("request", said, status)
                return Failure("retry", said, status, retry_after_seconds(headers))
            if status in (408, 409):
                return Failure("retry", said, status, retry_after_seconds(headers))
            if looks_like_method_rejection(text, status=status) and status in (400, 404, 405, 415, 422, 500, 501):
                return Failure("rejected", said, status)
            if status >= 500:
                return Failure("retry", said, status, retry_after_seconds(headers))
            if status == 404:
                return Failure("unavailable", said, status)
            return Failure("request", said, status)
        if type(exc).__name__ == "ContentFilterFinishReasonError":
            return Failure("request", "the provider's content filter stopped the answer")
        if isinstance(exc, openai.APIResponseValidationError):
            return Failure("unavailable", f"malformed response: {_short(str(exc))}")
    if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError)):
        text = str(exc)
        if looks_like_method_rejection(text, status=500):
            return Failure("rejected", f"the endpoint answered with an error: {_short(text)}")
        return Failure("unavailable", f"the answer is not an OpenAI-compatible chat completion "
                                      f"({type(exc).__name__}: {_short(text, 300)})")
    return Failure("unavailable", f"{type(exc).__name__}: {_short(str(exc), 300)}")
