"""What an RQ worker runs: an analysis run or a draft job recorded in the store (a draft on a stored dataset).

The worker opens the store from its own settings (``DATABASE_URL``), so every worker and every
UI replica must point at the same database.  A job carries ids only.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from assistant.analysis.runner import CancelToken
from assistant.errors import (
    AnalysisCancelledError, AnalysisFailedError, CausalAssistantError, DraftFailedError, InvalidTransitionError,
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


def _end(fail: Callable[..., Any], item_id: int, err: Exception, *, cancelled: bool, started: float) -> None:
    """End a stored run or draft job with ``err`` (``fail``: the store's fail_analysis or fail_draft)."""
    try:
        fail(item_id, err, cancelled=cancelled, duration_seconds=time.perf_counter() - started)
    except InvalidTransitionError:  # already ended (cancelled meanwhile)
        pass


def run_analysis_job(run_id: int, job_id: str) -> dict[str, Any]:
    """Run stored analysis ``run_id`` and end it; the status returned is the stored run's."""
    from assistant.analysis.runner import run_analysis
    from assistant.analysis.spec import AnalysisSpec
    from assistant.jobs.analysis_jobs import job_id_of
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
            _end(store.fail_analysis, run_id, err, cancelled=True, started=started)
            return {"run_id": run_id, "status": store.get_analysis(run_id).status}
        except CausalAssistantError as err:
            _end(store.fail_analysis, run_id, err, cancelled=False, started=started)
            raise
        except Exception as exc:  # noqa: BLE001 - stored as a typed error, then the job fails
            err2 = AnalysisFailedError(f"the analysis failed unexpectedly: {type(exc).__name__}: {exc}",
                                       hint="this is probably a bug; the run is stored with its error")
            _end(store.fail_analysis, run_id, err2, cancelled=False, started=started)
            raise err2 from exc
        try:
            store.finish_analysis(run_id, result, duration_seconds=time.perf_counter() - started)
        except InvalidTransitionError:  # cancelled after the last step: the cancellation stands
            pass
        return {"run_id": run_id, "status": store.get_analysis(run_id).status}


def run_draft_job(draft_id: int, job_id: str) -> dict[str, Any]:
    """Run stored draft job ``draft_id`` on every row of its dataset and end it; returns the stored status."""
    from assistant.draft import draft
    from assistant.draft.backend import BackendContext
    from assistant.draft.spec import DraftRequest
    from assistant.store import Store

    with Store.open() as store:
        info = store.get_draft(draft_id)
        if info.job_id != job_id:
            raise RuntimeError(f"draft job {draft_id} in {store.url} does not belong to job {job_id}: does this "
                               "worker use the DATABASE_URL the job was queued against?")
        if info.status != "running":  # cancelled while it waited in the queue
            return {"draft_id": draft_id, "status": info.status, "skipped": True}
        started = time.perf_counter()
        try:
            _progress("reading the dataset", 0.05)
            request = DraftRequest.model_validate(info.request)
            frame = _frame(store, info.project, info.dataset)
            llm_settings = None
            if info.backend != "offline":
                from assistant.llm import LLMSettings

                llm_settings = LLMSettings.load()
            _progress(f"drafting with the {info.backend} assistant on {len(frame):,} rows", 0.2)
            options = info.options
            context = BackendContext(llm_settings=llm_settings, sink=store, project=info.project,
                                     graph_name=info.graph_name, cache=options.get("cache") is not False,
                                     **({"alpha": float(options["alpha"])}  # type: ignore[arg-type]
                                        if isinstance(options.get("alpha"), (int, float)) else {}))
            result = draft(request, frame, backend=info.backend, context=context)
        except CausalAssistantError as err:
            _end(store.fail_draft, draft_id, err, cancelled=False, started=started)
            raise
        except Exception as exc:  # noqa: BLE001 - stored as a typed error, then the job fails
            err2 = DraftFailedError(f"the draft failed unexpectedly: {type(exc).__name__}: {exc}",
                                    hint="this is probably a bug; the draft job is stored with its error")
            _end(store.fail_draft, draft_id, err2, cancelled=False, started=started)
            raise err2 from exc
        try:
            store.finish_draft(draft_id, result, duration_seconds=time.perf_counter() - started)
        except InvalidTransitionError:  # cancelled while it worked: the cancellation stands, the result is dropped
            pass
        return {"draft_id": draft_id, "status": store.get_draft(draft_id).status}
