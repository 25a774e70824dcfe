"""Fuzzing edit operations: parse_edit and apply_edits give a valid graph or a typed error, input unchanged."""

from __future__ import annotations

from typing import Any

from fuzz_targets import TARGETS, fuzz_settings
from hypothesis import given

EDIT = TARGETS["edit"]


@fuzz_settings(EDIT)
@given(EDIT.strategy)
def test_edit_operations_never_crash(case: dict[str, Any]) -> None:
    EDIT.check(case)
