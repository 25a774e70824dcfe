"""The examples in the LLM layer's docstrings run, so they stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

from assistant.llm import unregister_chat_provider

MODULES = ["assistant.llm.client", "assistant.llm.parsing", "assistant.llm.prompts", "assistant.llm.retry",
           "assistant.llm.settings"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    try:
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    finally:
        unregister_chat_provider("fake")
    assert result.attempted > 0
    assert result.failed == 0
