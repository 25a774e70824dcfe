"""The runner: every selected rule against one context, a crash in one never stopping the others.

>>> from assistant.gallery import load
>>> report = critique(load("m_bias").model_copy(update={"adjusted": ["M"]}))
>>> [f.rule for f in report.findings if f.severity != "info"]
['I005']
"""

from __future__ import annotations

import logging
import traceback
from typing import Iterable, Mapping

import pandas as pd

from assistant.critique.context import CritiqueContext, CritiqueOptions, Repair, build_context
from assistant.critique.finding import CritiqueReport, DataSummary, Finding, RuleRun
from assistant.critique.rules import Rule, RuleSkipped, select_rules
from assistant.model import CausalGraph, DataType
from assistant.stats import CITestCache

log = logging.getLogger(__name__)

INTERNAL_RULE = "E000"


def _unmet(rule: Rule, ctx: CritiqueContext) -> str | None:
    for need in rule.needs:
        if need == "dag" and not ctx.acyclic:
            return "the graph has a cycle (see S001)"
        if need == "query" and not ctx.has_query:
            return "no exposure and outcome are set"
        if need == "data" and not ctx.has_data:
            return "no data were given"
        if need == "data" and ctx.has_data and len(ctx.testable) < 2:
            return "fewer than two graph variables can be tested on the data"
        if need == "previous" and ctx.previous is None:
            return "no previous version to compare with"
        if need == "llm" and ctx.options.llm is None:
            return "no LLM is configured (run with --llm)"
    return None


def run_rules(ctx: CritiqueContext, rules: Iterable[Rule]) -> tuple[list[Finding], list[RuleRun]]:
    findings: list[Finding] = []
    runs: list[RuleRun] = []
    for r in rules:
        reason = _unmet(r, ctx)
        if reason is not None:
            runs.append(RuleRun(rule=r.id, name=r.name, status="skipped", reason=reason))
            continue
        try:
            found = r.run(ctx)
        except RuleSkipped as skip:
            runs.append(RuleRun(rule=r.id, name=r.name, status="skipped", reason=str(skip)))
            continue
        except Exception as exc:  # noqa: BLE001 — one broken rule must not hide the others' findings
            log.warning("critique rule %s (%s) failed: %s", r.id, r.name, exc)
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            runs.append(RuleRun(rule=r.id, name=r.name, status="failed", reason=detail))
            findings.append(Finding(rule=INTERNAL_RULE, name="rule-failed", severity="error", family="internal",
                                    message=f"rule {r.id} ({r.name}) failed and its check is missing from this "
                                            f"report: {detail}", source="engine"))
            continue
        runs.append(RuleRun(rule=r.id, name=r.name, status="ran"))
        findings.extend(found)
    findings.sort(key=Finding.sort_key)
    return findings, runs


def critique(graph: CausalGraph, data: pd.DataFrame | None = None, *, previous: CausalGraph | None = None,
             exposures: Iterable[str] | None = None, outcomes: Iterable[str] | None = None,
             options: CritiqueOptions | None = None, cache: CITestCache | None = None,
             repairs: list[Repair] | None = None, select: Iterable[str] | None = None,
             ignore: Iterable[str] | None = None, types: Mapping[str, DataType] | None = None,
             data_fingerprint: str | None = None, impact: bool = True) -> CritiqueReport:
    """Critique ``graph`` (optionally against ``data`` and the ``previous`` version) with every selected rule.

    Pass the same ``cache`` across calls on the same data to reuse independence tests after an edit.
    ``exposures``/``outcomes`` default to the graph's markers.
    """
    ctx = build_context(graph, exposures=list(exposures) if exposures is not None else None,
                        outcomes=list(outcomes) if outcomes is not None else None, data=data, previous=previous,
                        options=options, cache=cache, repairs=repairs, data_fingerprint=data_fingerprint, types=types)
    findings, runs = run_rules(ctx, select_rules(select, ignore))
    report = CritiqueReport(graph_name=graph.metadata.name, exposures=ctx.exposures, outcomes=ctx.outcomes,
                            findings=findings, rules=runs)
    if ctx.has_data:
        report.data = data_summary(ctx)
    if previous is not None and impact:
        try:
            from assistant.critique.impact import edit_impact

            report.impact = edit_impact(previous, graph, data=data if ctx.has_data and ctx.testable else None,
                                        exposures=ctx.exposures or None, outcomes=ctx.outcomes or None,
                                        types=ctx.column_types if ctx.has_data else None,
                                        memo=ctx.cache.memo).model_dump(mode="json")
        except Exception as exc:  # noqa: BLE001 — the findings stand even when the impact cannot be computed
            log.warning("edit impact failed: %s", exc)
            report.notes.append(f"the impact of the edit could not be computed: {exc}")
    if not ctx.has_query:
        report.notes.append("no exposure and outcome are set: the identification rules did not run")
    return report


def data_summary(ctx: CritiqueContext) -> DataSummary:
    stats = ctx.memo.get("data_stats", {})
    caveats = [f"{p.column!r} was not tested: {p.detail}" for p in ctx.column_problems if p.kind != "absent"]
    caveats += [c for c in stats.get("caveats", []) if c not in caveats]  # D006 words the power caveat
    counts = {k: int(v) for k, v in stats.items() if isinstance(v, (int, bool)) and not k.startswith("_")}
    return DataSummary(counts=counts, rows=ctx.rows, columns_used=list(ctx.testable), tests_run=ctx.tester.requested if ctx.testable
                       and "tester" in ctx.__dict__ else 0,
                       tests_computed=ctx.tester.computed if "tester" in ctx.__dict__ else 0,
                       correction=ctx.options.correction, alpha=ctx.options.alpha, low_power=ctx.low_power,
                       caveats=caveats)
