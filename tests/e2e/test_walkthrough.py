"""The whole product in a real browser: Debian's chromium, driven by Playwright, on `streamlit run ui/app.py`.

An editor (ana) opens the demo project, drafts a graph with the offline assistant, adds an edge on the
canvas, sees the critique change, saves, finds the change in History with a diff and asks for a review;
a reviewer (rita, on her own UI server over the same store) approves; ana analyses the validated version
and downloads a notebook export. Screenshots of every step are kept (see conftest.py).
"""

from __future__ import annotations

import re

import nbformat
import pytest
from playwright.sync_api import expect

from assistant.demo import GRAPH, PROJECT
from assistant.store import Store

from streamlit_e2e import EDITOR, REVIEWER

pytestmark = pytest.mark.slow

NEW_EDGE = ("tour_dates", "radio_play")  # absent from the demo SCM: the data do not support it (D003)
NEW_EDGE_TEXT = "tour_dates -> radio_play"


def test_walkthrough_draft_edit_review_analyze_export(new_page, start_ui, ui_server, tmp_path):
    ana = new_page()

    # -- open the demo project
    expect(ana.key("whoami")).to_contain_text(f"user: {EDITOR}")
    expect(ana.key("whoami")).not_to_contain_text("reviewer")
    expect(ana.key("project_list")).to_contain_text(PROJECT)
    ana.click("open_project_0", step="open the demo project")
    expect(ana.key("project_list")).to_contain_text(f"{PROJECT} (open)")

    # -- draft with the offline assistant and accept the best candidate as a new draft version (v2)
    ana.nav("draft")
    expect(ana.key("backend_badge")).to_contain_text("backend: offline")
    ana.click("draft_run", step="draft")
    expect(ana.key("candidate_1")).to_be_visible(timeout=90_000)
    ana.shot("candidates")
    ana.click("accept_candidate_1", step="accept candidate 1")
    with Store.open(ui_server.database_url) as store:
        drafted = store.get_version(PROJECT, GRAPH)
    assert drafted.number == 2 and drafted.author == EDITOR
    assert NEW_EDGE_TEXT not in {str(e) for e in drafted.graph.edges}

    # -- edit on the canvas: drag tour_dates -> radio_play; the critique changes
    ana.nav("edit")
    expect(ana.key("working_state")).to_contain_text("base v2")
    expect(ana.key("working_state")).to_contain_text("no unsaved changes")
    ana.flow_node(NEW_EDGE[0]).wait_for()
    before = ana.text("critique_panel")
    ana.shot("canvas before the edit")
    ana.drag_edge(*NEW_EDGE, step="edge dragged on the canvas")
    expect(ana.key("working_state")).to_contain_text("unsaved changes", timeout=30_000)
    expect(ana.key("working_state")).not_to_contain_text("no unsaved changes")
    expect(ana.key("critique_panel")).not_to_have_text(before)
    after = ana.text("critique_panel")
    assert re.search(r"D003 edge-unsupported: no evidence in the data for tour_dates (->|→) radio_play", after), after
    expect(ana.key("edit_impact")).to_contain_text("canvas edit")
    ana.shot("critique after the edit")

    # -- save: version 3
    ana.fill("save_message", "tour dates may drive airplay")
    ana.click("save_version", step="saved")
    expect(ana.key("save_result")).to_contain_text("saved as version 3")

    # -- History: the new version and a diff of v2 -> v3
    ana.nav("history")
    expect(ana.key("version_3")).to_contain_text("tour dates may drive airplay")
    expect(ana.key("version_3")).to_contain_text(EDITOR)
    ana.select("diff_from", "2")
    ana.select("diff_to", "3", step="diff v2 to v3")
    expect(ana.key("diff_summary")).to_contain_text("+1 edge")
    expect(ana.key("diff_summary")).to_contain_text(NEW_EDGE_TEXT)
    expect(ana.key("diff_canvas").locator("iframe")).to_be_visible()

    # -- Review: ana asks for a review but may not approve
    ana.nav("review")
    ana.select("review_version", "3")
    ana.click("request_review", step="review requested")
    expect(ana.key("review_status")).to_contain_text("in review")
    expect(ana.key("review_not_reviewer")).to_be_visible()
    expect(ana.key("approve_version")).to_have_count(0)

    # -- rita, a reviewer on her own UI server over the same store, approves
    rita = new_page(start_ui(REVIEWER))
    expect(rita.key("whoami")).to_contain_text(f"user: {REVIEWER}")
    expect(rita.key("whoami")).to_contain_text("reviewer")
    rita.nav("review")
    rita.select("review_version", "3")
    expect(rita.key("review_status")).to_contain_text("in review")
    rita.fill("review_comment", "touring and airplay share a promotion budget; keep it for now")
    rita.click("approve_version", step="approved")
    expect(rita.key("review_status")).to_contain_text("validated")
    expect(rita.key("review_events")).to_contain_text(f"approve by {REVIEWER}")

    # -- ana analyses the validated version (no refuters: the estimate and sensitivity are enough here)
    ana.nav("analyze")
    ana.select("analyze_version", re.compile(r"^v3 \(validated\)"))
    ana.set_checkbox("analyze_refuters", False)
    ana.click("analyze_run")
    expect(ana.key("analysis_result")).to_contain_text("stored as run", timeout=120_000)
    expect(ana.key("analysis_result")).to_contain_text("v3")
    ana.shot("analysis")

    # -- export: the notebook of v3 downloads and is a valid notebook
    ana.nav("export")
    ana.select("export_version", "v3 (validated)")
    path = ana.download("download_notebook", tmp_path, step="notebook downloaded")
    assert path.suffix == ".ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert "radio_play" in code and "record_sales_6m" in code

    # -- and the store holds all of it
    with Store.open(ui_server.database_url) as store:
        log = {v.number: v for v in store.log(PROJECT, GRAPH)}
        events = store.review_events(PROJECT, GRAPH, 3)
        runs = store.list_analyses(PROJECT, GRAPH, 3)
    assert sorted(log) == [1, 2, 3]
    v3 = log[3]
    assert (v3.author, v3.parent, v3.status, v3.message) == (EDITOR, 2, "validated", "tour dates may drive airplay")
    assert NEW_EDGE_TEXT in {str(e) for e in v3.graph.edges}
    assert ("request_review", EDITOR) in {(e.action, e.actor) for e in events}
    assert ("approve", REVIEWER) in {(e.action, e.actor) for e in events}
    assert [(r.status, r.created_by) for r in runs] == [("succeeded", EDITOR)]
