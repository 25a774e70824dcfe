"""``causal-assistant graph``: import, export, inspect and version stored graphs."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table
from assistant.model import CausalGraph

WRITABLE = ["json", "dagitty", "dot", "gml"]
READABLE = ["json", "dagitty", "dot", "gml", "csv"]


@click.group()
def graph() -> None:
    """Versioned graphs in a project: import, export, show, log, diff, blame, revert, status."""


def graph_text(g: CausalGraph) -> str:
    lines = []
    if g.metadata.name or g.metadata.description:
        lines.append(f"{g.metadata.name}: {g.metadata.description}".strip(": "))
    if g.metadata.question:
        lines.append(f"question: {g.metadata.question.text}")
    lines.append(f"exposures: {', '.join(g.exposures) or '-'}   outcomes: {', '.join(g.outcomes) or '-'}"
                 f"   adjusted: {', '.join(g.adjusted) or '-'}")
    lines.append("")
    rows = [[v.name, "observed" if v.observed else "latent", v.data_type, "" if v.tier is None else v.tier,
             v.role or "", v.label or ""] for v in g.variables]
    lines.append(table(rows, ["variable", "kind", "type", "tier", "role", "label"]))
    lines.append("")
    erows = [[str(e), e.provenance, "" if e.confidence is None else f"{e.confidence:.2f}", e.rationale[:60]]
             for e in g.edges]
    lines.append(table(erows, ["edge", "provenance", "confidence", "rationale"]))
    return "\n".join(lines)


def version_line(v) -> str:
    parent = f" (from v{v.parent})" if v.parent else ""
    return f"v{v.number}{parent}  {v.status:<9}  {v.created_at:%Y-%m-%d %H:%M}  {v.author}: {v.message}"


EXPORTED_FROM = "exported_from"


def _exported_version(stamp: object, project: str, name: str) -> int | None:
    """The version an exported file was taken from, if it was taken from this graph."""
    if isinstance(stamp, dict) and stamp.get("project") == project and stamp.get("graph") == name:
        version = stamp.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
            return version
    return None


@graph.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--project", required=True)
@click.option("--name", default=None, help="Graph name (default: the file's stem).")
@click.option("--from", "fmt", type=click.Choice(READABLE), default=None, help="Format (default: from the file).")
@click.option("--message", "-m", default=None, help="Why (recorded on the version).")
@click.option("--parent", type=int, default=None,
              help="For an existing graph: the version you started from (default: the head).")
@FORMAT_OPTION
@pass_app
def import_graph(app: AppContext, file: Path, project: str, name: str | None, fmt: str | None, message: str | None,
                 parent: int | None, output_format: str) -> None:
    """Import a graph file as a new graph, or as a new version of an existing one."""
    from assistant.formats import load_graph_file
    from assistant.errors import AlreadyExistsError

    g = load_graph_file(file, fmt)
    store = app.store()
    name = name or file.stem
    message = message or f"import {file.name}"
    exported_from = g.metadata.extra.get(EXPORTED_FROM)
    if exported_from is not None:  # a stamp of where the file came from, not part of the graph
        extra = {k: v for k, v in g.metadata.extra.items() if k != EXPORTED_FROM}
        g = g.model_copy(update={"metadata": g.metadata.model_copy(update={"extra": extra})})
    existing = {gi.name: gi for gi in store.list_graphs(project)}
    if name in existing:
        base = parent if parent is not None else _exported_version(exported_from, project, name)
        if base is None:
            base = existing[name].head
            click.echo(f"note: {file.name} does not say which version of {project}/{name} it was edited from, so "
                       f"it is saved on top of the head (v{base}); pass --parent N to be told if someone saved "
                       "since (files from `graph export` carry it, except dagitty)", err=True)
        info = store.save_version(project, name, g, parent=base, author=app.author, message=message)
    else:
        if parent is not None:
            raise AlreadyExistsError(f"graph {name!r} does not exist yet, so --parent makes no sense")
        info = store.create_graph(project, name, g, author=app.author, message=message)
    emit(info, output_format, lambda v: f"{project}/{name}: saved " + version_line(v))


@graph.command("export")
@click.argument("name")
@click.option("--project", required=True)
@click.option("--version", "number", type=int, default=None, help="Version number (default: the head).")
@click.option("--to", "fmt", type=click.Choice(WRITABLE), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to a file instead of standard output.")
@pass_app
def export_graph(app: AppContext, name: str, project: str, number: int | None, fmt: str, output: Path | None) -> None:
    """Export a stored graph version as JSON, dagitty, DOT or GML."""
    from assistant.formats import save_graph_file, write_graph

    version = app.store().get_version(project, name, number)
    # Stamp where the file comes from: `graph import` of the edited file then saves it with that version as
    # its parent, so a version someone else saved meanwhile is a conflict, not silently undone.
    extra = {**version.graph.metadata.extra, EXPORTED_FROM: {"project": project, "graph": name,
                                                             "version": version.number}}
    g = version.graph.model_copy(update={"metadata": version.graph.metadata.model_copy(update={"extra": extra})})
    if output:
        save_graph_file(g, output, fmt)
        click.echo(f"wrote {output}", err=True)
    else:
        text = write_graph(g, fmt)
        click.echo(text, nl=not text.endswith("\n"))


@graph.command("list")
@click.option("--project", required=True)
@FORMAT_OPTION
@pass_app
def list_graphs(app: AppContext, project: str, output_format: str) -> None:
    """List the graphs of a project."""
    graphs = app.store().list_graphs(project)
    emit(graphs, output_format, lambda gs: table(
        [[g.name, f"v{g.head}", g.head_status, g.updated_by, f"{g.updated_at:%Y-%m-%d %H:%M}"] for g in gs],
        ["graph", "head", "status", "last author", "updated"]) if gs else "no graphs yet")


@graph.command("show")
@click.argument("name")
@click.option("--project", required=True)
@click.option("--version", "number", type=int, default=None)
@FORMAT_OPTION
@pass_app
def show(app: AppContext, name: str, project: str, number: int | None, output_format: str) -> None:
    """Show a version's variables and edges with their provenance."""
    v = app.store().get_version(project, name, number)
    emit(v, output_format, lambda v: version_line(v) + "\n\n" + graph_text(v.graph))


@graph.command("log")
@click.argument("name")
@click.option("--project", required=True)
@FORMAT_OPTION
@pass_app
def log(app: AppContext, name: str, project: str, output_format: str) -> None:
    """List every version, newest first: who, when, why and status."""
    versions = app.store().log(project, name)
    payload = [v.model_dump(mode="json", exclude={"graph"}) for v in versions]
    emit(payload, output_format, lambda _: "\n".join(version_line(v) for v in versions))


@graph.command("diff")
@click.argument("name")
@click.argument("old", type=int)
@click.argument("new", type=int)
@click.option("--project", required=True)
@FORMAT_OPTION
@pass_app
def diff(app: AppContext, name: str, old: int, new: int, project: str, output_format: str) -> None:
    """Show what changed from version OLD to version NEW."""
    d = app.store().diff(project, name, old, new)
    emit(d, output_format, lambda d: f"v{old} -> v{new}: {d.summary()}" + "".join(f"\n  {line}" for line in d.lines()))


@graph.command("blame")
@click.argument("name")
@click.option("--project", required=True)
@click.option("--version", "number", type=int, default=None)
@FORMAT_OPTION
@pass_app
def blame(app: AppContext, name: str, project: str, number: int | None, output_format: str) -> None:
    """For each edge: the version, author and provenance that introduced it."""
    rows = app.store().blame(project, name, number)
    emit(rows, output_format, lambda rs: table(
        [[b.edge_text, f"v{b.version}", b.author, f"{b.created_at:%Y-%m-%d %H:%M}", b.provenance, b.message[:50]]
         for b in rs], ["edge", "since", "author", "when", "provenance", "message"]))


@graph.command("revert")
@click.argument("name")
@click.argument("to", type=int)
@click.option("--project", required=True)
@click.option("--message", "-m", default=None)
@FORMAT_OPTION
@pass_app
def revert(app: AppContext, name: str, to: int, project: str, message: str | None, output_format: str) -> None:
    """Create a new version whose content is that of version TO."""
    v = app.store().revert(project, name, to, author=app.author, message=message)
    emit(v, output_format, lambda v: f"{project}/{name}: saved " + version_line(v))


@graph.command("status")
@click.argument("name")
@click.option("--project", required=True)
@click.option("--version", "number", type=int, default=None, help="Version (default: the head).")
@click.option("--set", "new_status", type=click.Choice(["draft", "in_review", "validated", "rejected"]), default=None,
              help="Move the version to this status (draft -> in_review -> validated/rejected).")
@click.option("--comment", default="", help="Recorded with the status change.")
@FORMAT_OPTION
@pass_app
def status(app: AppContext, name: str, project: str, number: int | None, new_status: str | None, comment: str,
           output_format: str) -> None:
    """Show or change a version's review status."""
    store = app.store()
    v = store.get_version(project, name, number)
    if new_status:
        v = store.set_status(project, name, v.number, new_status, actor=app.author, comment=comment)
    events = store.review_events(project, name, v.number)
    payload = {"version": v.number, "status": v.status,
               "events": [e.model_dump(mode="json") for e in events]}
    emit(payload, output_format, lambda p: f"v{p['version']}: {p['status']}" + "".join(
        f"\n  {e.created_at:%Y-%m-%d %H:%M} {e.actor} {e.action}" + (f": {e.comment}" if e.comment else "")
        for e in events))
