"""Fixtures for the store tests: an open, migrated store on each backend, and a named graph.

Speed: most tests need a migrated but otherwise empty database, not a fresh
one.  ``store_url`` gives each test exactly that while migrating only once
per session and backend: SQLite tests get a copy of a migrated file;
PostgreSQL tests share one migrated database that is truncated before each
test.  Tests about migrations, opening and concurrency use the root
``database_url`` fixture (a brand-new empty database) instead.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from store_helpers import make_graph

from assistant.model import CausalGraph
from assistant.store import Store
from assistant.store.tables import metadata


@pytest.fixture
def confounding_graph() -> CausalGraph:
    """Z confounds X -> Y."""
    return make_graph(["Z", "X", "Y"], [("Z", "X"), ("Z", "Y"), ("X", "Y")], exposures=["X"], outcomes=["Y"])


@pytest.fixture(scope="session")
def _migrated_sqlite_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store-template") / "template.db"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def _migrated_postgres_url(postgres_admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"ca_store_{uuid.uuid4().hex[:12]}"
    dsn = postgres_admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres_admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        Store.open(url).close()
        yield url
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path: Path) -> str:
    """A migrated, empty store database on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite_file"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_migrated_postgres_url")
    with Store.open(url, upgrade=False) as store, store.engine.begin() as conn:
        names = ", ".join(metadata.tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as s:
        yield s


@pytest.fixture
def project(store: Store) -> str:
    store.create_project("sales", description="record sales", author="ana")
    return "sales"


@pytest.fixture
def graph_name(store: Store, project: str, confounding_graph: CausalGraph) -> str:
    store.create_graph(project, "main", confounding_graph, author="ana", message="first draft")
    return "main"
