"""``causal-assistant export``: a graph and its analysis as code or files other tools use.

``--to dowhy`` writes a Python script and ``--to notebook`` a Jupyter notebook
that reproduce the analysis with DoWhy on the data (``--data``); the graph
formats (dagitty, dot, gml, json, networkx) write the graph alone.  (``graph
export`` is the older, graph-only command; it stays.)
"""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.context import AppContext, load_graph_ref, pass_app
from assistant.export import EXPORT_FORMATS, REGISTRY

METHODS = ["auto", "linear_regression", "propensity_score_weighting", "propensity_score_matching",
           "propensity_score_stratification", "instrumental_variable", "frontdoor_two_stage_regression"]


@click.command("export")
@click.argument("graph_ref", metavar="GRAPH")
@click.option("--to", "fmt", type=click.Choice(list(EXPORT_FORMATS)), required=True, help="What to write.")
@click.option("--exposure", "-x", default=None, help="The exposure (default: the graph's).")
@click.option("--outcome", "-y", default=None, help="The outcome (default: the graph's).")
@click.option("--method", type=click.Choice(METHODS), default="auto", show_default=True,
              help="Estimation method (dowhy/notebook).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The CSV the exported code reads by default (dowhy/notebook).")
@click.option("--project", default=None, help="Read GRAPH from this project's store instead of a file.")
@click.option("--version", "number", type=int, default=None, help="Version number (default: the head).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to a file instead of standard output.")
@pass_app
def export_command(app: AppContext, graph_ref: str, fmt: str, exposure: str | None, outcome: str | None,
                   method: str, seed: int, data_path: Path | None, project: str | None, number: int | None,
                   output: Path | None) -> None:
    """Export GRAPH as a DoWhy script, a notebook, dagitty, DOT, GML, JSON or networkx node-link JSON.

    GRAPH is a graph file, gallery:NAME, or with --project a stored graph's name.
    """
    from assistant.errors import InputError
    from assistant.export import export

    graph = load_graph_ref(app, graph_ref, project=project, version=number)
    spec = None
    if REGISTRY[fmt].needs_analysis:
        from assistant.analysis.spec import AnalysisSpec

        x = exposure or (graph.exposures[0] if graph.exposures else None)
        y = outcome or (graph.outcomes[0] if graph.outcomes else None)
        if not x or not y:
            raise InputError("the graph marks no exposure and outcome", hint="pass --exposure and --outcome")
        spec = AnalysisSpec(exposure=x, outcome=y, method=method, seed=seed)  # type: ignore[arg-type]
        if data_path is not None:
            data_path = data_path.resolve()
    elif exposure or outcome or data_path:
        click.echo(f"note: --exposure/--outcome/--data do not apply to --to {fmt}", err=True)
    text = export(graph, fmt, analysis_spec=spec, data_path=data_path)
    if output:
        from assistant.formats import write_text_file

        write_text_file(output, text)  # an unwritable path is error[input]: cannot write ..., as for `graph export`
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
