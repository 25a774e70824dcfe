"""Analyses from the UI: validated versions by default, an explicit override that is recorded, every run stored.

Mirrors the CLI's ``--project`` behaviour (:mod:`assistant.cli.analyze_command`):
the run is written to ``analysis_runs`` before the work starts; a refusal
(the version is not validated and no override was given) is itself stored
as a failed run; the override is stored in the spec (``allow_unvalidated``).
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from assistant.analysis.prepare import data_sha256
from assistant.analysis.recording import run_recorded
from assistant.analysis.runner import CancelToken
from assistant.analysis.spec import AnalysisResult, AnalysisSpec, QueryResult, QuerySpec
from assistant.errors import AnalysisInputError
from assistant.store import Store, VersionInfo
from assistant.workspace.roles import Identity


def check_validated(info: VersionInfo, allow_unvalidated: bool) -> None:
    if info.status != "validated" and not allow_unvalidated:
        raise AnalysisInputError(
            f"version {info.number} of {info.graph_name!r} is {info.status.replace('_', ' ')}, not validated; "
            "analyses run on validated graphs by default",
            hint="have a reviewer validate it on the Review page, or tick 'analyse a version that is not "
                 "validated' (the override is recorded with the run)")


def analyze_version(store: Store, identity: Identity, project: str, graph: str, number: int, data: pd.DataFrame,
                    spec: AnalysisSpec, *, allow_unvalidated: bool = False,
                    progress: Callable[[str, float], None] | None = None,
                    cancel: CancelToken | None = None) -> tuple[AnalysisResult, int]:
    """Run and record an analysis of version ``number``; returns the result and the run id."""
    from assistant.analysis.runner import run_analysis

    identity.require_any("run analyses")
    info = store.get_version(project, graph, number)
    spec = spec.model_copy(update={"allow_unvalidated": allow_unvalidated})

    def work() -> AnalysisResult:
        check_validated(info, allow_unvalidated)
        return run_analysis(info.graph, data, spec, progress=progress, cancel=cancel)

    return run_recorded(store, project, graph, info.number, spec, author=identity.name,
                        data_sha256=data_sha256(data), work=work)


def query_version(store: Store, identity: Identity, project: str, graph: str, number: int, data: pd.DataFrame,
                  spec: QuerySpec, *, allow_unvalidated: bool = False) -> tuple[QueryResult, int]:
    """Run and record a rung-2/3 query of version ``number``.

    :class:`QuerySpec` has no override field, so a query of a non-validated
    version is recorded with the override in the run's spec JSON.
    """
    from assistant.analysis.queries import run_query

    identity.require_any("run analyses")
    info = store.get_version(project, graph, number)

    def work() -> QueryResult:
        check_validated(info, allow_unvalidated)
        return run_query(info.graph, data, spec)

    recorded = spec.model_dump(mode="json")
    if allow_unvalidated:
        recorded["allow_unvalidated"] = True
    return run_recorded(store, project, graph, info.number, recorded, author=identity.name,  # type: ignore[arg-type]
                        data_sha256=data_sha256(data), work=work)


def parse_do(text: str) -> tuple[dict[str, float], dict[str, float]]:
    """``radio_play=10, tiktok_use=*0.5`` -> (set values, scale factors)."""
    from assistant.analysis.queries import parse_interventions

    return parse_interventions(text.replace(";", ",").split(","))
