"""What the CLI prints is safe for a terminal, and what it writes fails as a typed error.

Names, examples and LLM answers come from untrusted files and models: a control character in them is
shown escaped in text output (never acted on by the terminal), and JSON output keeps the exact values.
"""

from __future__ import annotations

import json
import os

import pytest
from cli_helpers import run

from assistant.cli.render import table, terminal_safe
from assistant.errors import EXIT_INPUT, EXIT_OK
from assistant.llm import install_fake
from assistant.llm.registry import unregister_chat_provider

OSC_TITLE = "\x1b]0;PWNED-TITLE\x07"


def _ansi_csv(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes(f"a,b\n{OSC_TITLE}red,1\nx,2\ny,3\n".encode())
    return path


def test_data_profile_shows_escape_sequences_from_the_data_escaped(tmp_path):
    res = run("data", "profile", str(_ansi_csv(tmp_path)))
    assert res.exit_code == EXIT_OK, res.stderr
    assert "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert r"\x1b]0;PWNED-TITLE\x07red" in res.stdout


def test_json_output_keeps_the_exact_values(tmp_path):
    res = run("data", "profile", str(_ansi_csv(tmp_path)), "--format", "json")
    assert res.exit_code == EXIT_OK and "\x1b" not in res.stdout
    column = json.loads(res.stdout)["columns"][0]
    assert f"{OSC_TITLE}red" in column["examples"]


def test_an_llm_answer_with_escape_sequences_is_shown_escaped(tmp_path, sqlite_url, monkeypatch, clean_llm_env):
    fake = install_fake([])
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_PROVIDER", "fake")
    try:
        fake.queue(f"{OSC_TITLE}\x1b[2J\x9b31m not\rjson", "still not json")
        run("llm", "check", db=sqlite_url)
    finally:
        unregister_chat_provider("fake")
    shown = run("llm", "log", "--show", "1", db=sqlite_url)
    assert shown.exit_code == EXIT_OK, shown.stderr
    assert not any(c in shown.stdout for c in "\x1b\x07\x9b\r")
    assert r"\x1b]0;PWNED-TITLE\x07\x1b[2J\x9b31m not\x0djson" in shown.stdout
    raw = json.loads(run("llm", "log", "--show", "1", "--format", "json", db=sqlite_url).stdout)
    assert raw["raw_response"].startswith(OSC_TITLE + "\x1b[2J")  # JSON keeps the exact answer


def test_terminal_safe_escapes_c0_del_and_c1_but_not_newline_and_tab():
    controls = "".join(map(chr, [*range(0x20), 0x7f, *range(0x80, 0xa0)]))
    shown = terminal_safe(controls + "é売上 ok")
    assert "\n" in shown and "\t" in shown and shown.endswith("é売上 ok")
    assert all(c in "\n\t" or not (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f) for c in shown)
    assert r"\x00" in shown and r"\x1b" in shown and r"\x7f" in shown and r"\x9b" in shown


def test_tables_measure_the_escaped_cells_so_columns_line_up():
    lines = table([["\x1bx", "A"], ["y", "B"]], ["name", "n"]).splitlines()
    assert lines[2].index("A") == lines[3].index("B") == lines[0].index("n", 4) == len(r"\x1bx  ")


def test_error_messages_are_escaped_too(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2,3\x1b[31m\n")
    res = run("data", "profile", str(path))
    assert res.exit_code == EXIT_INPUT and "error[data]" in res.stderr
    assert "\x1b" not in res.stderr


# --- writing files ----------------------------------------------------------------------------------------------


def test_export_to_a_missing_directory_is_an_input_error_not_a_traceback(tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.dot"
    res = run("export", "gallery:m_bias", "--to", "dot", "-o", str(target))
    assert res.exit_code == EXIT_INPUT
    assert f"error[input]: cannot write {target}: No such file or directory" in res.stderr
    assert "Traceback" not in res.stderr and not target.parent.exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_export_to_a_full_device_is_an_input_error_and_the_device_stays():
    res = run("export", "gallery:m_bias", "--to", "dot", "-o", "/dev/full")
    assert res.exit_code == EXIT_INPUT and "error[input]: cannot write /dev/full" in res.stderr
    assert "Traceback" not in res.stderr
    assert not os.path.isfile("/dev/full")  # written in place, never replaced by a regular file


def test_export_still_writes_a_regular_file(tmp_path):
    target = tmp_path / "x.dot"
    res = run("export", "gallery:m_bias", "--to", "dot", "-o", str(target))
    assert res.exit_code == EXIT_OK and target.read_text(encoding="utf-8").startswith("digraph m_bias {")
