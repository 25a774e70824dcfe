"""Simulated users on the real Streamlit UI: ``causal-assistant ui --demo`` on a temp store, driven by K
browser contexts of Debian's chromium through Playwright (async API, one browser, all users at once).

Each user: opens the Edit page of the demo project (``page ready``: the ``working_state`` box drawn and the
script run finished), switches to a graph of their own (``open graph``: a copy of the demo graph, so their
working copies do not overlap; in local mode every session is the same user), adds a latent variable
(``edit round-trip``: click until the page shows the unsaved change and the run finished) and saves it
(``save round-trip``: click until ``saved as version 2``).  Each timed step ends when the run finishes;
before the next action the page is also left to settle (the canvas component's own rerun), untimed.  Used by ``tests/load/test_ui_load.py`` (2 users) and
``benchmarks/bench_load.py`` (the figures).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
START_TIMEOUT_S = 120
STEP_TIMEOUT_MS = 120_000
STEPS = ("page ready", "open graph", "edit round-trip", "save round-trip")

# The run is finished: connected and no script run going (the end of a timed step).
_FINISHED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  return app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"] [data-testid^="stStatusWidgetRunning"]');
}"""
# Settled, before the next action (not timed): no run began or ended for 400 ms and every iframe loaded,
# with no iframe load for 1.2 s.  The canvas component sends its value once it has loaded, which starts
# another run; a click in between is lost.  The same tracker and check as tests/e2e/streamlit_e2e.py.
if str(REPO / "tests" / "e2e") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
from streamlit_e2e import _IDLE as _SETTLED  # noqa: E402
from streamlit_e2e import _TRACKER  # noqa: E402


def chromium_problem() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Debian's chromium is not installed at {CHROMIUM} (scripts/browser.sh, or set CA_CHROMIUM)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright package is missing: {exc}"
    return None


def user_graph(i: int) -> str:
    return f"record-sales-u{i}"


def prepare_store(database_url: str, users: int) -> None:
    """The demo project, plus one copy of its graph per simulated user."""
    from assistant.demo import GRAPH, PROJECT, load_demo_project
    from assistant.store import Store

    with Store.open(database_url) as store:
        load_demo_project(store)
        graph = store.get_version(PROJECT, GRAPH).graph
        for i in range(users):
            store.create_graph(PROJECT, user_graph(i), graph, author="load", message="copy for a simulated user")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def ui_server(home: Path, database_url: str, log_path: Path) -> Iterator[str]:
    """``causal-assistant ui --demo`` on a free port of 127.0.0.1; yields its URL once healthy."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STREAMLIT_", "PYTEST_", "CAUSAL_ASSISTANT_LLM_", "OPENAI_"))}
    env.update({"CAUSAL_ASSISTANT_HOME": str(home), "CAUSAL_ASSISTANT_CONFIG": str(home / "config.toml"),
                "DATABASE_URL": database_url, "CAUSAL_ASSISTANT_USER": "ana", "PYTHONUNBUFFERED": "1"})
    env.pop("CAUSAL_ASSISTANT_ROLES", None)
    script = Path(sys.executable).parent / "causal-assistant"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli.main"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([*command, "ui", "--demo", "--port", str(port), "--address", "127.0.0.1"],
                                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the UI exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the UI was not healthy after {START_TIMEOUT_S} s")
            time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


@dataclass
class UserRun:
    user: int
    times: dict[str, float] = field(default_factory=dict)   # step -> seconds
    error: str | None = None


async def _finished(page) -> None:
    await page.wait_for_function(_FINISHED, timeout=STEP_TIMEOUT_MS, polling=50)


async def _settle(page) -> None:
    await page.wait_for_timeout(150)
    await page.wait_for_function(_SETTLED, arg=[400, 1200], timeout=STEP_TIMEOUT_MS, polling=100)


async def _user(browser, url: str, i: int, start: asyncio.Event) -> UserRun:
    from playwright.async_api import expect

    run = UserRun(i)
    context = await browser.new_context(viewport={"width": 1400, "height": 1200})
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    await page.add_init_script(_TRACKER)
    try:
        await start.wait()
        t = time.perf_counter()
        await page.goto(f"{url}/edit")
        state = page.locator(".st-key-working_state")
        await expect(state).to_contain_text("base v1", timeout=STEP_TIMEOUT_MS)
        await _finished(page)
        run.times["page ready"] = time.perf_counter() - t
        await _settle(page)

        t = time.perf_counter()
        await page.locator('.st-key-graph_picker [role="combobox"], .st-key-graph_picker [data-baseweb="select"]'
                           ).first.click()
        await page.get_by_role("option", name=user_graph(i), exact=True).first.click()
        await expect(page.get_by_text(f"Edit · {user_graph(i)}")).to_be_visible(timeout=STEP_TIMEOUT_MS)
        await _finished(page)
        run.times["open graph"] = time.perf_counter() - t
        await _settle(page)

        name = f"latent_u{i}"
        field_ = page.locator(".st-key-add_latent_name input")
        await field_.fill(name)
        await field_.press("Tab")
        await _settle(page)
        t = time.perf_counter()
        await page.locator(".st-key-add_latent button").first.click()
        await expect(state).to_contain_text("unsaved changes: +1 variable", timeout=STEP_TIMEOUT_MS)
        await _finished(page)
        run.times["edit round-trip"] = time.perf_counter() - t
        await _settle(page)

        message = page.locator(".st-key-save_message input")
        await message.fill(f"user {i}: latent variable")
        await message.press("Tab")
        await _settle(page)
        t = time.perf_counter()
        await page.locator(".st-key-save_version button").first.click()
        await expect(page.locator(".st-key-save_result")).to_contain_text("saved as version 2",
                                                                          timeout=STEP_TIMEOUT_MS)
        await _finished(page)
        run.times["save round-trip"] = time.perf_counter() - t
    except Exception as exc:  # reported per user, with a screenshot path
        shot = Path(os.environ.get("CA_ARTIFACTS_DIR") or "/tmp") / f"ui-load-user{i}.png"
        try:
            await page.screenshot(path=str(shot), full_page=True)
        except Exception:
            pass
        run.error = f"{type(exc).__name__}: {str(exc)[:500]} (screenshot {shot})"
    finally:
        await context.close()
    return run


async def _drive(url: str, users: int) -> list[UserRun]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Warm-up on "/": a fresh server's first session is slower, and tests/e2e/conftest.py notes a
            # first-session quirk (the page files live in ui/views/, so a deep link always runs app.py).
            warm = await browser.new_context()
            page = await warm.new_page()
            await page.goto(f"{url}/")
            await page.locator(".st-key-whoami").wait_for(timeout=STEP_TIMEOUT_MS)
            await _finished(page)
            await warm.close()
            start = asyncio.Event()
            tasks = [asyncio.create_task(_user(browser, url, i, start)) for i in range(users)]
            await asyncio.sleep(0.5)   # every context is open: let them all start at once
            start.set()
            return list(await asyncio.gather(*tasks))
        finally:
            await browser.close()


def drive_users(url: str, users: int) -> list[UserRun]:
    return asyncio.run(_drive(url, users))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summarize(runs: list[UserRun]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for step in STEPS:
        values = [r.times[step] for r in runs if step in r.times]
        if values:
            out[step] = {"n": len(values), "p50": statistics.median(values), "p95": percentile(values, 95),
                         "max": max(values)}
    return out
