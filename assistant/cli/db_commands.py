"""``causal-assistant db``: schema migrations."""

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
@FORMAT_OPTION
@pass_app
def check(app: AppContext, output_format: str) -> None:
    """Check that the database schema matches the code exactly (alembic check: no drift)."""
    from assistant.store import migrate
    from assistant.store.db import safe_url

    url = _url(app)
    migrate.check_url(url)
    emit({"url": safe_url(url), "drift": []}, output_format, lambda r: f"database {r['url']}: schema matches the code")
