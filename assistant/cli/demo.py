"""``causal-assistant demo``: a guided walk through the record-sales example on the command line.

It creates (once) the demo project "record-sales demo" — the shipped dataset
drawn from the record-sales SCM (:mod:`assistant.demo.record_sales`, true effect
known), the question and a draft graph — shows what must be adjusted for,
estimates the effect on the data and compares it with the truth, records an
expert's edit (hidden artist popularity) as a new version, shows what that does
to identification and to the estimate on the planted-confounding data, and
shows the history: log, diff and blame.  Running it again reuses what is there.
"""

from __future__ import annotations

import io

import click

from assistant.cli.check_command import report_text
from assistant.cli.context import AppContext, pass_app
from assistant.cli.graph_commands import version_line
from assistant.edit.operations import AddEdge, AddVariable, apply_edits
from assistant.graph import check_graph
from assistant.model import Edge, Variable

EXPERT_MESSAGE = "Popularity drives both airplay and sales, and we have no measure of it"


def _heading(text: str) -> None:
    click.echo("")
    click.secho(f"== {text} ==", bold=True)


def _effect_line(label: str, fit, truth: float) -> str:
    verdict = "covers" if fit.covers(truth) else "MISSES"
    return (f"{label}: {fit.estimate:.3f} thousand records per extra hour of airplay "
            f"(95% CI {fit.ci_low:.3f} to {fit.ci_high:.3f}); the true effect {truth:g} — the interval {verdict} it")


@click.command()
@pass_app
def demo(app: AppContext) -> None:
    """Walk through the record-sales example: data, check, estimate, edit, version, diff, blame."""
    import pandas as pd

    from assistant import demo as rs_demo
    from assistant.demo import record_sales as rs

    store = app.store()
    click.echo(f"store: {store.url}")
    project = rs_demo.load_demo_project(store, author="demo")
    name, graph_name = project.project.name, project.graph_name
    if len(store.log(name, graph_name)) == 1:
        first = store.get_version(name, graph_name, 1)
        edited = apply_edits(first.graph, [
            AddVariable(variable=Variable(
                name=rs.LATENT, observed=False, label="Artist popularity",
                description="How well known the artist already is; not in the data")),
            AddEdge(edge=Edge(source=rs.LATENT, target=rs.EXPOSURE, rationale=(
                "Stations play artists listeners already know"))),
            AddEdge(edge=Edge(source=rs.LATENT, target=rs.OUTCOME, rationale=(
                "Popular artists sell more records regardless of airplay"))),
        ])
        store.save_version(name, graph_name, edited, parent=first.number, author="domain-expert",
                           message=EXPERT_MESSAGE)

    ds = project.dataset
    _heading(f"project {name!r}: {project.question}")
    click.echo(f"dataset {ds.name}: {ds.profile.n_rows} rows, columns {', '.join(ds.profile.column_names)}")
    click.echo(f"(synthetic: drawn from the record-sales SCM with seed {rs.SEED}; file {rs.data_file()})")

    versions = store.log(name, graph_name)
    first, head = versions[-1], versions[0]
    _heading(f"v{first.number}: the draft graph (the seed article's graph plus tour dates)")
    click.echo(report_text(check_graph(first.graph)))

    _heading("estimate on the data, adjusting for {" + ", ".join(rs.ADJUSTMENT_SET) + "}")
    data = pd.read_csv(io.BytesIO(store.dataset_content(name, ds.name)))
    click.echo(_effect_line("estimate", rs.ols_effect(data), rs.TRUE_EFFECT))

    _heading(f"v{head.number}: after the expert's edit")
    click.echo(report_text(check_graph(head.graph)))
    confounded = rs.planted_confounding(rs.ROWS, rs.SEED)
    fit = rs.ols_effect(confounded)
    click.echo("")
    click.echo("If popularity really is there (the planted-confounding data), the same adjustment is biased:")
    click.echo(_effect_line("naive estimate", fit, rs.TRUE_EFFECT))
    click.echo(f"Sensitivity: a hidden confounder explaining {fit.robustness_value:.0%} of the residual variance "
               f"of both airplay and sales would erase the estimate (robustness value, Cinelli & Hazlett).")

    _heading("history")
    click.echo("\n".join(version_line(v) for v in versions))
    d = store.diff(name, graph_name, first.number, head.number)
    _heading(f"diff v{first.number} -> v{head.number}: {d.summary()}")
    click.echo("\n".join(d.lines()))
    _heading("blame")
    for b in store.blame(name, graph_name):
        click.echo(f"{b.edge_text:<45} v{b.version}  {b.author:<14} {b.provenance:<7} {b.message}")
    click.echo("")
    click.echo(f"Next: `causal-assistant export {graph_name} --project \"{name}\" --version 1 --to dowhy "
               f"--data {rs.data_file()} -o analysis.py`, or `causal-assistant check gallery:front_door`.")
