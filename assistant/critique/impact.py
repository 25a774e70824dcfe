"""Edit impact: what the arrow I just drew actually does.

Given the previous version of a graph and the current one, :func:`edit_impact`
reports what the edit changed in the conclusions the graph supports, not just
in its drawing:

* whether the effect is identifiable (by covariate adjustment, by the front
  door, or not at all);
* the minimal adjustment sets, and whether the analyst's adjusted set is
  still valid;
* the open biasing paths given the adjusted set;
* the instruments;
* the testable implications (implied independencies);
* with data and one exposure and one outcome, a fast linear estimate of the
  effect in each version — each adjusting as that version says — and how
  much it moved.

Everything graph-theoretic comes from :mod:`assistant.graph`; the estimate is
:func:`assistant.stats.linear_effect.linear_effect`.  A version that is not a
DAG, or that lacks the exposure, is reported as such rather than failing.

>>> from assistant.formats import read_graph
>>> before = read_graph("dag { X [exposure] Y [outcome] X -> Y Z -> X }", "dagitty")
>>> after = read_graph("dag { X [exposure] Y [outcome] X -> Y Z -> X Z -> Y }", "dagitty")
>>> impact = edit_impact(before, after)
>>> impact.minimal_adjustment_sets.added, impact.minimal_adjustment_sets.removed
(['{Z}'], ['{}'])
>>> impact.summary_lines()[0]
'adding Z -> Y made {Z} a required adjustment'
"""

from __future__ import annotations

import hashlib

from typing import Iterable, Literal, Mapping

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from assistant.edit.diff import GraphDiff, diff_graphs
from assistant.errors import CausalAssistantError
from assistant.graph.adjustment import DEFAULT_MAX_SETS, check_adjustment_set, minimal_adjustment_sets
from assistant.graph.dag import find_cycle, to_latent_dag
from assistant.graph.frontdoor import front_door
from assistant.graph.implications import Independence, missing_edge_implications
from assistant.graph.instruments import instrumental_variables
from assistant.graph.paths import DEFAULT_PATH_LIMIT, open_biasing_paths
from assistant.model import CausalGraph, DataType
from assistant.stats.linear_effect import EffectEstimate, linear_effect

Identification = Literal["adjustment", "front door", "not identifiable", "unknown"]

#: Implied independencies computed per version (the comparison is over these).
DEFAULT_MAX_IMPLICATIONS = 2000
#: Items listed per added/removed list; the counts are always complete.
DEFAULT_MAX_LISTED = 20


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VersionAnalysis(_Model):
    """One version's answers; ``problem`` says why a version could not be analysed (then the rest is empty)."""

    acyclic: bool = True
    cycle: list[str] | None = None
    problem: str | None = Field(default=None, description="Why the query could not be analysed in this version.")
    identification: Identification = "unknown"
    minimal_adjustment_sets: list[list[str]] = Field(default_factory=list)
    adjustment_sets_truncated: bool = False
    adjusted: list[str] = Field(default_factory=list, description="The version's adjusted markers.")
    adjusted_valid: bool | None = None
    adjusted_problems: list[str] = Field(default_factory=list)
    open_biasing_paths: list[str] = Field(default_factory=list, description="Given the adjusted set.")
    paths_truncated: bool = False
    instruments: list[str] | None = Field(default=None, description="None unless one exposure and one outcome.")
    front_door: list[str] | None = None
    implications: list[str] = Field(default_factory=list)
    implications_truncated: bool = False
    estimate: EffectEstimate | None = None
    estimate_adjustment: Literal["adjusted", "minimal"] | None = Field(
        default=None, description="'adjusted': the analyst's adjusted set (valid); 'minimal': the smallest "
                                  "minimal adjustment set the data have.")
    estimate_note: str | None = Field(default=None, description="Why there is no estimate, or how it was made.")

    @property
    def analysable(self) -> bool:
        return self.acyclic and self.problem is None


class ListChange(_Model):
    """A list's value before and after, and what was added and removed (listings capped, counts complete)."""

    comparable: bool = Field(default=True, description="False when a version could not be analysed.")
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    n_added: int = 0
    n_removed: int = 0
    truncated: bool = Field(default=False, description="The added/removed listing was cut, or a version's list "
                                                      "was capped, so the comparison may be incomplete.")

    @property
    def changed(self) -> bool:
        return bool(self.n_added or self.n_removed)


class ValueChange(_Model):
    before: str | bool | None = None
    after: str | bool | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after


class EffectChange(_Model):
    """The linear estimate in each version and how it moved (``after - before``)."""

    before: EffectEstimate | None = None
    after: EffectEstimate | None = None
    difference: float | None = None
    relative_change: float | None = Field(default=None, description="difference / |before|; None when before "
                                                                      "is zero or either estimate is missing.")
    std_error_difference: float | None = None
    note: str | None = None


class EditImpact(_Model):
    """What an edit did to the graph's conclusions; :meth:`summary_lines` says it in a few lines."""

    exposures: list[str] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    diff: list[str] = Field(default_factory=list, description="The graph diff, one line per change.")
    diff_summary: str = "no changes"
    edit: str = Field(default="the edit", description="The edit in words, e.g. 'adding Z -> Y'.")
    before: VersionAnalysis = Field(default_factory=VersionAnalysis)
    after: VersionAnalysis = Field(default_factory=VersionAnalysis)
    identification: ValueChange = Field(default_factory=ValueChange)
    adjusted_valid: ValueChange = Field(default_factory=ValueChange)
    minimal_adjustment_sets: ListChange = Field(default_factory=ListChange)
    required_added: list[str] = Field(default_factory=list, description="Variables in every minimal set now, "
                                                                        "but not before.")
    required_removed: list[str] = Field(default_factory=list)
    now_forbidden: list[str] = Field(default_factory=list, description="Of required_removed, those the current "
                                                                       "version forbids adjusting for (mediators "
                                                                       "and their descendants).")
    open_biasing_paths: ListChange = Field(default_factory=ListChange)
    instruments: ListChange = Field(default_factory=ListChange)
    implications: ListChange = Field(default_factory=ListChange)
    effect: EffectChange | None = None
    notes: list[str] = Field(default_factory=list)
    summary: list[str] = Field(default_factory=list, description="summary_lines(), for readers of the JSON.")

    @property
    def changed(self) -> bool:
        """Did the edit change any conclusion (not merely the drawing)?"""
        return (self.identification.changed or self.adjusted_valid.changed or self.minimal_adjustment_sets.changed
                or self.open_biasing_paths.changed or self.instruments.changed or self.implications.changed
                or (self.effect is not None and self.effect.difference not in (None, 0.0))
                or (self.effect is not None and (self.effect.before is None) != (self.effect.after is None))
                or self.before.analysable != self.after.analysable)

    def summary_lines(self) -> list[str]:
        """A short human account, e.g. ``adding Z -> Y made {Z} a required adjustment``."""
        return _summary(self)


# --------------------------------------------------------------------- helpers

def _set_text(names: Iterable[str]) -> str:
    return "{" + ", ".join(names) + "}"


def _implication_key(i: Independence) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset((i.x, *i.y)), frozenset(i.given)


def _edit_phrase(diff: GraphDiff) -> str:
    """``adding Z -> Y`` when the edit is one structural change, else ``the edit``."""
    phrases = [f"adding {e}" for e in diff.edges_added] + [f"removing {e}" for e in diff.edges_removed]
    phrases += [f"reversing {r.old} (now {r.new})" for r in diff.edges_reversed]
    phrases += [f"adding variable {v.name}" for v in diff.variables_added]
    phrases += [f"removing variable {v.name}" for v in diff.variables_removed]
    if diff.adjusted:
        phrases += [f"adjusting for {n}" for n in diff.adjusted.added]
        phrases += [f"no longer adjusting for {n}" for n in diff.adjusted.removed]
    for marker in ("exposures", "outcomes"):
        if getattr(diff, marker):
            phrases.append(f"changing the {marker}")
    for vc in diff.variables_changed:
        for c in vc.changes:
            if c.field == "observed":
                phrases.append(f"marking {vc.name} {'observed' if c.new else 'latent'}")
    if len(phrases) == 1:
        return phrases[0]
    return "the edit"


def _analyse(graph: CausalGraph, xs: list[str], ys: list[str], label: str, *, max_sets: int, max_paths: int,
             max_implications: int) -> tuple[VersionAnalysis, dict[tuple[frozenset[str], frozenset[str]], str]]:
    """One version's analysis, and its implications keyed for comparison."""
    out = VersionAnalysis(adjusted=list(graph.adjusted))
    cycle = find_cycle(graph)
    if cycle is not None:
        out.acyclic = False
        out.cycle = cycle
        out.problem = "not a DAG: " + " -> ".join(cycle + cycle[:1])
        return out, {}
    implications = missing_edge_implications(graph, max_results=max_implications + 1)
    out.implications_truncated = len(implications) > max_implications
    implications = implications[:max_implications]
    keyed = {_implication_key(i): str(i) for i in implications}
    out.implications = [str(i) for i in implications]
    if not xs or not ys:
        out.problem = "no exposure and outcome are set"
        return out, keyed
    missing = [n for n in xs + ys if not graph.has_variable(n)]
    if missing:
        out.problem = f"it has no variable {', '.join(map(repr, missing))}"
        return out, keyed
    try:
        ld = to_latent_dag(graph)
        ld.require_observed(xs, "the exposure")
        ld.require_observed(ys, "the outcome")
        sets = minimal_adjustment_sets(graph, xs, ys, max_sets=max_sets)
    except CausalAssistantError as exc:
        out.problem = exc.message
        return out, keyed
    out.minimal_adjustment_sets = [list(s) for s in sets.sets]
    out.adjustment_sets_truncated = sets.truncated
    conditioning = [n for n in graph.adjusted if n in ld.observed and n not in xs and n not in ys]
    check = check_adjustment_set(graph, graph.adjusted, xs, ys)
    out.adjusted_valid = check.valid
    out.adjusted_problems = list(check.problems)
    paths = open_biasing_paths(graph, xs, ys, conditioning, limit=max_paths + 1)
    out.paths_truncated = len(paths) > max_paths
    out.open_biasing_paths = [p.text for p in paths[:max_paths]]
    door = None
    if len(xs) == 1 and len(ys) == 1:
        out.instruments = [str(i) for i in instrumental_variables(graph, xs[0], ys[0])]
        fd = front_door(graph, xs[0], ys[0])
        door = list(fd.minimal) if fd.minimal is not None else None
        out.front_door = door
    if sets.sets:
        out.identification = "adjustment"
    elif door is not None:
        out.identification = "front door"
    else:
        out.identification = "not identifiable"
    return out, keyed


def _list_change(before: list[str], after: list[str], *, comparable: bool, capped: bool, max_listed: int,
                 keys_before: Mapping | None = None, keys_after: Mapping | None = None) -> ListChange:
    if not comparable:
        return ListChange(comparable=False)
    if keys_before is not None and keys_after is not None:
        added = [keys_after[k] for k in keys_after if k not in keys_before]
        removed = [keys_before[k] for k in keys_before if k not in keys_after]
    else:
        old, new = set(before), set(after)
        added = [a for a in dict.fromkeys(after) if a not in old]
        removed = [b for b in dict.fromkeys(before) if b not in new]
    return ListChange(added=added[:max_listed], removed=removed[:max_listed], n_added=len(added),
                      n_removed=len(removed),
                      truncated=capped or len(added) > max_listed or len(removed) > max_listed)


def _required(sets: list[list[str]]) -> set[str]:
    if not sets:
        return set()
    common = set(sets[0])
    for s in sets[1:]:
        common &= set(s)
    return common


def _estimate(version: VersionAnalysis, data: pd.DataFrame, x: str, y: str,
              types: Mapping[str, DataType] | None) -> None:
    """Fill ``version.estimate`` (or ``estimate_note``): the adjusted set if valid, else the smallest minimal set."""
    if not version.analysable:
        version.estimate_note = f"no estimate: {version.problem}"
        return
    if version.identification != "adjustment":
        if version.identification == "front door":
            version.estimate_note = (f"no estimate: the effect is identified only by the front door through "
                                     f"{_set_text(version.front_door or [])}, and the linear preview adjusts only")
        else:
            version.estimate_note = "no estimate: the effect is not identifiable (no valid adjustment set)"
        return
    columns = {str(c) for c in data.columns}
    for needed in (x, y):
        if needed not in columns:
            version.estimate_note = f"no estimate: {needed!r} is not a column of the data"
            return
    chosen: list[str] | None = None
    how = ""
    adjusted = sorted(version.adjusted)
    if version.adjusted_valid and all(a in columns for a in adjusted):
        chosen, source = adjusted, "adjusted"
        how = f"adjusting for the graph's adjusted set {_set_text(adjusted)}"
    else:
        usable = [s for s in version.minimal_adjustment_sets if all(a in columns for a in s)]
        if not usable:
            lacking = sorted({a for s in version.minimal_adjustment_sets for a in s} - columns)
            version.estimate_note = ("no estimate: every minimal adjustment set needs a variable the data lack "
                                     f"({', '.join(lacking)})")
            return
        chosen, source = list(usable[0]), "minimal"
        why = ""
        if version.adjusted and version.adjusted_valid is False:
            why = f" (the graph's adjusted set {_set_text(adjusted)} is not valid)"
        elif version.adjusted and version.adjusted_valid:
            why = f" (the graph's adjusted set {_set_text(adjusted)} has variables the data lack)"
        how = f"adjusting for the smallest minimal adjustment set {_set_text(chosen)}{why}"
    try:
        version.estimate = linear_effect(data, x, y, chosen, types=types)
    except CausalAssistantError as exc:
        version.estimate_note = f"no estimate: {exc.message}"
        return
    version.estimate_adjustment = source  # type: ignore[assignment]
    version.estimate_note = how


def _effect_change(before: VersionAnalysis, after: VersionAnalysis) -> EffectChange:
    b, a = before.estimate, after.estimate
    change = EffectChange(before=b, after=a)
    if b is None or a is None:
        missing = [f"{label} ({v.estimate_note})" for label, v, e in (("before", before, b), ("after", after, a))
                   if e is None]
        change.note = "no comparison: no estimate " + " and ".join(missing)
        return change
    change.difference = a.value - b.value
    change.relative_change = change.difference / abs(b.value) if b.value != 0 else None
    change.std_error_difference = a.std_error - b.std_error
    notes = []
    if a.n != b.n:
        notes.append(f"the two estimates use different rows (n = {b.n} before, {a.n} after) because of "
                     "missing values in their adjustment sets")
    if a.contrast != b.contrast or a.method != b.method:
        notes.append("the two estimates are on different scales")
    change.note = "; ".join(notes) or None
    return change


# ----------------------------------------------------------------------- main

def edit_impact(previous: CausalGraph, current: CausalGraph, *, data: pd.DataFrame | None = None,
                exposures: Iterable[str] | str | None = None, outcomes: Iterable[str] | str | None = None,
                types: Mapping[str, DataType] | None = None, max_sets: int = DEFAULT_MAX_SETS,
                max_paths: int = DEFAULT_PATH_LIMIT, max_implications: int = DEFAULT_MAX_IMPLICATIONS,
                max_listed: int = DEFAULT_MAX_LISTED, memo: dict | None = None) -> EditImpact:
    """What changed between ``previous`` and ``current`` in identification, adjustment, paths, instruments,
    implications and (with ``data``, for one exposure and one outcome) the linear effect estimate.

    ``exposures``/``outcomes`` default to the current graph's markers and are
    used for both versions.  A name the current graph does not have raises
    :class:`~assistant.errors.UnknownVariableError`; a name only the previous
    version lacks makes that version unanalysable (said in its ``problem``).
    ``types`` are the data's column types (default: the graphs' declarations,
    then inferred from the data).  ``memo`` (a dict kept across calls, e.g. a
    ``CITestCache.memo``) remembers each version's analysis, so that a chain of
    edits analyses every version once: the previous version was the current one
    of the critique before.
    """
    def as_list(v: Iterable[str] | str | None, default: list[str]) -> list[str]:
        if v is None:
            return list(default)
        return [v] if isinstance(v, str) else list(v)

    xs = as_list(exposures, current.exposures)
    ys = as_list(outcomes, current.outcomes)
    current.require(xs, "the exposures")
    current.require(ys, "the outcomes")
    diff = diff_graphs(previous, current)
    impact = EditImpact(exposures=xs, outcomes=ys, diff=diff.lines(), diff_summary=diff.summary(),
                        edit=_edit_phrase(diff))
    notes = impact.notes
    for marker, used in (("exposures", xs), ("outcomes", ys)):
        old = list(getattr(previous, marker))
        if old and set(old) != set(used):
            notes.append(f"the previous version marks {marker} {', '.join(old)}; both versions are analysed for "
                         f"{', '.join(used) or 'none'} (the current version's)")
    if set(xs) & set(ys):
        from assistant.errors import AnalysisInputError

        raise AnalysisInputError(f"{sorted(set(xs) & set(ys))} cannot be both exposure and outcome")

    limits = dict(max_sets=max_sets, max_paths=max_paths, max_implications=max_implications)
    def analysed(graph: CausalGraph, label: str):
        if memo is None:
            return _analyse(graph, xs, ys, label, **limits)
        key = ("edit-impact", hashlib.sha256(graph.model_dump_json().encode()).hexdigest(), tuple(xs), tuple(ys),
               tuple(sorted(limits.items())))
        if key not in memo:
            memo[key] = _analyse(graph, xs, ys, label, **limits)
        version, keyed = memo[key]
        return version.model_copy(deep=True), keyed

    before, keys_before = analysed(previous, "previous")
    after, keys_after = analysed(current, "current")
    impact.before, impact.after = before, after
    if before.problem and before.problem == after.problem:
        notes.append(f"both versions: {before.problem}")
    else:
        for label, v in (("previous", before), ("current", after)):
            if v.problem:
                notes.append(f"the {label} version: {v.problem}")

    both_dag = before.acyclic and after.acyclic
    both = before.analysable and after.analysable
    impact.identification = ValueChange(before=_identification_text(before), after=_identification_text(after))
    impact.adjusted_valid = ValueChange(before=before.adjusted_valid, after=after.adjusted_valid)
    impact.minimal_adjustment_sets = _list_change(
        [_set_text(s) for s in before.minimal_adjustment_sets], [_set_text(s) for s in after.minimal_adjustment_sets],
        comparable=both, capped=before.adjustment_sets_truncated or after.adjustment_sets_truncated,
        max_listed=max_listed)
    if both:
        impact.required_added = sorted(_required(after.minimal_adjustment_sets)
                                       - _required(before.minimal_adjustment_sets)) \
            if after.minimal_adjustment_sets else []
        impact.required_removed = sorted(_required(before.minimal_adjustment_sets)
                                         - _required(after.minimal_adjustment_sets)) \
            if before.minimal_adjustment_sets and after.minimal_adjustment_sets else []
        if impact.required_removed:
            forbidden = check_adjustment_set(current, impact.required_removed, xs, ys).forbidden
            impact.now_forbidden = [v for v in impact.required_removed if v in forbidden]
    impact.open_biasing_paths = _list_change(before.open_biasing_paths, after.open_biasing_paths, comparable=both,
                                             capped=before.paths_truncated or after.paths_truncated,
                                             max_listed=max_listed)
    single = both and before.instruments is not None and after.instruments is not None
    impact.instruments = _list_change(before.instruments or [], after.instruments or [], comparable=single,
                                      capped=False, max_listed=max_listed)
    impact.implications = _list_change(before.implications, after.implications, comparable=both_dag,
                                       capped=before.implications_truncated or after.implications_truncated,
                                       max_listed=max_listed, keys_before=keys_before, keys_after=keys_after)
    if impact.implications.truncated and (before.implications_truncated or after.implications_truncated):
        notes.append(f"only the first {max_implications} implied independencies of each version were compared")

    if data is not None:
        if len(xs) == 1 and len(ys) == 1:
            declared = {v.name: v.data_type for g in (previous, current) for v in g.variables
                        if v.data_type != "unknown"}
            col_types = {**declared, **dict(types or {})}
            _estimate(before, data, xs[0], ys[0], col_types)
            _estimate(after, data, xs[0], ys[0], col_types)
            impact.effect = _effect_change(before, after)
        elif xs and ys:
            notes.append("the effect estimate is shown for one exposure and one outcome only")
    impact.summary = impact.summary_lines()
    return impact


def _identification_text(v: VersionAnalysis) -> str:
    if not v.acyclic:
        return "not a DAG"
    if v.problem:
        return "unknown"
    return {"adjustment": "identifiable by adjustment", "front door": "identifiable by the front door",
            "not identifiable": "not identifiable"}.get(v.identification, "unknown")


# --------------------------------------------------------------------- summary

def _few(items: list[str], n: int, limit: int = 3) -> str:
    shown = "; ".join(items[:limit])
    more = n - min(len(items), limit)
    return shown + (f" (and {more} more)" if more > 0 else "")


def _why(v: VersionAnalysis) -> str:
    return (v.estimate_note or "no reason recorded").removeprefix("no estimate: ")


def _summary(impact: EditImpact) -> list[str]:
    lines: list[str] = []
    before, after = impact.before, impact.after
    edit = impact.edit
    if not impact.diff:
        lines.append("no changes")
    if before.acyclic and not after.acyclic:
        lines.append(f"{edit} made the graph cyclic ({after.problem}): nothing can be concluded until the cycle "
                     "is broken")
    elif not before.acyclic and after.acyclic:
        lines.append(f"{edit} broke the cycle ({before.problem}); the graph is a DAG again")
    elif not after.acyclic:
        lines.append(f"the graph is still not a DAG ({after.problem})")
    elif after.problem and not before.problem:
        lines.append(f"the current version cannot be analysed: {after.problem}")
    elif before.problem and not after.problem:
        lines.append(f"the previous version could not be analysed ({before.problem}): nothing to compare with, "
                     f"the current version is {_identification_text(after)}")

    if impact.identification.changed and before.acyclic and after.acyclic and not (before.problem or after.problem):
        lines.append(f"{edit} changed identification: {impact.identification.before} → "
                     f"{impact.identification.after}")
    if impact.required_added:
        what = "required adjustments" if len(impact.required_added) > 1 else "a required adjustment"
        lines.append(f"{edit} made {_set_text(impact.required_added)} {what}")
    if impact.required_removed:
        line = f"{edit} made {_set_text(impact.required_removed)} no longer required in the adjustment"
        if impact.now_forbidden:
            line += (f"; adjusting for {_set_text(impact.now_forbidden)} would now be wrong: it lies on or descends "
                     "from a causal path from the exposure to the outcome")
        lines.append(line)
    sets = impact.minimal_adjustment_sets
    if sets.changed and not (impact.required_added or impact.required_removed) and after.minimal_adjustment_sets:
        lines.append("minimal adjustment sets: " + ", ".join(_set_text(s) for s in before.minimal_adjustment_sets[:4])
                     + (" …" if len(before.minimal_adjustment_sets) > 4 else "") + " → "
                     + ", ".join(_set_text(s) for s in after.minimal_adjustment_sets[:4])
                     + (" …" if len(after.minimal_adjustment_sets) > 4 else ""))
    if impact.adjusted_valid.changed and before.analysable and after.analysable:
        adj = f"the adjusted set {_set_text(sorted(after.adjusted))}" if after.adjusted else "adjusting for nothing"
        if after.adjusted_valid:
            lines.append(f"{adj} is now valid")
        elif after.adjusted_valid is False:
            why = after.adjusted_problems[0] if after.adjusted_problems else "it is not a valid adjustment set"
            marker = "leaves a biasing path open"
            if why.startswith("adjusting for ") and marker in why:  # do not repeat the set just named
                why = "it " + marker + why.split(marker, 1)[1]
            lines.append(f"{adj} is no longer valid: {why}")
    paths = impact.open_biasing_paths
    if paths.n_added:
        lines.append(f"opened {paths.n_added} biasing path{'s' if paths.n_added > 1 else ''}: "
                     + _few(paths.added, paths.n_added))
    if paths.n_removed:
        lines.append(f"closed {paths.n_removed} biasing path{'s' if paths.n_removed > 1 else ''}: "
                     + _few(paths.removed, paths.n_removed))
    inst = impact.instruments
    if inst.n_added:
        lines.append(f"new instrument{'s' if inst.n_added > 1 else ''}: {_few(inst.added, inst.n_added)}")
    if inst.n_removed:
        lines.append(f"no longer {'instruments' if inst.n_removed > 1 else 'an instrument'}: "
                     f"{_few(inst.removed, inst.n_removed)}")
    imp = impact.implications
    if imp.changed:
        part = []
        if imp.n_added:
            part.append(f"+{imp.n_added} (e.g. {imp.added[0]})")
        if imp.n_removed:
            part.append(f"-{imp.n_removed} (e.g. {imp.removed[0]})")
        lines.append("implied independencies: " + ", ".join(part) + (" (lists capped)" if imp.truncated else ""))

    eff = impact.effect
    if eff is not None:
        if eff.before is not None and eff.after is not None:
            if eff.difference == 0 and eff.std_error_difference == 0:
                lines.append(f"the estimate is unchanged at {eff.after.short()}")
            else:
                rel = f", {eff.relative_change:+.0%}" if eff.relative_change is not None else ""
                lines.append(f"the estimate moved from {eff.before.short()} to {eff.after.short()}{rel}")
            if eff.before.adjustment_set != eff.after.adjustment_set:
                lines.append(f"  (adjusting for {_set_text(eff.before.adjustment_set)} before, "
                             f"{_set_text(eff.after.adjustment_set)} after)")
            if eff.note:
                lines.append(f"  ({eff.note})")
        elif eff.after is not None:
            lines.append(f"the estimate is now {eff.after.short()}; before there was none: {_why(before)}")
        elif eff.before is not None:
            lines.append(f"the estimate was {eff.before.short()}; now there is none: {_why(after)}")
        else:
            lines.append(f"no estimate: {_why(after)}")
    if impact.diff and len(lines) == 0:
        lines.append(f"{edit} changed the drawing but none of the conclusions checked here")
    elif impact.diff and not lines[0].startswith(edit):
        lines.insert(0, f"edit: {edit if edit != 'the edit' else impact.diff_summary}")
    return lines
