"""Shared fixtures: database URLs on real SQLite and real PostgreSQL, and strict CI mode.

``CA_REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns every skip into a failure:
in CI the PostgreSQL, Redis, chromium and local-model tests must run.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

STRICT = os.environ.get("CA_REQUIRE_SERVICES", "") not in ("", "0", "false", "no")
POSTGRES_ADMIN_URL = os.environ.get("CA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in strict mode (CA_REQUIRE_SERVICES=1): {reason}"


@pytest.fixture(autouse=True)
def _real_main_module() -> Iterator[None]:
    """Put the test process's own ``__main__`` back after each test.

    Streamlit's AppTest runs a page as ``__main__`` and leaves it in ``sys.modules``; a later test in the
    same worker that starts a "spawn" process (the multi-process save and load tests) then has its child
    re-run ui/app.py instead of its target: the child dies before reporting, and the test waits in vain.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None and sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test touches the real per-user data directory or config file."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CAUSAL_ASSISTANT_HOME", str(home))
    monkeypatch.setenv("CAUSAL_ASSISTANT_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("CAUSAL_ASSISTANT_USER", "tester")
    monkeypatch.delenv("DATABASE_URL", raising=False)


def _postgres_available() -> str | None:
    try:
        import psycopg

        dsn = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "not available"; the reason is reported
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _postgres_available()
    if problem:
        pytest.skip(problem)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"ca_test_{uuid.uuid4().hex[:12]}"
    dsn = postgres_admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def clean_llm_env(monkeypatch):
    """No test sees the developer's LLM settings, and every test starts with no remembered method."""
    from assistant.llm import forget_methods
    from assistant.llm.settings import ENV_VARS

    for own, generic in ENV_VARS.values():
        monkeypatch.delenv(own, raising=False)
        if generic:
            monkeypatch.delenv(generic, raising=False)
    forget_methods()
    yield
    forget_methods()


# --- Redis, for the background-job tests (tests/jobs, and the page tests of background runs and drafts) ---

REDIS_URL = os.environ.get("CA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis at 127.0.0.1:6379; without it the test skips with the reason (a failure in strict mode)."""
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # any failure means "not available"; the reason is reported
        pytest.skip(f"Redis not reachable at {REDIS_URL} (needed by the RQ background-job tests): {exc}")
    return REDIS_URL


@pytest.fixture
def redis_conn(redis_url):
    from redis import Redis

    conn = Redis.from_url(redis_url)
    yield conn
    conn.close()


@pytest.fixture
def queue_name(redis_conn, redis_url, monkeypatch) -> str:
    """A queue of this test's own (no other test's worker takes its jobs); emptied afterwards."""
    name = f"ca-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CAUSAL_ASSISTANT_QUEUE", name)
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", redis_url)
    yield name
    from rq import Queue

    Queue(name, connection=redis_conn).empty()
