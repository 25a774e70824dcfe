"""``causal-assistant ui``: finds ui/ next to the package and starts Streamlit headless."""

from __future__ import annotations

from click.testing import CliRunner

from assistant.cli import ui_command
from assistant.cli.main import cli


def test_the_ui_is_found_next_to_the_package():
    assert (ui_command.UI_DIR / "app.py").is_file()
    assert ui_command.UI_DIR.parent == ui_command.Path(ui_command.assistant.__file__).resolve().parent.parent


def test_the_command_runs_streamlit_headless_on_the_port_with_the_demo(monkeypatch):
    calls = {}

    def fake_exec(path, cmd, env):
        calls.update(cmd=cmd, env=env)
        raise SystemExit(0)

    monkeypatch.setattr(ui_command.os, "execve", fake_exec)
    monkeypatch.setattr(ui_command.os, "chdir", lambda path: None)
    result = CliRunner().invoke(cli, ["ui", "--port", "8611", "--no-demo"])
    assert result.exit_code == 0, result.output
    cmd = calls["cmd"]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("ui/app.py")
    assert cmd[cmd.index("--server.port") + 1] == "8611" and cmd[cmd.index("--server.headless") + 1] == "true"
    assert calls["env"]["CAUSAL_ASSISTANT_DEMO"] == "0"
