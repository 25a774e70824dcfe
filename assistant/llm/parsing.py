"""From a model's raw answer to a validated schema instance, or a list of precise errors.

What is tolerated: surrounding whitespace, a markdown code fence, and prose
before or after the JSON (the first complete JSON object is taken).  What is
never done: guessing.  A truncated object stays an error ("the answer ends
before the JSON object is complete"); it is not closed up or patched.

>>> from pydantic import BaseModel
>>> class P(BaseModel):
...     x: int
>>> parse_answer('Sure! ```json\\n{"x": 1}\\n``` Hope that helps.', P).value
P(x=1)
>>> parse_answer('{"x": 1, "y": [', P).errors
['the answer ends before the JSON object is complete (truncated?)']
>>> parse_answer('{"x": "one"}', P).errors
['x: Input should be a valid integer, unable to parse string as an integer']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

MAX_ANSWER_CHARS = 2_000_000
MAX_ERRORS = 20
_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\r?\n(.*?)\r?\n?```", re.S)

T = TypeVar("T", bound=BaseModel)


@dataclass
class Parsed(Generic[T]):
    value: T | None
    data: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value is not None


def extract_json(text: str) -> tuple[Any, str | None]:
    """The first complete JSON object in ``text``, or ``(None, reason)``."""
    if len(text) > MAX_ANSWER_CHARS:
        return None, f"the answer is too long ({len(text)} characters)"
    stripped = text.strip()
    if not stripped:
        return None, "the answer is empty"
    fenced = _FENCE.search(stripped)
    candidates = [fenced.group(1).strip()] if fenced else []
    candidates.append(stripped)
    last_error = "the answer contains no JSON object"
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            pass
        except RecursionError:
            return None, "the JSON is nested too deeply"
        except ValueError:  # an integer of more than 4300 digits
            return None, "a number in the JSON is too long"
        else:
            if isinstance(value, dict):
                return value, None
            last_error = f"the answer is JSON but not an object (it is {_json_type(value)})"
            continue
        start = candidate.find("{")
        if start < 0:
            continue
        try:
            value, _end = json.JSONDecoder().raw_decode(candidate, start)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(candidate.rstrip()) or "Unterminated string" in exc.msg:
                last_error = "the answer ends before the JSON object is complete (truncated?)"
            else:
                last_error = f"invalid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            continue
        except RecursionError:
            return None, "the JSON is nested too deeply"
        except ValueError:
            return None, "a number in the JSON is too long"
        if isinstance(value, dict):
            return value, None
    return None, last_error


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def validation_errors(exc: ValidationError) -> list[str]:
    """``path: message`` for each problem (never the offending input, which may be huge)."""
    out = []
    for err in exc.errors(include_input=False, include_url=False)[:MAX_ERRORS]:
        path = ".".join(str(p) for p in err["loc"])
        out.append(f"{path}: {err['msg']}" if path else err["msg"])
    if exc.error_count() > MAX_ERRORS:
        out.append(f"... and {exc.error_count() - MAX_ERRORS} more errors")
    return out


def validate_data(data: Any, schema: type[T]) -> Parsed[T]:
    try:
        return Parsed(schema.model_validate(data), data)
    except ValidationError as exc:
        return Parsed(None, data, validation_errors(exc))


def parse_answer(text: str, schema: type[T]) -> Parsed[T]:
    """Extract and validate; ``errors`` says exactly what is wrong when ``value`` is None."""
    data, problem = extract_json(text)
    if problem is not None:
        return Parsed(None, None, [problem])
    return validate_data(data, schema)
