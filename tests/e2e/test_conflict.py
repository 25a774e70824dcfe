"""Two people edit the same graph in two browsers: the stale save shows the conflict, and no version is lost.

ana and ben are editors, each on their own UI server over one store (in local mode a server has one user).
Both start from version 1. ana saves first; ben's save is then stale: the UI shows what was saved since and
what his save would change, saves nothing, and keeps his edits. ben rebases and saves version 3. ana, now
stale herself, saves her next edit as a branch. The store is checked after every step.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assistant.demo import GRAPH, PROJECT
from assistant.store import Store
from streamlit_e2e import EDITOR, SECOND_EDITOR

pytestmark = pytest.mark.slow

ANA_EDGE = ("tour_dates", "radio_play")
BEN_EDGE = ("tiktok_use", "tour_dates")
ANA_SECOND_EDGE = ("label_marketing_spend", "tour_dates")
BRANCH = f"{GRAPH}-{EDITOR}"


def edge_text(edge: tuple[str, str]) -> str:
    return f"{edge[0]} -> {edge[1]}"


def edges(version) -> set[str]:
    return {str(e) for e in version.graph.edges}


def test_two_editors_conflict_rebase_and_branch(new_page, start_ui, ui_server):
    ana = new_page()
    ben = new_page(start_ui(SECOND_EDITOR))
    for page in (ana, ben):
        page.nav("edit")
        expect(page.key("working_state")).to_contain_text("base v1")
        page.flow_node(ANA_EDGE[0]).wait_for()

    # -- ana adds an edge on her canvas and saves first: version 2
    ana.drag_edge(*ANA_EDGE, step="ana adds an edge")
    expect(ana.key("working_state")).to_contain_text("unsaved changes: +1 edge")
    ana.fill("save_message", "ana: tour dates drive airplay")
    ana.click("save_version", step="ana saved v2")
    expect(ana.key("save_result")).to_contain_text("saved as version 2")

    # -- ben, still on version 1, adds another edge and saves: a conflict, and nothing is written
    ben.drag_edge(*BEN_EDGE, step="ben adds an edge on v1")
    expect(ben.key("working_state")).to_contain_text("base v1")
    expect(ben.key("working_state")).to_contain_text("Version 2 was saved since")
    ben.fill("save_message", "ben: viral songs get booked for more concerts")
    ben.click("save_version", step="ben's stale save")
    conflict = ben.key("conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("v1 → v2")
    expect(conflict).to_contain_text(f"+ edge {edge_text(ANA_EDGE)}")  # what ana saved since
    expect(conflict).to_contain_text(f"+ edge {edge_text(BEN_EDGE)}")  # what ben's save would add
    expect(ben.page.get_by_text("saved as version")).to_have_count(0)
    with Store.open(ui_server.database_url) as store:
        assert sorted(v.number for v in store.log(PROJECT, GRAPH)) == [1, 2], "the stale save wrote a version"
        kept = store.get_working_copy(PROJECT, GRAPH, SECOND_EDITOR)
    assert kept is not None and edge_text(BEN_EDGE) in {str(e) for e in kept.graph.edges}, "ben's edits were lost"

    # -- ben rebases onto version 2 and saves version 3 with both edges
    ben.click("conflict_rebase", step="ben rebased")
    expect(ben.key("working_state")).to_contain_text("base v2")
    expect(ben.key("working_state")).to_contain_text("unsaved changes: +1 edge")
    expect(ben.key("conflict")).to_have_count(0)
    ben.fill("save_message", "ben: viral songs get booked for more concerts")
    ben.click("save_version", step="ben saved v3")
    expect(ben.key("save_result")).to_contain_text("saved as version 3")

    # -- ana, still on version 2, edits again: her save is stale too, and she keeps it as a branch
    ana.drag_edge(*ANA_SECOND_EDGE, step="ana edits v2 again")
    ana.fill("save_message", "ana: marketing books tours")
    ana.click("save_version", step="ana's stale save")
    expect(ana.key("conflict")).to_contain_text("v2 → v3")
    expect(ana.key("conflict")).to_contain_text(f"+ edge {edge_text(BEN_EDGE)}")
    ana.fill("branch_name", BRANCH)
    ana.click("conflict_branch", step="ana saved a branch")
    expect(ana.key("conflict")).to_have_count(0)
    expect(ana.key("working_state")).to_contain_text(f"Editing {BRANCH} from base v1")

    # -- every version is there, with its parent, author and content
    with Store.open(ui_server.database_url) as store:
        log = {v.number: v for v in store.log(PROJECT, GRAPH)}
        branch = store.log(PROJECT, BRANCH)
        graphs = {g.name for g in store.list_graphs(PROJECT)}
        leftovers = [store.get_working_copy(PROJECT, GRAPH, user) for user in (EDITOR, SECOND_EDITOR)]
    assert sorted(log) == [1, 2, 3]
    v1, v2, v3 = log[1], log[2], log[3]
    assert (v2.author, v2.parent) == (EDITOR, 1)
    assert (v3.author, v3.parent) == (SECOND_EDITOR, 2)
    assert edges(v2) == edges(v1) | {edge_text(ANA_EDGE)}
    assert edges(v3) == edges(v1) | {edge_text(ANA_EDGE), edge_text(BEN_EDGE)}
    assert graphs == {GRAPH, BRANCH}
    assert [(v.number, v.author) for v in branch] == [(1, EDITOR)]
    assert edges(branch[0]) == edges(v2) | {edge_text(ANA_SECOND_EDGE)}
    assert f"branched from {GRAPH} v2" in branch[0].message
    assert leftovers == [None, None], "a saved working copy was left behind"

    # -- and ana goes on working on her branch: the sidebar's graph picker follows it
    expect(ana.key("graph_picker").locator("input")).to_have_value(BRANCH)
    ana.nav("history", step="history of the branch")
    expect(ana.page.get_by_role("heading", level=1)).to_contain_text(f"History · {BRANCH}")
