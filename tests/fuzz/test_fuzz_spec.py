"""Fuzzing variables files (YAML/JSON): a SpecFile or a located ParseError, never a crash."""

from __future__ import annotations

from fuzz_targets import TARGETS, fuzz_settings
from hypothesis import given

SPEC = TARGETS["spec"]


@fuzz_settings(SPEC)
@given(SPEC.strategy)
def test_variables_files_never_crash(text: str) -> None:
    SPEC.check(text)
