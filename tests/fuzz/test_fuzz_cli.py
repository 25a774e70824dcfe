"""Fuzzing the command line: argument lists from the real commands and options plus garbage values.

Each example runs in-process (click's CliRunner) against its own copy of a
small store and its own CAUSAL_ASSISTANT_HOME: the exit code is one of the
documented ones (0-8), nothing prints a traceback, and a command that fails
leaves the store's row counts and the files beside it unchanged.
"""

from __future__ import annotations

from typing import Any

from fuzz_targets import TARGETS, fuzz_settings
from hypothesis import given

CLI = TARGETS["cli"]


@fuzz_settings(CLI)
@given(CLI.strategy)
def test_cli_never_crashes_and_failures_write_nothing(case: dict[str, Any]) -> None:
    CLI.check(case)
