"""Fuzzing LLM output: parsing for every schema, and drafting/critique through the fake chat model.

The drafting property: whatever the model answers (truncated JSON, wrong
types, huge arrays, unknown names, self-loops, cycles, NaN, lone surrogates),
the result is a draft whose every candidate is a valid, acyclic graph over the
data's variables (plus at most MAX_INVENTED marked latents), or a typed LLM
error; never a crash, and never more than one repair call.
"""

from __future__ import annotations

from typing import Any

from fuzz_targets import TARGETS, fuzz_settings
from hypothesis import given

PARSING = TARGETS["llm_parsing"]
DRAFT = TARGETS["llm_draft"]


@fuzz_settings(PARSING)
@given(PARSING.strategy)
def test_llm_answer_parsing_never_crashes(case: dict[str, Any]) -> None:
    PARSING.check(case)


@fuzz_settings(DRAFT)
@given(DRAFT.strategy)
def test_llm_drafts_are_valid_graphs_or_typed_errors(case: dict[str, Any]) -> None:
    DRAFT.check(case)
