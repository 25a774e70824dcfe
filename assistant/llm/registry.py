"""Chat-model providers: a name -> factory registry that built-ins and plugins share.

A provider is a function ``factory(settings: LLMSettings) -> BaseChatModel``
(any LangChain chat model).  The built-in ``openai`` provider registers with
the same :func:`register_chat_provider` call a plugin uses; third-party
packages add theirs through the entry-point group
``causal_assistant.chat_providers``::

    # pyproject.toml of a plugin
    [project.entry-points."causal_assistant.chat_providers"]
    mistral = "my_plugin:make_chat_model"

The rest of the code only ever calls :func:`create_chat_model`.
"""

from __future__ import annotations

import logging
import threading
from importlib.metadata import entry_points
from typing import Callable

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.errors import ConfigError
from assistant.llm.settings import LLMSettings

ENTRY_POINT_GROUP = "causal_assistant.chat_providers"
ChatModelFactory = Callable[[LLMSettings], BaseChatModel]

log = logging.getLogger(__name__)
_providers: dict[str, ChatModelFactory] = {}
_plugin_errors: dict[str, str] = {}
_loaded = False
_lock = threading.RLock()


def register_chat_provider(name: str, factory: ChatModelFactory) -> None:
    """Make ``factory`` the provider called ``name`` (replacing any earlier one of that name)."""
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise ConfigError(f"a chat provider needs a non-empty name without padding, not {name!r}")
    if not callable(factory):
        raise ConfigError(f"the factory for chat provider {name!r} is not callable")
    _ensure_loaded()  # so an explicit registration always wins over a built-in or plugin of the same name
    with _lock:
        _providers[name] = factory


def unregister_chat_provider(name: str) -> None:
    """Forget a provider (tests use this to clean up a fake)."""
    with _lock:
        _providers.pop(name, None)


def available_providers() -> list[str]:
    """Names of every registered provider (built-ins and loaded plugins), sorted."""
    _ensure_loaded()
    with _lock:
        return sorted(_providers)


def plugin_errors() -> dict[str, str]:
    """Entry points that failed to load: name -> reason (they are skipped, not fatal)."""
    _ensure_loaded()
    return dict(_plugin_errors)


def create_chat_model(settings: LLMSettings) -> BaseChatModel:
    """A chat model for ``settings.provider``; :class:`ConfigError` for an unknown provider."""
    _ensure_loaded()
    with _lock:
        factory = _providers.get(settings.provider)
    if factory is None:
        broken = _plugin_errors.get(settings.provider)
        raise ConfigError(
            f"unknown LLM provider {settings.provider!r}" + (f" (its plugin failed to load: {broken})" if broken else ""),
            hint=f"available: {', '.join(available_providers())}; plugins register through the entry-point "
                 f"group {ENTRY_POINT_GROUP!r}")
    return factory(settings)


def _ensure_loaded() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        from assistant.llm.providers import register_builtin_providers

        register_builtin_providers()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in _providers:
                log.warning("chat provider plugin %r (%s) ignored: a provider of that name exists", ep.name, ep.value)
                continue
            try:
                register_chat_provider(ep.name, ep.load())
            except Exception as exc:  # a broken plugin must not break the application
                _plugin_errors[ep.name] = f"{type(exc).__name__}: {exc}"
                log.warning("chat provider plugin %r (%s) failed to load: %s", ep.name, ep.value, exc)
