"""Fuzzing the graph readers (json, dagitty, dot, gml, edge-list csv) and format detection.

Inputs are valid documents written by ``write_graph`` for hypothesis-generated
graphs and then mutated (characters and tokens deleted, inserted, duplicated,
swapped, repeated thousands of times), text in each format's alphabet, and
random text; detection also gets raw bytes under arbitrary file names.
"""

from __future__ import annotations

from typing import Any

from fuzz_targets import TARGETS, fuzz_settings
from hypothesis import given

FORMATS = TARGETS["formats"]
DETECT = TARGETS["detect"]


@fuzz_settings(FORMATS)
@given(FORMATS.strategy)
def test_graph_readers_never_crash(case: dict[str, Any]) -> None:
    FORMATS.check(case)


@fuzz_settings(DETECT)
@given(DETECT.strategy)
def test_format_detection_and_file_loading_never_crash(case: dict[str, Any]) -> None:
    DETECT.check(case)
