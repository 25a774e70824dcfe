"""End-to-end fixtures: Debian's chromium driven by Playwright, against real ``streamlit run ui/app.py`` servers.

* ``browser`` (session): Playwright's sync API launching ``/usr/bin/chromium`` (``CA_CHROMIUM`` overrides
  the path; ``scripts/browser.sh`` installs it with apt-get). Playwright's own browser download is never
  used. Without chromium the tests skip with the reason; ``CA_REQUIRE_SERVICES=1`` (CI) makes that a failure.
* ``ui_store``: the test's data directory, SQLite store and config file (``[users]``: ana and ben are
  editors, rita is the reviewer; see ``ui/README.md``).
* ``start_ui(user)``: a Streamlit server for one local user on that store (free port, demo project on,
  no LLM), waited for on ``/_stcore/health``, stopped after the test. ``ui_server`` is the editor's.
  ``start_ui(user, port=..., NAME=value)`` picks the port (e.g. one already named in an OIDC redirect URI)
  and adds environment variables.
  A failing test's report carries the servers' logs; the logs are also kept with the artifacts.
* ``new_page(server, label)`` / ``st_page``: a page in a fresh browser context wrapped in
  :class:`StreamlitPage`: wait until the app is idle, act on widgets by key (``.st-key-<key>``), work
  inside the streamlit-flow canvas iframe, and a numbered screenshot after every step.

Artifacts go to ``$CA_ARTIFACTS_DIR`` (default ``tests/e2e/artifacts/``, git-ignored), one directory per
test: ``<label>-NN-<step>.png``, ``<label>-zz-final.png`` and ``streamlit-<user>.log``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from streamlit_e2e import (  # tests/e2e is on sys.path, like tests/cli/cli_helpers.py
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITOR,
    EXPECT_TIMEOUT_MS,
    REPO,
    REVIEWER,
    SECOND_EDITOR,
    SERVER_START_TIMEOUT,
    VIEWPORT,
    StreamlitPage,
    free_port,
)

# ---------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session", autouse=True)
def _expect_timeout():
    """Assertions wait up to 15 s (Playwright's default is 5 s; the machine may be busy with other tests)."""
    try:
        from playwright.sync_api import expect
    except ImportError:
        return
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def _chromium_problem() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"Debian's chromium is not installed at {CHROMIUM}: run scripts/browser.sh "
            "(apt-get install -y chromium, as root) or set CA_CHROMIUM"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright package is missing ({exc}): run scripts/setup.sh test"
    return None


@pytest.fixture(scope="session")
def browser():
    problem = _chromium_problem()
    if problem:
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.skip(f"chromium at {CHROMIUM} could not be launched by Playwright: {exc}")
        try:
            yield chromium
        finally:
            chromium.close()


# ---------------------------------------------------------------------------------------------- server


@dataclass
class UIServer:
    url: str
    user: str
    store: "UIStore"
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def database_url(self) -> str:
        return self.store.database_url

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no server log: {exc})"


@pytest.fixture
def ui_app() -> Path:
    """The Streamlit script the servers run (overridable, e.g. to prove the fixtures on a stand-in)."""
    return REPO / "ui" / "app.py"


@dataclass
class UIStore:
    """What the UI servers of one test share: a data directory, a SQLite store and a config file."""

    home: Path
    database_url: str
    config: Path


@pytest.fixture
def ui_store(tmp_path: Path) -> UIStore:
    home = tmp_path / "ui-home"
    home.mkdir()
    config = home / "config.toml"
    # Roles from the config file (ui/README.md, assistant/workspace/roles.py): ana and ben edit, rita reviews.
    config.write_text(
        "[users]\n"
        f'editors = ["{EDITOR}", "{SECOND_EDITOR}"]\n'
        f'reviewers = ["{REVIEWER}"]\n'
    )
    return UIStore(home=home, database_url=f"sqlite:///{home / 'store.db'}", config=config)


@pytest.fixture
def start_ui(request, browser, ui_app: Path, ui_store: UIStore, artifacts: Path) -> Iterator:
    """Start a UI server for one local user on the test's shared store: ``start_ui("rita")``.

    In local mode a Streamlit server has one user (``CAUSAL_ASSISTANT_USER``), so two people working
    on the same graph are two servers on one database, as on two machines sharing PostgreSQL.
    """
    if not ui_app.is_file():
        pytest.skip(f"the Streamlit app {ui_app} does not exist yet")
    servers: list[UIServer] = []

    def start(user: str = EDITOR, *, port: int | None = None, **extra_env: str) -> UIServer:
        port = port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "PYTEST_"))}
        for name in ("DATABASE_URL", "CAUSAL_ASSISTANT_ROLES", "CAUSAL_ASSISTANT_LLM_BASE_URL", "OPENAI_BASE_URL",
                     "CAUSAL_ASSISTANT_LLM_API_KEY", "OPENAI_API_KEY", "CAUSAL_ASSISTANT_LLM_MODEL"):
            env.pop(name, None)
        env.update({
            "CAUSAL_ASSISTANT_HOME": str(ui_store.home),
            "CAUSAL_ASSISTANT_CONFIG": str(ui_store.config),
            "DATABASE_URL": ui_store.database_url,
            "CAUSAL_ASSISTANT_DEMO": "1",
            "CAUSAL_ASSISTANT_USER": user,
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        })  # fmt: skip
        log_path = artifacts / f"streamlit-{user}.log"
        command = [
            sys.executable, "-m", "streamlit", "run", str(ui_app),
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = UIServer(
            url=f"http://127.0.0.1:{port}",
            user=user,
            store=ui_store,
            log_path=log_path,
            process=process,
        )
        servers.append(server)
        request.node._ca_ui_servers = servers
        _wait_healthy(server)
        _warm_up(browser, server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            _stop(server.process)


@pytest.fixture
def ui_server(start_ui) -> UIServer:
    """The UI served to the editor (``ana``) on a fresh store with the demo project."""
    return start_ui(EDITOR)


def _wait_healthy(server: UIServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"streamlit exited with code {server.process.returncode} before it was healthy\n{server.log()}"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.25)
    pytest.fail(f"streamlit was not healthy after {SERVER_START_TIMEOUT:.0f}s ({last})\n{server.log()}")


def _warm_up(browser, server: UIServer) -> None:
    """Load the app once in a throwaway context before the test's own pages (about a second).

    With Streamlit 1.67 and ``st.navigation``, a stand-in app lost the first widget change of the first
    browser session on a freshly started server (later sessions behaved). One page load that runs the
    script avoids it, and also warms the server's imports and caches (the demo project is loaded here).
    """
    context = browser.new_context()
    try:
        StreamlitPage(context.new_page(), server.url, Path(os.devnull)).goto("/")
    finally:
        context.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # our own session: streamlit and anything it started
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing end-to-end test carries the server log in its report (and the artifacts keep it)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for server in getattr(item, "_ca_ui_servers", []):
            report.sections.append((f"streamlit server log ({server.url})", server.log()[-20_000:]))


# ---------------------------------------------------------------------------------------------- pages


def _artifact_dir(node) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid.split("::", 1)[-1])
    path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def artifacts(request) -> Path:
    """This test's artifacts directory, emptied when the test starts (the last run's files are kept until then)."""
    path = _artifact_dir(request.node)
    for old in path.iterdir():
        if old.is_file():
            old.unlink()
    return path


@pytest.fixture
def new_page(browser, ui_server: UIServer, artifacts: Path):
    """Open a page in a fresh browser context (its own cookies and Streamlit session).

    ``new_page()`` opens the editor's UI; ``new_page(other_server, "rita")`` another user's.
    """
    contexts = []

    def open_page(server: UIServer | None = None, label: str | None = None, path: str = "/") -> StreamlitPage:
        server = server or ui_server
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        contexts.append((label or server.user, context))
        page = StreamlitPage(context.new_page(), server.url, artifacts, label=label or server.user)
        page.goto(path)
        return page

    yield open_page
    for label, context in contexts:
        for n, page in enumerate(context.pages):  # the last state of every page, whatever happened
            try:
                page.screenshot(path=str(artifacts / f"{label}-zz-final{n or ''}.png"), full_page=True)
            except Exception:  # a crashed page must not hide the test's own failure
                pass
        context.close()


@pytest.fixture
def st_page(new_page) -> StreamlitPage:
    """One browser page on the editor's UI server."""
    return new_page()
