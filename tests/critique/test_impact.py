"""Edit impact: what an edit does to identification, adjustment, paths, instruments, implications and the estimate."""

from __future__ import annotations

import pytest

from assistant.critique import critique
from assistant.critique.impact import EditImpact, edit_impact
from assistant.critique.text import report_text
from assistant.errors import UnknownVariableError
from assistant.formats import read_graph
from assistant.gallery import load
from assistant.stats.simulate import simulate_linear

TRUTH = "dag { X [exposure] Y [outcome] Z -> X -> Y Z -> Y }"
WEIGHTS = {"X -> Y": 0.4, "Z -> X": 0.8, "Z -> Y": 0.9}


def g(text: str):
    return read_graph(text, "dagitty")


@pytest.fixture(scope="module")
def truth_data():
    return simulate_linear(g(TRUTH), 3000, seed=5, weights=WEIGHTS)


def test_adding_a_confounding_edge_makes_the_confounder_required_and_moves_the_estimate(truth_data):
    before = g("dag { X [exposure] Y [outcome] Z -> X -> Y }")
    impact = edit_impact(before, g(TRUTH), data=truth_data)
    assert impact.diff == ["+ edge Z -> Y"] and impact.edit == "adding Z -> Y"
    assert impact.required_added == ["Z"]
    assert impact.minimal_adjustment_sets.added == ["{Z}"] and impact.minimal_adjustment_sets.removed == ["{}"]
    assert impact.open_biasing_paths.added == ["X <- Z -> Y"] and not impact.open_biasing_paths.removed
    assert impact.adjusted_valid.before is True and impact.adjusted_valid.after is False
    assert impact.instruments.removed == ["Z"]  # Z was an instrument while it had no path to Y but through X
    assert impact.implications.removed == ["Y _||_ Z | X"]
    assert impact.identification.before == impact.identification.after == "identifiable by adjustment"

    eff = impact.effect
    assert eff is not None and eff.before is not None and eff.after is not None
    assert eff.before.adjustment_set == [] and eff.after.adjustment_set == ["Z"]
    assert impact.before.estimate_adjustment == "adjusted" and impact.after.estimate_adjustment == "minimal"
    assert eff.after.ci_low < 0.4 < eff.after.ci_high  # the corrected graph recovers the truth
    assert eff.difference < 0 and eff.relative_change < -0.2  # confounding inflated the naive estimate
    assert eff.difference == pytest.approx(eff.after.value - eff.before.value)
    assert eff.std_error_difference == pytest.approx(eff.after.std_error - eff.before.std_error)

    lines = impact.summary_lines()
    assert lines[0] == "adding Z -> Y made {Z} a required adjustment"
    moved = next(s for s in lines if s.startswith("the estimate moved from"))
    assert f"{eff.relative_change:+.0%}" in moved and "(±" in moved
    assert impact.summary == lines and impact.changed


def test_removing_the_confounding_edge_drops_the_adjustment_and_biases_the_estimate(truth_data):
    impact = edit_impact(g(TRUTH), g("dag { X [exposure] Y [outcome] Z -> X -> Y }"), data=truth_data)
    assert impact.edit == "removing Z -> Y"
    assert impact.required_removed == ["Z"] and not impact.required_added and impact.now_forbidden == []
    assert impact.open_biasing_paths.removed == ["X <- Z -> Y"]
    assert impact.instruments.added == ["Z"]
    assert impact.implications.added == ["Y _||_ Z | X"]
    assert impact.effect.difference > 0  # the naive estimate is pulled up by the confounder it now ignores
    assert any("no longer required" in s for s in impact.summary_lines())


def test_reversing_an_edge_turns_a_confounder_into_a_mediator(truth_data):
    after = g("dag { X [exposure] Y [outcome] X -> Z X -> Y Z -> Y }")
    impact = edit_impact(g(TRUTH), after, data=truth_data)
    assert impact.diff == ["~ reversed Z -> X is now X -> Z"]
    assert impact.edit == "reversing Z -> X (now X -> Z)"
    assert impact.before.minimal_adjustment_sets == [["Z"]] and impact.after.minimal_adjustment_sets == [[]]
    assert impact.open_biasing_paths.removed == ["X <- Z -> Y"]
    assert impact.effect.after.adjustment_set == [] and impact.effect.difference > 0
    assert impact.now_forbidden == ["Z"]  # Z is now a mediator
    first = impact.summary_lines()[0]
    assert first.startswith("reversing Z -> X (now X -> Z) made {Z} no longer required")
    assert "adjusting for {Z} would now be wrong" in first


def test_adjusting_for_a_collider_invalidates_the_adjusted_set_and_opens_a_path():
    before = load("m_bias")
    after = before.model_copy(update={"adjusted": ["M"]})
    data = simulate_linear(before, 2000, seed=2)
    impact = edit_impact(before, after, data=data)
    assert impact.edit == "adjusting for M"
    assert impact.adjusted_valid.before is True and impact.adjusted_valid.after is False
    assert impact.open_biasing_paths.added == ["X <- A -> M <- B -> Y"]
    assert not impact.minimal_adjustment_sets.changed  # the graph did not change, only the analyst's choice
    assert impact.after.estimate_adjustment == "minimal"
    assert "{M} is not valid" in impact.after.estimate_note
    assert impact.effect.difference == 0  # the estimate keeps using a valid set
    lines = impact.summary_lines()
    assert any(s.startswith("the adjusted set {M} is no longer valid") for s in lines)
    assert any(s.startswith("opened 1 biasing path: X <- A -> M <- B -> Y") for s in lines)


def test_the_analysts_valid_adjusted_set_is_used_for_the_estimate(truth_data):
    graph = g("dag { X [exposure] Y [outcome] Z [adjusted] Z -> X -> Y Z -> Y W -> Y }")
    data = truth_data.assign(W=0.0)
    data["W"] = simulate_linear(g("dag { W }"), len(data), seed=9)["W"]
    impact = edit_impact(g(TRUTH).model_copy(update={"adjusted": ["Z"]}), graph, data=data)
    assert impact.after.estimate_adjustment == "adjusted" and impact.after.estimate.adjustment_set == ["Z"]
    assert "the graph's adjusted set {Z}" in impact.after.estimate_note


def test_a_no_op_edit_changes_nothing(truth_data):
    impact = edit_impact(g(TRUTH), g(TRUTH), data=truth_data)
    assert impact.diff == [] and impact.diff_summary == "no changes"
    for change in (impact.minimal_adjustment_sets, impact.open_biasing_paths, impact.instruments,
                   impact.implications):
        assert not change.changed and change.comparable
    assert not impact.identification.changed and not impact.adjusted_valid.changed
    assert impact.effect.difference == 0 and impact.effect.relative_change == 0
    assert not impact.changed
    assert impact.summary_lines()[0] == "no changes"


def test_an_edit_that_creates_a_cycle_is_reported_not_raised(truth_data):
    cyclic = g("dag { X [exposure] Y [outcome] Z -> X -> Y Z -> Y Y -> Z }")
    impact = edit_impact(g(TRUTH), cyclic, data=truth_data)
    assert not impact.after.acyclic and impact.after.cycle
    assert impact.after.problem.startswith("not a DAG: ")
    assert impact.identification.after == "not a DAG"
    assert not impact.minimal_adjustment_sets.comparable and not impact.implications.comparable
    assert impact.effect.before is not None and impact.effect.after is None
    assert "not a DAG" in impact.after.estimate_note
    assert any("cyclic" in s for s in impact.summary_lines())
    back = edit_impact(cyclic, g(TRUTH), data=truth_data)
    assert any("broke the cycle" in s for s in back.summary_lines())
    both = edit_impact(cyclic, cyclic)
    assert any("still not a DAG" in s for s in both.summary_lines())


def test_losing_identifiability_means_no_estimate_and_says_why(truth_data):
    after = g("dag { X [exposure] Y [outcome] Z -> X -> Y Z -> Y X <-> Y }")
    impact = edit_impact(g(TRUTH), after, data=truth_data)
    assert impact.identification.before == "identifiable by adjustment"
    assert impact.identification.after == "not identifiable"
    assert impact.effect.after is None and "not identifiable" in impact.after.estimate_note
    assert any("changed identification" in s for s in impact.summary_lines())
    assert any(s.startswith("the estimate was") and "now there is none: the effect is not identifiable" in s
               for s in impact.summary_lines())


def test_front_door_identification_is_named_but_not_estimated():
    door = load("front_door")
    before = door.model_copy(update={"edges": [e for e in door.edges if str(e) != "U -> Y"]})
    data = simulate_linear(door, 500, seed=1)
    impact = edit_impact(before, door, data=data)
    assert impact.identification.after == "identifiable by the front door"
    assert impact.after.front_door == ["M"]
    assert "front door through {M}" in impact.after.estimate_note


def test_exposure_missing_from_the_previous_version_is_reported():
    before = g("dag { Y [outcome] Z -> Y }")
    after = g("dag { X [exposure] Y [outcome] Z -> X -> Y Z -> Y }")
    impact = edit_impact(before, after)
    assert "has no variable 'X'" in impact.before.problem
    assert impact.after.problem is None and not impact.minimal_adjustment_sets.comparable
    assert impact.implications.comparable  # independencies need no query
    assert any("previous version could not be analysed" in s and "identifiable by adjustment" in s
               for s in impact.summary_lines())


def test_unknown_names_in_the_current_graph_raise():
    with pytest.raises(UnknownVariableError):
        edit_impact(g(TRUTH), g(TRUTH), exposures=["nope"])


def test_graphs_without_a_query_still_compare_implications():
    impact = edit_impact(g("dag { A -> B -> C }"), g("dag { A -> B -> C A -> C }"))
    assert impact.after.problem == "no exposure and outcome are set"
    assert impact.implications.removed == ["A _||_ C | B"]
    assert impact.effect is None
    assert impact.notes == ["both versions: no exposure and outcome are set"]
    assert any("implied independencies: -1" in s for s in impact.summary_lines())


def test_the_current_query_is_used_when_the_markers_moved(truth_data):
    before = g("dag { Z [exposure] Y [outcome] Z -> X -> Y Z -> Y }")
    impact = edit_impact(before, g(TRUTH), data=truth_data)
    assert impact.exposures == ["X"]
    assert any("previous version marks exposures Z" in n for n in impact.notes)
    assert impact.before.minimal_adjustment_sets == [["Z"]]  # analysed for X, not Z


def test_missing_adjustment_column_means_no_estimate(truth_data):
    impact = edit_impact(g("dag { X [exposure] Y [outcome] Z -> X -> Y }"), g(TRUTH),
                         data=truth_data.drop(columns=["Z"]))
    assert impact.effect.before is not None and impact.effect.after is None
    assert "data lack (Z)" in impact.after.estimate_note


def test_several_exposures_get_no_estimate_but_the_graph_comparison():
    before = g("dag { X [exposure] W [exposure] Y [outcome] X -> Y W -> Y }")
    after = g("dag { X [exposure] W [exposure] Y [outcome] X -> Y W -> Y X -> W }")
    data = simulate_linear(after, 200, seed=1)
    impact = edit_impact(before, after, data=data)
    assert impact.effect is None and impact.instruments.comparable is False
    assert any("one exposure and one outcome" in n for n in impact.notes)


def test_long_listings_are_capped_and_say_so():
    chain = " ".join(f"V{i} -> V{i + 1}" for i in range(12))
    impact = edit_impact(g(f"dag {{ {chain} }}"), g(f"dag {{ {chain} V0 -> V12 }}"), max_listed=3,
                         max_implications=500)
    assert impact.implications.n_removed > 3 and len(impact.implications.removed) == 3
    assert impact.implications.truncated
    capped = edit_impact(g(f"dag {{ {chain} }}"), g(f"dag {{ {chain} V0 -> V12 }}"), max_implications=5)
    assert capped.before.implications_truncated
    assert any("only the first 5 implied independencies" in n for n in capped.notes)


def test_the_impact_survives_json_and_renders_in_the_critique_report(truth_data):
    before = g("dag { X [exposure] Y [outcome] Z -> X -> Y }")
    impact = edit_impact(before, g(TRUTH), data=truth_data)
    again = EditImpact.model_validate(impact.model_dump(mode="json"))
    assert again.summary_lines() == impact.summary_lines()
    report = critique(g(TRUTH), truth_data, previous=before)
    assert report.impact is not None and report.impact["required_added"] == ["Z"]
    text = report_text(report)
    assert "Edit impact:" in text and "made {Z} a required adjustment" in text
    assert "the estimate moved from" in text


def test_a_chain_of_edits_analyses_each_version_once_with_a_memo():
    from assistant.formats import read_graph

    a = read_graph("dag { X [exposure] Y [outcome] Z -> X Z -> Y X -> Y }", "dagitty")
    b = read_graph("dag { X [exposure] Y [outcome] Z -> X Z -> Y X -> Y W -> Y }", "dagitty")
    c = read_graph("dag { X [exposure] Y [outcome] Z -> X Z -> Y X -> Y W -> Y W -> X }", "dagitty")
    memo: dict = {}
    first = edit_impact(a, b, memo=memo)
    second = edit_impact(b, c, memo=memo)
    assert len([k for k in memo if k[0] == "edit-impact"]) == 3
    assert second.before == first.after  # the same analysis, served from the memo
    assert edit_impact(b, c) == second  # and the same result as without one
