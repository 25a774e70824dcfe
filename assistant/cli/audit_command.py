"""``causal-assistant audit``: read the audit log (who changed what, and when)."""

from __future__ import annotations

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit


@click.command("audit")
@click.option("--project", default=None, help="Only this project's entries.")
@click.option("--graph", "graph_name", default=None, help="Only this graph's entries.")
@click.option("--actor", default=None, help="Only this user's entries.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the newest N entries.")
@FORMAT_OPTION
@pass_app
def audit(app: AppContext, project: str | None, graph_name: str | None, actor: str | None, limit: int | None,
          output_format: str) -> None:
    """Show the audit log, oldest first: every change to projects, datasets, versions, reviews, working copies,
    critiques and analysis runs, with who made it and when."""
    entries = app.store().audit_log(project=project, graph_name=graph_name, actor=actor, limit=limit)
    emit(entries, output_format,
         lambda es: "\n".join(e.describe() for e in es) if es else "no audit entries")
