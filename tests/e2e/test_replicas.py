"""Two stateless UI replicas over one PostgreSQL: what one replica saves, the other shows; nothing lives in a replica.

Two ``streamlit run ui/app.py`` processes serve the same user (as behind a load balancer without sticky
sessions) on one PostgreSQL database.  ana saves a version through replica A; replica B, in another
browser, shows it in the history and edits on top of it.  Her unsaved edits made through B are found
again through A (working copies live in the database).  Then replica A is stopped and B carries on.
"""

from __future__ import annotations

import os
import signal

import pytest
from playwright.sync_api import expect

from assistant.demo import GRAPH, PROJECT
from assistant.store import Store
from streamlit_e2e import EDITOR

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FIRST = ("tour_dates", "radio_play")
SECOND = ("label_marketing_spend", "tour_dates")


def test_a_change_saved_through_one_replica_is_seen_through_the_other(new_page, start_ui, postgres_url):
    a = start_ui(EDITOR, DATABASE_URL=postgres_url)
    b = start_ui(EDITOR, DATABASE_URL=postgres_url)
    assert a.url != b.url and a.process.pid != b.process.pid

    # -- through replica A: an edge, saved as version 2
    on_a = new_page(a, "replica-a")
    on_a.nav("edit")
    expect(on_a.key("working_state")).to_contain_text("base v1")
    on_a.drag_edge(*FIRST, step="edge on replica A")
    on_a.fill("save_message", "saved through replica A")
    on_a.click("save_version", step="saved on A")
    expect(on_a.key("save_result")).to_contain_text("saved as version 2")

    # -- through replica B (another browser session): the history has it, and editing starts from it
    on_b = new_page(b, "replica-b")
    on_b.nav("history", step="history on replica B")
    expect(on_b.key("version_2")).to_contain_text("saved through replica A")
    on_b.nav("edit")
    expect(on_b.key("working_state")).to_contain_text("base v2")
    on_b.drag_edge(*SECOND, step="unsaved edge on replica B")
    expect(on_b.key("working_state")).to_contain_text("unsaved changes: +1 edge")

    # -- back through replica A, in a fresh session: the unsaved edit made on B is there (the database has it)
    again_on_a = new_page(a, "replica-a-again")
    again_on_a.nav("edit")
    expect(again_on_a.key("working_state")).to_contain_text("unsaved changes: +1 edge")

    # -- replica A goes away; B saves, and the database has everything
    os.killpg(a.process.pid, signal.SIGTERM)
    a.process.wait(timeout=20)
    on_b.fill("save_message", "saved through replica B")
    on_b.click("save_version", step="saved on B after A stopped")
    expect(on_b.key("save_result")).to_contain_text("saved as version 3")
    with Store.open(postgres_url) as store:
        log = store.log(PROJECT, GRAPH)
        assert [(v.number, v.author, v.message) for v in log[:2]] == [
            (3, EDITOR, "saved through replica B"), (2, EDITOR, "saved through replica A")]
        edges = {str(e) for e in log[0].graph.edges}
        assert {f"{FIRST[0]} -> {FIRST[1]}", f"{SECOND[0]} -> {SECOND[1]}"} <= edges
        assert store.get_working_copy(PROJECT, GRAPH, EDITOR) is None
        saves = [e for e in store.audit_log(project=PROJECT) if e.action == "version.save"]
        assert [(e.actor, e.version) for e in saves] == [(EDITOR, 2), (EDITOR, 3)]
