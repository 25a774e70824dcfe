"""The LLM client: one structured answer per call, validated, repaired once, retried, cached and logged.

>>> from assistant.llm import LLMClient, LLMSettings, install_fake
>>> from assistant.llm.schemas import QuestionOut
>>> fake = install_fake(['{"exposure": "radio_play", "outcome": "sales"}'])
>>> client = LLMClient.from_settings(LLMSettings(provider="fake"))
>>> result = client.structured("infer_question", {"question": "Does airplay sell records?",
...                                                 "variables": [{"name": "radio_play"}, {"name": "sales"}]},
...                            QuestionOut)
>>> result.value.exposure, result.method, result.usage.calls
('radio_play', 'json_schema', 1)

What :meth:`LLMClient.structured` does, in order:

1. Render the template (:mod:`assistant.llm.prompts`).
2. Serve the request from the exchange log if an identical one validated
   before (``cache``), recording the hit.
3. Otherwise send it with the first structured-output method this endpoint
   accepts (:mod:`assistant.llm.methods`), remembering per endpoint and
   model which one worked; transient failures are retried with backoff
   (:mod:`assistant.llm.retry`, :mod:`assistant.llm.failures`).
4. Parse and validate the answer (:mod:`assistant.llm.parsing`); if it is
   invalid, send exactly one ``repair_output`` re-prompt; if that is invalid
   too, raise :class:`~assistant.errors.LLMOutputError`.

Every request — answered, failed, retried, rejected or served from the cache
— is one :class:`~assistant.store.info.ExchangeRecord` in the sink.  No API
key is ever written there, logged or put in an error message.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Mapping, TypeVar

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel

from assistant.errors import (
    LLMAuthError, LLMError, LLMOutputError, LLMRequestError, LLMUnavailableError, PromptError,
)
from assistant.llm import methods
from assistant.llm.exchange import ExchangeContext, ExchangeSink, MemorySink, request_hash
from assistant.llm.failures import Failure, classify, redact
from assistant.llm.methods import STRATEGIES, Method, Strategy
from assistant.llm.parsing import Parsed, parse_answer, validate_data
from assistant.llm.prompts import PromptTemplate, load_prompt
from assistant.llm.registry import create_chat_model
from assistant.llm.retry import RetryPolicy
from assistant.llm.settings import LLMSettings
from assistant.store.info import ExchangeRecord

if TYPE_CHECKING:
    from assistant.draft.result import Usage

log = logging.getLogger("assistant.llm")
T = TypeVar("T", bound=BaseModel)

REPAIR_TEMPLATE = "repair_output"
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_REPAIR_ECHO = 8000

_working: dict[tuple[str, str, str], Strategy] = {}
_working_lock = threading.Lock()


def remembered_method(provider: str, base_url: str, model: str) -> Method | None:
    """The method that last worked for this endpoint and model in this process, if any."""
    with _working_lock:
        s = _working.get((provider, base_url, model))
    return s.method if s else None


def forget_methods() -> None:
    """Forget which methods worked (tests)."""
    with _working_lock:
        _working.clear()


@dataclass(frozen=True)
class StructuredResult(Generic[T]):
    """A validated answer, with what it cost and where it is logged."""

    value: T
    usage: Usage
    exchange_ids: list[int]
    method: Method
    cached: bool
    template: str
    model: str


class _Rejected(Exception):
    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


@dataclass
class _Outcome:
    parsed: Parsed[Any]
    raw: str
    cached: bool = False


@dataclass
class _Run:
    """The bookkeeping of one ``structured`` call."""

    schema: type[BaseModel]
    context: ExchangeContext
    purpose: str
    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    ids: list[int] = field(default_factory=list)

    def usage(self) -> Usage:
        # Imported here: assistant.draft uses this package, so importing it at the top could be circular.
        from assistant.draft.result import Usage

        return Usage(calls=self.calls, cached_calls=self.cached_calls, prompt_tokens=self.prompt_tokens,
                     completion_tokens=self.completion_tokens, total_tokens=self.total_tokens)


class LLMClient:
    """Structured requests to one chat model; see the module docstring.

    ``sink`` receives every exchange (a :class:`~assistant.store.Store`, or by
    default an in-memory log).  ``cache`` (and ``settings.cache``, i.e.
    ``CAUSAL_ASSISTANT_LLM_CACHE``) turns serving identical requests from the
    log on or off.
    """

    def __init__(self, chat_model: BaseChatModel, settings: LLMSettings, *, sink: ExchangeSink | None = None,
                 cache: bool = True, retry: RetryPolicy | None = None, prompts_dir: Path | None = None):
        self.chat_model = chat_model
        self.settings = settings
        self.sink: ExchangeSink = sink if sink is not None else MemorySink()
        self.cache = bool(cache and settings.cache)
        self.retry = retry if retry is not None else RetryPolicy(max_retries=settings.max_retries,
                                                                 base_delay_s=settings.retry_delay_s)
        self.prompts_dir = prompts_dir
        self.provider = settings.provider
        self.base_url = settings.safe_base_url
        self.model = str(getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None)
                         or settings.model)
        self._secrets = settings.secrets

    @classmethod
    def from_settings(cls, settings: LLMSettings | None = None, *, sink: ExchangeSink | None = None,
                      cache: bool = True, retry: RetryPolicy | None = None) -> "LLMClient":
        """A client for ``settings`` (default: :meth:`LLMSettings.load`); raises if nothing is configured."""
        settings = (settings or LLMSettings.load()).require_configured()
        return cls(create_chat_model(settings), settings, sink=sink, cache=cache, retry=retry)

    def __repr__(self) -> str:
        return (f"LLMClient(provider={self.provider!r}, base_url={self.base_url!r}, model={self.model!r}, "
                f"cache={self.cache})")

    @property
    def method(self) -> Method | None:
        """The structured-output method known to work for this endpoint and model (None until one has)."""
        return remembered_method(self.provider, self.base_url, self.model)

    # --- the one public operation -----------------------------------------

    def structured(self, template_name: str, variables: Mapping[str, Any], schema: type[T], *,
                   context: ExchangeContext | None = None) -> StructuredResult[T]:
        """Render ``template_name`` with ``variables`` and return the answer as a validated ``schema``.

        Raises
        ------
        PromptError
            Unknown template, or missing/extra variables (nothing is sent).
        LLMOutputError
            The answer and the one repair were both invalid (both are logged).
        LLMAuthError, LLMUnavailableError, LLMRequestError
            The endpoint rejected the key, could not be reached (after
            retries) or refused the request.
        """
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            raise PromptError(f"the schema must be a pydantic model class, not {schema!r}")
        template = load_prompt(template_name, self.prompts_dir)
        messages = template.render(variables)
        context = context or ExchangeContext()
        run = _Run(schema=schema, context=context, purpose=context.purpose or template.name)

        outcome, strategy = self._first_answer(run, template, messages)
        if not outcome.parsed.ok:
            outcome = self._repair(run, template, strategy, outcome)
        value = outcome.parsed.value
        assert value is not None
        return StructuredResult(value=value, usage=run.usage(), exchange_ids=list(run.ids), method=strategy.method,
                                cached=outcome.cached, template=template.ref, model=self.model)

    # --- steps -------------------------------------------------------------

    def _strategies(self) -> tuple[Strategy, ...]:
        with _working_lock:
            known = _working.get((self.provider, self.base_url, self.model))
        return STRATEGIES[STRATEGIES.index(known):] if known else STRATEGIES

    def _first_answer(self, run: _Run, template: PromptTemplate,
                      messages: list[dict[str, str]]) -> tuple[_Outcome, Strategy]:
        strategies = self._strategies()
        for strategy in strategies:
            hit = self._from_cache(run, template, strategy, messages)
            if hit is not None:
                return hit, strategy
        rejections: list[str] = []
        for strategy in strategies:
            try:
                outcome = self._exchange(run, template, strategy, messages, use_cache=False)
            except _Rejected as rejected:
                rejections.append(f"{strategy.label}: {rejected.failure.message}")
                log.info("llm: %s rejected %s; trying the next method", self.base_url, strategy.label)
                continue
            with _working_lock:
                _working[(self.provider, self.base_url, self.model)] = strategy
            return outcome, strategy
        raise LLMRequestError(
            self._redact(f"the endpoint {self.base_url} (model {self.model}) accepted none of the structured-output "
                         f"methods: {'; '.join(rejections)}"),
            hint="the endpoint needs json_schema response formats, tool calling or JSON mode; see docs/llm.md")

    def _repair(self, run: _Run, template: PromptTemplate, strategy: Strategy, first: _Outcome) -> _Outcome:
        repair = load_prompt(REPAIR_TEMPLATE, self.prompts_dir)
        data = first.parsed.data
        output: Any = data if isinstance(data, dict) and _json_safe(data) else first.raw[:MAX_REPAIR_ECHO]
        messages = repair.render({"errors": first.parsed.errors, "output": output,
                                  "schema": methods.json_schema(run.schema)})
        refused: Failure | None = None
        try:
            second = self._exchange(run, repair, strategy, messages, use_cache=True)
        except _Rejected as rejected:
            refused = rejected.failure
        if refused is not None:
            raise LLMRequestError(self._redact(f"the endpoint {self.base_url} refused the repair request: "
                                               f"{refused.message}"))
        if second.parsed.ok:
            return second
        errors = [self._redact(e) for e in second.parsed.errors]
        raise LLMOutputError(
            f"the model's answer to {template.ref} is not a valid {run.schema.__name__}, even after one repair "
            f"attempt: {'; '.join(errors[:3])}",
            errors=errors, raw_output=self._redact(second.raw), exchange_ids=run.ids,
            hint=f"`causal-assistant llm log --show {run.ids[-1]}` shows the exchange" if run.ids else None)

    def _request_key(self, template: PromptTemplate, strategy: Strategy, sent: list[dict[str, str]],
                     schema: type[BaseModel]) -> str:
        return request_hash({
            "provider": self.provider, "base_url": self.base_url, "model": self.model,
            "temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens,
            "template": template.name, "template_version": template.version, "messages": sent,
            **methods.request_fields(strategy, schema)})

    def _from_cache(self, run: _Run, template: PromptTemplate, strategy: Strategy,
                    messages: list[dict[str, str]]) -> _Outcome | None:
        if not self.cache:
            return None
        sent = methods.final_messages(strategy, messages, run.schema)
        key = self._request_key(template, strategy, sent, run.schema)
        started = time.monotonic()
        hit = self.sink.find_cached(key)
        if hit is None:
            return None
        parsed = validate_data(hit.parsed, run.schema)
        if not parsed.ok:
            return None
        run.cached_calls += 1
        self._record(run, template, strategy, sent, key, raw=hit.raw_response, parsed=hit.parsed, cached=True,
                     latency_ms=_ms(started))
        return _Outcome(parsed, hit.raw_response, cached=True)

    def _exchange(self, run: _Run, template: PromptTemplate, strategy: Strategy, messages: list[dict[str, str]],
                  *, use_cache: bool) -> _Outcome:
        """One request (with retries): cache, send, parse, log.  Raises _Rejected or an LLMError."""
        if use_cache:
            hit = self._from_cache(run, template, strategy, messages)
            if hit is not None:
                return hit
        sent = methods.final_messages(strategy, messages, run.schema)
        key = self._request_key(template, strategy, sent, run.schema)
        message, latency = self._send(run, template, strategy, sent, key)
        tokens = _tokens(message)
        run.prompt_tokens += tokens[0] or 0
        run.completion_tokens += tokens[1] or 0
        run.total_tokens += tokens[2] or 0
        failure: Failure | None = None
        try:
            raw = methods.answer_text(strategy, message, run.schema)
        except Exception as exc:  # NoToolCallError: this method does not work here
            failure = classify(exc)
        if failure is not None:
            self._record(run, template, strategy, sent, key, raw=methods.content_text(message.content),
                         error=f"{failure.kind}: {failure.message}", tokens=tokens, latency_ms=latency)
            raise _Rejected(failure)
        parsed = parse_answer(raw, run.schema)
        if not parsed.ok and _finish_reason(message) == "length":
            parsed.errors.append("the answer was cut off at the token limit (max_tokens)")
        self._record(run, template, strategy, sent, key, raw=raw,
                     parsed=parsed.value.model_dump(mode="json") if parsed.ok else None,
                     error=None if parsed.ok else "invalid output: " + "; ".join(parsed.errors),
                     tokens=tokens, latency_ms=latency)
        return _Outcome(parsed, raw)

    def _send(self, run: _Run, template: PromptTemplate, strategy: Strategy, sent: list[dict[str, str]],
              key: str) -> tuple[Any, int]:
        # Errors are raised *after* the except blocks, so they do not chain the SDK's exception as
        # __context__: its message may quote the API key back (some servers echo it).
        failure: Failure | None = None
        try:
            runnable = methods.bind(strategy, self.chat_model, run.schema)
        except Exception as exc:  # e.g. bind_tools not implemented by a plugin's model
            failure = classify(exc)
        if failure is not None:
            self._record(run, template, strategy, sent, key, error=f"{failure.kind}: {failure.message}")
            if failure.kind == "rejected":
                raise _Rejected(failure)
            raise self._error(failure, attempts=0)
        lc_messages = methods.to_langchain(sent)
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                message = runnable.invoke(lc_messages)
            except Exception as exc:
                message = methods.cut_off_answer(exc)
                if message is None:
                    failure = classify(exc)
            if message is not None:
                run.calls += 1
                return message, _ms(started)
            run.calls += 1
            self._record(run, template, strategy, sent, key, error=f"{failure.kind}: {failure.message}",
                         latency_ms=_ms(started))
            if failure.kind == "retry" and attempt < self.retry.max_retries:
                delay = self.retry.delay(attempt, failure.retry_after)
                log.info("llm: %s: %s; retry %d of %d in %.1f s", self.base_url,
                         self._redact(failure.message), attempt + 1, self.retry.max_retries, delay)
                self.retry.sleep(delay)
                attempt += 1
                continue
            if failure.kind == "rejected":
                raise _Rejected(failure)
            raise self._error(failure, attempts=attempt + 1)

    # --- errors and records -----------------------------------------------

    def _redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def _clean(self, text: str) -> str:
        """Redacted, and without NUL characters or lone surrogates (PostgreSQL text cannot hold them)."""
        return _SURROGATE.sub("\ufffd", self._redact(text).replace("\x00", "\ufffd"))

    def _error(self, failure: Failure, *, attempts: int) -> LLMError:
        where = self.base_url or self.provider
        message = self._redact(failure.message)
        if failure.kind == "auth":
            return LLMAuthError(f"the endpoint {where} rejected the API key ({message})",
                                hint="check CAUSAL_ASSISTANT_LLM_API_KEY (or OPENAI_API_KEY, or [llm] api_key in "
                                     "the config file)")
        if failure.kind == "request":
            return LLMRequestError(f"the endpoint {where} refused the request: {message}")
        if failure.kind == "retry":
            tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
            return LLMUnavailableError(f"cannot use the LLM endpoint {where}{tries}: {message}", base_url=where,
                                       hint="is the server running, and is CAUSAL_ASSISTANT_LLM_BASE_URL right?")
        return LLMUnavailableError(f"the LLM endpoint {where} did not answer usably: {message}", base_url=where,
                                   hint="is it an OpenAI-compatible API? The base URL usually ends in /v1"
                                   if self.settings.base_url else None)

    def _record(self, run: _Run, template: PromptTemplate, strategy: Strategy, sent: list[dict[str, str]],
                key: str, *, raw: str = "", parsed: Any = None, error: str | None = None,
                tokens: tuple[int | None, int | None, int | None] = (None, None, None), latency_ms: int = 0,
                cached: bool = False) -> int:
        ctx = run.context
        record = ExchangeRecord(
            provider=self.provider, base_url=self.base_url, model=self.model, template_name=template.name,
            template_version=template.version, method=strategy.method, request_hash=key,
            messages=[{"role": m["role"], "content": self._clean(m["content"])} for m in sent],
            raw_response=self._clean(raw), parsed=parsed, error=self._clean(error) if error is not None else None,
            prompt_tokens=tokens[0], completion_tokens=tokens[1], total_tokens=tokens[2], latency_ms=latency_ms,
            cached=cached, project=ctx.project, graph_name=ctx.graph_name, version_id=ctx.version_id,
            purpose=run.purpose)
        exchange_id = self.sink.record_exchange(record)
        run.ids.append(exchange_id)
        status = "cached" if cached else ("error" if error is not None else "ok")
        log.info("llm exchange %s: %s via %s on %s (%s) %s, %s tokens, %d ms%s", exchange_id, template.ref,
                 strategy.label, self.model, self.base_url, status,
                 tokens[2] if tokens[2] is not None else "?", latency_ms,
                 f": {record.error[:300]}" if record.error else "")
        return exchange_id


def _json_safe(data: Any) -> bool:
    """Whether ``data`` can be echoed as strict JSON (a model's answer may hold NaN or Infinity)."""
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _ms(started: float) -> int:
    return int(round((time.monotonic() - started) * 1000))


def _tokens(message: Any) -> tuple[int | None, int | None, int | None]:
    """Token counts as the server reported them (None when it did not)."""
    usage = getattr(message, "usage_metadata", None)
    if usage:
        return usage.get("input_tokens"), usage.get("output_tokens"), usage.get("total_tokens")
    meta = getattr(message, "response_metadata", None) or {}
    tu = meta.get("token_usage") or meta.get("usage") or {}
    if isinstance(tu, dict) and tu:
        return tu.get("prompt_tokens"), tu.get("completion_tokens"), tu.get("total_tokens")
    return None, None, None


def _finish_reason(message: Any) -> str | None:
    meta = getattr(message, "response_metadata", None) or {}
    return meta.get("finish_reason")
