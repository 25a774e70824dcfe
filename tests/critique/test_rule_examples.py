"""Every rule's worked examples: the triggering ones must raise the rule, the near misses must not.

The same examples are rendered into docs/critique-rules.md, so the docs show
exactly what these tests check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.critique.docs import render
from assistant.critique.examples import run_example
from assistant.critique.rules import all_rules, iter_examples

EXAMPLES = list(iter_examples())
DOCS = Path(__file__).resolve().parents[2] / "docs" / "critique-rules.md"


@pytest.mark.parametrize(("rule", "index", "example"), EXAMPLES,
                         ids=[f"{r.id}-{r.name}-{i}-{'trigger' if ex.triggers else 'near-miss'}"
                              for r, i, ex in EXAMPLES])
def test_example(rule, index, example):
    report = run_example(rule, example)
    ran = [run for run in report.rules if run.rule == rule.id]
    assert ran and ran[0].status == "ran", f"{rule.id} did not run: {ran}"
    found = [f for f in report.findings if f.rule == rule.id]
    internal = [f.message for f in report.findings if f.rule == "E000"]
    assert not internal, internal
    if example.triggers:
        assert found, f"{rule.id} ({rule.name}) should fire on: {example.note or example.graph}"
        for f in found:
            assert f.message and f.family == rule.family and f.name == rule.name
    else:
        assert not found, f"{rule.id} ({rule.name}) fired on its near miss: {[f.message for f in found]}"


def test_every_rule_has_a_trigger_and_a_near_miss():
    for r in all_rules():
        kinds = {ex.triggers for ex in r.examples}
        assert kinds == {True, False}, f"{r.id} ({r.name}) needs a triggering example and a near miss"
        assert r.summary and r.explanation, f"{r.id} needs a summary and an explanation for the docs"


def test_rule_ids_are_stable_and_unique():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for r in rules:
        assert r.id[0] in "SIDTL" and r.id[1:].isdigit() and len(r.id) == 4, r.id
        assert {"S": "structure", "I": "identification", "D": "data", "T": "temporal",
                "L": "semantic"}[r.id[0]] == r.family


def test_docs_are_generated_from_the_rules():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/critique-rules.md is out of date: run `python -m assistant.critique.docs > docs/critique-rules.md`")
