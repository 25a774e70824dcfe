"""The LLM layer: any OpenAI-compatible endpoint through LangChain, prompts as data, every exchange logged.

::

    from assistant.llm import ExchangeContext, LLMClient
    from assistant.llm.schemas import DraftOutput

    with Store.open() as store:
        client = LLMClient.from_settings(sink=store)          # settings from env / config file
        result = client.structured("draft_graph", {...}, DraftOutput,
                                   context=ExchangeContext(purpose="draft", project="sales"))
        result.value, result.usage, result.method, result.exchange_ids

Modules, in the order a request flows through them:

* :mod:`~assistant.llm.settings` — :class:`LLMSettings` (env and config file; the key is a secret).
* :mod:`~assistant.llm.registry` — chat-model providers; the built-in ``openai`` one
  (:mod:`~assistant.llm.providers`) registers like any plugin.
* :mod:`~assistant.llm.prompts` — ``prompts/*.toml`` templates, strict; :func:`quote_data`.
* :mod:`~assistant.llm.schemas` — the output schemas the templates ask for.
* :mod:`~assistant.llm.methods` — json_schema -> function calling -> json_object.
* :mod:`~assistant.llm.failures`, :mod:`~assistant.llm.retry` — what to retry, and when.
* :mod:`~assistant.llm.parsing` — extract and validate JSON, never guessing.
* :mod:`~assistant.llm.client` — :class:`LLMClient`, which ties it together and logs
  every exchange to an :class:`ExchangeSink` (:mod:`~assistant.llm.exchange`; the Store is one).
* :mod:`~assistant.llm.fake` — :class:`FakeChatModel` for tests, registered through the registry.

See ``docs/llm.md``.
"""

from assistant.llm.client import LLMClient, StructuredResult, forget_methods, remembered_method
from assistant.llm.exchange import ExchangeContext, ExchangeSink, MemorySink
from assistant.llm.fake import FakeChatModel, install_fake
from assistant.llm.methods import METHODS, Method
from assistant.llm.prompts import PromptTemplate, available_prompts, load_prompt, quote_data
from assistant.llm.registry import (
    ENTRY_POINT_GROUP, available_providers, create_chat_model, register_chat_provider, unregister_chat_provider,
)
from assistant.llm.retry import RetryPolicy
from assistant.llm.settings import LLMSettings

__all__ = [
    "ENTRY_POINT_GROUP", "METHODS", "ExchangeContext", "ExchangeSink", "FakeChatModel", "LLMClient", "LLMSettings",
    "MemorySink", "Method", "PromptTemplate", "RetryPolicy", "StructuredResult", "available_prompts",
    "available_providers", "create_chat_model", "forget_methods", "install_fake", "load_prompt", "quote_data",
    "register_chat_provider", "remembered_method", "unregister_chat_provider",
]
