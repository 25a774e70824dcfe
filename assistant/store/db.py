"""Engines for the store: SQLite (the default, one file per user) or PostgreSQL (shared).

Why the SQLite engine is configured the way it is
-------------------------------------------------
* ``timeout`` / ``busy_timeout``: a second process that finds the database
  locked waits (up to :data:`SQLITE_BUSY_TIMEOUT_S`) instead of failing at once.
* ``PRAGMA foreign_keys=ON``: SQLite ignores foreign keys unless asked.
* Write transactions start with ``BEGIN IMMEDIATE`` (SQLAlchemy's pysqlite
  recipe: turn off the driver's own transaction handling, emit BEGIN in the
  ``begin`` event).  The write lock is then taken *before* the first read, so
  two processes cannot both read "head is v3" and both write v4.  Read-only
  transactions (execution option ``read_only=True``) use a plain deferred
  ``BEGIN`` so readers do not queue behind each other.
* WAL journal: readers are not blocked by a writer.

PostgreSQL goes through psycopg 3: ``postgresql://`` and ``postgres://`` URLs
are rewritten to ``postgresql+psycopg://``.

Any failure to reach the database becomes :class:`DatabaseUnavailableError`,
with the URL's password masked and the driver's own reason.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from assistant.errors import ConfigError, DatabaseUnavailableError

SQLITE_BUSY_TIMEOUT_S = 30
POSTGRES_CONNECT_TIMEOUT_S = 10
READ_ONLY = "read_only"  # execution option: this transaction only reads


def parse_url(url: str) -> URL:
    """Parse and normalize a database URL; only SQLite and PostgreSQL are supported."""
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError) as exc:
        raise ConfigError(f"not a valid database URL: {mask_password(url)!r}",
                          hint="examples: sqlite:////path/to/store.db, postgresql://user@host/dbname") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"unsupported database {backend!r} in {safe_url(parsed)}",
                          hint="use a sqlite:/// or postgresql:// URL")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ``***`` (in the user part or a query parameter)."""
    if isinstance(url, URL):
        return mask_password(url.render_as_string(hide_password=True))
    try:
        return mask_password(make_url(url).render_as_string(hide_password=True))
    except (sa_exc.ArgumentError, ValueError):
        return mask_password(url)


# Query parameters that carry a secret: libpq reads ?password=, redis-py ?password=, others use these.
_SECRET_PARAMS = r"password|passwd|pwd|pass|secret|token|api_?key|sslpassword"


def mask_password(text: str) -> str:
    """``text`` with the password of any URL in it replaced by ``***``: ``user:PW@`` and ``?password=PW``."""
    text = re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    return re.sub(rf"([?&;](?:{_SECRET_PARAMS})=)[^&;#\s]*", r"\1***", text, flags=re.IGNORECASE)


def sqlite_path(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    return Path(database).expanduser()


def read_stored_json(text: str) -> Any:
    """The JSON columns' deserializer: text that is not JSON means the stored row was damaged outside the
    application; say so as a typed error (``db check`` names the row) instead of a JSONDecodeError."""
    try:
        return json.loads(text)
    except ValueError as exc:
        from assistant.errors import DatabaseIntegrityError

        raise DatabaseIntegrityError(f"a stored JSON value cannot be read ({exc}): the database was changed "
                                     "outside causal-assistant",
                                     hint="run `causal-assistant db check` to find the damaged rows") from None


def make_engine(url: str | URL, *, create_dir: Path | None = None) -> Engine:
    """Create an engine for ``url``; ``create_dir`` (the per-user data dir) is created if missing.

    A SQLite file in any other directory that does not exist is refused, so a
    typo in ``DATABASE_URL`` does not silently create directories.
    """
    parsed = url if isinstance(url, URL) else parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, create_dir)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    try:
        return create_engine(parsed, connect_args=connect_args, pool_pre_ping=True,
                             json_deserializer=read_stored_json)
    except (ImportError, sa_exc.NoSuchModuleError) as exc:
        raise ConfigError(f"no driver for {safe_url(parsed)}: {exc}", hint="use postgresql:// (psycopg 3)") from exc


def _sqlite_engine(url: URL, create_dir: Path | None) -> Engine:
    path = sqlite_path(url)
    if path is None:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False},
                               json_deserializer=read_stored_json)
    else:
        parent = path.parent
        if not parent.exists():
            if create_dir is not None and parent.resolve() == Path(create_dir).expanduser().resolve():
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise DatabaseUnavailableError(
                        f"cannot create the data directory {parent}: {exc.strerror or exc}") from exc
            else:
                raise DatabaseUnavailableError(
                    f"cannot open database {safe_url(url)}: directory {parent} does not exist",
                    hint="create the directory or fix DATABASE_URL")
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
                               json_deserializer=read_stored_json)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def unavailable(exc: sa_exc.DBAPIError, url: str | URL) -> DatabaseUnavailableError:
    """Turn a driver error into :class:`DatabaseUnavailableError` naming the URL and the reason."""
    reason = str(getattr(exc, "orig", None) or exc).strip()
    reason = " ".join(line.strip() for line in reason.splitlines() if line.strip())
    hint = None
    if "locked" in reason:
        hint = f"another process held the database for more than {SQLITE_BUSY_TIMEOUT_S} s; try again"
    elif "refused" in reason or "could not translate host" in reason or "timeout" in reason:
        hint = "is the database server running, and is DATABASE_URL right?"
    return DatabaseUnavailableError(f"cannot use database {safe_url(url)}: {mask_password(reason)}", hint=hint)


_UNUSABLE_FILE = ("file is not a database", "database disk image is malformed", "malformed database schema")


@contextmanager
def translate_errors(url: str | URL) -> Iterator[None]:
    """Re-raise connection and lock failures as :class:`DatabaseUnavailableError`."""
    try:
        yield
    except sa_exc.OperationalError as exc:
        raise unavailable(exc, url) from exc
    except sa_exc.DBAPIError as exc:
        if exc.connection_invalidated or any(text in str(exc.orig) for text in _UNUSABLE_FILE):
            raise unavailable(exc, url) from exc
        raise
