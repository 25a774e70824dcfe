"""Refuse text no database column can hold, at the one door every caller goes through.

PostgreSQL text cannot hold a NUL character, and a lone surrogate (what undecodable
bytes become in Python, or a ``"\\udcff"`` escape) cannot be encoded as UTF-8 for
either backend.  The CLI refuses such arguments up front, but the UI, the service
layer and library callers reach :class:`~assistant.store.Store` directly; without
this check the driver would fail with an untyped error from deep inside a
transaction (``ValueError: A string literal cannot contain NUL``, a
``UnicodeEncodeError``).  Checked here, the caller gets an :class:`InvalidTextError`
naming the argument, and nothing is written.

Only plain text and containers of it (dicts, lists, tuples) are walked: pydantic
models (graphs, reports, results) validate their own fields, and JSON columns store
NUL and control characters as ``\\u0000`` escapes, which both backends accept.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from typing import Any, Callable, Mapping

from assistant.errors import InvalidTextError

# Deep enough for any spec or result dict the store is given; deeper nesting is not walked (it is
# serialised as JSON, with escapes, by the column type).
_MAX_DEPTH = 12


def problem_in(text: str) -> str | None:
    """What makes ``text`` unstorable, in words, or None."""
    if "\x00" in text:
        return f"contains a NUL character at position {text.index(chr(0))}"
    for i, c in enumerate(text):
        if "\ud800" <= c <= "\udfff":
            return f"contains the lone surrogate {c!r} at position {i} (it is not valid Unicode text)"
    return None


def check_text(value: Any, *, what: str, depth: int = 0) -> None:
    """Raise :class:`InvalidTextError` if ``value`` (text, or text inside dicts and lists) cannot be stored."""
    if isinstance(value, str):
        problem = problem_in(value)
        if problem is not None:
            raise InvalidTextError(f"{what} {problem}", hint="remove the character, or re-save the text as UTF-8")
    elif depth < _MAX_DEPTH and isinstance(value, Mapping):
        for key, item in value.items():
            check_text(key, what=f"a key of {what}", depth=depth + 1)
            check_text(item, what=f"{what}[{key!r}]", depth=depth + 1)
    elif depth < _MAX_DEPTH and isinstance(value, (list, tuple)):
        for item in value:
            check_text(item, what=what, depth=depth + 1)


@lru_cache(maxsize=None)
def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(fn)


def check_arguments(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Check every text argument of a store operation ``fn(conn, *args, **kwargs)``, by parameter name."""
    names = [p for p in _signature(fn).parameters][1:]  # the first is the connection
    for name, value in zip(names, args):
        check_text(value, what=f"the {name.replace('_', ' ')}")
    for name, value in kwargs.items():
        check_text(value, what=f"the {name.replace('_', ' ')}")
