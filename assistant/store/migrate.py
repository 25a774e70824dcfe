"""Schema migrations: Alembic, driven from code.

The migration scripts live in the repository's ``migrations/`` directory;
:func:`alembic_config` builds the Alembic configuration programmatically, so
neither ``alembic.ini`` nor the working directory matter.

:func:`ensure_schema` is what :meth:`Store.open` calls: it reads the database's
revision and upgrades it to the newest one this code knows, or refuses a
database whose revision it does not know (written by a newer
causal-assistant).  It holds a lock while doing so (``BEGIN IMMEDIATE`` on
SQLite, an advisory lock on PostgreSQL), so two processes starting at once
on an empty database do not both try to create the tables.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text

import assistant
from assistant.config import Settings, data_dir
from assistant.errors import SchemaVersionError
from assistant.store import tables
from assistant.store.db import READ_ONLY, make_engine, parse_url, translate_errors

MIGRATIONS_DIR = Path(assistant.__file__).resolve().parent.parent / "migrations"
# Any constant works; it only has to be the same in every process using the database.
_PG_MIGRATION_LOCK = 0x6361_7374_6F72_65  # "castore"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic :class:`Config` for this code's migrations, optionally bound to an open connection."""
    if not (MIGRATIONS_DIR / "env.py").exists():
        raise SchemaVersionError(f"the migration scripts are missing: no {MIGRATIONS_DIR / 'env.py'}",
                                 hint="reinstall causal-assistant from its source tree")
    cfg = Config(stdout=io.StringIO())
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["configure_logger"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    """The migration scripts (read once per process: they do not change while it runs)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision this code knows."""
    head = script_directory().get_current_head()
    assert head is not None, "migrations/versions is empty"
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's revision, or None when it has never been migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def is_known_revision(revision: str) -> bool:
    try:
        return script_directory().get_revision(revision) is not None
    except CommandError:
        return False


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    @property
    def known(self) -> bool:
        """False when the database was migrated by a newer causal-assistant."""
        return self.current is None or is_known_revision(self.current)


def _lock(connection: Connection) -> None:
    # SQLite: the transaction began with BEGIN IMMEDIATE, which already is the lock.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})


def _check_known(current: str | None, head: str) -> None:
    if current is not None and not is_known_revision(current):
        raise SchemaVersionError(
            f"the database schema is at revision {current!r}, which this version of causal-assistant "
            f"does not know (its newest revision is {head!r}); the database was probably upgraded by a newer "
            "causal-assistant",
            hint="upgrade causal-assistant, or use another database")


def ensure_schema(engine: Engine, *, upgrade: bool = True) -> SchemaStatus:
    """Make sure the database is at :func:`head_revision`, upgrading it if ``upgrade`` is true.

    Raises
    ------
    SchemaVersionError
        The database's revision is unknown to this code, or it is older and
        ``upgrade`` is false.
    """
    head = head_revision()
    current = schema_status(engine).current
    _check_known(current, head)
    if current == head:
        return SchemaStatus(current, head)
    if not upgrade:
        have = "no causal-assistant schema" if current is None else f"schema revision {current!r}"
        raise SchemaVersionError(f"the database has {have}, but this code needs revision {head!r}",
                                 hint="run `causal-assistant db upgrade`")
    return upgrade_database(engine)


def upgrade_database(engine: Engine, revision: str = "head") -> SchemaStatus:
    """Upgrade to ``revision`` under the migration lock; a no-op if another process already did it."""
    head = head_revision()
    with engine.begin() as conn:
        _lock(conn)
        current = current_revision(conn)
        _check_known(current, head)
        command.upgrade(alembic_config(conn), revision)
        return SchemaStatus(current_revision(conn), head)


def downgrade_database(engine: Engine, revision: str = "base") -> SchemaStatus:
    """Downgrade to ``revision`` (``"base"`` drops every table); for tests and emergencies."""
    with engine.begin() as conn:
        _lock(conn)
        command.downgrade(alembic_config(conn), revision)
        return SchemaStatus(current_revision(conn), head_revision())


def schema_status(engine: Engine) -> SchemaStatus:
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        status = SchemaStatus(current_revision(conn), head_revision())
        conn.rollback()
    return status


def schema_drift(engine: Engine) -> list[Any]:
    """Differences between :mod:`assistant.store.tables` and the database (empty when they match)."""
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                      "render_as_batch": conn.dialect.name == "sqlite"})
        diffs = compare_metadata(ctx, tables.metadata)
        conn.rollback()
    return list(diffs)


def check(engine: Engine) -> None:
    """Run ``alembic check``: raises :class:`SchemaVersionError` if the tables and migrations disagree."""
    with engine.connect() as conn:
        try:
            command.check(alembic_config(conn))
        except CommandError as exc:
            raise SchemaVersionError(f"the database schema does not match the code: {exc}") from exc
        finally:
            conn.rollback()


# --- by URL, for the command line (`causal-assistant db upgrade|current|check`) ---


@contextmanager
def database(url: str | None = None) -> Iterator[Engine]:
    """An engine for ``url`` (default: :class:`Settings`), with driver failures as typed errors."""
    parsed = parse_url(url if url is not None else Settings.load().database_url)
    engine = make_engine(parsed, create_dir=data_dir())
    try:
        with translate_errors(parsed):
            yield engine
    finally:
        engine.dispose()


def upgrade(url: str | None = None, revision: str = "head") -> SchemaStatus:
    """Upgrade the database at ``url``; refuses one at a revision this code does not know."""
    with database(url) as engine:
        return upgrade_database(engine, revision)


def status(url: str | None = None) -> SchemaStatus:
    """The database's current revision and this code's head, without changing anything."""
    with database(url) as engine:
        return schema_status(engine)


def check_url(url: str | None = None) -> None:
    """``alembic check`` on the database at ``url``: :class:`SchemaVersionError` on any drift."""
    with database(url) as engine:
        check(engine)
