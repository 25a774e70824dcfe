"""``causal-assistant propose``: draft candidate causal graphs for a question and a dataset."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.context import AppContext, pass_app
from assistant.cli.render import FORMAT_OPTION, emit, table
from assistant.draft.result import DraftResult
from assistant.errors import CycleError, InputError, KnowledgeError, LLMError, Location


def draft_text(r: DraftResult) -> str:
    lines = [f"backend: {r.backend}" + (f" (model {r.model})" if r.model else ""),
             f"exposure: {r.exposure}   outcome: {r.outcome}" + ("   (inferred from the question)"
                                                                 if r.exposure_outcome_inferred else ""),
             f"LLM calls: {r.usage.calls} ({r.usage.cached_calls} from cache), tokens: {r.usage.total_tokens}"]
    for c in r.candidates:
        score = f", {c.score_name} {c.score:.1f}" if c.score is not None else ""
        lines += ["", f"Candidate {c.rank}{score}: {c.summary}".rstrip(": ")]
        rows = [[str(e), e.provenance, "" if e.confidence is None else f"{e.confidence:.2f}",
                 (e.rationale or "").replace("\n", " ")[:70]] for e in c.graph.edges]
        lines += ["  " + row for row in table(rows, ["edge", "source", "conf", "rationale"]).splitlines()]
    if r.confounders:
        lines += ["", "Confounders:"]
        lines += [f"  {c.name} ({'observed' if c.observed else 'NOT measured'}): {c.rationale}"
                  + "".join(f"\n      blocks {p}" for p in c.blocks) for c in r.confounders]
    if r.missing_variables:
        lines += ["", "Missing variables worth collecting (latent nodes in the candidates):"]
        lines += [f"  {m.name}: {m.why}" + (f" — {m.unblocks}" if m.unblocks else "") for m in r.missing_variables]
    if r.roles:
        lines += ["", "Roles:"]
        lines += [f"  {x.role:<10} {x.name}: {x.rationale}" for x in r.roles]
    if r.rejected:
        lines += ["", "Refused or repaired proposals:"]
        lines += [f"  {x.claim}: {x.reason}" for x in r.rejected]
    if r.notes:
        lines += [""] + [f"Note: {n}" for n in r.notes]
    return "\n".join(lines)


@click.command()
@click.argument("data_file", metavar="[DATA.csv]", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--question", "-q", required=True, help='The causal question, e.g. "Does radio play raise sales?"')
@click.option("--exposure", "-x", default=None, help="Exposure (default: inferred from the question).")
@click.option("--outcome", "-y", default=None, help="Outcome (default: inferred from the question).")
@click.option("--variables", "variables_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML/JSON file with labels, descriptions, roles, tiers, required/forbidden edges.")
@click.option("--backend", type=click.Choice(["offline", "openai", "hybrid"]), default="offline", show_default=True)
@click.option("--candidates", "-k", type=click.IntRange(1, 20), default=3, show_default=True)
@click.option("--alpha", type=click.FloatRange(0.0001, 0.5), default=0.05, show_default=True,
              help="Significance level of the independence tests.")
@click.option("--project", default=None, help="Save the best candidate as a new version in this project.")
@click.option("--graph", "graph_name", default="draft", show_default=True, help="Graph name when saving.")
@click.option("--dataset", "dataset_name", default=None,
              help="With --project: draft on this stored dataset of the project instead of DATA.csv.")
@click.option("--background", is_flag=True, help="With --project and --dataset: queue the draft (on every row) for a "
              "worker (causal-assistant worker) and print its draft id instead of waiting; nothing is saved until "
              "`causal-assistant jobs save-draft`.")
@click.option("--no-cache", is_flag=True, help="Do not serve identical LLM requests from the exchange log.")
@FORMAT_OPTION
@pass_app
def propose(app: AppContext, data_file: Path | None, question: str, exposure: str | None, outcome: str | None,
            variables_file: Path | None, backend: str, candidates: int, alpha: float, project: str | None,
            graph_name: str, no_cache: bool, output_format: str, dataset_name: str | None = None,
            background: bool = False) -> None:
    """Draft candidate causal graphs from DATA.csv (or a stored dataset) and a question.

    Offline (the default) the draft comes from the data and the background knowledge in the variables
    file; with --backend openai an LLM proposes it, and hybrid checks the LLM's edges against the data.

    With --background (and --project, --dataset) the draft job is stored and queued for a worker:
    `causal-assistant jobs status draft-ID` follows it, `jobs cancel draft-ID` cancels it and
    `jobs save-draft draft-ID --graph NAME` saves its best candidate as a new version.
    """
    from assistant.draft import draft
    from assistant.draft.backend import BackendContext
    from assistant.draft.spec import build_request, load_spec_file
    from assistant.intake import profile_csv

    if (data_file is None) == (dataset_name is None):
        raise InputError("give the data: DATA.csv, or --dataset NAME with --project")
    if (dataset_name is not None or background) and project is None:
        raise InputError("--dataset and --background need --project: they read the data from the project's store")
    if background and dataset_name is None:
        raise InputError("--background drafts on a stored dataset: give --dataset NAME",
                         hint=f"store the file first: causal-assistant data add {data_file} --project {project}")
    spec = load_spec_file(variables_file) if variables_file else None
    if background:
        _enqueue(app, project, dataset_name, question, spec, exposure=exposure, outcome=outcome,  # type: ignore[arg-type]
                 candidates=candidates, backend=backend, alpha=alpha, cache=not no_cache, graph_name=graph_name,
                 output_format=output_format)
        return
    if dataset_name is not None:
        info = app.store().get_dataset(project, dataset_name)
        frame, profile = profile_csv(app.store().dataset_content(project, dataset_name),
                                     file_name=info.file_name or dataset_name)
    else:
        from assistant.intake.limits import read_data_file

        content = read_data_file(data_file)  # type: ignore[arg-type]
        frame, profile = profile_csv(content, file_name=str(data_file))
    request = build_request(question, profile, spec, exposure=exposure, outcome=outcome, candidates=candidates)
    store = app.store() if (project or backend != "offline") else None
    context = BackendContext(sink=store, cache=not no_cache, alpha=alpha, project=project, graph_name=graph_name)
    try:
        result = draft(request, frame, backend=backend, context=context)
    except (KnowledgeError, CycleError) as err:
        if err.location is None and variables_file is not None:  # the knowledge came from the variables file
            err.location = Location(file=str(variables_file))
        raise
    except LLMError as err:
        offline = "the offline assistant works without an LLM: use --backend offline"
        err.hint = f"{err.hint}; {offline}" if err.hint else offline
        raise
    payload: dict = {"draft": result}
    if project and result.best is not None:
        saved = _save(store, project, graph_name, result, author=app.author, backend=backend)
        payload["saved"] = {"project": project, "graph": graph_name, "version": saved.number}
    emit(payload, output_format, lambda p: draft_text(result) + (
        f"\n\nsaved candidate 1 as {project}/{graph_name} v{p['saved']['version']}" if "saved" in p else ""))


def _enqueue(app: AppContext, project: str, dataset: str, question: str, spec, *, exposure: str | None,
             outcome: str | None, candidates: int, backend: str, alpha: float, cache: bool, graph_name: str,
             output_format: str) -> None:
    """Store and queue a draft on every row of stored ``dataset`` (the request is built from its stored profile)."""
    from assistant.draft.spec import build_request
    from assistant.jobs import enqueue_draft

    store = app.store()
    info = store.get_dataset(project, dataset)
    request = build_request(question, info.profile, spec, exposure=exposure, outcome=outcome, candidates=candidates)
    queued = enqueue_draft(store, project, dataset, request, author=app.author, backend=backend,
                           graph_name=graph_name, alpha=alpha, cache=cache)
    payload = {"draft_id": queued.draft_id, "id": f"draft-{queued.draft_id}", "job_id": queued.job_id,
               "queue": queued.queue, "project": project, "dataset": dataset, "n_rows": info.profile.n_rows,
               "status": "queued"}
    emit(payload, output_format, lambda p: (
        f"queued draft {p['draft_id']} ({backend}, all {p['n_rows']:,} rows of {dataset!r}) as job {p['job_id']} "
        f"on queue {p['queue']!r}\n"
        f"follow it with: causal-assistant jobs status {p['id']}\n"
        f"save its best candidate with: causal-assistant jobs save-draft {p['id']} --graph {graph_name}"))


def _save(store, project: str, graph_name: str, result: DraftResult, *, author: str, backend: str):
    graph = result.best.graph
    message = f"draft from the {backend} assistant (candidate 1 of {len(result.candidates)})"
    existing = {g.name: g for g in store.list_graphs(project)}
    if graph_name in existing:
        return store.save_version(project, graph_name, graph, parent=existing[graph_name].head, author=author,
                                  message=message)
    return store.create_graph(project, graph_name, graph, author=author, message=message)
