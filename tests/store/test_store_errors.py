"""Bad input and bad databases: each gives a clear, typed error and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.errors import (
    EXIT_DATABASE, ConfigError, DatabaseUnavailableError, InputError, NotFoundError, SchemaVersionError,
)
from assistant.store import AlreadyExistsError, Store
from assistant.store.migrate import head_revision


@pytest.fixture
def counts(store, project, graph_name):
    """Row counts of a store holding one project with one graph, taken before the bad call."""
    return store.row_counts()


@pytest.mark.parametrize("call, error, text", [
    (lambda s, g: s.save_version("nope", "main", g, parent=1, author="a", message=""), NotFoundError,
     "no project named 'nope'"),
    (lambda s, g: s.save_version("sales", "nope", g, parent=1, author="a", message=""), NotFoundError,
     "has no graph named 'nope'"),
    (lambda s, g: s.save_version("sales", "main", g, parent=9, author="a", message=""), NotFoundError,
     "has no version 9"),
    (lambda s, g: s.save_version("sales", "main", g, parent="1", author="a", message=""), InputError,
     "parent must be a version number"),
    (lambda s, g: s.save_version("sales", "main", g.model_dump(), parent=1, author="a", message=""), InputError,
     "expected a CausalGraph"),
    (lambda s, g: s.save_version("sales", "main", g, parent=1, author="", message=""), InputError,
     "invalid author"),
    (lambda s, g: s.create_graph("sales", "main", g, author="a", message=""), AlreadyExistsError,
     "already has a graph named 'main'"),
    (lambda s, g: s.create_graph("nope", "x", g, author="a", message=""), NotFoundError, "no project named 'nope'"),
    (lambda s, g: s.create_graph("sales", "", g, author="a", message=""), InputError, "invalid graph name"),
    (lambda s, g: s.revert("sales", "main", 5, author="a"), NotFoundError, "has no version 5"),
    (lambda s, g: s.add_review_event("sales", "main", 2, "comment", actor="a"), NotFoundError, "no version 2"),
    (lambda s, g: s.add_dataset("nope", "d", content=b"", profile=None, author="a"), InputError,
     "profile must be a DatasetProfile"),
], ids=["save-unknown-project", "save-unknown-graph", "save-unknown-parent", "save-parent-not-int",
        "save-not-a-graph", "save-empty-author", "duplicate-graph", "graph-in-unknown-project", "empty-graph-name",
        "revert-to-unknown", "comment-on-unknown-version", "dataset-without-profile"])
def test_bad_writes_raise_and_write_nothing(store, counts, confounding_graph, call, error, text):
    with pytest.raises(error, match=text):
        call(store, confounding_graph)
    assert store.row_counts() == counts


@pytest.mark.parametrize("call, text", [
    (lambda s: s.get_version("sales", "main", 2), "has no version 2"),
    (lambda s: s.get_version("sales", "main", 0), "has no version 0"),
    (lambda s: s.get_version("sales", "other"), "no graph named 'other'"),
    (lambda s: s.log("nowhere", "main"), "no project named 'nowhere'"),
    (lambda s: s.diff("sales", "main", 1, 3), "has no version 3"),
    (lambda s: s.blame("sales", "main", 4), "has no version 4"),
    (lambda s: s.review_events("sales", "main", 2), "has no version 2"),
    (lambda s: s.list_graphs("nowhere"), "no project named 'nowhere'"),
])
def test_unknown_names_and_versions_are_not_found(store, counts, call, text):
    with pytest.raises(NotFoundError, match=text) as info:
        call(store)
    assert info.value.exit_code == 6
    assert store.row_counts() == counts


def test_not_found_hint_names_the_version_range(store, project, graph_name):
    with pytest.raises(NotFoundError) as info:
        store.get_version(project, graph_name, 5)
    assert info.value.hint == "its versions are 1 to 1"


# --- unusable databases -----------------------------------------------------


def test_unreachable_postgres_is_database_unavailable_with_the_password_masked():
    with pytest.raises(DatabaseUnavailableError) as info:
        Store.open("postgresql://ana:s3cret-pw@127.0.0.1:1/causal")
    message = str(info.value)
    assert "s3cret-pw" not in message and "***" in message
    assert "127.0.0.1" in message and "refused" in message.lower()
    assert info.value.exit_code == EXIT_DATABASE


def test_postgres_that_goes_away_after_opening_is_database_unavailable(postgres_url, postgres_admin_url):
    import psycopg

    store = Store.open(postgres_url)
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_admin_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    with pytest.raises(DatabaseUnavailableError, match="cannot use database"):
        store.list_projects()
    store.close()


def test_sqlite_in_a_missing_directory_is_refused_and_not_created(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    with pytest.raises(DatabaseUnavailableError, match="does not exist"):
        Store.open(f"sqlite:///{missing / 'store.db'}")
    assert not missing.exists()


def test_sqlite_under_a_regular_file_is_database_unavailable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(DatabaseUnavailableError):
        Store.open(f"sqlite:///{blocker / 'store.db'}")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_sqlite_in_a_directory_nobody_can_write_is_database_unavailable():
    # /proc refuses new files even to root, unlike a chmod-ed directory.
    with pytest.raises(DatabaseUnavailableError, match="unable to open database file") as info:
        Store.open("sqlite:////proc/causal-assistant-store.db")
    assert info.value.exit_code == EXIT_DATABASE


def test_sqlite_path_that_is_a_directory_is_database_unavailable(tmp_path):
    with pytest.raises(DatabaseUnavailableError, match="unable to open"):
        Store.open(f"sqlite:///{tmp_path}")


def test_sqlite_file_that_is_not_a_database_is_database_unavailable(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseUnavailableError, match="not a database"):
        Store.open(f"sqlite:///{junk}")


def test_default_database_goes_in_the_data_dir_which_is_created(tmp_path, monkeypatch):
    home = tmp_path / "fresh" / "home"
    monkeypatch.setenv("CAUSAL_ASSISTANT_HOME", str(home))
    with Store.open() as store:
        store.create_project("p", author="ana")
    assert (home / "causal-assistant.db").is_file()


def test_database_url_environment_variable_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with Store.open() as store:
        assert store.url.endswith("env.db")
    assert (tmp_path / "env.db").is_file()


@pytest.mark.parametrize("url, text", [("not a url", "not a valid database URL"),
                                       ("postgresql://u:pw@host:port/db", "not a valid database URL"),
                                       ("mysql://u:pw@host/db", "unsupported database 'mysql'")])
def test_unsupported_urls_are_config_errors(url, text):
    with pytest.raises(ConfigError, match=text) as info:
        Store.open(url)
    assert "pw" not in str(info.value)


# --- schema versions --------------------------------------------------------


def test_database_at_a_newer_schema_is_refused_naming_both_revisions(database_url):
    Store.open(database_url).close()
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    engine.dispose()
    with pytest.raises(SchemaVersionError) as info:
        Store.open(database_url)
    assert "'0099_from_the_future'" in str(info.value)
    assert repr(head_revision()) in str(info.value)
    assert info.value.exit_code == EXIT_DATABASE


def test_empty_database_without_upgrade_is_refused(database_url):
    with pytest.raises(SchemaVersionError, match="causal-assistant db upgrade|no causal-assistant schema") as info:
        Store.open(database_url, upgrade=False)
    assert "db upgrade" in info.value.hint


def test_database_at_head_opens_without_upgrade(database_url):
    Store.open(database_url).close()
    with Store.open(database_url, upgrade=False) as store:
        assert store.list_projects() == []


def test_closed_store_refuses_calls(store):
    store.close()
    with pytest.raises(Exception, match="closed"):
        store.list_projects()


def test_store_url_masks_the_password():
    from assistant.store.db import safe_url

    assert safe_url("postgresql://ana:pw@h/db") == "postgresql://ana:***@h/db"
    assert safe_url("postgresql://ana:pw@h:port/db") == "postgresql://ana:***@h:port/db"
