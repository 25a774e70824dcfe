"""``causal-assistant critique`` (lint a graph, optionally against data and its previous version) and ``rules``.

The exit code makes it a CI gate: 8 (``EXIT_FINDINGS``) when the critique
found errors (or warnings, with ``--fail-on warning``), 0 otherwise; bad
input, a missing project or an unusable LLM keep their own codes.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from assistant.cli.context import AppContext, load_graph_ref, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table
from assistant.errors import EXIT_FINDINGS, DataError, InputError, NotFoundError
from assistant.model import CausalGraph

FORMATS = ["json", "dagitty", "dot", "gml", "csv"]


@dataclass
class _Data:
    """The data a critique reads, and where they came from."""

    frame: Any
    sha256: str
    source: str  # "file x.csv" or "dataset 'sales'"
    rows: int


def _split(values: tuple[str, ...]) -> list[str]:
    """``--select S,T --select D001`` -> ``["S", "T", "D001"]``."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _check_rule_keys(keys: list[str], option: str) -> None:
    from assistant.critique import all_rules

    rules = all_rules()
    unknown = [k for k in keys if not any(r.id.startswith(k) or r.name == k for r in rules)]
    if unknown:
        raise InputError(f"{option} names no rule: {', '.join(repr(k) for k in unknown)}",
                         hint="give rule ids (S001), id prefixes (S, D0) or names (cycle); "
                              "`causal-assistant rules` lists them")


def _read_csv(content: bytes, file_name: str, source: str) -> _Data:
    from assistant.intake import profile_csv

    frame, profile = profile_csv(content, file_name=file_name)
    return _Data(frame=frame, sha256=profile.content_hash, source=source, rows=profile.n_rows)


def _file_data(path: Path) -> _Data:
    from assistant.intake.limits import read_data_file

    try:
        content = read_data_file(path)
    except DataError as err:
        err.hint = err.hint or ("give a CSV file" + ("" if path.suffix else ", or with --project a stored "
                                                                            "dataset's name"))
        raise
    return _read_csv(content, str(path), f"file {path}")


def _stored_data(store, project: str, name: str) -> _Data:
    info = store.get_dataset(project, name)
    data = _read_csv(store.dataset_content(project, name), info.file_name or name, f"dataset {name!r}")
    data.sha256 = info.content_hash
    return data


def _default_dataset(store, project: str, graph: CausalGraph) -> str | None:
    """The dataset the graph names (``metadata.extra["dataset"]``) if stored, else the latest one added."""
    datasets = store.list_datasets(project)
    named = graph.metadata.extra.get("dataset")
    if isinstance(named, str) and any(d.name == named for d in datasets):
        return named
    if not datasets:
        return None
    return max(datasets, key=lambda d: (d.created_at, d.name)).name


def _load_data(app: AppContext, data_ref: str | None, project: str | None, graph: CausalGraph,
               no_data: bool) -> _Data | None:
    if no_data:
        if data_ref:
            raise InputError("--data and --no-data contradict each other")
        return None
    if data_ref is not None:
        path = Path(data_ref)
        if project and not path.exists():
            try:
                return _stored_data(app.store(), project, data_ref)
            except NotFoundError as err:
                err.hint = f"{err.hint}; " if err.hint else ""
                err.hint += "--data takes a CSV file or, with --project, a stored dataset's name"
                raise
        return _file_data(path)
    if project:
        name = _default_dataset(app.store(), project, graph)
        return _stored_data(app.store(), project, name) if name else None
    return None


def _read_lenient(app: AppContext, ref: str, **kwargs):
    from assistant.formats import lenient_reading

    with lenient_reading() as repairs:
        graph = load_graph_ref(app, ref, **kwargs)
    return graph, list(repairs)


def _previous(app: AppContext, against: str | None, project: str | None, graph_ref: str, version) -> tuple[
        CausalGraph | None, str | None]:
    """The graph to compare with, and how to name it."""
    if against is None:
        if project and version.parent is not None:
            return app.store().get_version(project, graph_ref, version.parent).graph, f"v{version.parent}"
        return None, None
    if project and against.isascii() and against.isdigit():
        return app.store().get_version(project, graph_ref, int(against)).graph, f"v{int(against)}"
    previous, _ = _read_lenient(app, against)
    return previous, against


def _llm_backend(app: AppContext, store, alpha: float, project: str | None, graph_name: str | None,
                 no_cache: bool):
    from assistant.draft.backend import BackendContext, create_backend
    from assistant.errors import LLMError
    from assistant.llm import LLMSettings

    try:
        settings = LLMSettings.load(file_values=app.settings.file_values).require_configured()
    except LLMError as err:
        offline = "without --llm the critique runs every rule but the semantic (L) ones"
        err.hint = f"{err.hint}; {offline}" if err.hint else offline
        raise
    context = BackendContext(llm_settings=settings, sink=store, cache=not no_cache, alpha=alpha, project=project,
                             graph_name=graph_name)
    return create_backend("openai", context)


def _failing(counts: dict[str, int], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return counts["error"] > 0 or (fail_on == "warning" and counts["warning"] > 0)


@click.command()
@click.argument("graph_ref", metavar="GRAPH")
@click.option("--data", "data_ref", default=None, metavar="DATA.csv",
              help="Data to test the graph against (with --project: default the project's dataset; "
                   "a stored dataset's name also works).")
@click.option("--no-data", is_flag=True, help="Do not read any data (not even the project's dataset).")
@click.option("--against", default=None, metavar="OLD_GRAPH",
              help="The graph before the edit: a file or gallery:NAME, or with --project a version number "
                   "(default with --project: the parent version).")
@click.option("--exposure", "-x", multiple=True, help="Exposure (repeatable; default: the graph's markers).")
@click.option("--outcome", "-y", multiple=True, help="Outcome (repeatable; default: the graph's markers).")
@click.option("--llm", "use_llm", is_flag=True,
              help="Also ask the configured LLM to judge each edge (the semantic L rules).")
@click.option("--no-cache", is_flag=True, help="With --llm: do not serve identical requests from the exchange log.")
@click.option("--project", default=None, help="Read GRAPH from this project's store and record the critique there.")
@click.option("--version", "number", type=int, default=None, help="With --project: version to judge (default: head).")
@click.option("--from", "fmt", type=click.Choice(FORMATS), default=None, help="Format of a GRAPH file.")
@click.option("--select", multiple=True, metavar="IDS",
              help="Run only these rules: ids, id prefixes or names, comma-separated or repeated (e.g. S,T001).")
@click.option("--ignore", multiple=True, metavar="IDS", help="Do not run these rules (same syntax as --select).")
@click.option("--alpha", type=click.FloatRange(0.0001, 0.5), default=0.05, show_default=True,
              help="Significance level of the independence tests.")
@click.option("--correction", type=click.Choice(["holm", "bh"]), default="holm", show_default=True,
              help="Multiple-testing correction: holm (family-wise error) or bh (false discovery rate).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True,
              help="Exit with code 8 when the critique finds errors (or also warnings; or never).")
@FORMAT_OPTION
@pass_app
def critique(app: AppContext, graph_ref: str, data_ref: str | None, no_data: bool, against: str | None,
             exposure: tuple[str, ...], outcome: tuple[str, ...], use_llm: bool, no_cache: bool, project: str | None,
             number: int | None, fmt: str | None, select: tuple[str, ...], ignore: tuple[str, ...], alpha: float,
             correction: str, fail_on: str, output_format: str) -> None:
    """Lint a causal graph: structure, identification, time order, the data's verdict and (with --llm) an LLM's.

    GRAPH is a graph file (read leniently, so self-loops and repeated edges are reported rather than
    refused), gallery:NAME, or with --project a stored graph's name; the critique is then recorded
    against the version it judged.  `causal-assistant rules` lists the rules.

    Exit code 0 when nothing fails (see --fail-on), 8 when it does; 1 bad input, 6 not found, 7 LLM.
    """
    from assistant.critique import CritiqueOptions
    from assistant.critique import critique as run_critique
    from assistant.critique.text import report_text

    selected, ignored = _split(select), _split(ignore)
    _check_rule_keys(selected, "--select")
    _check_rule_keys(ignored, "--ignore")
    version = None
    if project:
        version = app.store().get_version(project, graph_ref, number)
        graph, repairs = version.graph, []
    else:
        graph, repairs = _read_lenient(app, graph_ref, version=number, fmt=fmt)
    previous, previous_name = _previous(app, against, project, graph_ref, version)
    data = _load_data(app, data_ref, project, graph, no_data)
    store = app.store() if (project or use_llm) else None
    llm = _llm_backend(app, store, alpha, project, graph_ref if project else None, no_cache) if use_llm else None

    impact = previous is not None and importlib.util.find_spec("assistant.critique.impact") is not None
    report = run_critique(graph, data.frame if data else None, previous=previous, impact=impact,
                          exposures=list(exposure) or None, outcomes=list(outcome) or None,
                          options=CritiqueOptions(alpha=alpha, correction=correction, llm=llm),
                          repairs=repairs, select=selected or None, ignore=ignored or None,
                          data_fingerprint=data.sha256 if data else None)
    if previous is not None and not impact:
        report.notes.append("the impact of the edit is not computed by this version of causal-assistant")
    stored = None
    if project and version is not None:
        stored = app.store().record_critique(project, graph_ref, version.number, report, author=app.author,
                                             data_sha256=data.sha256 if data else None)

    counts = report.counts
    payload: dict[str, Any] = report.model_dump(mode="json")
    payload["counts"] = counts
    payload["input"] = {
        "graph": graph_ref, "project": project, "version": version.number if version else None,
        "against": previous_name, "data": data.source if data else None, "data_sha256": data.sha256 if data else None,
    }
    if stored is not None:
        payload["stored"] = {"id": stored.id, "project": project, "graph": graph_ref, "version": stored.version}

    def text(_: Any) -> str:
        read = [f"graph: {graph_ref}" + (f" v{version.number} (project {project})" if version else "")]
        if previous_name:
            read.append(f"compared with: {previous_name}")
        read.append(f"data: {data.source}, {data.rows} rows (sha256 {data.sha256[:12]})" if data else "data: none")
        out = "\n".join(read) + "\n\n" + report_text(report)
        if stored is not None:
            out += f"\n\nrecorded as critique {stored.id} of {project}/{graph_ref} v{stored.version}"
        return out

    emit(payload, output_format, text)
    if _failing(counts, fail_on):
        sys.exit(EXIT_FINDINGS)


@click.command("rules")
@click.argument("keys", nargs=-1, metavar="[IDS]...")
@FORMAT_OPTION
def rules(keys: tuple[str, ...], output_format: str) -> None:
    """List the critique rules (or explain the ones named: ids, id prefixes or names)."""
    from assistant.critique import all_rules, select_rules

    wanted = _split(keys)
    _check_rule_keys(wanted, "the rule list")
    chosen = select_rules(wanted) if wanted else all_rules()
    items = [{"id": r.id, "name": r.name, "severity": r.severity, "family": r.family, "needs": list(r.needs),
              "summary": r.summary, "explanation": r.explanation,
              "examples": [{"graph": e.graph, "triggers": e.triggers, "note": e.note} for e in r.examples]}
             for r in chosen]

    def text(xs: list[dict]) -> str:
        if not wanted:
            return table([[x["id"], x["name"], x["severity"], ", ".join(x["needs"]) or "-", x["summary"]] for x in xs],
                         ["id", "name", "severity", "needs", "summary"])
        blocks = []
        for x in xs:
            lines = [f"{x['id']} {x['name']} ({x['severity']}, {x['family']}"
                     + (f"; needs {', '.join(x['needs'])}" if x["needs"] else "") + ")", f"  {x['summary']}"]
            if x["explanation"]:
                lines += [""] + [f"  {line}" if line else "" for line in x["explanation"].splitlines()]
            if x["examples"]:
                lines += ["", "  examples:"]
                lines += [f"    {'triggers' if e['triggers'] else 'passes  '}  {e['graph']}"
                          + (f"  ({e['note']})" if e["note"] else "") for e in x["examples"]]
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    emit(items, output_format, text)
