"""Plain-language reports of analyses and queries, for a domain expert rather than a statistician."""

from __future__ import annotations

from assistant.analysis.spec import AnalysisResult, QueryResult

STRATEGY_WORDS = {
    "backdoor": "by adjusting for common causes (back-door criterion)",
    "frontdoor": "through a mediator that carries the whole effect (front-door criterion)",
    "iv": "with an instrumental variable",
    "general": "by the general identification algorithm",
}


def _g(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4g}"


def analysis_text(result: AnalysisResult) -> str:
    s, e, i = result.spec, result.estimate, result.identification
    lines: list[str] = []
    change = (f"raising {s.exposure} by one unit" if e.exposure_type == "continuous"
              else f"{s.exposure} = {e.treatment_value:g} instead of {e.control_value:g}")
    lines.append(f"Effect of {s.exposure} on {s.outcome} (rung 2: an intervention, averaged over the population)")
    lines.append("")
    lines.append(f"  {change} changes {s.outcome} by {_g(e.value)} on average "
                 f"({e.confidence_level:.0%} interval {_g(e.ci_low)} to {_g(e.ci_high)}).")
    if e.ci_low is not None and e.ci_high is not None:
        if e.ci_low <= 0 <= e.ci_high:
            lines.append("  The interval includes zero: the data cannot rule out no effect.")
        else:
            lines.append(f"  The interval excludes zero: the data point to a {'positive' if e.value > 0 else 'negative'}"
                         " effect, if the graph is right.")
    lines.append("")
    lines.append(f"How: identified {STRATEGY_WORDS.get(i.strategy, i.strategy)}.")
    if i.strategy == "backdoor":
        lines.append(f"  Adjusted for: {', '.join(i.adjustment_set) or 'nothing (no confounding paths)'}.")
    if i.instruments:
        lines.append(f"  Instrument(s): {', '.join(i.instruments)}.")
    if i.mediators:
        lines.append(f"  Mediator(s): {', '.join(i.mediators)}.")
    lines.append(f"  Estimated with {e.method.replace('_', ' ')} (DoWhy {e.dowhy_method}) on {e.n_rows} rows; "
                 f"interval: {e.ci_method}.")
    for note in i.notes:
        lines.append(f"  Note: {note}")
    if result.refutations:
        lines.append("")
        lines.append("Checks (refutations):")
        for r in result.refutations:
            verdict = {True: "passed", False: "FAILED", None: "not run"}[r.passed]
            if r.error:
                verdict = "could not run"
            detail = f"new effect {_g(r.new_effect)}" if r.new_effect is not None else (r.error or r.rule)
            p = f", p = {r.p_value:.3g}" if r.p_value is not None else ""
            lines.append(f"  - {r.name.replace('_', ' ')}: {verdict} ({detail}{p})")
        failed = [r for r in result.refutations if r.passed is False]
        if failed:
            lines.append("  A failed check means the estimate does not behave as a causal effect should; "
                         "revisit the graph or the method.")
    if result.sensitivity is not None:
        lines.append("")
        lines.append("How robust is it to a confounder we did not measure?")
        lines.append("  " + result.sensitivity.summary)
    if result.evalue is not None:
        ev = result.evalue
        lines.append(f"  E-value: {ev.point:.3g} (confidence limit: {_g(ev.ci)}): an unmeasured confounder "
                     f"associated with both {s.exposure} and {s.outcome} by a risk ratio of {ev.point:.3g} each "
                     "could explain the effect away, a weaker one could not.")
    if result.warnings:
        lines.append("")
        for w in result.warnings:
            lines.append(f"Warning: {w}")
    lines.append("")
    lines.append(f"Seed {s.seed}, DoWhy {result.dowhy_version}, data sha256 {result.data.sha256[:12]}…, "
                 f"{result.duration_seconds:.1f} s.")
    return "\n".join(lines)


def query_text(result: QueryResult) -> str:
    lines = []
    if result.rung == 2:
        lines.append(f"Rung 2 (intervention): {result.question}")
        lines.append(f"  If we intervened for everyone, the average {result.outcome} would be {_g(result.value)} "
                     f"(Monte-Carlo interval {_g(result.ci_low)} to {_g(result.ci_high)}); "
                     f"the observed average is {_g(result.observed_value)}.")
    else:
        lines.append(f"Rung 3 (counterfactual): {result.question}")
        lines.append(f"  This unit's {result.outcome} was {_g(result.observed_value)}; had the intervention "
                     f"happened, it would have been {_g(result.value)} "
                     f"(a change of {_g(result.value - (result.observed_value or 0.0))}).")
        lines.append("  Its other values as observed: "
                     + ", ".join(f"{k} = {v:.4g}" for k, v in result.factual.items()))
    lines.append("  Mechanisms fitted: " + "; ".join(f"{k}: {v}" for k, v in result.mechanisms.items()))
    lines.append("  Assumes: " + "; ".join(result.assumptions) + ".")
    lines.append(f"  Seed {result.seed}, DoWhy {result.dowhy_version}.")
    return "\n".join(lines)
