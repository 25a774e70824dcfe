"""Drafting: from a question and a dataset schema to candidate causal graphs.

``draft(request, data, backend=...)`` runs one registered backend
(:mod:`assistant.draft.backend`): ``offline`` (data and background knowledge),
``openai`` (an LLM over any OpenAI-compatible endpoint) or ``hybrid`` (the
LLM's proposals with the data's evidence for and against each edge).
"""

from __future__ import annotations

import pandas as pd

from assistant.draft.backend import BackendContext, available_backends, create_backend, register_backend
from assistant.draft.result import DraftResult
from assistant.draft.spec import DraftRequest, build_request


def draft(request: DraftRequest, data: pd.DataFrame | None, *, backend: str = "offline",
          context: BackendContext | None = None) -> DraftResult:
    """Propose candidate graphs with the named backend."""
    return create_backend(backend, context).propose(request, data)


__all__ = ["BackendContext", "DraftRequest", "DraftResult", "available_backends", "build_request", "create_backend",
           "draft", "register_backend"]
