"""The examples in the edit and store docstrings run, so they stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["assistant.edit.diff", "assistant.edit.operations", "assistant.store.repository"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
