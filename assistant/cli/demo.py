"""``causal-assistant demo``: a guided walk through the record-sales example on the command line.

It creates (once) a demo project holding the record-sales graph from the
seed article, shows what must be adjusted for, records an expert's edit as a
new version, and shows the history: log, diff and blame.  Running it again
reuses what is there.
"""

from __future__ import annotations

import click

from assistant import gallery
from assistant.cli.check_command import report_text
from assistant.cli.context import AppContext, pass_app
from assistant.cli.graph_commands import version_line
from assistant.edit.operations import AddEdge, AddVariable, apply_edits
from assistant.graph import check_graph
from assistant.model import Edge, Variable

PROJECT = "record-sales-demo"
GRAPH = "record-sales"


def _heading(text: str) -> None:
    click.echo("")
    click.secho(f"== {text} ==", bold=True)


@click.command()
@pass_app
def demo(app: AppContext) -> None:
    """Walk through the record-sales example: check, edit, version, diff, blame."""
    store = app.store()
    click.echo(f"store: {store.url}")
    if PROJECT not in {p.name for p in store.list_projects()}:
        store.create_project(PROJECT, description="Does radio airplay raise record sales? (seed 002)",
                             author="demo")
    if GRAPH not in {g.name for g in store.list_graphs(PROJECT)}:
        first = store.create_graph(PROJECT, GRAPH, gallery.load("record_sales"), author="demo",
                                   message="Start from the seed article's graph")
        edited = apply_edits(first.graph, [
            AddVariable(variable=Variable(
                name="artist_popularity", observed=False, label="Artist popularity",
                description="How well known the artist already is; not in the data")),
            AddEdge(edge=Edge(source="artist_popularity", target="radio_play", rationale=(
                "Stations play artists listeners already know"))),
            AddEdge(edge=Edge(source="artist_popularity", target="record_sales_6m", rationale=(
                "Popular artists sell more records regardless of airplay"))),
        ])
        store.save_version(PROJECT, GRAPH, edited, parent=first.number, author="domain-expert",
                           message="Popularity drives both airplay and sales, and we have no measure of it")

    versions = store.log(PROJECT, GRAPH)
    first, head = versions[-1], versions[0]
    _heading(f"v{first.number}: the seed article's graph")
    click.echo(report_text(check_graph(first.graph)))
    _heading(f"v{head.number}: after the expert's edit")
    click.echo(report_text(check_graph(head.graph)))
    _heading("history")
    click.echo("\n".join(version_line(v) for v in versions))
    d = store.diff(PROJECT, GRAPH, first.number, head.number)
    _heading(f"diff v{first.number} -> v{head.number}: {d.summary()}")
    click.echo("\n".join(d.lines()))
    _heading("blame")
    for b in store.blame(PROJECT, GRAPH):
        click.echo(f"{b.edge_text:<45} v{b.version}  {b.author:<14} {b.provenance:<7} {b.message}")
    click.echo("")
    click.echo("Next: `causal-assistant graph export record-sales --project record-sales-demo --to dagitty`, "
               "or `causal-assistant check gallery:front_door`.")
