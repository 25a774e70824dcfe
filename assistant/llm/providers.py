"""The built-in provider: any OpenAI-compatible chat-completions endpoint, through LangChain's ``ChatOpenAI``.

It registers with :func:`~assistant.llm.registry.register_chat_provider`,
exactly as a plugin would.

Two choices worth knowing:

* ``max_retries=0``: the OpenAI SDK's own retries are off, because
  :class:`~assistant.llm.client.LLMClient` retries (and logs and redacts) itself.
* ``max_tokens``: OpenAI's API wants ``max_completion_tokens`` (which
  ``ChatOpenAI`` sends), but most OpenAI-compatible servers (llama.cpp, vLLM,
  Ollama) only know ``max_tokens`` and silently ignore the other.  So for any
  base URL other than OpenAI's own, the limit is sent as ``max_tokens`` in the
  request body.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.llm.registry import register_chat_provider
from assistant.llm.settings import LLMSettings

# Not a secret: the OpenAI client insists on some key, and local servers ignore it.
NO_KEY = "no-key-required"


def is_openai_host(settings: LLMSettings) -> bool:
    return settings.base_url is None or (urlsplit(settings.base_url).hostname or "").endswith("api.openai.com")


def openai_chat_model(settings: LLMSettings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    official = is_openai_host(settings)
    kwargs: dict = {}
    if settings.max_tokens is not None:
        if official:
            kwargs["max_tokens"] = settings.max_tokens
        else:
            kwargs["extra_body"] = {"max_tokens": settings.max_tokens}
    key = settings.api_key.get_secret_value() if settings.api_key is not None else NO_KEY
    return ChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        api_key=key,
        temperature=settings.temperature,
        timeout=settings.timeout_s,
        max_retries=0,
        use_responses_api=False,  # chat completions: the API every compatible server speaks
        **kwargs,
    )


def register_builtin_providers() -> None:
    register_chat_provider("openai", openai_chat_model)
