"""Parsing model answers: tolerate fences and chatter, never guess at truncated JSON; schemas are strict
about types, lenient about extra keys, and bounded."""

from __future__ import annotations

import json

import pytest

from assistant.llm.methods import json_schema
from assistant.llm.parsing import extract_json, parse_answer
from assistant.llm.schemas import (
    MAX_CANDIDATES, MAX_EDGES, CandidateOut, CritiqueOut, DraftOutput, EdgeOut, QuestionOut,
)

DRAFT = {"candidates": [{"name": "a", "edges": [{"source": "x", "target": "y", "confidence": 0.5}]}]}


@pytest.mark.parametrize("text", [
    json.dumps(DRAFT),
    "```json\n" + json.dumps(DRAFT) + "\n```",
    "```\n" + json.dumps(DRAFT, indent=2) + "\n```\n",
    "Here is the graph:\n" + json.dumps(DRAFT) + "\nLet me know if you need more.",
    "  \n" + json.dumps(DRAFT) + "  ",
])
def test_fences_and_surrounding_chatter_are_tolerated(text):
    parsed = parse_answer(text, DraftOutput)
    assert parsed.ok, parsed.errors
    assert parsed.value.candidates[0].edges[0].source == "x"


@pytest.mark.parametrize("text", [
    json.dumps(DRAFT)[:-1],
    json.dumps(DRAFT)[:-10],
    '{"candidates": [{"name": "a", "edges": [{"source": "x", "target": "y"',
    '```json\n{"candidates": [\n```',
])
def test_truncated_json_is_an_error_never_patched(text):
    parsed = parse_answer(text, DraftOutput)
    assert not parsed.ok and parsed.value is None
    assert any("truncated" in e or "invalid JSON" in e for e in parsed.errors), parsed.errors


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("I cannot help with that.", "no JSON object"),
    ("[1, 2, 3]", "not an object"),
    ('"just a string"', "not an object"),
    ("{'single': 'quotes'}", "invalid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_answers_without_a_usable_object_say_why(text, message):
    parsed = parse_answer(text, QuestionOut)
    assert not parsed.ok and message in parsed.errors[0]


def test_the_first_complete_object_is_taken():
    data, problem = extract_json('noise {"exposure": "a"} and then {"exposure": "b"}')
    assert problem is None and data == {"exposure": "a"}


def test_unknown_keys_are_ignored_but_types_are_strict():
    parsed = parse_answer('{"exposure": "a", "outcome": "b", "banana": 1, "confidence": 0.4}', QuestionOut)
    assert parsed.ok and parsed.value.exposure == "a"
    bad = parse_answer('{"exposure": ["a"], "confidence": 3}', QuestionOut)
    assert not bad.ok
    assert any(e.startswith("exposure:") for e in bad.errors)
    assert any(e.startswith("confidence:") and "less than or equal to 1" in e for e in bad.errors)


def test_errors_name_the_path_and_never_echo_the_input():
    secret_input = "S3CR3T-INPUT-" * 10
    parsed = parse_answer(json.dumps({"candidates": [{"edges": [{"source": "x", "target": secret_input,
                                                                 "kind": "sideways"}]}]}), DraftOutput)
    assert parsed.errors == ["candidates.0.edges.0.kind: Input should be 'directed' or 'bidirected'"]
    assert "S3CR3T" not in " ".join(parsed.errors)


def test_sizes_are_bounded_so_garbage_cannot_blow_up_memory():
    too_many = {"candidates": [{"edges": []}] * (MAX_CANDIDATES + 1)}
    assert not parse_answer(json.dumps(too_many), DraftOutput).ok
    edges = [{"source": "a", "target": "b"}] * (MAX_EDGES + 1)
    assert not parse_answer(json.dumps({"edges": edges}), CandidateOut).ok
    assert not parse_answer(json.dumps({"source": "a" * 201, "target": "b"}), EdgeOut).ok
    assert not parse_answer(json.dumps({"items": [{"rationale": "x" * 5000}]}), CritiqueOut).ok
    assert not parse_answer(json.dumps({"candidates": []}), DraftOutput).ok


def test_the_schema_sent_to_servers_has_no_length_bounds_but_validation_keeps_them():
    wire = json.dumps(json_schema(DraftOutput))
    assert "maxLength" not in wire and "maxItems" not in wire
    assert "maxLength" in json.dumps(DraftOutput.model_json_schema())


def test_draft_output_accepts_a_complete_answer():
    answer = {
        "inferred_question": {"exposure": "radio", "outcome": "sales", "rationale": "r", "confidence": 0.9},
        "candidates": [{"name": "base", "summary": "s", "edges": [
            {"source": "radio", "target": "sales", "kind": "directed", "rationale": "r", "confidence": 0.8},
            {"source": "radio", "target": "marketing", "kind": "bidirected", "rationale": "r", "confidence": 0.3}]}],
        "confounders": [{"name": "budget", "observed": False, "rationale": "r", "blocks": ["radio <- budget -> sales"]}],
        "missing_variables": [{"name": "budget", "description": "d", "why": "w", "unblocks": "u",
                               "affects": ["radio"]}],
        "roles": [{"name": "chart", "role": "collider", "rationale": "r", "conditioning": ["chart"]}],
        "notes": ["small sample"],
    }
    parsed = parse_answer(json.dumps(answer), DraftOutput)
    assert parsed.ok, parsed.errors
    assert parsed.value.roles[0].role == "collider"
