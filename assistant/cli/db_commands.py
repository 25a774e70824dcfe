"""``causal-assistant db``: schema migrations and the integrity check."""

from __future__ import annotations

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit


def _url(app: AppContext) -> str:
    return app.database_url or app.settings.database_url


@click.group()
def db() -> None:
    """Manage the database schema (Alembic migrations in migrations/)."""


@db.command("upgrade")
@FORMAT_OPTION
@pass_app
def upgrade(app: AppContext, output_format: str) -> None:
    """Upgrade the database to the newest schema (also done automatically at start)."""
    from assistant.store import migrate
    from assistant.store.db import safe_url

    url = _url(app)
    before = migrate.status(url).current
    after = migrate.upgrade(url).current
    emit({"url": safe_url(url), "from": before, "to": after}, output_format,
         lambda r: f"database {r['url']}: schema {r['from'] or 'empty'} -> {r['to']}")


@db.command("current")
@FORMAT_OPTION
@pass_app
def current(app: AppContext, output_format: str) -> None:
    """Show the database's schema revision and the newest one this code knows."""
    from assistant.store import migrate
    from assistant.store.db import safe_url

    url = _url(app)
    status = migrate.status(url)
    info = {"url": safe_url(url), "current": status.current, "head": status.head, "up_to_date": status.up_to_date}
    emit(info, output_format, lambda r: f"database {r['url']}: schema {r['current'] or 'empty'} (newest: {r['head']})")


@db.command("check")
@click.option("--schema-only", is_flag=True, help="Only compare the schema with the code (skip the data checks).")
@FORMAT_OPTION
@pass_app
def check(app: AppContext, schema_only: bool, output_format: str) -> None:
    """Check the database: the schema matches the code, and the stored data are intact.

    The data checks (assistant/store/integrity.py): on SQLite, PRAGMA integrity_check;
    every graph's head is its newest version; version numbers are 1..n; parents belong to the same graph;
    content hashes match the content; no orphan rows.  Exit code 4 if anything is wrong, with the rows' ids.
    """
    from assistant.errors import DatabaseIntegrityError
    from assistant.store import migrate
    from assistant.store.db import safe_url
    from assistant.store.integrity import IntegrityReport, check_integrity, check_sqlite_file

    url = _url(app)
    result: dict = {"url": safe_url(url), "drift": []}
    report = IntegrityReport()
    with migrate.database(url) as engine:
        if not schema_only and engine.dialect.name == "sqlite":
            check_sqlite_file(engine, report)     # first: a damaged file fails every other check
        if report.ok:
            migrate.check(engine)
            if not schema_only:
                check_integrity(engine, file_checks=False, report=report)
        result["integrity"] = report.as_dict()
    if schema_only:
        result.pop("integrity")
        emit(result, output_format, lambda r: f"database {r['url']}: schema matches the code")
        return
    if not report.ok:
        shown = [str(p) for p in report.problems[:50]]
        more = len(report.problems) - len(shown)
        raise DatabaseIntegrityError(
            f"database {result['url']}: {report.summary()}:\n  " + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more > 0 else ""),
            problems=result["integrity"]["problems"],
            hint="restore the latest backup, or repair the rows named above (docs/store.md, integrity check)")
    emit(result, output_format, lambda r: "\n".join(
        [f"database {r['url']}: schema matches the code; {report.summary()}"]
        + [f"  note: {n}" for n in report.notes]))
