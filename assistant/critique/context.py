"""What every rule reads: the graph, the query, the data prepared once, and analyses computed once.

Rules never recompute shared work: the latent DAG, the adjustment analysis
and the list of implied independencies are computed lazily, once per
critique, and the independence tests go through a :class:`CITestCache` keyed
by (data fingerprint, test, pair, conditioning set) that a caller keeps
across edits, so a critique after a one-edge edit runs only the tests whose
conditioning sets changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np
import pandas as pd

from assistant.formats import Repair
from assistant.graph.dag import LatentDAG, find_cycle, to_latent_dag
from assistant.model import CausalGraph, DataType
from assistant.stats import CITestCache, CITester, PreparedData
from assistant.stats.data import UNTESTABLE, fingerprint

#: A column missing more than this fraction of its values is not tested.
MAX_MISSING_FRACTION = 0.5
#: Below this many complete rows the data rules say that silence is not support.
LOW_POWER_ROWS = 200


@dataclass(frozen=True)
class ColumnProblem:
    column: str
    kind: str  # "absent", "constant", "missing", "untestable"
    detail: str


@dataclass
class CritiqueOptions:
    alpha: float = 0.05
    correction: str = "holm"  # "holm" (family-wise) or "bh" (false discovery rate)
    max_implications: int = 5000
    llm: Any = None  # a draft backend with .critique(), when the semantic rules should run
    request: Any = None  # the DraftRequest the backend needs (question, variable specs)


@dataclass
class CritiqueContext:
    graph: CausalGraph
    exposures: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    data: pd.DataFrame | None = None
    previous: CausalGraph | None = None
    options: CritiqueOptions = field(default_factory=CritiqueOptions)
    cache: CITestCache = field(default_factory=CITestCache)
    repairs: list[Repair] = field(default_factory=list)
    data_fingerprint: str | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # rules share intermediate results here

    # ------------------------------------------------------------------ graph
    @cached_property
    def cycle(self) -> list[str] | None:
        return find_cycle(self.graph)

    @property
    def acyclic(self) -> bool:
        return self.cycle is None

    @cached_property
    def latent_dag(self) -> LatentDAG:
        return to_latent_dag(self.graph)

    @property
    def has_query(self) -> bool:
        return bool(self.exposures) and bool(self.outcomes)

    @property
    def single_query(self) -> tuple[str, str] | None:
        if len(self.exposures) == 1 and len(self.outcomes) == 1:
            return self.exposures[0], self.outcomes[0]
        return None

    def variable_label(self, name: str) -> str:
        return name

    # ------------------------------------------------------------------- data
    @property
    def has_data(self) -> bool:
        return self.data is not None

    @cached_property
    def column_types(self) -> dict[str, DataType]:
        """Each data column's type: the graph's declaration when it has one, otherwise inferred."""
        from assistant.intake.profile import profile_frame

        assert self.data is not None
        declared = {v.name: v.data_type for v in self.graph.variables if v.data_type != "unknown"}
        key = ("inferred-types", self.fingerprint)
        inferred = self.cache.memo.get(key)
        if inferred is None:  # profiling is the slowest step of a warm critique: once per data set
            inferred = {c.name: c.inferred_type for c in profile_frame(self.data)}
            self.cache.memo[key] = inferred
        return {str(c): declared.get(str(c), inferred.get(str(c), "unknown")) for c in self.data.columns}

    @cached_property
    def column_problems(self) -> list[ColumnProblem]:
        """Observed graph variables the data cannot test, and why."""
        assert self.data is not None
        out: list[ColumnProblem] = []
        columns = {str(c) for c in self.data.columns}
        for v in self.graph.variables:
            if not v.observed:
                continue
            if v.name not in columns:
                out.append(ColumnProblem(v.name, "absent", "not a column of the data"))
                continue
            series = self.data[v.name]
            missing = float(series.isna().mean()) if len(series) else 1.0
            kind = self.column_types[v.name]
            if missing >= 1.0:
                out.append(ColumnProblem(v.name, "missing", "every value is missing"))
            elif kind in UNTESTABLE:
                out.append(ColumnProblem(v.name, "untestable", f"its type is {kind}, which no test reads"))
            elif kind in ("continuous", "integer") and (bad := _not_numeric(series)) is not None:
                out.append(ColumnProblem(v.name, "untestable", f"it is declared {kind} but holds {bad}"))
            elif series.nunique(dropna=True) < 2:
                out.append(ColumnProblem(v.name, "constant", f"it takes one value ({series.dropna().iloc[0]!r})"))
            elif missing > MAX_MISSING_FRACTION:
                out.append(ColumnProblem(v.name, "missing", f"{missing:.0%} of its values are missing "
                                         f"(more than {MAX_MISSING_FRACTION:.0%})"))
        return out

    @cached_property
    def testable(self) -> list[str]:
        """Observed graph variables the data can test, in graph order."""
        if self.data is None:
            return []
        bad = {p.column for p in self.column_problems}
        columns = {str(c) for c in self.data.columns}
        return [v.name for v in self.graph.variables if v.observed and v.name in columns and v.name not in bad]

    @property
    def fingerprint(self) -> str:
        assert self.data is not None
        if self.data_fingerprint is None:
            self.data_fingerprint = fingerprint(self.data)
        return self.data_fingerprint

    @cached_property
    def prepared(self) -> PreparedData:
        assert self.data is not None
        types = {c: self.column_types[c] for c in self.testable}
        key = ("prepared", self.fingerprint, tuple(sorted(types.items())))
        found = self.cache.memo.get(key)
        if found is None:  # encoding is kept with the test cache, so an edit does not redo it
            found = PreparedData.from_frame(self.data[self.testable], types, data_fingerprint=self.fingerprint)
            self.cache.memo[key] = found
        return found  # type: ignore[return-value]

    @cached_property
    def tester(self) -> CITester:
        return CITester(self.prepared, cache=self.cache)

    @cached_property
    def rows(self) -> int:
        if self.data is None or not self.testable:
            return 0 if self.data is None else len(self.data)
        return int(np.sum(self.data[self.testable].notna().all(axis=1)))

    @property
    def low_power(self) -> bool:
        return self.has_data and self.rows < LOW_POWER_ROWS


def _not_numeric(series: pd.Series) -> str | None:
    """What makes a column declared numeric unusable as numbers (text, infinities), or None."""
    present = series.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    text = present[numbers.isna()]
    if len(text):
        return f"text such as {str(text.iloc[0])!r}"
    if np.isinf(numbers.to_numpy(dtype=float)).any():
        return "infinite values"
    return None


def build_context(graph: CausalGraph, *, exposures: list[str] | None = None, outcomes: list[str] | None = None,
                  data: pd.DataFrame | None = None, previous: CausalGraph | None = None,
                  options: CritiqueOptions | None = None, cache: CITestCache | None = None,
                  repairs: list[Repair] | None = None, data_fingerprint: str | None = None,
                  types: Mapping[str, DataType] | None = None) -> CritiqueContext:
    names = set(graph.names)
    xs = [x for x in (exposures if exposures is not None else graph.exposures)]
    ys = [y for y in (outcomes if outcomes is not None else graph.outcomes)]
    graph.require(xs, "the exposures")
    graph.require(ys, "the outcomes")
    ctx = CritiqueContext(graph=graph, exposures=[x for x in xs if x in names], outcomes=[y for y in ys if y in names],
                          data=data, previous=previous, options=options or CritiqueOptions(),
                          cache=cache if cache is not None else CITestCache(), repairs=list(repairs or []),
                          data_fingerprint=data_fingerprint)
    if types is not None and data is not None:
        base = ctx.column_types
        ctx.__dict__["column_types"] = {**base, **{k: v for k, v in types.items() if k in base}}
    return ctx
