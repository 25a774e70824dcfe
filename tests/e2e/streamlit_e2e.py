"""Streamlit in a real browser: the page helper and the settings the end-to-end fixtures share.

Imported by ``conftest.py`` and the tests (``tests/e2e`` is on ``sys.path``, like ``tests/cli/cli_helpers.py``).
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
ARTIFACTS = Path(os.environ.get("CA_ARTIFACTS_DIR") or REPO / "tests" / "e2e" / "artifacts")
SERVER_START_TIMEOUT = 90.0  # seconds; a cold start imports pandas, DoWhy, ... on a busy 2-core machine
DEFAULT_TIMEOUT_MS = 30_000  # Playwright's per-action timeout
EXPECT_TIMEOUT_MS = 15_000  # how long an assertion (expect) waits
# Streamlit scrolls inside its main container, so a "full page" screenshot is the viewport: make it tall.
VIEWPORT = {"width": 1400, "height": 1800}

# The users of the end-to-end tests: the config file's [users] table makes ana and ben editors, rita the reviewer.
EDITOR = "ana"
SECOND_EDITOR = "ben"
REVIEWER = "rita"

# streamlit-flow renders inside a components iframe whose title is "<module>.<component>".
FLOW_IFRAME = 'iframe[title="streamlit_flow.streamlit_flow"]'


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server the test starts next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------- pages


# Injected into every page before Streamlit loads. Records when the script-run state last changed
# (window.__caLastScriptStateChange) and when each iframe was added and loaded (a custom component such
# as the streamlit-flow canvas sends its value once it has loaded, which starts another script run).
_TRACKER = """
(() => {
  window.__caLastScriptStateChange = performance.now();
  window.__caLastIframeLoad = 0;
  const watchFrame = (f) => {
    if (f.__caAdded) return;
    f.__caAdded = performance.now();
    f.addEventListener('load', () => { f.__caLoaded = true; window.__caLastIframeLoad = performance.now(); });
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'attributes') { window.__caLastScriptStateChange = performance.now(); continue; }
      for (const n of m.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.tagName === 'IFRAME') watchFrame(n);
        n.querySelectorAll('iframe').forEach(watchFrame);
        if (n.querySelector('[data-test-script-state]') || n.hasAttribute('data-test-script-state'))
          window.__caLastScriptStateChange = performance.now();
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-test-script-state']});
})();
"""

# True when the app is idle: connected, no script run, no running indicator, no run began or ended for
# `quiet` ms, every iframe loaded (or given up on after 15 s) and none loaded in the last `frameQuiet` ms.
_IDLE = """
([quiet, frameQuiet]) => {
  const now = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  const state = app.getAttribute('data-test-script-state');
  if (state !== 'notRunning' && state !== 'compilationError') return false;
  if (document.querySelector('[data-testid="stStatusWidget"] [data-testid^="stStatusWidgetRunning"]')) return false;
  if (now - (window.__caLastScriptStateChange || 0) < quiet) return false;
  for (const f of document.querySelectorAll('iframe')) {
    if (f.__caAdded && !f.__caLoaded && now - f.__caAdded < 15000) return false;
  }
  return now - (window.__caLastIframeLoad || 0) >= frameQuiet;
}
"""


class StreamlitPage:
    """A Playwright page with Streamlit manners. Every ``step`` leaves a numbered screenshot."""

    def __init__(self, page, base_url: str, artifacts: Path, label: str = ""):
        self.page = page
        self.base_url = base_url
        self.artifacts = artifacts
        self.label = label
        self._shots = 0
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.add_init_script(_TRACKER)

    # -- navigation and waiting

    def goto(self, path: str = "/", step: str | None = None) -> None:
        self.page.goto(self.base_url.rstrip("/") + "/" + path.lstrip("/"))
        self.wait_idle()
        if step:
            self.shot(step)

    def wait_idle(self, timeout_ms: int = 60_000, quiet_ms: int = 400, frame_quiet_ms: int = 1200) -> None:
        """Wait until the app is idle (see ``_IDLE``).

        A widget change starts a rerun a moment later, and a custom component that was (re)mounted sends
        its value once loaded, which starts another run; acting in between can lose a button click. So
        "idle" also means no run began or ended for ``quiet_ms`` and no iframe loaded for ``frame_quiet_ms``.
        """
        self.page.wait_for_timeout(150)
        self.page.wait_for_function(_IDLE, arg=[quiet_ms, frame_quiet_ms], timeout=timeout_ms, polling=100)

    def nav(self, url_path: str, step: str | None = None) -> None:
        """Go to a page of the app through the sidebar navigation (the Streamlit session is kept)."""
        self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path.strip("/")}"]').first.click()
        self.page.wait_for_url(f"**/{url_path.strip('/')}*")
        self.wait_idle()
        if step:
            self.shot(step)

    # -- widgets by key

    def key(self, key: str):
        """The element container of the widget with this Streamlit key (class ``st-key-<key>``)."""
        return self.page.locator(f".st-key-{key}")

    def click(self, key: str, step: str | None = None) -> None:
        target = self.key(key)
        clickable = target.locator("button, [role=tab], [role=button], a").first
        (clickable if clickable.count() else target).click()
        self.wait_idle()
        if step:
            self.shot(step)

    def fill(self, key: str, text: str, step: str | None = None) -> None:
        field_ = self.key(key).locator("input, textarea").first
        field_.fill(text)
        field_.press("Tab" if field_.evaluate("e => e.tagName") == "INPUT" else "Control+Enter")
        self.wait_idle()
        if step:
            self.shot(step)

    def select(self, key: str, option: str | re.Pattern, step: str | None = None) -> None:
        """Pick an option of a selectbox (or a radio button) by its visible text (exact, or a regex)."""
        target = self.key(key)
        target.wait_for()
        exact = isinstance(option, str)
        if target.locator('[data-testid="stRadio"]').count():
            target.locator('[data-testid="stRadioOption"]').filter(
                has_text=re.compile(f"^{re.escape(option)}$") if exact else option
            ).first.click()
        else:
            # Streamlit >= 1.5x renders st.selectbox as a react-aria combobox (older: a baseweb select).
            combo = target.locator('[role="combobox"], [data-baseweb="select"]').first
            if not (exact and combo.get_attribute("role") == "combobox" and combo.input_value() == option):
                combo.click()
                self.page.get_by_role("option", name=option, exact=exact).first.click()
        self.wait_idle()
        if step:
            self.shot(step)

    def set_checkbox(self, key: str, checked: bool, step: str | None = None) -> None:
        box = self.key(key).locator('input[type="checkbox"]').first
        if box.is_checked() != checked:
            self.key(key).locator("label").first.click()
            self.wait_idle()
        if step:
            self.shot(step)

    def text(self, key: str) -> str:
        return self.key(key).inner_text()

    def download(self, key: str, directory: Path, step: str | None = None) -> Path:
        """Click a download button and save the file under ``directory``; returns its path."""
        with self.page.expect_download() as info:
            self.key(key).locator("button, a").first.click()
        download = info.value
        path = Path(directory) / download.suggested_filename
        download.save_as(path)
        self.wait_idle()
        if step:
            self.shot(step)
        return path

    # -- the streamlit-flow canvas

    @property
    def flow(self):
        return self.page.frame_locator(FLOW_IFRAME).first

    def flow_node(self, node_id: str):
        return self.flow.locator(f'.react-flow__node[data-id="{node_id}"]')

    def flow_edge_ids(self) -> list[str]:
        """The ids of the edges drawn on the canvas (React Flow's ``rf__edge-<id>``)."""
        ids = self.flow.locator(".react-flow__edge").evaluate_all(
            "els => els.map(e => (e.getAttribute('data-testid') || '').replace(/^rf__edge-/, ''))"
        )
        return list(ids)

    def drag_edge(self, source: str, target: str, step: str | None = None) -> None:
        """Draw an edge on the canvas: press on the source node's source handle, release on the target's."""
        start = self.flow_node(source).locator(".react-flow__handle.source").first
        end = self.flow_node(target).locator(".react-flow__handle.target").first
        start.wait_for(state="visible")
        end.wait_for(state="visible")
        start.scroll_into_view_if_needed()
        a, b = start.bounding_box(), end.bounding_box()
        assert a and b, f"no handle boxes for {source} -> {target}"
        mouse = self.page.mouse
        mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
        mouse.down()
        bx, by = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        mouse.move((a["x"] + bx) / 2, (a["y"] + by) / 2, steps=8)
        mouse.move(bx, by, steps=8)
        mouse.up()
        self.wait_idle()
        if step:
            self.shot(step)

    # -- artifacts

    def shot(self, step: str) -> Path:
        self._shots += 1
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-")
        prefix = f"{self.label}-" if self.label else ""
        path = self.artifacts / f"{prefix}{self._shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def expect_text(self, text: str | re.Pattern, timeout_ms: int = DEFAULT_TIMEOUT_MS):
        from playwright.sync_api import expect

        locator = self.page.get_by_text(text).first
        expect(locator).to_be_visible(timeout=timeout_ms)
        return locator
