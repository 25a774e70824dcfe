"""The upload size limit (a typed error, nothing stored) and the interactive row limit (a seeded sample the
UI announces)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.demo import PROJECT, load_demo_project
from assistant.errors import UploadTooLargeError
from assistant.intake.limits import interactive_sample
from assistant.store import Store
from assistant.workspace import Identity
from assistant.workspace.drafting import add_uploaded_dataset, interactive_data, load_dataset

ANA = Identity(name="ana", roles=frozenset({"editor"}))
APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


def big_csv(megabytes: float) -> bytes:
    row = b"1.2345678,2.3456789,3.4567891\n"
    return b"a,b,c\n" + row * int(megabytes * 1024 * 1024 / len(row) + 1)


def test_an_upload_over_the_limit_is_a_typed_error_and_nothing_is_stored(sqlite_url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_MAX_UPLOAD_MB", "1")
    with Store.open(sqlite_url) as store:
        store.create_project("p", author="ana")
        before = store.row_counts()
        with pytest.raises(UploadTooLargeError) as info:
            add_uploaded_dataset(store, ANA, "p", "big", big_csv(1.2), "big.csv")
        err = info.value
        assert err.code == "upload-too-large" and err.exit_code == 1 and err.limit_bytes == 1024 * 1024
        assert "1.2 MB, more than the 1.0 MB upload limit" in str(err) and "nothing was stored" in str(err)
        assert err.as_dict()["size_bytes"] == err.size_bytes > err.limit_bytes
        assert store.row_counts() == before
        assert add_uploaded_dataset(store, ANA, "p", "small", big_csv(0.5), "small.csv").size_bytes < 1024 * 1024


def test_the_cli_refuses_a_file_over_the_limit_before_reading_it(sqlite_url, monkeypatch, tmp_path):
    monkeypatch.setenv("CAUSAL_ASSISTANT_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(big_csv(1.5))
    runner = CliRunner()
    assert runner.invoke(cli, ["--database-url", sqlite_url, "project", "create", "p"]).exit_code == 0
    result = runner.invoke(cli, ["--database-url", sqlite_url, "data", "add", str(path), "--project", "p"])
    assert result.exit_code == 1 and "error[upload-too-large]" in result.output


def test_interactive_work_uses_a_seeded_ordered_sample_of_large_data():
    frame = pd.DataFrame({"i": range(10_000), "x": [i % 7 for i in range(10_000)]})
    first, again = interactive_sample(frame, max_rows=1000), interactive_sample(frame, max_rows=1000)
    assert first.sampled and (first.total_rows, first.used_rows, len(first.frame)) == (10_000, 1000, 1000)
    assert first.frame.equals(again.frame)                          # seeded: the same sample every time
    assert first.frame["i"].is_monotonic_increasing                 # rows keep their order
    assert first.frame["i"].nunique() == 1000                       # without replacement
    assert first.frame["i"].max() > 9000                            # from the whole file, not its head
    assert "10,000 rows" in first.note and "1,000 rows" in first.note and "Analyses use every row" in first.note
    whole = interactive_sample(frame, max_rows=10_000)
    assert not whole.sampled and whole.note is None and whole.frame is frame


def test_the_limit_comes_from_the_settings(sqlite_url, monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_INTERACTIVE_ROWS", "500")
    with Store.open(sqlite_url) as store:
        load_demo_project(store)
        rows = interactive_data(load_dataset(store, PROJECT, "record_sales"))
    assert (rows.total_rows, rows.used_rows) == (2000, 500)


def test_the_ui_says_when_drafting_and_critique_use_a_sample(sqlite_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAUSAL_ASSISTANT_INTERACTIVE_ROWS", "500")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    for page in ("draft", "edit"):
        at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        infos = [i.value for i in at.info]
        assert any("2,000 rows" in i and "random sample of 500 rows" in i for i in infos), (page, infos)
