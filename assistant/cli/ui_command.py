"""``causal-assistant ui``: start the browser UI (``streamlit run ui/app.py``) with the demo project.

``ui/`` sits next to the package, like ``migrations/``:
``Path(assistant.__file__).parent.parent / "ui"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

import assistant
from assistant.cli.context import AppContext, pass_app
from assistant.errors import ConfigError

UI_DIR = Path(assistant.__file__).resolve().parent.parent / "ui"


def streamlit_command(port: int, address: str, max_upload_mb: int | None = None) -> list[str]:
    """The command line that serves the app headless (no browser opened, no usage statistics).

    ``max_upload_mb`` becomes Streamlit's ``server.maxUploadSize``, so the browser refuses a file
    over the limit before it is sent (the service layer checks again).
    """
    command = [sys.executable, "-m", "streamlit", "run", str(UI_DIR / "app.py"),
               "--server.port", str(port), "--server.address", address, "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--client.toolbarMode", "minimal"]
    if max_upload_mb is not None:
        command += ["--server.maxUploadSize", str(max_upload_mb)]
    return command


@click.command("ui")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--address", default="localhost", show_default=True,
              help="Interface to listen on (0.0.0.0 to serve other machines).")
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Load the record-sales demo project at start (it is always loaded into an empty store).")
@pass_app
def ui_command(app: AppContext, port: int, address: str, demo: bool) -> None:
    """Start the browser UI: projects, draft, canvas editing, critique, history, review, analysis, export."""
    if not (UI_DIR / "app.py").is_file():
        raise ConfigError(f"the UI is not installed next to the package (looked in {UI_DIR})",
                          hint="run causal-assistant from a checkout of the repository (pip install -e .)")
    from assistant.workspace.roles import read_secrets_files, require_login_if_deployed, secrets_files

    settings = app.settings
    # Deployed mode needs the OIDC login configured where Streamlit will look for it (cwd: the checkout).
    require_login_if_deployed(settings.deployed, read_secrets_files(secrets_files(UI_DIR.parent)))
    env = dict(os.environ)
    env["CAUSAL_ASSISTANT_DEMO"] = "1" if demo else "0"
    if app.database_url:
        env["DATABASE_URL"] = app.database_url
    if app.user:
        env["CAUSAL_ASSISTANT_USER"] = app.user
    click.echo(f"causal-assistant UI on http://{address}:{port}  (Ctrl-C to stop)", err=True)
    command = streamlit_command(port, address, settings.max_upload_mb)
    os.chdir(UI_DIR.parent)
    if hasattr(os, "execve") and os.name == "posix":
        # Become the server, so that signals (Ctrl-C, a supervisor's SIGTERM) reach it and no orphan is left.
        os.execve(command[0], command, env)
    try:  # pragma: no cover - Windows has no real exec
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 0
    sys.exit(code)
