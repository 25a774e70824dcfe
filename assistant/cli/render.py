"""Output for the command line, in one place: text for people, JSON for machines, and errors.

Every command builds a plain value (usually a pydantic model or a dict) and
hands it to :func:`emit` with a text renderer; errors raised anywhere are
rendered by :func:`render_error`, so every command fails the same way.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable

import click
from pydantic import BaseModel

from assistant.errors import EXIT_INPUT, CausalAssistantError

FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="text for people, json for machines")


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
        click.echo(text(value) if text else str(value))


def render_error(err: CausalAssistantError, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps({"error": err.as_dict()}, indent=2, ensure_ascii=False, default=str), err=True)
        return
    where = f"{err.location}: " if err.location else ""
    click.echo(f"error[{err.code}]: {where}{err.message}", err=True)
    if err.hint:
        click.echo(f"  hint: {err.hint}", err=True)
    diff = getattr(err, "diff", None)
    if diff is not None and hasattr(diff, "summary"):
        click.echo(f"  your change against the head: {diff.summary()}", err=True)
    concurrent = getattr(err, "concurrent_diff", None)
    if concurrent is not None and hasattr(concurrent, "summary"):
        click.echo(f"  saved meanwhile by others: {concurrent.summary()}", err=True)


def fail(message: str, output_format: str = "text", code: int = EXIT_INPUT) -> None:
    """Exit with ``code`` after a plain message (for checks that are not exceptions)."""
    if output_format == "json":
        click.echo(json.dumps({"error": {"code": "failed", "message": message}}), err=True)
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)] if rows else [len(h) for h in headers]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*["-" * w for w in widths])]
    lines += [fmt.format(*[str(c) for c in row]) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
