"""``causal-assistant analyze`` (an effect, with checks and sensitivity) and ``causal-assistant query`` (rungs 2/3).

Thin: parse the options, load graph and data, call :mod:`assistant.analysis`,
render.  With ``--project`` the run is stored against the graph version used,
including failed and cancelled runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from assistant.analysis.spec import (
    ALL_REFUTERS, MAX_QUERY_SAMPLES, MAX_REFUTER_SIMULATIONS, AnalysisSpec, QuerySpec, RefuterSpec,
)
from assistant.cli.context import AppContext, load_graph_ref, pass_app
from assistant.cli.render import FORMAT_OPTION, emit
from assistant.errors import AnalysisInputError, DataError, InputError

METHOD_CHOICES = ["auto", "linear_regression", "propensity_score_weighting", "propensity_score_matching",
                  "propensity_score_stratification", "instrumental_variable", "frontdoor_two_stage_regression"]


def read_data(path: str) -> pd.DataFrame:
    """The CSV at ``path``, read by the same checked reader as ``data add`` (located errors, no half-reads,
    at most the upload limit even from a pipe or device)."""
    from assistant.intake.limits import read_data_file
    from assistant.intake.profile import read_csv

    p = Path(path)
    if not p.exists():
        raise DataError(f"no such data file: {path}")
    frame, _delimiter = read_csv(read_data_file(p), file_name=str(path))
    return frame


def parse_refuters(value: str, simulations: int) -> list[RefuterSpec]:
    value = value.strip()
    if value == "all":
        names = list(ALL_REFUTERS)
    elif value in ("none", ""):
        names = []
    else:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in ALL_REFUTERS]
        if unknown:
            raise InputError(f"unknown refuter(s) {', '.join(unknown)}",
                             hint=f"choose from: all, none, {', '.join(ALL_REFUTERS)}")
    return [RefuterSpec(name=n, num_simulations=simulations) for n in names]


def parse_do(items: tuple[str, ...]) -> tuple[dict[str, float], dict[str, float]]:
    """``NAME=VALUE`` sets a value, ``NAME=*FACTOR`` scales the unit's own value (split at the last '=')."""
    from assistant.analysis.queries import parse_interventions

    return parse_interventions(items)


def _resolve_version(app: AppContext, project: str, graph_ref: str, version: int | None, allow_unvalidated: bool):
    info = app.store().get_version(project, graph_ref, version)
    if info.status != "validated" and not allow_unvalidated:
        raise AnalysisInputError(
            f"version {info.number} of {graph_ref!r} is {info.status.replace('_', ' ')}, not validated; analyses "
            "run on validated graphs by default",
            hint=f"have an expert validate it (causal-assistant graph status {graph_ref} --project {project} "
                 "--set validated), or pass --allow-unvalidated (recorded with the run)")
    return info


def _progress_bar(enabled: bool):
    if not enabled:
        return None, None
    bar = click.progressbar(length=100, label="analysing", file=sys.stderr, show_eta=False)
    bar.__enter__()
    state = {"done": 0}

    def progress(step: str, fraction: float) -> None:
        bar.label = step
        target = int(fraction * 100)
        if target > state["done"]:
            bar.update(target - state["done"])
            state["done"] = target
    return bar, progress


def _run(app: AppContext, project: str | None, graph_ref: str, version: int | None, allow_unvalidated: bool,
         spec, data: pd.DataFrame, work):
    if project is None:
        return work(), None
    from assistant.analysis.prepare import data_sha256
    from assistant.analysis.recording import run_recorded

    info = app.store().get_version(project, graph_ref, version)
    return run_recorded(app.store(), project, graph_ref, info.number, spec, author=app.author,
                        data_sha256=data_sha256(data), work=work)


@click.command()
@click.argument("graph_ref", metavar="GRAPH")
@click.option("--data", "data_path", default=None, help="CSV file with one column per observed variable.")
@click.option("--dataset", "dataset_name", default=None,
              help="With --project: a stored dataset of the project instead of --data.")
@click.option("--background", is_flag=True, help="With --project: queue the run for a worker "
              "(causal-assistant worker) and print its run and job ids instead of waiting.")
@click.option("--exposure", "-x", default=None, help="Exposure (default: the graph's marker).")
@click.option("--outcome", "-y", default=None, help="Outcome (default: the graph's marker).")
@click.option("--method", type=click.Choice(METHOD_CHOICES), default="auto", show_default=True)
@click.option("--refuters", default="all", show_default=True, help="all, none, or a comma-separated list of "
              + ", ".join(ALL_REFUTERS))
@click.option("--simulations", type=click.IntRange(1, MAX_REFUTER_SIMULATIONS), default=100, show_default=True,
              help="Simulations per refuter.")
@click.option("--sensitivity/--no-sensitivity", default=True, show_default=True)
@click.option("--benchmark", multiple=True, help="Covariate to benchmark confounder strength against (repeatable; "
              "default: every adjusted covariate).")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--project", default=None, help="Read GRAPH from this project's store and record the run.")
@click.option("--version", "number", type=int, default=None, help="With --project: version (default: head).")
@click.option("--allow-unvalidated", is_flag=True, help="With --project: analyse a version nobody has validated.")
@FORMAT_OPTION
@pass_app
def analyze(app: AppContext, graph_ref: str, data_path: str, exposure: str | None, outcome: str | None, method: str,
            refuters: str, simulations: int, sensitivity: bool, benchmark: tuple[str, ...], confidence: float,
            seed: int, project: str | None, number: int | None, allow_unvalidated: bool, output_format: str,
            dataset_name: str | None = None, background: bool = False) -> None:
    """Estimate the effect of EXPOSURE on OUTCOME with DoWhy: identify, estimate, refute, assess sensitivity.

    With --background (and --project), the run is recorded and queued; `causal-assistant jobs status RUN`
    follows it and `causal-assistant jobs cancel RUN` cancels it.
    """
    from assistant.analysis.runner import run_analysis
    from assistant.analysis.text import analysis_text

    if (data_path is None) == (dataset_name is None):
        raise InputError("give the data: --data FILE, or --dataset NAME with --project")
    if (dataset_name is not None or background) and project is None:
        raise InputError("--dataset and --background need --project: background runs read the graph and the "
                         "data from the shared store")
    graph = load_graph_ref(app, graph_ref, project=project, version=number)
    exposure = exposure or (graph.exposures[0] if graph.exposures else None)
    outcome = outcome or (graph.outcomes[0] if graph.outcomes else None)
    if not exposure or not outcome:
        raise AnalysisInputError("name the exposure and outcome (--exposure, --outcome) or mark them in the graph")
    spec = AnalysisSpec(exposure=exposure, outcome=outcome, method=method,  # type: ignore[arg-type]
                        refuters=parse_refuters(refuters, simulations), sensitivity=sensitivity,
                        benchmarks=list(benchmark), confidence_level=confidence, seed=seed,
                        allow_unvalidated=allow_unvalidated)
    if background:
        _enqueue(app, project, graph_ref, number, allow_unvalidated, spec, data_path, dataset_name, output_format)
        return
    if dataset_name is not None:
        from assistant.intake import profile_csv

        app.data_source = f"{project}:{dataset_name}"
        data, _profile = profile_csv(app.store().dataset_content(project, dataset_name), file_name=dataset_name)
    else:
        app.data_source = str(data_path)
        data = read_data(data_path)
    bar, progress = _progress_bar(output_format == "text" and sys.stderr.isatty())

    def work():
        if project is not None:
            _resolve_version(app, project, graph_ref, number, allow_unvalidated)
        return run_analysis(graph, data, spec, progress=progress)

    try:
        result, run_id = _run(app, project, graph_ref, number, allow_unvalidated, spec, data, work)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if output_format == "json":
        emit({"run_id": run_id, **result.model_dump(mode="json")}, "json")
    else:
        emit(result, "text", lambda r: analysis_text(r) + (f"\nStored as analysis run {run_id}." if run_id else ""))


def _stored_dataset(app: AppContext, project: str, data_path: str) -> str:
    """The project's dataset with this file's content (stored now, named after the file, if there is none)."""
    import hashlib

    from assistant.intake import profile_csv
    from assistant.intake.limits import is_regular_file, read_data_file

    path = Path(data_path)
    if not path.exists():
        raise DataError(f"no such data file: {data_path}")
    regular = is_regular_file(path)
    content = read_data_file(path)
    digest = hashlib.sha256(content).hexdigest()
    store = app.store()
    existing = [d for d in store.list_datasets(project) if d.content_hash == digest]
    if existing:
        return existing[0].name
    # a pipe's path (/dev/fd/63) names nothing: its dataset is named after the content alone
    _frame, profile = profile_csv(content, file_name=path.name if regular else data_path)
    name = f"{path.stem if regular else 'data'}-{digest[:8]}"
    file_name = path.name if regular else name
    profile = profile.model_copy(update={"file_name": file_name})
    store.add_dataset(project, name, content=content, profile=profile, author=app.author, file_name=file_name)
    click.echo(f"stored {data_path} as dataset {name!r} of {project!r} (workers read data from the store)", err=True)
    return name


def _enqueue(app: AppContext, project: str, graph_ref: str, number: int | None, allow_unvalidated: bool, spec,
             data_path: str | None, dataset_name: str | None, output_format: str) -> None:
    from assistant.jobs import enqueue_analysis

    dataset = dataset_name or _stored_dataset(app, project, data_path or "")
    queued = enqueue_analysis(app.store(), project, graph_ref, number, dataset, spec, author=app.author,
                              allow_unvalidated=allow_unvalidated)
    payload = {"run_id": queued.run_id, "job_id": queued.job_id, "queue": queued.queue, "dataset": dataset,
               "status": "queued"}
    emit(payload, output_format, lambda p: (
        f"queued analysis run {p['run_id']} as job {p['job_id']} on queue {p['queue']!r}\n"
        f"follow it with: causal-assistant jobs status {p['run_id']}"))


@click.command()
@click.argument("graph_ref", metavar="GRAPH")
@click.option("--data", "data_path", required=True, help="CSV file with one column per observed variable.")
@click.option("--do", "do_items", multiple=True, required=True,
              help='Intervention NAME=VALUE, or NAME=*FACTOR to scale (e.g. "radio=*0.5"); repeatable.')
@click.option("--unit", type=int, default=None, help="Row (0-based): ask the counterfactual for this unit (rung 3).")
@click.option("--outcome", "-y", default=None, help="Outcome (default: the graph's marker).")
@click.option("--samples", type=click.IntRange(10, MAX_QUERY_SAMPLES), default=10_000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--project", default=None, help="Read GRAPH from this project's store and record the run.")
@click.option("--version", "number", type=int, default=None, help="With --project: version (default: head).")
@click.option("--allow-unvalidated", is_flag=True, help="With --project: query a version nobody has validated.")
@FORMAT_OPTION
@pass_app
def query(app: AppContext, graph_ref: str, data_path: str, do_items: tuple[str, ...], unit: int | None,
          outcome: str | None, samples: int, seed: int, project: str | None, number: int | None,
          allow_unvalidated: bool, output_format: str) -> None:
    """Ask "what if?": rung 2 (everyone, an intervention) or, with --unit, rung 3 (one row, a counterfactual)."""
    from assistant.analysis.queries import run_query
    from assistant.analysis.text import query_text

    graph = load_graph_ref(app, graph_ref, project=project, version=number)
    app.data_source = str(data_path)
    data = read_data(data_path)
    set_to, scale = parse_do(do_items)
    spec = QuerySpec(interventions=set_to, scale=scale, unit=unit, outcome=outcome, samples=samples, seed=seed)

    def work():
        if project is not None:
            _resolve_version(app, project, graph_ref, number, allow_unvalidated)
        return run_query(graph, data, spec)

    result, run_id = _run(app, project, graph_ref, number, allow_unvalidated, spec, data, work)
    if output_format == "json":
        emit({"run_id": run_id, **result.model_dump(mode="json")}, "json")
    else:
        emit(result, "text", lambda r: query_text(r) + (f"\nStored as analysis run {run_id}." if run_id else ""))
