"""PreparedData: continuous columns are not factorized unless asked, and the lazy codes match the eager ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assistant.errors import DataError
from assistant.stats.data import PreparedData, _codes


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"x": [0.5, np.nan, -1.25, 0.5, 3.0], "n": [3, 1, 2, 3, 10],
                         "b": [1, 0, 1, 1, 0], "c": ["u", "v", None, "u", "w"]})


TYPES = {"x": "continuous", "n": "integer", "b": "binary", "c": "categorical"}


def test_continuous_columns_are_not_factorized_until_their_codes_are_read(monkeypatch):
    import assistant.stats.data as data_module

    calls: list[str] = []
    real = data_module._codes
    monkeypatch.setattr(data_module, "_codes", lambda s: calls.append(s.name) or real(s))
    p = PreparedData.from_frame(_frame(), TYPES, data_fingerprint="")
    assert sorted(calls) == ["b", "c"]
    assert p.kinds == {"x": "continuous", "n": "continuous", "b": "discrete", "c": "discrete"}
    assert p.levels["x"] == 3 and sorted(calls) == ["b", "c", "x"]


def test_lazy_codes_and_levels_equal_the_eager_encoding():
    frame = _frame()
    p = PreparedData.from_frame(frame, TYPES, data_fingerprint="")
    for c in frame.columns:
        codes, levels = _codes(frame[c])
        np.testing.assert_array_equal(p.codes[c], codes)
        assert p.levels[c] == levels
    assert set(p.codes) == set(p.levels) == set(frame.columns) and len(p.codes) == 4
    with pytest.raises(KeyError):
        p.codes["nope"]


def test_numeric_values_are_a_copy_and_missing_values_stay_nan():
    frame = _frame()
    p = PreparedData.from_frame(frame, TYPES, data_fingerprint="")
    np.testing.assert_array_equal(p.numeric["n"], [3.0, 1.0, 2.0, 3.0, 10.0])
    assert p.numeric["n"].dtype == np.float64 and np.isnan(p.numeric["x"][1])
    frame.loc[0, "x"] = 99.0
    frame.loc[0, "n"] = 99
    assert p.numeric["x"][0] == 0.5 and p.numeric["n"][0] == 3.0
    assert p.levels["n"] == 4 and p.codes["n"][0] == 2  # the codes read the frame as it was prepared


def test_a_continuous_column_of_text_is_still_refused():
    with pytest.raises(DataError, match="non-numeric"):
        PreparedData.from_frame(pd.DataFrame({"x": ["1.5", "abc"]}), {"x": "continuous"}, data_fingerprint="")
    with pytest.raises(DataError, match="infinite"):
        PreparedData.from_frame(pd.DataFrame({"x": [1.0, np.inf]}), {"x": "continuous"}, data_fingerprint="")
