"""Stored background draft jobs (``draft_jobs``, migration 0007) on real SQLite and real PostgreSQL.

Queued as ``running`` with who, when, the project, the dataset (and its rows and hash), the request
and the job; ended exactly once with the DraftResult or the error; typed errors for everything else;
every change in the audit log; ``db check`` notes the unfinished ones.
"""

from __future__ import annotations

import pytest

from assistant.demo import PROJECT, load_demo_project
from assistant.errors import (
    AlreadyExistsError, AnalysisCancelledError, DraftFailedError, InputError, InvalidTextError, InvalidTransitionError, NotFoundError,
)
from assistant.store import Store
from assistant.store.integrity import check_integrity

DATASET = "record_sales"
REQUEST = {"question": "Does radio airplay raise record sales?", "variables": [{"name": "radio_play"}],
           "candidates": 2}


@pytest.fixture
def store(database_url):
    with Store.open(database_url) as s:
        load_demo_project(s)
        yield s


def start(store: Store, job: str = "ca-draft-1", **kw):
    return store.start_draft(PROJECT, DATASET, REQUEST, author="ana", backend="offline", job_id=job,
                             queue="q", **kw)


def test_a_draft_job_is_stored_when_queued_and_ended_once_with_its_result(store):
    data = store.get_dataset(PROJECT, DATASET)
    queued = start(store, graph_name="model", options={"alpha": 0.01, "cache": True})
    assert (queued.status, queued.created_by, queued.project, queued.dataset) == ("running", "ana", PROJECT, DATASET)
    assert queued.n_rows == data.profile.n_rows == 2000 and queued.data_sha256 == data.content_hash
    assert queued.request == REQUEST and queued.options == {"alpha": 0.01, "cache": True}
    assert (queued.job_id, queued.queue, queued.graph_name, queued.backend) == ("ca-draft-1", "q", "model", "offline")
    assert queued.result is None and queued.error is None and queued.question == REQUEST["question"]

    done = store.finish_draft(queued.id, {"backend": "offline", "candidates": []}, duration_seconds=1.5)
    assert (done.status, done.result, done.duration_seconds) == ("succeeded", {"backend": "offline",
                                                                               "candidates": []}, 1.5)
    with pytest.raises(InvalidTransitionError, match="already ended"):
        store.fail_draft(queued.id, AnalysisCancelledError("cancelled by rita"), cancelled=True)
    with pytest.raises(InvalidTransitionError):
        store.finish_draft(queued.id, {"candidates": []})
    assert store.get_draft(queued.id) == done   # read back from another transaction, unchanged

    actions = [(e.action, e.subject) for e in store.audit_log(project=PROJECT) if e.action.startswith("draft.")]
    assert actions == [("draft.queue", f"draft {queued.id}"), ("draft.succeeded", f"draft {queued.id}")]


def test_failed_and_cancelled_draft_jobs_keep_their_typed_error_and_list_newest_first(store):
    first, second, third = (start(store, f"ca-draft-{i}") for i in range(3))
    failed = store.fail_draft(first.id, DraftFailedError("boom", hint="see the log"), duration_seconds=0.2)
    assert failed.status == "failed" and failed.error["code"] == "draft-failed" and failed.error["hint"] == "see the log"
    cancelled = store.fail_draft(second.id, AnalysisCancelledError("cancelled by rita"), cancelled=True)
    assert cancelled.status == "cancelled" and cancelled.error["message"] == "cancelled by rita"
    assert [d.id for d in store.list_drafts(PROJECT)] == [third.id, second.id, first.id]
    assert [d.id for d in store.list_drafts(PROJECT, limit=1)] == [third.id] and store.count_drafts(PROJECT) == 3

    report = check_integrity(store._engine)
    assert report.ok, report.problems
    assert any("background draft jobs still marked running" in n and str(third.id) in n for n in report.notes)


def test_bad_input_is_a_typed_error_and_nothing_is_written(store):
    counts = store.row_counts()
    with pytest.raises(NotFoundError, match="no dataset named 'nope'"):
        store.start_draft(PROJECT, "nope", REQUEST, author="ana", backend="offline", job_id="j", queue="q")
    with pytest.raises(NotFoundError, match="no project"):
        store.start_draft("nope", DATASET, REQUEST, author="ana", backend="offline", job_id="j", queue="q")
    with pytest.raises(InputError, match="unknown drafting backend"):
        store.start_draft(PROJECT, DATASET, REQUEST, author="ana", backend="magic", job_id="j", queue="q")
    with pytest.raises(InputError, match="request must be a JSON object"):
        store.start_draft(PROJECT, DATASET, ["x"], author="ana", backend="offline", job_id="j", queue="q")
    with pytest.raises(InvalidTextError):
        store.start_draft(PROJECT, DATASET, REQUEST, author="a\x00na", backend="offline", job_id="j", queue="q")
    assert store.row_counts() == counts
    with pytest.raises(NotFoundError, match="no stored draft job with id 999"):
        store.get_draft(999)
    with pytest.raises(InputError, match="whole number"):
        store.get_draft("1")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        store.finish_draft(999, {"candidates": []})
    start(store, "same-job")
    with pytest.raises(AlreadyExistsError, match="already stored"):   # a job id names one draft job
        start(store, "same-job")
