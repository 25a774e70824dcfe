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


# --- pipes and devices: their size is unknown until read, so reading stops at the limit --------------------------


def _fifo(tmp_path, content: bytes) -> Path:
    """A named pipe that a background writer fills with ``content`` (like ``<(cat big.csv)``)."""
    import os
    import threading

    path = tmp_path / "pipe"
    os.mkfifo(path)

    def write() -> None:
        try:
            with open(path, "wb") as handle:
                handle.write(content)
        except OSError:  # the reader stopped at the limit and closed its end
            pass

    threading.Thread(target=write, daemon=True).start()
    return path


def test_reading_a_data_file_stops_at_the_limit_for_devices_and_pipes(tmp_path):
    import os

    from assistant.errors import DataError
    from assistant.intake.limits import read_data_file

    if os.path.exists("/dev/zero"):
        with pytest.raises(UploadTooLargeError) as info:
            read_data_file("/dev/zero", limit_bytes=1000)
        assert info.value.limit_bytes == 1000 and info.value.location.file == "/dev/zero"
    with pytest.raises(UploadTooLargeError) as info:
        read_data_file(_fifo(tmp_path, big_csv(0.1)), limit_bytes=1000)
    assert "more than the" in str(info.value) and str(tmp_path / "pipe") in str(info.value)
    small = tmp_path / "small.csv"
    small.write_bytes(b"a,b\n1,2\n")
    assert read_data_file(small, limit_bytes=8) == b"a,b\n1,2\n"
    with pytest.raises(UploadTooLargeError):
        read_data_file(small, limit_bytes=7)
    with pytest.raises(DataError, match="is a directory|directory, not a data file"):
        read_data_file(tmp_path, limit_bytes=1000)
    with pytest.raises(DataError, match="cannot read the data file") as missing:
        read_data_file(tmp_path / "nope.csv", limit_bytes=1000)
    assert missing.value.location.file == str(tmp_path / "nope.csv")


def test_data_add_from_a_pipe_over_the_limit_stores_nothing(sqlite_url, monkeypatch, tmp_path):
    monkeypatch.setenv("CAUSAL_ASSISTANT_MAX_UPLOAD_MB", "1")
    runner = CliRunner()
    assert runner.invoke(cli, ["--database-url", sqlite_url, "project", "create", "p1"]).exit_code == 0
    with Store.open(sqlite_url) as store:
        before = store.row_counts()
    result = runner.invoke(cli, ["--database-url", sqlite_url, "data", "add", str(_fifo(tmp_path, big_csv(3.3))),
                                 "--project", "p1", "--name", "big"])
    assert result.exit_code == 1 and "error[upload-too-large]" in result.stderr, result.output
    assert "1.0 MB upload limit" in result.stderr
    with Store.open(sqlite_url) as store:
        assert store.row_counts() == before


def test_data_add_from_a_pipe_needs_a_name_and_does_not_store_the_pipe_number(sqlite_url, tmp_path):
    import os

    runner = CliRunner()
    assert runner.invoke(cli, ["--database-url", sqlite_url, "project", "create", "p1"]).exit_code == 0
    unnamed = tmp_path / "63"
    os.mkfifo(unnamed)  # nobody writes: the command must refuse before opening it
    result = runner.invoke(cli, ["--database-url", sqlite_url, "data", "add", str(unnamed), "--project", "p1"])
    assert result.exit_code == 1 and "pipe or device" in result.stderr and "--name NAME" in result.stderr
    result = runner.invoke(cli, ["--database-url", sqlite_url, "data", "add", str(_fifo(tmp_path, big_csv(0.01))),
                                 "--project", "p1", "--name", "sales", "--format", "json"])
    assert result.exit_code == 0, result.output
    with Store.open(sqlite_url) as store:
        [info] = store.list_datasets("p1")
    assert info.name == info.file_name == info.profile.file_name == "sales"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("argv", [
    ["data", "profile", "/dev/zero"],
    ["critique", "gallery:record_sales", "--data", "/dev/zero"],
    ["analyze", "gallery:record_sales", "--data", "/dev/zero"],
    ["query", "gallery:record_sales", "--data", "/dev/zero", "--do", "radio_play=1"],
], ids=["data-profile", "critique", "analyze", "query"])
def test_every_command_reading_a_data_file_stops_at_the_limit(argv, monkeypatch, sqlite_url):
    monkeypatch.setenv("CAUSAL_ASSISTANT_MAX_UPLOAD_MB", "1")
    result = CliRunner().invoke(cli, ["--database-url", sqlite_url, *argv])
    assert result.exit_code == 1, result.output
    assert "error[upload-too-large]: /dev/zero: the input is more than the 1.0 MB upload limit" in result.stderr


def test_the_cli_limit_also_applies_to_data_profile_and_critique_of_regular_files(monkeypatch, tmp_path):
    monkeypatch.setenv("CAUSAL_ASSISTANT_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(big_csv(1.5))
    for argv in (["data", "profile", str(path)], ["critique", "gallery:record_sales", "--data", str(path)]):
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 1 and "error[upload-too-large]" in result.stderr and "1.5 MB" in result.stderr
