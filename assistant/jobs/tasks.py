"""What an RQ worker runs: an analysis run recorded in the store, or a draft on a stored dataset.

The worker opens the store from its own settings (``DATABASE_URL``), so every worker and every
UI replica must point at the same database.  A job carries ids only.
"""

from __future__ import annotations

import time
from typing import Any

from assistant.analysis.runner import CancelToken
from assistant.errors import (
    AnalysisCancelledError, AnalysisFailedError, CausalAssistantError, InvalidTransitionError,
)


class StoredCancel(CancelToken):
    """Cancelled when the stored run is no longer ``running`` (someone cancelled it): checked between steps."""

    def __init__(self, store, run_id: int) -> None:
        super().__init__()
        self.store, self.run_id = store, run_id

    def check(self, step: str) -> None:
        if not self.cancelled and self.store.get_analysis(self.run_id).status != "running":
            self.cancel()
        super().check(step)


def _frame(store, project: str, dataset: str):
    from assistant.intake import profile_csv

    frame, _profile = profile_csv(store.dataset_content(project, dataset), file_name=dataset)
    return frame


def _progress(step: str, fraction: float) -> None:
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        job.meta["progress"] = {"step": step, "fraction": round(fraction, 3)}
        job.save_meta()


def _end(store, run_id: int, err: Exception, *, cancelled: bool, started: float) -> None:
    try:
        store.fail_analysis(run_id, err, cancelled=cancelled, duration_seconds=time.perf_counter() - started)
    except InvalidTransitionError:  # already ended (cancelled meanwhile)
        pass


def run_analysis_job(run_id: int, job_id: str) -> dict[str, Any]:
    """Run stored analysis ``run_id`` and end it; the status returned is the stored run's."""
    from assistant.analysis.runner import run_analysis
    from assistant.analysis.spec import AnalysisSpec
    from assistant.jobs.queue import job_id_of
    from assistant.store import Store

    with Store.open() as store:
        run = store.get_analysis(run_id)
        if job_id_of(run) != job_id:
            raise RuntimeError(f"analysis run {run_id} in {store.url} does not belong to job {job_id}: does this "
                               "worker use the DATABASE_URL the job was queued against?")
        if run.status != "running":  # cancelled while it waited in the queue
            return {"run_id": run_id, "status": run.status, "skipped": True}
        started = time.perf_counter()
        try:
            spec = AnalysisSpec.model_validate({k: v for k, v in run.spec.items() if k != "background"})
            version = store.get_version(run.project, run.graph_name, run.version)
            frame = _frame(store, run.project, str(run.spec["background"]["dataset"]))  # type: ignore[index]
            result = run_analysis(version.graph, frame, spec, progress=_progress,
                                  cancel=StoredCancel(store, run_id))
        except AnalysisCancelledError as err:
            _end(store, run_id, err, cancelled=True, started=started)
            return {"run_id": run_id, "status": store.get_analysis(run_id).status}
        except CausalAssistantError as err:
            _end(store, run_id, err, cancelled=False, started=started)
            raise
        except Exception as exc:  # noqa: BLE001 - stored as a typed error, then the job fails
            err2 = AnalysisFailedError(f"the analysis failed unexpectedly: {type(exc).__name__}: {exc}",
                                       hint="this is probably a bug; the run is stored with its error")
            _end(store, run_id, err2, cancelled=False, started=started)
            raise err2 from exc
        try:
            store.finish_analysis(run_id, result, duration_seconds=time.perf_counter() - started)
        except InvalidTransitionError:  # cancelled after the last step: the cancellation stands
            pass
        return {"run_id": run_id, "status": store.get_analysis(run_id).status}


def run_draft_job(project: str, dataset: str, request: dict[str, Any], backend: str,
                  graph_name: str | None) -> dict[str, Any]:
    """Draft on every row of a stored dataset; returns the DraftResult as JSON (the job's result)."""
    from assistant.draft import draft
    from assistant.draft.backend import BackendContext
    from assistant.draft.spec import DraftRequest
    from assistant.store import Store

    llm_settings = None
    if backend != "offline":
        from assistant.llm import LLMSettings

        llm_settings = LLMSettings.load()
    with Store.open() as store:
        frame = _frame(store, project, dataset)
        context = BackendContext(llm_settings=llm_settings, sink=store, project=project, graph_name=graph_name)
        result = draft(DraftRequest.model_validate(request), frame, backend=backend, context=context)
    return result.model_dump(mode="json")
