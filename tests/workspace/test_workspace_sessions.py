"""The workspace on a real store (SQLite and PostgreSQL): working copies, save, conflict, rebase, branch, review."""

from __future__ import annotations

import pytest

from assistant.analysis.spec import AnalysisSpec
from assistant.errors import AnalysisInputError, CycleError, InputError, PermissionDeniedError, UnknownVariableError
from assistant.formats import read_graph
from assistant.store import Store
from assistant.workspace import Identity, Workspace
from assistant.workspace import review
from assistant.workspace.merge import three_way_merge

ANA = Identity(name="ana", roles=frozenset({"editor"}))
BO = Identity(name="bo", roles=frozenset({"editor"}))
REVIEWER = Identity(name="rita", roles=frozenset({"editor", "reviewer"}))
BASE = "dag { Z -> X  Z -> Y  X -> Y  W  X [exposure]  Y [outcome] }"


@pytest.fixture
def store(database_url):
    with Store.open(database_url) as s:
        s.create_project("p", author="ana")
        s.create_graph("p", "g", read_graph(BASE, "dagitty"), author="ana", message="v1")
        yield s


def add(source: str, target: str) -> dict:
    return {"op": "add_edge", "edge": {"source": source, "target": target}}


def test_edits_survive_navigating_away_and_are_gone_after_saving(store):
    ws = Workspace.open(store, "p", "g", ANA)
    ws.apply([add("W", "Y")])
    ws.set_message("W drives Y")
    again = Workspace.open(store, "p", "g", ANA)  # a new browser session
    assert again.restored and again.dirty and again.message == "W drives Y"
    assert again.graph.find_edge("W", "Y") is not None and again.base.number == 1
    assert Workspace.open(store, "p", "g", BO).dirty is False  # working copies are per user
    assert again.save().version.number == 2
    assert store.get_working_copy("p", "g", "ana") is None
    assert Workspace.open(store, "p", "g", ANA).restored is False


def test_an_edit_that_does_not_apply_changes_nothing(store):
    ws = Workspace.open(store, "p", "g", ANA)
    with pytest.raises(UnknownVariableError):
        ws.apply([add("W", "Y"), add("W", "nope")])
    assert not ws.dirty and store.get_working_copy("p", "g", "ana") is None


def test_a_stale_save_returns_the_conflict_writes_nothing_and_keeps_the_edits(store):
    a, b = Workspace.open(store, "p", "g", ANA), Workspace.open(store, "p", "g", BO)
    a.apply([add("W", "Y")])
    assert a.save("W -> Y").saved
    b.apply([add("W", "X")])
    outcome = b.save("W -> X")
    assert not outcome.saved
    c = outcome.conflict
    assert (c.head_version, c.parent_version) == (2, 1)
    assert c.concurrent_diff.summary() == "+1 edge" and [str(e) for e in c.diff.edges_added] == ["W -> X"]
    assert [v.number for v in store.log("p", "g")] == [2, 1]
    assert store.get_working_copy("p", "g", "bo").graph.find_edge("W", "X") is not None


def test_rebase_replays_my_edit_on_the_new_head_and_then_saves(store):
    a, b = Workspace.open(store, "p", "g", ANA), Workspace.open(store, "p", "g", BO)
    a.apply([add("W", "Y")])
    a.save("W -> Y")
    b.apply([add("W", "X")])
    b.save("W -> X")
    merged = b.rebase()
    assert merged.conflicts == [] and b.base.number == 2
    v = b.save("W -> X, rebased").version
    assert v.number == 3 and v.parent == 2
    g = store.get_version("p", "g").graph
    assert g.find_edge("W", "Y") is not None and g.find_edge("W", "X") is not None


def test_rebase_reports_an_edit_that_no_longer_applies(store):
    base = read_graph(BASE, "dagitty")
    mine = read_graph("dag { Z -> X  Z -> Y  Y -> X  W  X [exposure]  Y [outcome] }", "dagitty")  # reversed X -> Y
    theirs = read_graph("dag { Z -> X  Z -> Y  W  X [exposure]  Y [outcome] }", "dagitty")  # removed X -> Y
    merged = three_way_merge(base, mine, theirs)
    assert len(merged.conflicts) == 1 and "no longer applies" in str(merged.conflicts[0])
    assert merged.graph.find_edge("Y", "X") is None


def test_save_as_branch_keeps_both_lines_of_work(store):
    a, b = Workspace.open(store, "p", "g", ANA), Workspace.open(store, "p", "g", BO)
    a.apply([add("W", "Y")])
    a.save("W -> Y")
    b.apply([add("W", "X")])
    assert b.save("W -> X").conflict is not None
    v = b.save_as_branch("g-bo")
    assert (v.graph_name, v.number) == ("g-bo", 1) and b.graph_name == "g-bo"
    assert store.get_version("p", "g-bo").graph.find_edge("W", "X") is not None
    assert store.get_version("p", "g").number == 2
    assert store.get_working_copy("p", "g", "bo") is None


def test_a_graph_with_a_cycle_is_not_saved(store):
    ws = Workspace.open(store, "p", "g", ANA)
    ws.apply([add("Y", "Z")])
    assert ws.cycle() is not None
    with pytest.raises(CycleError):
        ws.save("oops")
    assert store.get_version("p", "g").number == 1


def test_a_version_needs_a_message(store):
    ws = Workspace.open(store, "p", "g", ANA)
    with pytest.raises(InputError, match="message"):
        ws.save("  ")


def test_the_model_code_box_names_an_unknown_variable_and_accepts_declared_latents(store):
    ws = Workspace.open(store, "p", "g", ANA)
    with pytest.raises(UnknownVariableError, match="'Q'"):
        ws.apply_dagitty("dag { Q -> Y  Z -> X }")
    assert not ws.dirty
    ws.apply_dagitty("dag { U [latent] U -> X  U -> Y  Z -> X  Z -> Y  X -> Y  X [exposure]  Y [outcome] }")
    assert ws.graph.latent == ["U"] and ws.graph.find_edge("U", "Y") is not None


def test_critique_follows_the_edits_and_shows_the_impact_of_the_last_one(store):
    ws = Workspace.open(store, "p", "g", ANA)
    first = ws.critique()
    assert [f.rule for f in first.findings if f.severity == "error"] == ["I008"]
    fix = next(f for f in first.findings if f.rule == "I008")
    outcome = ws.apply_fix(fix)
    assert outcome.saved and outcome.version.graph.adjusted == ["Z"]
    assert "I008" not in [f.rule for f in ws.critique().findings]
    ws.apply([add("W", "X")])
    assert ws.critique().impact is not None


def test_only_a_reviewer_can_validate_or_reject(store):
    review.request_review(store, ANA, "p", "g", 1)
    with pytest.raises(PermissionDeniedError, match="reviewer"):
        review.approve(store, ANA, "p", "g", 1)
    assert store.get_version("p", "g", 1).status == "in_review"
    assert review.approve(store, REVIEWER, "p", "g", 1, "looks right").status == "validated"
    review.comment(store, ANA, "p", "g", 1, "why Z?", subject="Z -> X")
    assert [e.action for e in store.review_events("p", "g", 1)] == ["request_review", "approve", "comment"]
    with pytest.raises(InputError):
        review.comment(store, ANA, "p", "g", 1, "?", subject="X -> W")


def test_readers_cannot_edit(store):
    reader = Identity(name="rex", roles=frozenset())
    with pytest.raises(PermissionDeniedError):
        Workspace.open(store, "p", "g", reader).apply([add("W", "Y")])


def test_analysis_needs_a_validated_version_unless_the_override_is_recorded(sqlite_url):
    from assistant.demo import EXPOSURE, OUTCOME, load_demo_project
    from assistant.workspace.analyze import analyze_version
    from assistant.workspace.drafting import load_dataset

    with Store.open(sqlite_url) as s:
        demo = load_demo_project(s)
        data = load_dataset(s, demo.project.name, "record_sales").frame
        spec = AnalysisSpec(exposure=EXPOSURE, outcome=OUTCOME, refuters=[], sensitivity=False)
        with pytest.raises(AnalysisInputError, match="not validated"):
            analyze_version(s, ANA, demo.project.name, demo.graph_name, 1, data, spec)
        result, run_id = analyze_version(s, ANA, demo.project.name, demo.graph_name, 1, data, spec,
                                         allow_unvalidated=True)
        assert abs(result.estimate.value - 0.8) < 0.1
        runs = s.list_analyses(demo.project.name, demo.graph_name, 1)
        assert [r.status for r in runs] == ["succeeded", "failed"]
        assert runs[0].id == run_id and runs[0].spec["allow_unvalidated"] is True
        assert runs[1].spec["allow_unvalidated"] is False


def test_a_bad_csv_is_refused_before_anything_is_stored(store):
    from assistant.errors import DataError
    from assistant.workspace.drafting import add_uploaded_dataset

    with pytest.raises(DataError):
        add_uploaded_dataset(store, ANA, "p", "bad", b"a,a\n1,2\n", "bad.csv")
    assert store.list_datasets("p") == []
    info = add_uploaded_dataset(store, ANA, "p", "good", b"a,b\n1,2\n3,4\n", "good.csv")
    assert info.profile.n_rows == 2
