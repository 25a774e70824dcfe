"""Database faults in the middle of a save: a PostgreSQL connection killed by the server, a SQLite file
locked by another process.  Each save fails with a typed error and writes nothing; afterwards the head is
consistent, the integrity check passes, and the same Store takes the next save."""

from __future__ import annotations

import subprocess
import sys
import time

import psycopg
import pytest
from fault_saver import GRAPH, PROJECT, backend_pid, is_version_insert, next_graph, seed
from sqlalchemy import event

from assistant.errors import DatabaseUnavailableError
from assistant.store import Store
from assistant.store.integrity import check_integrity


def assert_nothing_written_and_usable(store: Store, versions: int = 1) -> None:
    log = store.log(PROJECT, GRAPH)
    assert [v.number for v in log] == list(range(versions, 0, -1)), "a partial version was left behind"
    assert store.get_version(PROJECT, GRAPH).number == versions
    report = check_integrity(store.engine)
    assert report.ok, report.problems
    head = store.get_version(PROJECT, GRAPH)
    graph, name = next_graph(head)
    saved = store.save_version(PROJECT, GRAPH, graph, parent=head.number, author="after", message=name)
    assert (saved.number, saved.parent) == (versions + 1, versions)
    assert check_integrity(store.engine).ok


# --- PostgreSQL: the server kills the saving session --------------------------------------------------


def _terminate(admin_dsn: str, pid: int) -> None:
    """pg_terminate_backend(pid) from a second connection, and wait until the backend is gone."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
        deadline = time.monotonic() + 10
        while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
            assert time.monotonic() < deadline, f"backend {pid} still alive"
            time.sleep(0.02)


KILL_POINTS = {
    # after the graphs row is locked with SELECT ... FOR UPDATE
    "after-lock": lambda statement: "FOR UPDATE" in statement.upper(),
    # after version N+1 is inserted, before the head moves
    "after-insert": is_version_insert,
    # after the head moved (the compare-and-swap UPDATE), just before COMMIT
    "after-head-moved": lambda statement: statement.lstrip().upper().startswith("UPDATE GRAPHS"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_postgres_connection_killed_mid_save(postgres_url, point):
    admin = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with Store.open(postgres_url) as store:
        seed(store)
        killed: list[int] = []

        @event.listens_for(store.engine, "after_cursor_execute")
        def _kill(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            if not killed and KILL_POINTS[point](statement):
                killed.append(backend_pid(conn))
                _terminate(admin, killed[0])

        head = store.get_version(PROJECT, GRAPH)
        graph, name = next_graph(head)
        with pytest.raises(DatabaseUnavailableError) as err:
            store.save_version(PROJECT, GRAPH, graph, parent=head.number, author="victim", message=name)
        assert killed, "the save never reached the kill point"
        message = str(err.value)
        assert "cannot use database postgresql+psycopg://" in message and "terminat" in message.lower(), message
        event.remove(store.engine, "after_cursor_execute", _kill)

        assert_nothing_written_and_usable(store)


# --- SQLite: another process holds the file --------------------------------------------------------

LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("LOCKED", flush=True)
sys.stdin.read()          # hold the lock until the test closes our stdin
conn.execute("ROLLBACK")
"""


def test_sqlite_file_locked_by_another_process(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setattr("assistant.store.db.SQLITE_BUSY_TIMEOUT_S", 1)   # wait 1 s for the lock, not 30
    with Store.open(sqlite_url) as store:
        seed(store)
        head = store.get_version(PROJECT, GRAPH)
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(tmp_path / "store.db")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert locker.stdout.readline().strip() == "LOCKED"
            graph, name = next_graph(head)
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailableError) as err:
                store.save_version(PROJECT, GRAPH, graph, parent=head.number, author="victim", message=name)
            waited = time.monotonic() - started
            assert "database is locked" in str(err.value) and "store.db" in str(err.value)
            assert "another process held the database" in err.value.hint
            assert 0.9 <= waited < 15, waited
            # WAL: readers are not blocked by the other process's write lock.
            assert store.get_version(PROJECT, GRAPH).number == 1
        finally:
            locker.stdin.close()
            locker.wait(timeout=30)
        assert locker.returncode == 0
        assert_nothing_written_and_usable(store)


def test_sqlite_lock_held_by_a_process_that_is_then_killed(sqlite_url, tmp_path, monkeypatch):
    """The holder dies with the lock held (kill -9): the OS drops its lock and the next save goes through."""
    monkeypatch.setattr("assistant.store.db.SQLITE_BUSY_TIMEOUT_S", 1)
    with Store.open(sqlite_url) as store:
        seed(store)
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(tmp_path / "store.db")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert locker.stdout.readline().strip() == "LOCKED"
            head = store.get_version(PROJECT, GRAPH)
            with pytest.raises(DatabaseUnavailableError):
                store.save_version(PROJECT, GRAPH, next_graph(head)[0], parent=1, author="victim", message="s2")
        finally:
            locker.kill()
            locker.wait(timeout=30)
        assert_nothing_written_and_usable(store)
