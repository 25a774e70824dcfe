"""Pearl's ladder: rung-2 interventions and rung-3 counterfactuals match the simulating SCM; refusals say why."""

from __future__ import annotations

import pytest

from assistant import gallery
from assistant.analysis import QuerySpec
from assistant.analysis.queries import rung_needed, run_query
from assistant.errors import RungRefusedError, UnknownVariableError
from assistant.stats.simulate import simulate_linear

W = {"radio_play -> record_sales_6m": 1.2, "label_marketing_spend -> record_sales_6m": 0.5,
     "tiktok_use -> record_sales_6m": 0.3}


@pytest.fixture(scope="module")
def sales():
    g = gallery.load("record_sales")
    return g, simulate_linear(g, 5000, seed=21, weights=W)


def test_the_rung_a_query_needs_is_named():
    assert rung_needed(QuerySpec(interventions={"x": 1.0})) == 2
    assert rung_needed(QuerySpec(interventions={"x": 1.0}, unit=0)) == 3


def test_rung_2_intervention_mean_matches_the_truth(sales):
    g, data = sales
    r = run_query(g, data, QuerySpec(interventions={"radio_play": 10.0}, samples=5000))
    assert r.rung == 2 and r.kind == "interventional" and r.outcome == "record_sales_6m"
    # E[Y | do(R=10)] = 1.2 * 10 + 0.5 E[L] + 0.3 E[T] = 12 (the roots have mean 0)
    assert r.value == pytest.approx(12.0, abs=0.3)
    again = run_query(g, data, QuerySpec(interventions={"radio_play": 10.0}, samples=5000))
    assert again.value == r.value  # seeded


def test_rung_3_counterfactual_for_one_row_matches_the_linear_scm(sales):
    g, data = sales
    row = 7
    r = run_query(g, data, QuerySpec(interventions={}, scale={"radio_play": 0.5}, unit=row))
    assert r.rung == 3 and r.kind == "counterfactual" and r.unit == row
    x, y = data.loc[row, "radio_play"], data.loc[row, "record_sales_6m"]
    truth = y + 1.2 * (0.5 * x - x)  # same noise, same other causes, only radio play changed
    assert r.observed_value == pytest.approx(y)
    assert r.value == pytest.approx(truth, abs=0.05 * max(1.0, abs(x)))


def test_a_query_on_a_graph_with_a_latent_confounder_is_refused_with_reasons():
    g = gallery.load("front_door")
    data = simulate_linear(g, 200, seed=1)
    for unit, rung in ((None, 2), (3, 3)):
        with pytest.raises(RungRefusedError) as info:
            run_query(g, data, QuerySpec(interventions={"X": 1.0}, unit=unit))
        assert info.value.rung == rung and "'U'" in str(info.value)
        assert "analyze" in info.value.hint


def test_a_counterfactual_through_a_discrete_mechanism_is_refused(sales):
    g, data = sales
    coarse = data.assign(record_sales_6m=(data["record_sales_6m"] > 0).astype(int))
    with pytest.raises(RungRefusedError, match="'record_sales_6m' is discrete") as info:
        run_query(g, coarse, QuerySpec(interventions={"radio_play": 1.0}, unit=0))
    assert info.value.rung == 3
    r = run_query(g, coarse, QuerySpec(interventions={"radio_play": 1.0}, samples=500))  # rung 2 still works
    assert 0 <= r.value <= 1


def test_a_counterfactual_for_an_unknown_row_is_refused(sales):
    g, data = sales
    with pytest.raises(RungRefusedError, match="row 99999 is not in the data"):
        run_query(g, data, QuerySpec(interventions={"radio_play": 1.0}, unit=99999))


def test_an_intervention_on_an_unknown_variable_is_an_input_error(sales):
    g, data = sales
    with pytest.raises(UnknownVariableError):
        run_query(g, data, QuerySpec(interventions={"radio": 1.0}))


@pytest.mark.parametrize("items, says", [
    (["radio_play=nan"], "not a finite number"),
    (["radio_play=inf"], "not a finite number"),
    (["radio_play=1e309"], "not a finite number"),
    (["radio_play=*1e309"], "not a finite number"),
    (["radio_play=10", "radio_play=20"], "intervened on twice"),
    (["radio_play=10", "radio_play=*0.5"], "intervened on twice"),
    (["=3"], "name the variable"),
    (["radio_play"], "write NAME=VALUE"),
    (["radio_play=ten"], "is not a number"),
])
def test_bad_interventions_are_refused_by_name(items, says):
    from assistant.analysis.queries import parse_interventions
    from assistant.errors import AnalysisInputError

    with pytest.raises(AnalysisInputError, match=says):
        parse_interventions(items)


def test_a_name_may_contain_an_equals_sign():
    from assistant.analysis.queries import parse_interventions

    assert parse_interventions(["a=b=2", "c=*0.5"]) == ({"a=b": 2.0}, {"c": 0.5})
