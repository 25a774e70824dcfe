"""Page logic with Streamlit's AppTest; the canvas (a custom component) is simulated through session state."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from ui_helpers import start, texts  # noqa: E402

from assistant.demo import GRAPH, PROJECT  # noqa: E402
from assistant.store import Store  # noqa: E402
from assistant.workspace.canvas import graph_to_flow  # noqa: E402


@pytest.fixture
def url(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


def simulate_canvas(at: AppTest, url: str, extra_edges: list[tuple[str, str]]) -> None:
    with Store.open(url) as s:
        flow = graph_to_flow(s.get_version(PROJECT, GRAPH).graph)
    flow["edges"] += [{"id": f"st-flow-edge_{a}-{b}", "source": a, "target": b} for a, b in extra_edges]
    at.session_state["canvas_simulated_value"] = flow


def test_first_start_opens_the_demo_project(url):
    at = start()
    assert at.selectbox(key="project_picker").value == PROJECT
    assert at.selectbox(key="graph_picker").value == GRAPH
    assert "roles: editor, reviewer" in texts(at)


def test_an_edge_drawn_on_the_canvas_changes_the_critique_and_saves_as_a_version(url):
    at = start("edit")
    assert "no unsaved changes" in texts(at)
    simulate_canvas(at, url, [("tour_dates", "radio_play")])
    at.run()
    assert "unsaved changes: +1 edge" in texts(at)
    assert any("D003" in e.value for e in at.info)  # the data do not support the new edge
    at.text_input(key="save_message").input("tour dates drive airplay").run()
    at.button(key="save_version").click().run()
    assert not at.exception
    with Store.open(url) as s:
        head = s.get_version(PROJECT, GRAPH)
    assert (head.number, head.message, head.author) == (2, "tour dates drive airplay", "tester")
    assert head.graph.find_edge("tour_dates", "radio_play") is not None


def test_a_cycle_drawn_on_the_canvas_is_an_error_and_cannot_be_saved(url):
    at = start("edit")
    simulate_canvas(at, url, [("record_sales_6m", "tiktok_use")])
    at.run()
    assert any("directed cycle" in e.value for e in at.error)
    at.text_input(key="save_message").input("loop").run()
    at.button(key="save_version").click().run()
    with Store.open(url) as s:
        assert s.get_version(PROJECT, GRAPH).number == 1


def test_an_unknown_variable_in_the_model_code_is_named(url):
    at = start("edit")
    at.text_area(key="dagitty_code").input("dag { popularity -> radio_play }").run()
    at.button(key="apply_dagitty").click().run()
    assert any("'popularity'" in e.value for e in at.error)
    assert "no unsaved changes" in texts(at)


def test_a_stale_save_shows_the_conflict_and_rebase_keeps_both_edits(url):
    at = start("edit")
    with Store.open(url) as s:  # another browser session saves first
        g = s.get_version(PROJECT, GRAPH).graph
        from assistant.edit import apply_edit, parse_edit

        other = apply_edit(g, parse_edit({"op": "set_adjusted", "names": ["label_marketing_spend", "tiktok_use"]}))
        s.save_version(PROJECT, GRAPH, other, parent=1, author="bo", message="adjust")
    simulate_canvas(at, url, [("tour_dates", "radio_play")])
    at.run()
    at.text_input(key="save_message").input("tour dates drive airplay").run()
    at.button(key="save_version").click().run()
    assert any("Not saved" in e.value for e in at.error)
    at.button(key="conflict_rebase").click().run()
    at.button(key="save_version").click().run()
    with Store.open(url) as s:
        head = s.get_version(PROJECT, GRAPH)
        assert head.number == 3 and head.parent == 2
        assert head.graph.adjusted and head.graph.find_edge("tour_dates", "radio_play") is not None


def test_review_buttons_follow_the_role(url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_ROLES", "editor")
    at = start("review")
    at.button(key="request_review").click().run()
    assert not [b for b in at.button if b.key == "approve_version"]
    assert any("Only a reviewer" in i.value for i in at.info)
    monkeypatch.setenv("CAUSAL_ASSISTANT_ROLES", "editor,reviewer")
    at = start("review")
    at.button(key="approve_version").click().run()
    with Store.open(url) as s:
        assert s.get_version(PROJECT, GRAPH, 1).status == "validated"


def test_draft_runs_offline_and_a_candidate_is_accepted_as_a_new_version(url):
    at = start("draft")
    assert "backend: offline" in texts(at)
    at.button(key="draft_run").click().run()
    assert not at.exception
    at.button(key="accept_candidate_1").click().run()
    with Store.open(url) as s:
        head = s.get_version(PROJECT, GRAPH)
    assert head.number == 2 and "candidate 1" in head.message and head.status == "draft"


def test_export_offers_every_format(url):
    at = start("export")
    from assistant.export import EXPORT_FORMATS

    keys = {e.proto.id.rsplit("-", 1)[-1] for e in at.get("download_button")}
    assert all(any(k.endswith(f"download_{fmt}") for k in keys) for fmt in EXPORT_FORMATS), keys
    assert any(k.endswith("download_data") for k in keys), keys
    # the code reads the data by its bare file name: no server path leaks into a download
    code = next(e for e in at.get("code") if "DEFAULT_DATA" in e.proto.code_text).proto.code_text
    assert "DEFAULT_DATA = 'record_sales.csv'" in code or 'DEFAULT_DATA = "record_sales.csv"' in code, code[:2000]
    assert "/" not in code.split("DEFAULT_DATA = ", 1)[1].splitlines()[0]


def test_an_llm_endpoint_that_is_down_is_an_error_and_the_offline_assistant_is_offered(url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_TIMEOUT_S", "2")
    at = start("draft")
    at.radio(key="backend_picker").set_value("openai").run()
    assert "backend: openai (gpt-4o-mini" in texts(at)
    at.button(key="draft_run").click().run()
    assert at.error, "the failure must be shown"
    at.button(key="draft_use_offline").click().run()
    assert not at.exception
    assert [b for b in at.button if b.key == "accept_candidate_1"]
