"""Adjustment sets: validity with reasons, minimal sets, caps, and bad arguments."""

from __future__ import annotations

import pytest

from assistant import gallery
from assistant.errors import AnalysisInputError, CycleError, UnknownVariableError
from assistant.graph import check_adjustment_set, is_valid_adjustment_set, minimal_adjustment_sets
from assistant.model import CausalGraph, Edge, Variable


def test_adjusting_for_a_collider_is_flagged():
    check = check_adjustment_set(gallery.load("m_bias"), ["M"])
    assert not check.valid
    assert "X <- A -> M <- B -> Y" in check.problems[0]
    assert check.open_biasing_path == ("X", "A", "M", "B", "Y")


def test_adjusting_for_a_mediator_is_flagged_as_forbidden():
    check = check_adjustment_set(gallery.load("mediation"), ["M"])
    assert not check.valid
    assert check.forbidden == ("M",)
    assert "mediators" in check.problems[0]


def test_adjusting_for_a_descendant_of_the_outcome_is_forbidden():
    check = check_adjustment_set(gallery.load("collider"), ["C"])
    assert not check.valid and check.forbidden == ("C",)


def test_latent_variables_cannot_be_adjusted_for():
    check = check_adjustment_set(gallery.load("instrument"), ["U"])
    assert not check.valid
    assert check.latent == ("U",)


def test_confounder_adjustment_is_valid_and_leaves_no_problems():
    check = check_adjustment_set(gallery.load("confounding"), ["Z"])
    assert check.valid and check.problems == ()


def test_empty_set_is_not_valid_under_confounding_and_the_open_path_is_named():
    check = check_adjustment_set(gallery.load("confounding"), [])
    assert not check.valid
    assert "X <- Z -> Y" in check.problems[0]


def test_bidirected_exposure_outcome_has_no_adjustment_set():
    g = CausalGraph(variables=[Variable(name="X"), Variable(name="Y")],
                    edges=[Edge(source="X", target="Y"), Edge(source="X", target="Y", kind="bidirected")],
                    exposures=["X"], outcomes=["Y"])
    result = minimal_adjustment_sets(g)
    assert result.sets == () and not result.identifiable


def test_no_effect_path_still_lists_sets_for_a_null_effect():
    g = CausalGraph(variables=[Variable(name=n) for n in "XYZ"],
                    edges=[Edge(source="Z", target="X"), Edge(source="Z", target="Y")],
                    exposures=["X"], outcomes=["Y"])
    assert minimal_adjustment_sets(g).sets == (("Z",),)


def test_cap_truncates_and_says_so():
    # k independent confounders, each observed through one of two proxies: 2**k minimal sets.
    edges, names = [Edge(source="X", target="Y")], ["X", "Y"]
    for i in range(6):
        u, a, b = f"U{i}", f"A{i}", f"B{i}"
        names += [u, a, b]
        edges += [Edge(source=u, target=a), Edge(source=a, target="X"), Edge(source=u, target=b),
                  Edge(source=b, target="Y")]
    g = CausalGraph(variables=[Variable(name=n, observed=not n.startswith("U")) for n in names], edges=edges,
                    exposures=["X"], outcomes=["Y"])
    full = minimal_adjustment_sets(g, max_sets=None)
    assert len(full.sets) == 2 ** 6 and not full.truncated
    capped = minimal_adjustment_sets(g, max_sets=10)
    assert len(capped.sets) == 10 and capped.truncated
    assert set(capped.sets) <= set(full.sets)


def test_included_and_excluded_variables_are_respected():
    g = gallery.load("shrier_platt_2008")
    for s in minimal_adjustment_sets(g, include=["Coach"], exclude=["FitnessLevel"]).sets:
        assert "Coach" in s and "FitnessLevel" not in s


def test_including_a_mediator_makes_adjustment_impossible():
    assert minimal_adjustment_sets(gallery.load("mediation"), include=["M"]).sets == ()


def test_unknown_exposure_is_a_typed_error_listing_known_variables():
    with pytest.raises(UnknownVariableError) as err:
        minimal_adjustment_sets(gallery.load("confounding"), "nope", "Y")
    assert "'nope'" in str(err.value) and "'Z'" in err.value.hint


def test_latent_exposure_is_rejected():
    with pytest.raises(AnalysisInputError, match="must be observed"):
        minimal_adjustment_sets(gallery.load("instrument"), "U", "Y")


def test_missing_query_is_rejected_with_advice():
    g = gallery.load("confounding").model_copy(update={"exposures": []})
    with pytest.raises(AnalysisInputError, match="no exposure"):
        minimal_adjustment_sets(g)


def test_cycle_where_a_dag_is_required_names_the_cycle():
    g = CausalGraph(variables=[Variable(name=n) for n in "XYZ"],
                    edges=[Edge(source="X", target="Y"), Edge(source="Y", target="Z"), Edge(source="Z", target="X")],
                    exposures=["X"], outcomes=["Y"])
    with pytest.raises(CycleError) as err:
        is_valid_adjustment_set(g, [])
    assert err.value.cycle == ["X", "Y", "Z"]
    assert "X -> Y -> Z -> X" in str(err.value)


def test_analysis_never_changes_its_input():
    g = gallery.load("shrier_platt_2008")
    before = g.model_dump()
    minimal_adjustment_sets(g)
    check_adjustment_set(g, ["Coach"])
    assert g.model_dump() == before
