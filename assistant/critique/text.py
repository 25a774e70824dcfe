"""A critique report as linter-style text: findings by severity, the data's caveats, the edit's impact.

>>> from assistant.critique.finding import CritiqueReport, Finding
>>> report = CritiqueReport(graph_name="demo", findings=[Finding(
...     rule="S001", name="cycle", severity="error", family="structure", message="the graph has a cycle: A -> B -> A",
...     nodes=["A", "B"], edges=["A -> B", "B -> A"], fix_label="reverse B -> A")])
>>> print(report_text(report))
Critique of demo
<BLANKLINE>
Errors (1)
  S001 error    the graph has a cycle: A -> B -> A  [cycle]
       nodes: A, B
       edges: A -> B, B -> A
       fix: reverse B -> A
<BLANKLINE>
1 error, 0 warnings, 0 info

Nothing here depends on a particular rule: any finding, evidence, data summary
and impact renders, and an impact whose shape is unknown is shown as a compact
dump rather than dropped.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable

from assistant.critique.finding import SEVERITY_ORDER, CritiqueReport, DataSummary, Finding

if TYPE_CHECKING:  # not imported at run time: pytest would take a class named Test... for a test
    from assistant.critique.finding import TestEvidence

_HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Info"}
_INDENT = "       "  # under the message column's rule id


def _num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "-"
    if value != 0 and (abs(value) < 10 ** -digits or abs(value) >= 10 ** 6):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


def evidence_line(ev: "TestEvidence") -> str:
    """``X _||_ Y | Z  fisherz  stat=3.1 p=0.002 p_adj=0.011 n=500`` (with the test's caveats)."""
    parts = [ev.test, ev.method]
    stats = []
    if ev.statistic is not None:
        stats.append(f"stat={_num(ev.statistic)}" + (f" (dof {_num(ev.dof)})" if ev.dof is not None else ""))
    if ev.p_value is not None:
        stats.append(f"p={_num(ev.p_value)}")
    if ev.p_adjusted is not None:
        stats.append(f"p_adj={_num(ev.p_adjusted)}")
    if ev.n is not None:
        stats.append(f"n={ev.n}")
    if ev.effect is not None:
        stats.append(f"effect={_num(ev.effect)}")
    if stats:
        parts.append(" ".join(stats))
    line = "  ".join(p for p in parts if p)
    if not ev.reliable:
        line += "  (unreliable)"
    if ev.note:
        line += f"  — {ev.note}"
    return line


def finding_lines(f: Finding) -> list[str]:
    lines = [f"  {f.rule} {f.severity:<7}  {f.message}  [{f.name}]"]
    if f.nodes:
        lines.append(f"{_INDENT}nodes: {', '.join(f.nodes)}")
    if f.edges:
        lines.append(f"{_INDENT}edges: {', '.join(f.edges)}")
    for ev in f.evidence:
        lines.append(f"{_INDENT}evidence: {evidence_line(ev)}")
    if f.source == "llm" and f.rationale:
        lines.append(f"{_INDENT}the model's rationale (a claim, not a fact): {' '.join(f.rationale.split())}")
    if f.fix_label or f.fix:
        label = f.fix_label or f"{len(f.fix)} edit{'s' if len(f.fix) != 1 else ''}"
        lines.append(f"{_INDENT}fix: {label}")
    return lines


def data_lines(d: DataSummary) -> list[str]:
    lines = [f"Data: {d.rows} complete row{'s' if d.rows != 1 else ''}, "
             f"{len(d.columns_used)} column{'s' if len(d.columns_used) != 1 else ''} tested"
             + (f" ({', '.join(d.columns_used)})" if d.columns_used and len(d.columns_used) <= 12 else "")]
    cached = d.tests_run - d.tests_computed
    tests = f"  {d.tests_run} independence test{'s' if d.tests_run != 1 else ''}"
    if d.tests_run:
        tests += f" ({d.tests_computed} computed, {cached} from the cache)" if cached > 0 else " (all computed)"
    if d.correction:
        tests += f"; {d.correction} correction for multiple testing"
    tests += f"; alpha {_num(d.alpha)}"
    lines.append(tests)
    if d.low_power and not any("power" in c for c in d.caveats):
        lines.append(f"  LOW POWER: only {d.rows} rows, so a missing violation is weak evidence that the graph fits")
    for c in d.caveats:
        lines.append(f"  {'LOW POWER: ' if d.low_power and 'power' in c else 'caveat: '}{c}")
    return lines


def _impact_summary(impact: dict[str, Any]) -> list[str] | None:
    summary = impact.get("summary")
    if isinstance(summary, str) and summary.strip():
        return summary.strip().splitlines()
    if isinstance(summary, list) and summary:
        return [str(s) for s in summary]
    try:  # the model knows how to summarise itself, when it can be rebuilt from its JSON
        from assistant.critique.impact import EditImpact  # type: ignore[attr-defined]

        lines = EditImpact.model_validate(impact).summary_lines()
        return [str(s) for s in lines] if lines else None
    except Exception:  # noqa: BLE001 — any shape we cannot rebuild is dumped instead
        return None


def _compact(value: Any, width: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str,
                                                           separators=(", ", ": "))
    return text if len(text) <= width else text[:width - 3] + "..."


def impact_lines(impact: dict[str, Any]) -> list[str]:
    lines = ["Edit impact:"]
    summary = _impact_summary(impact)
    if summary is not None:
        return lines + [f"  {s}" for s in summary]
    shown = [(k, v) for k, v in impact.items() if v not in (None, [], {}, "")]
    if not shown:
        return lines + ["  no change"]
    return lines + [f"  {k}: {_compact(v)}" for k, v in shown]


def count_line(counts: dict[str, int]) -> str:
    e, w, i = counts.get("error", 0), counts.get("warning", 0), counts.get("info", 0)
    return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}, {i} info"


def _rule_runs(report: CritiqueReport, status: str) -> Iterable[str]:
    for run in report.rules:
        if run.status == status:
            yield f"  {run.rule} {run.name}: {run.reason}" if run.reason else f"  {run.rule} {run.name}"


def report_text(report: CritiqueReport) -> str:
    """The report for people, like a linter's output, ending with ``2 errors, 1 warning, 3 info``."""
    head = f"Critique of {report.graph_name}" if report.graph_name else "Critique"
    query = []
    if report.exposures:
        query.append(f"exposure{'s' if len(report.exposures) > 1 else ''} {', '.join(report.exposures)}")
    if report.outcomes:
        query.append(f"outcome{'s' if len(report.outcomes) > 1 else ''} {', '.join(report.outcomes)}")
    lines = [head + (f" ({'; '.join(query)})" if query else "")]
    by_severity: dict[str, list[Finding]] = {}
    for f in sorted(report.findings, key=Finding.sort_key):
        by_severity.setdefault(f.severity, []).append(f)
    for severity in sorted(by_severity, key=lambda s: SEVERITY_ORDER.get(s, 99)):
        found = by_severity[severity]
        lines += ["", f"{_HEADINGS.get(severity, severity.title())} ({len(found)})"]
        for f in found:
            lines += finding_lines(f)
    if not report.findings:
        lines += ["", "No findings."]
    if report.data is not None:
        lines += [""] + data_lines(report.data)
    if report.impact:
        lines += [""] + impact_lines(report.impact)
    failed = list(_rule_runs(report, "failed"))
    if failed:
        lines += ["", f"Failed rules ({len(failed)}; their checks are missing from this report):"] + failed
    skipped = list(_rule_runs(report, "skipped"))
    if skipped:
        lines += ["", f"Skipped rules ({len(skipped)}):"] + skipped
    if report.notes:
        lines += [""] + [f"Note: {n}" for n in report.notes]
    lines += ["", count_line(report.counts)]
    return "\n".join(lines)
