"""Output for the command line, in one place: text for people, JSON for machines, and errors.

Every command builds a plain value (usually a pydantic model or a dict) and
hands it to :func:`emit` with a text renderer; errors raised anywhere are
rendered by :func:`render_error`, so every command fails the same way.

Text for people goes through :func:`terminal_safe`: names, examples and LLM
answers come from untrusted files and models, and a control character in them
(an ESC starting a terminal escape sequence, a carriage return, a C1 control)
is shown escaped (``\x1b``) rather than acted on by the terminal.  JSON is
left to :func:`json.dumps`, which escapes control characters itself.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Callable

import click
from pydantic import BaseModel

from assistant.errors import EXIT_INPUT, CausalAssistantError

FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="text for people, json for machines")


# C0 controls but newline and tab, DEL, and the C1 controls (U+0080-U+009F: U+009B is a one-character CSI).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    r"""``text`` with every control character other than newline and tab shown as a ``\xNN`` escape.

    >>> terminal_safe("red\x1b]0;PWNED\x07 ok\r\n\tnext\x9b")
    'red\\x1b]0;PWNED\\x07 ok\\x0d\n\tnext\\x9b'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def emit(value: Any, output_format: str, text: Callable[[Any], str] | None = None) -> None:
    if output_format == "json":
        click.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(terminal_safe(text(value) if text else str(value)))


def render_error(err: CausalAssistantError, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps({"error": err.as_dict()}, indent=2, ensure_ascii=False, default=str), err=True)
        return
    where = f"{err.location}: " if err.location else ""
    lines = [f"error[{err.code}]: {where}{err.message}"]
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    diff = getattr(err, "diff", None)
    if diff is not None and hasattr(diff, "summary"):
        lines.append(f"  your change against the head: {diff.summary()}")
    concurrent = getattr(err, "concurrent_diff", None)
    if concurrent is not None and hasattr(concurrent, "summary"):
        lines.append(f"  saved meanwhile by others: {concurrent.summary()}")
    for line in lines:
        click.echo(terminal_safe(line), err=True)


def fail(message: str, output_format: str = "text", code: int = EXIT_INPUT) -> None:
    """Exit with ``code`` after a plain message (for checks that are not exceptions)."""
    if output_format == "json":
        click.echo(json.dumps({"error": {"code": "failed", "message": message}}), err=True)
    else:
        click.echo(terminal_safe(f"error: {message}"), err=True)
    sys.exit(code)


def table(rows: list[list[str]], headers: list[str]) -> str:
    rows = [[terminal_safe(str(c)) for c in row] for row in rows]  # escaped before measuring, so columns line up
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)] if rows else [len(h) for h in headers]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*["-" * w for w in widths])]
    lines += [fmt.format(*[str(c) for c in row]) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
