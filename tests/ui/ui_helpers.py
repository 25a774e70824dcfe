"""What the page tests share: a new session on a page, the page's texts and buttons, an in-process worker."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "ui" / "app.py")


def start(page: str | None = None) -> AppTest:
    """A new browser session (what a reload or another user gets), on ``views/<page>.py`` if given."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    return "\n".join(str(x.value) for x in list(at.markdown) + list(at.caption) + list(at.error) + list(at.warning)
                     + list(at.info) + list(at.success))


def keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button}


def simple_worker(queue: str, connection) -> None:
    """A real RQ worker in this process: runs what is queued, then returns (the job reads DATABASE_URL)."""
    from rq import SimpleWorker

    SimpleWorker([queue], connection=connection).work(burst=True)
