"""``causal-assistant check`` and ``causal-assistant gallery``."""

from __future__ import annotations

import sys

import click

from assistant import gallery
from assistant.cli.context import AppContext, load_graph_ref, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table
from assistant.errors import EXIT_NOT_IDENTIFIABLE
from assistant.graph import CheckReport, check_graph


def report_text(r: CheckReport) -> str:
    xs, ys = ", ".join(r.exposures), ", ".join(r.outcomes)
    lines = [f"Effect of {xs} on {ys}", ""]
    if r.minimal_adjustment_sets:
        more = " (more exist; raise --max-sets)" if r.adjustment_sets_truncated else ""
        lines.append(f"Minimal adjustment sets ({len(r.minimal_adjustment_sets)}){more}:")
        lines += ["  {" + ", ".join(s) + "}" for s in r.minimal_adjustment_sets]
    else:
        lines.append("Minimal adjustment sets: none — no set of observed covariates removes the bias")
    cur = r.current_adjustment
    what = f"{{{', '.join(cur.variables)}}}" if cur.variables else "nothing"
    lines += ["", f"Adjusting for {what}: {'valid' if cur.valid else 'NOT valid'}"]
    lines += [f"  - {p}" for p in cur.problems]
    lines += ["", f"Paths ({len(r.paths)}{', truncated' if r.paths_truncated else ''}):"]
    lines += ["  " + row for row in table(
        [[p.kind, "open" if p.open else "blocked", p.path] for p in r.paths], ["kind", "state", "path"]).splitlines()]
    if r.instruments is not None:
        shown = [i["variable"] + (" | " + ", ".join(i["conditioning"]) if i["conditioning"] else "")
                 for i in r.instruments]
        lines += ["", f"Instruments: {'; '.join(shown) if shown else 'none'}"]
        lines.append(f"Front door: {{{', '.join(r.front_door)}}}" if r.front_door else "Front door: none")
    lines += ["", f"Testable implications ({len(r.implications)}{', truncated' if r.implications_truncated else ''}):"]
    lines += [f"  {i}" for i in r.implications] or ["  none (every pair of observed variables is adjacent)"]
    if r.basis_implications:
        lines += ["", f"Basis set ({len(r.basis_implications)}; implies all the others):"]
        lines += [f"  {i}" for i in r.basis_implications]
    if r.notes:
        lines += [""] + [f"Note: {n}" for n in r.notes]
    verdict = ("identifiable by covariate adjustment" if r.identifiable_by_adjustment else
               "identifiable by the front door" if r.front_door else "NOT identifiable by adjustment or front door")
    lines += ["", f"Verdict: {verdict}"]
    return "\n".join(lines)


@click.command()
@click.argument("graph_ref", metavar="GRAPH")
@click.option("--project", default=None, help="Read GRAPH from this project's store instead of a file.")
@click.option("--version", "number", type=int, default=None, help="With --project: version (default: head).")
@click.option("--from", "fmt", type=click.Choice(["json", "dagitty", "dot", "gml", "csv"]), default=None)
@click.option("--exposure", "-x", multiple=True, help="Exposure (repeatable; default: the graph's markers).")
@click.option("--outcome", "-y", multiple=True, help="Outcome (repeatable; default: the graph's markers).")
@click.option("--adjust", "-z", multiple=True, help="A proposed adjustment set to check (default: the graph's).")
@click.option("--max-sets", type=int, default=100, show_default=True)
@click.option("--max-paths", type=int, default=200, show_default=True)
@click.option("--max-implications", type=int, default=100, show_default=True)
@FORMAT_OPTION
@pass_app
def check(app: AppContext, graph_ref: str, project: str | None, number: int | None, fmt: str | None,
          exposure: tuple[str, ...], outcome: tuple[str, ...], adjust: tuple[str, ...], max_sets: int, max_paths: int,
          max_implications: int, output_format: str) -> None:
    """Answer "what must I adjust for?": adjustment sets, paths, instruments, front door, implications.

    GRAPH is a graph file (JSON, dagitty, DOT, GML, edge-list CSV), gallery:NAME, or with --project a
    stored graph's name.  Exit code 0 when the effect is identifiable (and the proposed adjustment set,
    if any, is valid); 5 when it is not; 1 for bad input.
    """
    g = load_graph_ref(app, graph_ref, project=project, version=number, fmt=fmt)
    report = check_graph(g, list(exposure) or None, list(outcome) or None, adjust=list(adjust) if adjust else None,
                         max_sets=max_sets, max_paths=max_paths, max_implications=max_implications)
    emit(report, output_format, report_text)
    proposed_invalid = bool(adjust) and not report.current_adjustment.valid
    if not report.identifiable or proposed_invalid:
        sys.exit(EXIT_NOT_IDENTIFIABLE)


@click.group("gallery")
def gallery_group() -> None:
    """The example gallery: textbook graphs with published answers."""


@gallery_group.command("list")
@FORMAT_OPTION
def gallery_list(output_format: str) -> None:
    """List the gallery graphs."""
    items = [{"name": e.name, "title": e.title, "story": e.story} for e in gallery.entries()]
    emit(items, output_format, lambda xs: table([[x["name"], x["title"]] for x in xs], ["name", "title"]))


@gallery_group.command("show")
@click.argument("name")
@click.option("--to", "fmt", type=click.Choice(["json", "dagitty", "dot", "gml"]), default="dagitty",
              show_default=True)
def gallery_show(name: str, fmt: str) -> None:
    """Print a gallery graph in a format (use it as a starting point: `> my.dag`)."""
    from assistant.formats import write_graph

    text = write_graph(gallery.load(name), fmt)
    click.echo(text, nl=not text.endswith("\n"))
