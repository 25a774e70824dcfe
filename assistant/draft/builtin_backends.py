"""Registers the built-in backends through the same call a plugin would use."""

from __future__ import annotations

from assistant.draft.backend import BackendContext, register_backend


def _offline(context: BackendContext):
    from assistant.draft.offline_backend import OfflineBackend

    return OfflineBackend(context)


def _openai(context: BackendContext):
    from assistant.draft.llm_backend import LLMBackend

    return LLMBackend(context)


def _hybrid(context: BackendContext):
    from assistant.draft.hybrid_backend import HybridBackend

    return HybridBackend(context)


register_backend("offline", _offline)
register_backend("openai", _openai)
register_backend("hybrid", _hybrid)
