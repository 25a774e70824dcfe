"""The critique engine: a linter for causal assumptions that also reads the data.

Every rule is a small function with a stable id (``S001``), a severity and a
family — structure (S), identification (I), data (D), temporal (T), semantic
(L, from an LLM) — registered in :mod:`assistant.critique.rules` with worked
examples that the tests run and ``docs/critique-rules.md`` shows.  A finding
names the nodes and edges involved, the evidence (test, statistic, p-value,
rows) and a fix as edit operations the UI can apply in one click.

>>> from assistant.gallery import load
>>> report = critique(load("m_bias").model_copy(update={"adjusted": ["M"]}))
>>> report.has_errors, [f.rule for f in report.findings if f.severity == "error"]
(True, ['I005'])
"""

from assistant.critique.context import CritiqueContext, CritiqueOptions
from assistant.critique.finding import CritiqueReport, DataSummary, Finding, RuleRun, TestEvidence
from assistant.critique.rules import Example, Rule, all_rules, get_rule, select_rules
from assistant.critique.runner import critique

__all__ = [
    "CritiqueContext", "CritiqueOptions", "CritiqueReport", "DataSummary", "Example", "Finding", "Rule", "RuleRun",
    "TestEvidence", "all_rules", "critique", "get_rule", "select_rules",
]
