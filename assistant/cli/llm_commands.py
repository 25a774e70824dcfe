"""``causal-assistant llm``: the LLM exchange log, and a check of the configured endpoint."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table


@click.group()
def llm() -> None:
    """The LLM endpoint: check it, and read the log of every exchange with it."""


def _tokens(r: Any) -> str:
    if r.total_tokens is None:
        return "-"
    if r.prompt_tokens is not None and r.completion_tokens is not None:
        return f"{r.prompt_tokens}+{r.completion_tokens}={r.total_tokens}"
    return str(r.total_tokens)


def _status(r: Any) -> str:
    if r.status != "error":
        return r.status
    kind = (r.error or "").split(":", 1)[0]
    return f"error ({kind})" if kind and " " not in kind else "error"


def _log_text(records: list[Any]) -> str:
    if not records:
        return "no LLM exchanges logged"
    rows = [[str(r.id), r.created_at.strftime("%Y-%m-%d %H:%M:%S") if r.created_at else "", r.template_ref, r.model,
             r.method, _tokens(r), f"{r.latency_ms} ms", _status(r)] for r in records]
    return table(rows, ["id", "time (UTC)", "template", "model", "method", "tokens", "latency", "status"])


def _show_text(r: Any) -> str:
    lines = [
        f"exchange {r.id}  {r.created_at:%Y-%m-%d %H:%M:%S} UTC  {r.status}",
        f"template: {r.template_ref}   purpose: {r.purpose}",
        f"endpoint: {r.provider} {r.base_url}   model: {r.model}   method: {r.method}",
        f"tokens: {_tokens(r)}   latency: {r.latency_ms} ms   request: {r.request_hash[:16]}",
    ]
    where = [f"{k}={v}" for k, v in (("project", r.project), ("graph", r.graph_name), ("version_id", r.version_id))
             if v is not None]
    if where:
        lines.append("for: " + "  ".join(where))
    for m in r.messages:
        lines += ["", f"--- {m['role']} ---", m["content"].rstrip()]
    lines += ["", "--- raw response ---", r.raw_response.rstrip() or "(none)"]
    if r.error is not None:
        lines += ["", "--- error ---", r.error]
    else:
        lines += ["", "--- parsed ---", json.dumps(r.parsed, indent=2, ensure_ascii=False)]
    return "\n".join(lines)


@llm.command("log")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
              help="How many exchanges, newest first.")
@click.option("--project", default=None, help="Only exchanges for this project.")
@click.option("--template", default=None, help="Only exchanges with this prompt template (e.g. draft_graph).")
@click.option("--show", "show_id", type=int, default=None, metavar="ID",
              help="Show one exchange in full: messages, raw response, parsed result or error.")
@FORMAT_OPTION
@pass_app
def log_command(app: AppContext, limit: int, project: str | None, template: str | None, show_id: int | None,
                output_format: str) -> None:
    """List the logged LLM exchanges (one line each), or show one with --show ID."""
    store = app.store()
    if show_id is not None:
        emit(store.get_exchange(show_id), output_format, _show_text)
        return
    emit(store.list_exchanges(limit=limit, project=project, template=template), output_format, _log_text)


@llm.command("check")
@FORMAT_OPTION
@pass_app
def check_command(app: AppContext, output_format: str) -> None:
    """Send one tiny structured request to the configured endpoint: which method works, tokens, latency."""
    from assistant.llm import LLMClient, LLMSettings
    from assistant.llm.schemas import CheckOut

    from assistant.errors import LLMError

    settings = LLMSettings.load(file_values=app.settings.file_values).require_configured()
    client = LLMClient.from_settings(settings, sink=app.store(), cache=False)
    started = time.monotonic()
    try:
        result = client.structured("check", {"word": "causal"}, CheckOut)
    except LLMError as err:
        offline = "the offline assistant works without an LLM: causal-assistant propose --backend offline"
        err.hint = f"{err.hint}; {offline}" if err.hint else offline
        raise
    elapsed = int(round((time.monotonic() - started) * 1000))
    report = {
        "provider": settings.provider, "base_url": settings.safe_base_url, "model": result.model,
        "method": result.method, "answer_valid": True, "echo_correct": result.value.word == "causal",
        "calls": result.usage.calls, "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens, "total_tokens": result.usage.total_tokens,
        "latency_ms": elapsed, "exchange_ids": result.exchange_ids,
    }
    emit(report, output_format, lambda r: "\n".join([
        f"endpoint {r['base_url'] or r['provider']} (model {r['model']}): ok",
        f"  structured output via {r['method']}"
        + ("" if r["echo_correct"] else " (the answer validated but did not echo the word correctly)"),
        f"  tokens: {r['prompt_tokens']} prompt + {r['completion_tokens']} completion = {r['total_tokens']}"
        f" in {r['calls']} call{'s' if r['calls'] != 1 else ''}",
        f"  latency: {r['latency_ms']} ms; logged as exchange{'s' if len(r['exchange_ids']) != 1 else ''} "
        + ", ".join(str(i) for i in r["exchange_ids"]),
    ]))
