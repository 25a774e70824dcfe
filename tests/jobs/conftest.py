"""Fixtures for the background-job tests: the Redis at 127.0.0.1:6379 and a queue name of the test's own.

Without Redis the tests skip with the reason; ``CA_REQUIRE_SERVICES=1`` (CI) turns that into a failure.
"""

from __future__ import annotations

import os
import uuid

import pytest

REDIS_URL = os.environ.get("CA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
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
def queue_name(redis_conn, monkeypatch) -> str:
    """A queue no other test (or colleague) uses; emptied afterwards."""
    name = f"ca-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CAUSAL_ASSISTANT_QUEUE", name)
    monkeypatch.setenv("CAUSAL_ASSISTANT_REDIS_URL", REDIS_URL)
    yield name
    from rq import Queue

    Queue(name, connection=redis_conn).empty()
