"""Run an analysis or query and record it in the store against the graph version it used.

The run row is written *before* the work starts (status ``running``), so a
crash leaves a trace, and is then ended exactly once: ``succeeded`` with the
result, ``cancelled`` (an :class:`AnalysisCancelledError` or Ctrl-C), or
``failed`` with the typed error.  An unexpected exception is stored and
re-raised as :class:`AnalysisFailedError`, so callers (the CLI) never show a
traceback.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from pydantic import BaseModel

from assistant.errors import AnalysisCancelledError, AnalysisFailedError, CausalAssistantError

R = TypeVar("R", bound=BaseModel)


def run_recorded(store, project: str, graph_name: str, version: int, spec: BaseModel, *, author: str,
                 data_sha256: str | None, work: Callable[[], R]) -> tuple[R, int]:
    """Call ``work()`` inside a stored run; returns its result and the run id."""
    run = store.start_analysis(project, graph_name, version, spec, author=author, data_sha256=data_sha256)
    started = time.perf_counter()
    try:
        result = work()
    except AnalysisCancelledError as err:
        store.fail_analysis(run.id, err, cancelled=True, duration_seconds=time.perf_counter() - started)
        raise
    except KeyboardInterrupt:
        store.fail_analysis(run.id, AnalysisCancelledError("interrupted by the user"), cancelled=True,
                            duration_seconds=time.perf_counter() - started)
        raise
    except CausalAssistantError as err:
        store.fail_analysis(run.id, err, duration_seconds=time.perf_counter() - started)
        raise
    except Exception as exc:  # noqa: BLE001 - stored, then turned into a typed error
        err = AnalysisFailedError(f"the analysis failed unexpectedly: {type(exc).__name__}: {exc}",
                                  hint="this is probably a bug; the run is stored with its error")
        store.fail_analysis(run.id, err, duration_seconds=time.perf_counter() - started)
        raise err from exc
    store.finish_analysis(run.id, result, duration_seconds=time.perf_counter() - started)
    return result, run.id
