"""CSV intake: types, missingness and cardinality are profiled; malformed files get located errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from assistant.errors import DataError
from assistant.intake import profile_csv


def _simulated_csv(seed: int = 7, n: int = 400) -> bytes:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n)
    treated = rng.integers(0, 2, n)
    dose = rng.normal(10, 2, n).round(3)
    dose[rng.random(n) < 0.1] = np.nan
    region = rng.choice(["north", "south", "east"], n)
    severity = rng.integers(1, 4, n)
    when = pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M")
    note = [f"free text {i} {rng.integers(0, 10**6)}" for i in range(n)]
    frame = pd.DataFrame({"age": age, "treated": treated, "dose": dose, "region": region, "severity": severity,
                          "visit time": when, "note": note})
    return frame.to_csv(index=False).encode()


def test_types_missingness_and_cardinality_are_inferred():
    content = _simulated_csv()
    frame, prof = profile_csv(content, file_name="trial.csv")
    types = {c.name: c.inferred_type for c in prof.columns}
    assert types == {"age": "integer", "treated": "binary", "dose": "continuous", "region": "categorical",
                     "severity": "ordinal", "visit time": "datetime", "note": "text"}
    dose = prof.column("dose")
    assert dose.n_missing == int(frame["dose"].isna().sum()) and 0.05 < dose.missing_fraction < 0.15
    assert prof.column("region").cardinality == 3
    assert prof.n_rows == 400 and prof.content_hash == hashlib.sha256(content).hexdigest()
    assert prof.column("age").minimum >= 18 and prof.column("age").maximum < 90


def test_semicolon_files_and_spaces_after_delimiters_are_read():
    _frame, prof = profile_csv(b"a; b\n1; 2\n3; 4\n", file_name="x.csv")
    assert prof.column_names == ["a", "b"] and prof.delimiter == ";"


QUOTED_HEADER = (b'"spend;usd;k;2024;q4;eu",tiktok_use,tour_dates,radio_play,record_sales_6m\n'
                 b"1,2,3,4,5\n2,3,4,5,6\n3,4,5,6,7\n")


@pytest.mark.parametrize("content, delimiter, width", [
    (QUOTED_HEADER, ",", 5),                                              # ';' inside quotes does not count
    (b'"a,b,c";d\n1;2\n3;4\n', ";", 2),                                   # nor does ',' inside quotes
    (b"x;y;z\n1,5;2,25;3\n4,5;5;6,75\n", ";", 3),                          # decimal commas in a ';' file
    (b'a\tb\n"1,2,3"\t4\n5\t6\n', "\t", 2),
    (b'a,b\n"line one\nline; two",1\n2,3\n', ",", 2),                     # a quoted newline is one field
    (b"only\n1\n2\n", ",", 1),
])
def test_the_delimiter_is_sniffed_from_quote_aware_parsing_of_the_first_records(content, delimiter, width):
    frame, prof = profile_csv(content, file_name="x.csv")
    assert prof.delimiter == delimiter and len(prof.columns) == width == frame.shape[1]


def test_a_delimiter_inside_a_quoted_header_name_keeps_the_columns_apart():
    frame, prof = profile_csv(QUOTED_HEADER, file_name="x.csv")
    assert prof.column_names == ["spend;usd;k;2024;q4;eu", "tiktok_use", "tour_dates", "radio_play",
                                 "record_sales_6m"]
    assert frame["record_sales_6m"].tolist() == [5, 6, 7]


def test_a_ragged_file_is_still_reported_with_the_header_s_delimiter():
    with pytest.raises(DataError, match="row has 3 fields but the header has 2"):
        profile_csv(b"a;b\n1;2\n3;4;5\n", file_name="x.csv")


@pytest.mark.parametrize("content, message, line", [
    (b"", "the file is empty", None),
    (b"   \n\n", "the file is empty", None),
    (b"a,b\n", "header but no data rows", 2),
    (b"a,b\n1,2\n3,4,5\n", "row has 3 fields but the header has 2", 3),
    (b"a,b\n1,2,3\n4,5\n", "row has 3 fields but the header has 2", 2),
    (b"a,b\n1,2\n4\n", "row has 1 field but the header has 2", 3),
    (b"a,a\n1,2\n", "duplicate column name 'a' (columns 1 and 2)", 1),
    (b"a,,c\n1,2,3\n", "column 2 has no name", 1),
    (b"x,y\n1,\xff\n", "not UTF-8", 2),
    (b"x,y\n1,\x002\n", "NUL bytes", None),
])
def test_malformed_csv_gives_a_located_error(content, message, line):
    with pytest.raises(DataError) as err:
        profile_csv(content, file_name="bad.csv")
    assert message in err.value.message
    assert err.value.location.file == "bad.csv"
    assert err.value.location.line == line


def test_all_missing_column_is_profiled_as_unknown_type():
    _frame, prof = profile_csv(b"a,b\n1,\n2,\n3,NA\n", file_name="m.csv")
    b = prof.column("b")
    assert b.inferred_type == "unknown" and b.missing_fraction == 1.0 and b.cardinality == 0


@pytest.mark.parametrize("a, b", [("caf\u00e9", "cafe\u0301"), ("A", "\uff21")])
def test_columns_whose_names_differ_only_in_unicode_form_are_refused(a, b):
    content = f"{a},{b}\n1,2\n3,4\n".encode()
    with pytest.raises(DataError, match="differ only in Unicode form") as info:
        profile_csv(content, file_name="looks.csv")
    assert info.value.location.file == "looks.csv" and info.value.location.line == 1
