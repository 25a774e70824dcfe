"""Where the LLM endpoint is, and how to talk to it: :class:`LLMSettings`.

Read from the environment and the config file's ``[llm]`` table, never from
the database.  Per setting, the first of these that is set wins:

1. ``CAUSAL_ASSISTANT_LLM_*`` environment variables,
2. the ``[llm]`` table of the config file (``CAUSAL_ASSISTANT_CONFIG``),
3. the generic ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` environment variables,
4. the defaults.

Why the generic OpenAI variables come *after* the config file: many machines
have ``OPENAI_API_KEY`` set for other tools; a config file that points
causal-assistant at a particular endpoint (say a local server) should not be
overridden by it, or a key meant for one service would be sent to another.

The API key is a :class:`~pydantic.SecretStr`: its repr and JSON dump are
``**********``; the only place it is revealed is the provider factory that
builds the HTTP client.  A base URL's credentials (``user:password@``, query
string) are likewise left out of reprs and dumps.
"""

from __future__ import annotations

import os
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_serializer, field_validator

from assistant.errors import ConfigError, LLMNotConfiguredError

DEFAULT_PROVIDER = "openai"
DEFAULT_MODEL = "gpt-4o-mini"
OPENAI_BASE_URL = "https://api.openai.com/v1"

#: setting -> (causal-assistant variable, generic fallback variable or None)
ENV_VARS: dict[str, tuple[str, str | None]] = {
    "provider": ("CAUSAL_ASSISTANT_LLM_PROVIDER", None),
    "base_url": ("CAUSAL_ASSISTANT_LLM_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("CAUSAL_ASSISTANT_LLM_API_KEY", "OPENAI_API_KEY"),
    "model": ("CAUSAL_ASSISTANT_LLM_MODEL", None),
    "temperature": ("CAUSAL_ASSISTANT_LLM_TEMPERATURE", None),
    "timeout_s": ("CAUSAL_ASSISTANT_LLM_TIMEOUT_S", None),
    "max_retries": ("CAUSAL_ASSISTANT_LLM_MAX_RETRIES", None),
    "retry_delay_s": ("CAUSAL_ASSISTANT_LLM_RETRY_DELAY_S", None),
    "max_tokens": ("CAUSAL_ASSISTANT_LLM_MAX_TOKENS", None),
    "cache": ("CAUSAL_ASSISTANT_LLM_CACHE", None),
}
_FALSE = ("0", "false", "no", "off")


class LLMSettings(BaseModel):
    """One OpenAI-compatible (or plugin-provided) chat endpoint.

    >>> s = LLMSettings(base_url="http://user:pw@localhost:8080/v1?key=x", api_key="sk-secret")
    >>> s.safe_base_url
    'http://localhost:8080/v1'
    >>> "sk-secret" in repr(s)
    False
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str = DEFAULT_PROVIDER
    base_url: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    model: str = DEFAULT_MODEL
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=20, description="Retries after the first attempt.")
    retry_delay_s: float = Field(default=1.0, gt=0, le=60,
                                 description="Backoff before the first retry; doubles for each further one.")
    max_tokens: int | None = Field(default=None, ge=1)
    cache: bool = True

    @field_validator("provider", "model")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        if urlsplit(v).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// URL")
        return v

    @field_serializer("base_url")
    def _dump_url(self, v: str | None) -> str | None:
        return None if v is None else strip_credentials(v)

    def __repr_args__(self):  # type: ignore[no-untyped-def]
        for name, value in super().__repr_args__():
            yield name, (strip_credentials(value) if name == "base_url" and value else value)

    @field_validator("api_key")
    @classmethod
    def _key(cls, v: SecretStr | None) -> SecretStr | None:
        return None if v is None or not v.get_secret_value().strip() else SecretStr(v.get_secret_value().strip())

    @property
    def configured(self) -> bool:
        """An endpoint is configured: a base URL or an API key is set, or a non-default provider was chosen."""
        return self.base_url is not None or self.api_key is not None or self.provider != DEFAULT_PROVIDER

    @property
    def safe_base_url(self) -> str:
        """The base URL without credentials, query or fragment: what logs, errors and the database see."""
        if self.base_url is None:
            return OPENAI_BASE_URL if self.provider == DEFAULT_PROVIDER else ""
        return strip_credentials(self.base_url)

    @property
    def secrets(self) -> list[str]:
        """Values that must never be written anywhere (used to redact server messages)."""
        out = [self.api_key.get_secret_value()] if self.api_key is not None else []
        if self.base_url:
            parts = urlsplit(self.base_url)
            out += [p for p in (parts.password, parts.query) if p]
        return out

    def require_configured(self) -> "LLMSettings":
        if not self.configured:
            raise LLMNotConfiguredError(
                "no LLM endpoint is configured",
                hint="set CAUSAL_ASSISTANT_LLM_BASE_URL (an OpenAI-compatible /v1 URL) and/or "
                     "CAUSAL_ASSISTANT_LLM_API_KEY, or add an [llm] table to the config file")
        return self

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None,
             file_values: Mapping[str, Any] | None = None) -> "LLMSettings":
        """Settings from ``env`` (default ``os.environ``) and the config file (default: read it).

        Raises :class:`~assistant.errors.ConfigError` naming the setting and
        where it came from when a value is invalid (never echoing the value).
        """
        env = os.environ if env is None else env
        if file_values is None:
            from assistant.config import Settings

            file_values = Settings.load(env).file_values
        table = file_values.get("llm", {})
        if not isinstance(table, Mapping):
            raise ConfigError("the config file's [llm] entry must be a table")
        unknown = sorted(set(table) - set(ENV_VARS))
        if unknown:
            raise ConfigError(f"unknown setting{'s' if len(unknown) > 1 else ''} in the config file's [llm] "
                              f"table: {', '.join(unknown)}", hint=f"known: {', '.join(ENV_VARS)}")
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name, (own, generic) in ENV_VARS.items():
            if env.get(own, "").strip():
                values[name], sources[name] = env[own], own
            elif name in table:
                values[name], sources[name] = table[name], f"[llm] {name} in the config file"
            elif generic and env.get(generic, "").strip():
                values[name], sources[name] = env[generic], generic
        if "cache" in values and isinstance(values["cache"], str):
            values["cache"] = values["cache"].strip().lower() not in _FALSE
        if "api_key" in values and not isinstance(values["api_key"], str):
            raise ConfigError(f"the API key ({sources['api_key']}) must be text")
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            field = str(first["loc"][0]) if first["loc"] else "?"
            raise ConfigError(f"invalid LLM setting {field} (from {sources.get(field, 'defaults')}): "
                              f"{first['msg']}") from None


def strip_credentials(url: str) -> str:
    """``url`` without user info, query string or fragment.

    >>> strip_credentials("https://me:secret@host:8443/v1?api-key=k#x")
    'https://host:8443/v1'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
