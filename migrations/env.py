"""Alembic environment for the causal-assistant store.

Two ways in:

* ``assistant.store.migrate`` (and so ``causal-assistant db upgrade``) builds
  the Alembic config in code and passes an open connection in
  ``config.attributes["connection"]``, already inside a locked transaction.
* The ``alembic`` command line (``alembic upgrade head``, ``alembic check``)
  reads ``alembic.ini``; the URL then comes from ``-x url=...``, else
  ``sqlalchemy.url``, else :class:`assistant.config.Settings` (``DATABASE_URL``
  or SQLite in the per-user data directory).

Migrations run in one transaction on both backends (SQLite supports
transactional DDL once the driver stops managing transactions; see
``assistant.store.db``).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from assistant.config import Settings
from assistant.store import tables
from assistant.store.db import is_sqlite, make_engine, parse_url, translate_errors

config = context.config
target_metadata = tables.metadata

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return (context.get_x_argument(as_dictionary=True).get("url")
            or config.get_main_option("sqlalchemy.url")
            or Settings.load().database_url)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(connection),  # SQLite cannot ALTER most things; batch mode copies the table
        transactional_ddl=True,
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        if is_sqlite(connection):
            # Dropping or rebuilding (batch mode) a table that others reference would fail the
            # foreign-key check half-way through; deferred, the check runs once, at commit.
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=parse_url(database_url()), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = parse_url(database_url())
    engine = make_engine(url, create_dir=Settings.load().data_dir)
    try:
        with translate_errors(url), engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
