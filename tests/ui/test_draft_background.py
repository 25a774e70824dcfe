"""The Draft page's background drafts, with AppTest over a real Redis and real RQ workers.

With a tiny interactive row limit (``CAUSAL_ASSISTANT_INTERACTIVE_ROWS=100``; the demo data have
2,000 rows) the page drafts on a sample and offers the draft on all rows in the background.  A real
worker (RQ's ``SimpleWorker`` in-process) runs it; a new session (a reload, a colleague) finds it in
the store, shows its candidates as a draft made now is shown and accepts one the same way.  Without
Redis at 127.0.0.1:6379 the Redis tests skip with the reason; ``CA_REQUIRE_SERVICES=1`` (CI) turns that
into a failure (``tests/conftest.py``).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from ui_helpers import keys, simple_worker, start, texts  # noqa: E402

from assistant.demo import GRAPH, PROJECT  # noqa: E402
from assistant.errors import AnalysisCancelledError, DraftFailedError, PermissionDeniedError  # noqa: E402
from assistant.store import Store  # noqa: E402
from assistant.workspace import drafting, local_identity  # noqa: E402

DATASET = "record_sales"


@pytest.fixture
def url(sqlite_url, monkeypatch):
    """The store of the page and of the workers (they open it from DATABASE_URL); the data are sampled."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAUSAL_ASSISTANT_INTERACTIVE_ROWS", "100")
    return sqlite_url


def queue_from_page(at: AppTest) -> int:
    at.button(key="draft_background").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (queued,) = [s.value for s in at.success if "Queued as draft" in s.value]
    return int(queued.split("Queued as draft ")[1].split(" ")[0])


def test_a_sampled_dataset_is_drafted_on_all_rows_by_a_worker_and_accepted_like_a_draft_now(url, queue_name,
                                                                                          redis_conn):
    at = start("draft")
    assert "The dataset has 2,000 rows; drafting and critique use a random sample of 100 rows" in texts(at)
    button = at.button(key="draft_background")
    assert button.label == "Draft on all 2,000 rows in the background" and not button.disabled
    assert "No worker is running on queue" in texts(at)
    draft_id = queue_from_page(at)
    with Store.open(url) as s:
        info = s.get_draft(draft_id)
    assert (info.status, info.created_by, info.dataset, info.n_rows, info.backend) == (
        "running", "tester", DATASET, 2000, "offline")
    assert info.request["question"] == "Does radio airplay raise record sales?" and info.graph_name == GRAPH
    assert f"draft {draft_id} · queued" in texts(at) and f"bg_draft_cancel_{draft_id}" in keys(at)
    assert "queued by tester" in texts(at) and "Updates every" in texts(at)

    simple_worker(queue_name, redis_conn)

    at.run()   # this session's list polls: the draft ended, so the page is drawn once more
    assert not at.exception, [e.value for e in at.exception]
    assert f"draft {draft_id} · succeeded" in texts(at) and f"bg_draft_cancel_{draft_id}" not in keys(at)
    assert "Updates every" not in texts(at)   # nothing queued or running: no more polling

    other = start("draft")   # a reload, or a colleague: the draft comes from the store
    assert f"draft {draft_id} · succeeded" in texts(other) and "accept_candidate_1" not in keys(other)
    other.button(key=f"bg_draft_show_{draft_id}").click().run()
    assert not other.exception, [e.value for e in other.exception]
    assert f"Candidates of background draft {draft_id}" in texts(other)
    assert "accept_candidate_1" in keys(other) and "**Candidate 1**" in texts(other)   # the foreground rendering
    other.button(key="accept_candidate_1").click().run()
    assert not other.exception, [e.value for e in other.exception]
    with Store.open(url) as s:
        head = s.get_version(PROJECT, GRAPH)
        result = s.get_draft(draft_id).result
    assert head.number == 2 and head.status == "draft" and head.author == "tester"
    assert head.message.startswith("accepted candidate 1 of ") and "from the offline assistant" in head.message
    assert head.message.endswith(f"(background draft {draft_id} on all 2,000 rows of {DATASET})")
    assert {(e.source, e.target) for e in head.graph.edges} == {
        (e["source"], e["target"]) for e in result["candidates"][0]["graph"]["edges"]}
    assert head.graph.metadata.extra["dataset"] == DATASET


def test_cancelling_a_queued_draft_from_the_page_means_it_never_runs(url, queue_name, redis_conn):
    from rq.job import Job

    at = start("draft")
    draft_id = queue_from_page(at)
    at.button(key=f"bg_draft_cancel_{draft_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with Store.open(url) as s:
        info = s.get_draft(draft_id)
    assert info.status == "cancelled" and info.error["message"] == "cancelled by tester"
    assert Job.fetch(info.job_id, connection=redis_conn).get_status().value == "canceled"
    assert f"draft {draft_id} · cancelled" in texts(at) and f"bg_draft_cancel_{draft_id}" not in keys(at)
    simple_worker(queue_name, redis_conn)
    with Store.open(url) as s:
        assert s.get_draft(draft_id).status == "cancelled"


def seed(url: str, *, end: str | None = None) -> int:
    """A stored background draft whose job no queue knows, optionally ended (failed/cancelled)."""
    from assistant.demo import load_demo_project

    with Store.open(url) as s:
        load_demo_project(s)
        info = s.start_draft(PROJECT, DATASET, {"question": "q", "variables": []}, author="ana", backend="offline",
                             job_id=f"ca-draft-{uuid.uuid4().hex}", queue="elsewhere")
        if end == "failed":
            s.fail_draft(info.id, DraftFailedError("the worker ran out of memory", hint="use a bigger worker"))
        elif end == "cancelled":
            s.fail_draft(info.id, AnalysisCancelledError("cancelled by rita"), cancelled=True)
        return info.id


def test_a_failed_draft_shows_its_stored_error_without_asking_the_queue(url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_INTERACTIVE_ROWS", "100000")   # not sampled: listed, nothing offered
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", "redis://127.0.0.1:1/0")   # ended drafts need no Redis
    failed, cancelled = seed(url, end="failed"), seed(url, end="cancelled")
    at = start("draft")
    assert "draft_background" not in keys(at)
    assert f"draft {failed} · failed" in texts(at) and f"draft {cancelled} · cancelled" in texts(at)
    assert any("the worker ran out of memory" in e.value and "use a bigger worker" in e.value for e in at.error)
    assert "cancelled by rita" in texts(at) and not at.warning


def test_small_data_are_drafted_whole_and_no_background_draft_is_offered(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    at = start("draft")
    assert "draft_background" not in keys(at) and "Background drafts" not in [h.value for h in at.subheader]


def test_with_redis_down_the_page_says_why(url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", "redis://:s3cret-pw@127.0.0.1:1/0")
    draft_id = seed(url)
    at = start("draft")
    assert at.button(key="draft_background").disabled
    warnings = [w.value for w in at.warning]
    assert warnings[0].startswith("Drafting in the background is unavailable: cannot reach the job queue at "
                                  "redis://:***@127.0.0.1:1/0") and "draft on the sample" in warnings[0]
    assert f"draft {draft_id} · running" in texts(at) and warnings[1].startswith("Statuses not refreshed")
    assert "s3cret" not in texts(at)


def test_a_reader_may_neither_queue_nor_cancel_nor_accept(url, queue_name):
    Path(os.environ["CAUSAL_ASSISTANT_CONFIG"]).write_text('[users]\neditors = ["someone-else"]\n')
    draft_id = seed(url)
    at = start("draft")
    assert at.button(key="draft_background").disabled
    assert at.button(key=f"bg_draft_cancel_{draft_id}").disabled
    assert "Drafting in the background: needs the editor role" in texts(at)
    reader = local_identity()
    with Store.open(url) as s:   # the service layer refuses, whatever the page shows
        request = drafting.make_request("q", s.get_dataset(PROJECT, DATASET).profile, None, exposure=None,
                                        outcome=None)
        with pytest.raises(PermissionDeniedError):
            drafting.draft_in_background(s, reader, PROJECT, DATASET, request)
        with pytest.raises(PermissionDeniedError):
            drafting.cancel_background_draft(s, reader, draft_id)
        with pytest.raises(PermissionDeniedError):
            drafting.accept_background_draft(s, reader, PROJECT, GRAPH, draft_id, 1)
        assert s.get_draft(draft_id).status == "running" and len(s.list_drafts(PROJECT)) == 1


def test_the_list_polls_only_while_a_draft_is_queued_or_running():
    assert drafting.poll_interval(True) == drafting.POLL_SECONDS > 0
    assert drafting.poll_interval(False) is None
