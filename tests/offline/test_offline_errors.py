"""Bad input to the offline proposer: typed errors that name the column or the rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assistant.draft.offline import propose_offline
from assistant.draft.spec import DraftRequest, VariableSpec
from assistant.errors import CycleError, DataError, InputError, UnknownVariableError


def frame(rows: int = 200, **extra) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    a = rng.normal(size=rows)
    return pd.DataFrame({"a": a, "b": a + rng.normal(size=rows), "c": rng.normal(size=rows), **extra})


def request(data: pd.DataFrame, **fields) -> DraftRequest:
    specs = fields.pop("variables", None) or [VariableSpec(name=c) for c in data.columns]
    return DraftRequest(question="q", variables=specs, **fields)


def test_an_all_missing_column_is_named():
    data = frame(note_count=np.nan)
    with pytest.raises(DataError, match="column 'note_count' has no values"):
        propose_offline(request(data), data)


def test_a_constant_column_is_named():
    data = frame(site=3)
    with pytest.raises(DataError, match="column 'site' is constant"):
        propose_offline(request(data), data)


@pytest.mark.parametrize("column, kind", [
    (lambda n: [f"free text number {i}" for i in range(n)], "text"),
    (lambda n: pd.date_range("2020-01-01", periods=n, freq="D").astype(str), "datetime"),
])
def test_text_and_dates_are_named_with_a_way_out(column, kind):
    data = frame(when=column(200))
    with pytest.raises(DataError, match=f"'when' \\({kind}\\)") as caught:
        propose_offline(request(data), data)
    assert "drop it" in caught.value.hint and "data type" in caught.value.hint


def test_a_column_marked_continuous_but_holding_words_is_named():
    data = frame(score=["high", "low"] * 100)
    variables = [VariableSpec(name=c) for c in "abc"] + [VariableSpec(name="score", data_type="continuous")]
    with pytest.raises(DataError, match="column 'score' is continuous but holds non-numeric values"):
        propose_offline(request(data, variables=variables), data)


def test_fewer_than_two_usable_columns():
    data = frame()[["a"]]
    with pytest.raises(DataError, match="at least 2 usable columns"):
        propose_offline(request(data), data)


def test_too_few_rows_for_the_number_of_variables():
    data = frame(rows=12)
    with pytest.raises(DataError, match="only 12 rows for 3 variables"):
        propose_offline(request(data), data)


def test_observed_spec_variables_must_be_columns():
    data = frame()
    variables = [VariableSpec(name=c) for c in "abc"] + [VariableSpec(name="income")]
    with pytest.raises(UnknownVariableError, match="'income'") as caught:
        propose_offline(request(data, variables=variables), data)
    assert "observed: false" in caught.value.message


def test_knowledge_must_name_known_variables_and_agree_with_itself():
    data = frame()
    variables = [VariableSpec(name="a", tier=1), VariableSpec(name="b", tier=0), VariableSpec(name="c")]
    with pytest.raises(InputError, match="required edge a -> b contradicts the other knowledge: a is in tier 1"):
        propose_offline(request(data, variables=variables, required_edges=[("a", "b")]), data)
    with pytest.raises(CycleError):
        propose_offline(request(data, required_edges=[("a", "b"), ("b", "c"), ("c", "a")]), data)
    with pytest.raises(InputError, match="both required and forbidden"):
        propose_offline(request(data, required_edges=[("a", "b")], forbidden_edges=[("a", "b")]), data)
    with pytest.raises(UnknownVariableError, match="'zz'"):
        propose_offline(request(data, forbidden_edges=[("a", "zz")]), data)


@pytest.mark.parametrize("arguments, message", [
    ({"alpha": 0}, "alpha must be between 0 and 1"),
    ({"alpha": 1.5}, "alpha must be between 0 and 1"),
    ({"method": "kci"}, "unknown independence test 'kci'"),
    ({"max_conditioning": -1}, "max_conditioning must be a non-negative integer"),
])
def test_bad_arguments(arguments, message):
    data = frame()
    with pytest.raises(InputError, match=message):
        propose_offline(request(data), data, **arguments)


def test_the_data_must_be_a_frame():
    with pytest.raises(InputError, match="pandas DataFrame"):
        propose_offline(request(frame()), frame().to_numpy())  # type: ignore[arg-type]
