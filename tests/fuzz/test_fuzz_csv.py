"""Fuzzing CSV intake: any bytes give a profiled frame or a located DataError (see fuzz_targets.py)."""

from __future__ import annotations

from fuzz_targets import TARGETS, fuzz_settings
from hypothesis import given

CSV = TARGETS["csv"]


@fuzz_settings(CSV)
@given(CSV.strategy)
def test_csv_intake_never_crashes(content: bytes) -> None:
    CSV.check(content)
