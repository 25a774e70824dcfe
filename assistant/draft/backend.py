"""The drafting backend interface and its registry.

A backend proposes candidate graphs (:meth:`DraftBackend.propose`) and
critiques a graph or an edit (:meth:`DraftBackend.critique`).  The built-in
backends — ``offline`` (data and background knowledge), ``openai`` (an LLM
over any OpenAI-compatible endpoint) and ``hybrid`` (the LLM's proposals
checked against the data) — register through :func:`register_backend`
exactly as a third-party one would (entry-point group
``causal_assistant.draft_backends``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Callable, Protocol

import pandas as pd

from assistant.draft.result import DraftResult, EdgeJudgement
from assistant.draft.spec import DraftRequest
from assistant.errors import InputError
from assistant.model import CausalGraph


@dataclass
class BackendContext:
    """What a backend may use: LLM settings, an exchange sink (the store), and statistical knobs."""

    llm_settings: Any = None
    sink: Any = None
    cache: bool = True
    alpha: float = 0.05
    project: str | None = None
    graph_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class DraftBackend(Protocol):
    name: str

    def propose(self, request: DraftRequest, data: pd.DataFrame | None) -> DraftResult: ...

    def critique(self, graph: CausalGraph, request: DraftRequest, *, previous: CausalGraph | None = None,
                 data: pd.DataFrame | None = None) -> list[EdgeJudgement]: ...


BackendFactory = Callable[[BackendContext], DraftBackend]
_REGISTRY: dict[str, BackendFactory] = {}
_PLUGINS_LOADED = False


def register_backend(name: str, factory: BackendFactory) -> None:
    _REGISTRY[name] = factory


def _load_plugins() -> None:
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    from assistant.draft import builtin_backends  # noqa: F401  (registers offline, openai, hybrid)

    for ep in entry_points(group="causal_assistant.draft_backends"):
        register_backend(ep.name, ep.load())


def available_backends() -> list[str]:
    _load_plugins()
    return sorted(_REGISTRY)


def create_backend(name: str, context: BackendContext | None = None) -> DraftBackend:
    _load_plugins()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown drafting backend {name!r}",
                         hint=f"choose one of: {', '.join(sorted(_REGISTRY))}") from None
    return factory(context or BackendContext())
