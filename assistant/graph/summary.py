"""One report answering "what must I adjust for?" — what ``causal-assistant check`` prints.

It composes the other analyses (adjustment sets, paths, instruments, the
front door, testable implications) into one serialisable model, so the CLI,
the UI and the critique engine show the same answer.
"""

from __future__ import annotations

from typing import Iterable

from pydantic import BaseModel, Field

from assistant.graph.adjustment import DEFAULT_MAX_SETS, check_adjustment_set, minimal_adjustment_sets, resolve_query
from assistant.graph.dag import to_latent_dag
from assistant.graph.frontdoor import front_door
from assistant.graph.implications import basis_implications, missing_edge_implications
from assistant.graph.instruments import instrumental_variables
from assistant.graph.paths import DEFAULT_PATH_LIMIT, all_paths
from assistant.model import CausalGraph


class PathSummary(BaseModel):
    path: str
    kind: str
    open: bool
    reasons: list[str]


class AdjustmentSummary(BaseModel):
    variables: list[str]
    valid: bool
    problems: list[str] = Field(default_factory=list)


class CheckReport(BaseModel):
    exposures: list[str]
    outcomes: list[str]
    identifiable_by_adjustment: bool
    minimal_adjustment_sets: list[list[str]]
    adjustment_sets_truncated: bool
    current_adjustment: AdjustmentSummary
    paths: list[PathSummary]
    paths_truncated: bool
    instruments: list[dict[str, object]] | None = Field(default=None, description="None when not single X and Y.")
    front_door: list[str] | None = None
    implications: list[str] = Field(description="Missing-edge implications: every minimal separating set.")
    implications_truncated: bool
    basis_implications: list[str] = Field(default_factory=list, description="A basis set that implies the rest.")
    notes: list[str] = Field(default_factory=list)

    @property
    def identifiable(self) -> bool:
        """Identifiable nonparametrically: by covariate adjustment or by the front door."""
        return self.identifiable_by_adjustment or bool(self.front_door)


def check_graph(graph: CausalGraph, exposures: Iterable[str] | str | None = None,
                outcomes: Iterable[str] | str | None = None, *, adjust: Iterable[str] | None = None,
                max_sets: int = DEFAULT_MAX_SETS, max_paths: int = DEFAULT_PATH_LIMIT,
                max_implications: int = 100) -> CheckReport:
    """Everything a reviewer needs to judge whether the effect can be estimated, and how.

    ``adjust`` defaults to the graph's *adjusted* markers; the report says
    whether that set is valid and shows every path given it.
    """
    ld = to_latent_dag(graph)
    xs, ys = resolve_query(graph, exposures, outcomes, ld)
    current = list(graph.adjusted if adjust is None else adjust)
    sets = minimal_adjustment_sets(graph, xs, ys, max_sets=max_sets)
    check = check_adjustment_set(graph, current, xs, ys)
    listing = all_paths(graph, xs, ys, [n for n in current if n in ld.observed], limit=max_paths)
    notes: list[str] = []
    instruments = None
    door = None
    if len(xs) == 1 and len(ys) == 1:
        instruments = [{"variable": i.variable, "conditioning": list(i.conditioning)}
                       for i in instrumental_variables(graph, xs[0], ys[0])]
        fd = front_door(graph, xs[0], ys[0])
        door = list(fd.minimal) if fd.minimal else None
    else:
        notes.append("instruments and the front door are only checked for one exposure and one outcome")
    if not sets.sets:
        rescue = []
        if door:
            rescue.append(f"the front door through {{{', '.join(door)}}}")
        if instruments:
            rescue.append("an instrument (" + ", ".join(i["variable"] for i in instruments) + ") under linearity")
        notes.append("no covariate adjustment removes the bias" +
                     (f"; the effect may still be identified by {' or '.join(rescue)}" if rescue else
                      "; consider measuring a latent confounder"))
    implications = missing_edge_implications(graph, max_results=max_implications + 1)
    return CheckReport(
        exposures=xs, outcomes=ys, identifiable_by_adjustment=bool(sets.sets),
        minimal_adjustment_sets=[list(s) for s in sets.sets], adjustment_sets_truncated=sets.truncated,
        current_adjustment=AdjustmentSummary(variables=sorted(current), valid=check.valid,
                                             problems=list(check.problems)),
        paths=[PathSummary(path=p.text, kind=p.kind, open=p.open, reasons=list(p.reasons)) for p in listing.paths],
        paths_truncated=listing.truncated, instruments=instruments, front_door=door,
        implications=[str(i) for i in implications[:max_implications]],
        implications_truncated=len(implications) > max_implications,
        basis_implications=[str(i) for i in basis_implications(graph)], notes=notes,
    )
