"""Stores holding the record-sales demo, for the background-job tests (Redis fixtures: tests/conftest.py)."""

from __future__ import annotations

import pytest

from assistant.demo import load_demo_project
from assistant.store import Store


@pytest.fixture
def store(database_url):
    with Store.open(database_url) as s:
        load_demo_project(s)
        yield s


@pytest.fixture
def sqlite_store(sqlite_url):
    with Store.open(sqlite_url) as s:
        load_demo_project(s)
        yield s
