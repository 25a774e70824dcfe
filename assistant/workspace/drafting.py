"""Data and drafting for the UI: upload and profile a CSV, the variable table, the question, and drafts.

Thin glue over :mod:`assistant.intake` and :mod:`assistant.draft`, shaped for
a page: rows for an editable table, a status line for the backend in use,
and accepting a candidate (or some of its edges) as a new draft version.

Background drafts (:func:`draft_in_background`, :func:`background_drafts`,
:func:`cancel_background_draft`, :func:`accept_background_draft`) draft on every row
of a stored dataset (the page drafts on a sample of large data) through
:mod:`assistant.jobs` (RQ over Redis).  The draft job is stored when it is queued
(``draft_jobs``) and ended by a worker, so the list survives reloads and sessions.
Queueing, cancelling and accepting need the editor role, as drafting does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import pandas as pd

from assistant.draft.result import DraftResult
from assistant.draft.spec import DraftRequest, SpecFile, VariableSpec, build_request
from assistant.errors import InputError, JobQueueUnavailableError
from assistant.model import CausalGraph, DatasetProfile, Edge, Question
from assistant.store import DatasetInfo, DraftJobInfo, Store, VersionInfo
from assistant.workspace.roles import EDITOR, Identity

if TYPE_CHECKING:
    from assistant.jobs import BackgroundDraft, BackgroundDraftState

VARIABLE_COLUMNS = ("name", "label", "description", "role", "tier", "observed")
ROLE_CHOICES = ("", "exposure", "outcome", "confounder", "mediator", "instrument", "selection", "exogenous",
                "covariate")


# --- data -------------------------------------------------------------------


def add_uploaded_dataset(store: Store, identity: Identity, project: str, name: str, content: bytes,
                         file_name: str) -> DatasetInfo:
    """Check the size, profile the bytes (a bad CSV raises :class:`DataError` and nothing is stored), store them.

    A file over the upload limit raises :class:`~assistant.errors.UploadTooLargeError` before it is parsed.
    """
    from assistant.intake import profile_csv
    from assistant.intake.limits import check_upload_size

    identity.require(EDITOR, "add datasets")
    check_upload_size(len(content), file_name=file_name)
    _frame, profile = profile_csv(content, file_name=file_name)
    return store.add_dataset(project, name.strip(), content=content, profile=profile, author=identity.name,
                             file_name=file_name)


@dataclass(frozen=True)
class LoadedData:
    name: str
    frame: pd.DataFrame
    profile: DatasetProfile
    sha256: str


def load_dataset(store: Store, project: str, name: str) -> LoadedData:
    from assistant.intake import profile_csv

    info = store.get_dataset(project, name)
    frame, profile = profile_csv(store.dataset_content(project, name), file_name=info.file_name or name)
    return LoadedData(name=name, frame=frame, profile=profile, sha256=info.content_hash)


def interactive_data(loaded: LoadedData, *, max_rows: int | None = None):
    """The rows drafting and critique use in the UI: all of them, or a seeded sample over the limit.

    Returns an :class:`~assistant.intake.limits.InteractiveData`; its ``note`` is what the page shows.
    """
    from assistant.intake.limits import interactive_sample

    return interactive_sample(loaded.frame, max_rows=max_rows)


def default_dataset(store: Store, project: str, graph: CausalGraph | None = None) -> str | None:
    """The dataset the graph names (``metadata.extra["dataset"]``), else the first stored one."""
    names = [d.name for d in store.list_datasets(project)]
    wanted = graph.metadata.extra.get("dataset") if graph is not None else None
    if isinstance(wanted, str) and wanted in names:
        return wanted
    return names[0] if names else None


def profile_rows(profile: DatasetProfile) -> list[dict[str, Any]]:
    return [{"column": c.name, "type": c.inferred_type, "missing": c.n_missing, "distinct": c.cardinality,
             "min": c.minimum, "max": c.maximum, "mean": c.mean, "examples": ", ".join(c.examples)}
            for c in profile.columns]


def variable_rows(profile: DatasetProfile | None, graph: CausalGraph | None) -> list[dict[str, Any]]:
    """One row per column (and per latent variable of the graph): what the expert edits in the table."""
    names = list(profile.column_names) if profile else []
    if graph is not None:
        names += [v.name for v in graph.variables if v.name not in names and not v.observed]
    rows = []
    for name in names:
        var = graph.variable(name) if graph is not None and graph.has_variable(name) else None
        rows.append({"name": name, "label": (var.label if var else None) or "",
                     "description": var.description if var else "", "role": (var.role if var else None) or "",
                     "tier": var.tier if var else None, "observed": var.observed if var else True})
    return rows


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def specs_from_rows(rows: Iterable[Mapping[str, Any]]) -> SpecFile:
    """The variable table as a :class:`SpecFile` (typed errors name the row)."""
    from pydantic import ValidationError

    out = []
    for i, row in enumerate(rows, start=1):
        name = str(_clean(row.get("name")) or "").strip()
        if not name:
            continue
        tier = _clean(row.get("tier"))
        try:
            out.append(VariableSpec(name=name, label=(str(_clean(row.get("label")) or "").strip() or None),
                                    description=str(_clean(row.get("description")) or ""),
                                    role=(_clean(row.get("role")) or None),
                                    tier=None if tier is None or tier == "" else int(tier),
                                    observed=bool(_clean(row.get("observed")) if _clean(row.get("observed"))
                                                  is not None else True)))
        except (ValidationError, ValueError) as exc:
            raise InputError(f"row {i} ({name}) of the variable table is not valid: {exc}") from None
    return SpecFile(variables=out)


def variable_ops(graph: CausalGraph, spec: SpecFile) -> list[dict[str, Any]]:
    """Edit operations that copy the table's label, description, role, tier and observed flag into ``graph``."""
    ops = []
    for v in spec.variables:
        if not graph.has_variable(v.name):
            continue
        current = graph.variable(v.name)
        fields = {k: getattr(v, k) for k in ("label", "description", "role", "tier", "observed")
                  if getattr(v, k) != getattr(current, k)}
        if fields:
            ops.append({"op": "update_variable", "name": v.name, "fields": fields})
    return ops


def infer_question(question: str, profile: DatasetProfile | None, spec: SpecFile | None) -> tuple[str | None, str | None]:
    """The exposure and outcome the question names, or (None, None) when it names too few variables."""
    from assistant.draft.infer import infer_exposure_outcome

    if not question.strip() or profile is None:
        return None, None
    try:
        request = build_request(question, profile, _observed_only(spec, profile))
        return infer_exposure_outcome(request)
    except InputError:
        return None, None


def _observed_only(spec: SpecFile | None, profile: DatasetProfile) -> SpecFile | None:
    """Rows for variables that are neither columns nor marked latent would be refused; drop them."""
    if spec is None:
        return None
    cols = set(profile.column_names)
    return spec.model_copy(update={"variables": [v for v in spec.variables if v.name in cols or not v.observed]})


# --- drafting ---------------------------------------------------------------


def backend_label(backend: str, llm_settings: Any = None) -> str:
    """What the page always shows: ``offline`` or ``openai (gpt-4o-mini)``."""
    if backend == "offline" or llm_settings is None:
        return "offline (no LLM: structure search on the data and your background knowledge)"
    return f"{backend} ({llm_settings.model} at {llm_settings.safe_base_url})"


def make_request(question: str, profile: DatasetProfile, spec: SpecFile | None, *, exposure: str | None,
                 outcome: str | None, candidates: int = 3) -> DraftRequest:
    return build_request(question, profile, _observed_only(spec, profile), exposure=exposure or None,
                         outcome=outcome or None, candidates=candidates)


def run_draft(request: DraftRequest, frame: pd.DataFrame | None, *, backend: str, store: Store | None = None,
              project: str | None = None, graph_name: str | None = None, llm_settings: Any = None) -> DraftResult:
    """Run a drafting backend; LLM failures raise :class:`~assistant.errors.LLMError` (offer the offline one)."""
    from assistant.draft import draft
    from assistant.draft.backend import BackendContext

    context = BackendContext(llm_settings=llm_settings, sink=store, project=project, graph_name=graph_name)
    return draft(request, frame, backend=backend, context=context)


def candidate_graph(result: DraftResult, rank: int, *, current: CausalGraph | None = None,
                    question: str = "", dataset: str | None = None) -> CausalGraph:
    """Candidate ``rank`` ready to save: keeps the current graph's positions, labels the question and dataset."""
    cand = next((c for c in result.candidates if c.rank == rank), None)
    if cand is None:
        raise InputError(f"there is no candidate {rank}")
    data = cand.graph.model_dump(mode="json")
    if current is not None:
        for var in data["variables"]:
            if current.has_variable(var["name"]) and current.variable(var["name"]).position is not None:
                var["position"] = current.variable(var["name"]).position.model_dump(mode="json")
    meta = data.setdefault("metadata", {})
    if question:
        meta["question"] = Question(text=question, exposure=result.exposure, outcome=result.outcome).model_dump(
            mode="json")
    if dataset:
        meta.setdefault("extra", {})["dataset"] = dataset
    return CausalGraph.model_validate(data)


def accept_candidate(store: Store, identity: Identity, project: str, graph_name: str, result: DraftResult,
                     rank: int, *, question: str = "", dataset: str | None = None) -> VersionInfo:
    """Save candidate ``rank`` as a new draft version of ``graph_name`` (version 1 if the graph is new)."""
    identity.require(EDITOR, "save versions")
    model = f" ({result.model})" if result.model else ""
    message = f"accepted candidate {rank} of {len(result.candidates)} from the {result.backend} assistant{model}"
    return _save_candidate(store, project, graph_name, result, rank, author=identity.name, message=message,
                           question=question, dataset=dataset)


def _save_candidate(store: Store, project: str, graph_name: str, result: DraftResult, rank: int, *, author: str,
                    message: str, question: str = "", dataset: str | None = None) -> VersionInfo:
    existing = {g.name: g for g in store.list_graphs(project)}
    current = store.get_version(project, graph_name).graph if graph_name in existing else None
    graph = candidate_graph(result, rank, current=current, question=question, dataset=dataset)
    if graph_name in existing:
        return store.save_version(project, graph_name, graph, parent=existing[graph_name].head,
                                  author=author, message=message)
    return store.create_graph(project, graph_name, graph, author=author, message=message)


def candidate_edges(result: DraftResult) -> dict[str, Edge]:
    """Every edge proposed by any candidate, labelled ``a -> b (candidate k)``, first proposal kept."""
    out: dict[str, Edge] = {}
    for cand in result.candidates:
        for e in cand.graph.edges:
            out.setdefault(f"{e} (candidate {cand.rank})", e)
    return out


def edge_ops(graph: CausalGraph, edges: Iterable[Edge], result: DraftResult) -> list[dict[str, Any]]:
    """``add_edge`` (and, for a latent endpoint, ``add_variable``) operations for picked edges not yet in ``graph``."""
    ops: list[dict[str, Any]] = []
    added_vars: set[str] = set()
    seen: set[tuple[str, str, str]] = set()
    for e in edges:
        if graph.find_edge(e.source, e.target, e.kind) is not None or e.key in seen:
            continue
        seen.add(e.key)
        for end in (e.source, e.target):
            if not graph.has_variable(end) and end not in added_vars:
                cand_var = next((c.graph.variable(end) for c in result.candidates if c.graph.has_variable(end)), None)
                if cand_var is None:
                    continue
                ops.append({"op": "add_variable", "variable": cand_var.model_dump(mode="json")})
                added_vars.add(end)
        ops.append({"op": "add_edge", "edge": e.model_dump(mode="json")})
    return ops


def edge_table(graph: CausalGraph) -> list[dict[str, Any]]:
    """Edges with their provenance, rationale, confidence and evidence, for a candidate column."""
    rows = []
    for e in graph.edges:
        evidence = "; ".join(f"{ev.source}: {ev.summary}" + (f" (p={ev.p_value:.3g})" if ev.p_value is not None else "")
                             for ev in e.evidence)
        rows.append({"edge": str(e), "provenance": e.provenance,
                     "confidence": None if e.confidence is None else round(e.confidence, 2),
                     "rationale": e.rationale, "evidence": evidence})
    return rows


# --- background drafts (RQ) ---------------------------------------------------

# How often the page polls the queue while one of the project's background drafts is queued or running.
POLL_SECONDS = 3.0
# The background drafts listed on the page (newest first).
BACKGROUND_LIST_LIMIT = 20
DRAFT_QUEUE_HINT = ("start Redis and at least one worker (causal-assistant worker), or set CAUSAL_ASSISTANT_REDIS_URL "
                    "to the queue's Redis; meanwhile, draft on the sample")


def _connect():
    from assistant.jobs import connect

    try:
        return connect()
    except JobQueueUnavailableError as err:  # the same message (password masked), with what to do from the UI
        raise JobQueueUnavailableError(err.message, hint=DRAFT_QUEUE_HINT) from None


def queue_state():
    """Whether drafts can be queued (an :class:`~assistant.workspace.analyze.QueueState`); never raises."""
    from assistant.workspace.analyze import QueueState
    from assistant.workspace.analyze import queue_state as analysis_queue_state

    state = analysis_queue_state()
    if state.problem is None:
        return state
    return QueueState(queue=state.queue, problem=JobQueueUnavailableError(state.problem.message,
                                                                          hint=DRAFT_QUEUE_HINT))


def background_source(info: DraftJobInfo) -> str:
    """How a version accepted from a background draft names it: ``background draft 4 on all 2,000 rows of sales``."""
    return f"background draft {info.id} on all {info.n_rows:,} rows of {info.dataset}"


def draft_in_background(store: Store, identity: Identity, project: str, dataset: str, request: DraftRequest, *,
                        backend: str = "offline", graph_name: str | None = None) -> "BackgroundDraft":
    """Record a draft on every row of stored ``dataset`` and queue it for a worker (editors, as for drafting).

    Nothing is stored when the queue is unreachable (:class:`JobQueueUnavailableError` says what to do).
    """
    from assistant.jobs import enqueue_draft

    identity.require(EDITOR, "draft")
    with _connect() as connection:
        try:
            return enqueue_draft(store, project, dataset, request, author=identity.name, backend=backend,
                                 graph_name=graph_name or None, connection=connection)
        except JobQueueUnavailableError as err:
            raise JobQueueUnavailableError(err.message, hint=DRAFT_QUEUE_HINT) from None


@dataclass(frozen=True)
class BackgroundDrafts:
    """A project's background drafts, newest first; ``problem`` says why their status could not be refreshed."""

    drafts: list["BackgroundDraftState"]
    total: int
    problem: JobQueueUnavailableError | None = None

    @property
    def active(self) -> list["BackgroundDraftState"]:
        return [d for d in self.drafts if d.active]


def background_drafts(store: Store, project: str, *, limit: int = BACKGROUND_LIST_LIMIT) -> BackgroundDrafts:
    """The project's background drafts from the store; the unfinished ones refreshed from their jobs.

    Redis is asked only while a listed draft is unfinished; when it is unreachable the stored
    statuses are returned as they are, with the reason.
    """
    from redis.exceptions import RedisError

    from assistant.jobs import list_background_drafts
    from assistant.jobs.queue import safe_redis_url

    stored = store.list_drafts(project, limit=limit)
    total = store.count_drafts(project)
    problem: JobQueueUnavailableError | None = None
    if any(d.status == "running" for d in stored):
        try:
            with _connect() as connection:
                return BackgroundDrafts(list_background_drafts(store, project, connection=connection, limit=limit),
                                        total)
        except JobQueueUnavailableError as err:
            problem = err
        except RedisError as exc:  # Redis went away mid-way
            problem = JobQueueUnavailableError(f"the job queue stopped answering: {safe_redis_url(str(exc))}",
                                               hint=DRAFT_QUEUE_HINT)
    return BackgroundDrafts(list_background_drafts(store, project, refresh=False, limit=limit), total, problem)


def has_active_background_drafts(store: Store, project: str) -> bool:
    """Whether any of the project's background drafts is stored as unfinished (the store only, no Redis)."""
    return any(d.status == "running" for d in store.list_drafts(project, limit=BACKGROUND_LIST_LIMIT))


def poll_interval(active: bool) -> float | None:
    """Seconds between refreshes of the draft list: only while a draft is queued or running, else never."""
    return POLL_SECONDS if active else None


def cancel_background_draft(store: Store, identity: Identity, draft_id: int) -> DraftJobInfo:
    """Cancel a queued or running background draft (editors); an ended one is refused, never changed."""
    from assistant.jobs import cancel_draft

    identity.require(EDITOR, "cancel drafts")
    with _connect() as connection:
        return cancel_draft(store, draft_id, actor=identity.name, connection=connection)


def background_result(store: Store, draft_id: int, *, project: str | None = None) -> tuple[DraftJobInfo, DraftResult]:
    """A succeeded background draft and its DraftResult (refused if it belongs to another project)."""
    from assistant.jobs import stored_draft_result

    info = store.get_draft(draft_id)
    if project is not None and info.project != project:
        raise InputError(f"draft {draft_id} belongs to project {info.project!r}, not {project!r}")
    return info, stored_draft_result(info)


def save_background_candidate(store: Store, draft_id: int, graph_name: str, rank: int = 1, *, author: str,
                              message: str | None = None, project: str | None = None) -> VersionInfo:
    """Save candidate ``rank`` of succeeded background draft ``draft_id`` as a new draft version of ``graph_name``.

    The provenance is that of a draft in the foreground (the backend, the candidate, each edge's own
    provenance and evidence) plus the draft job: its id, its dataset (also in the graph's metadata,
    with the question) and the rows drafted on.  No role check (the CLI's; the UI goes through
    :func:`accept_background_draft`).
    """
    info, result = background_result(store, draft_id, project=project)
    model = f" ({result.model})" if result.model else ""
    message = message or (f"draft from the {result.backend} assistant{model} (candidate {rank} of "
                          f"{len(result.candidates)}, {background_source(info)})")
    return _save_candidate(store, info.project, graph_name, result, rank, author=author, message=message,
                           question=info.question, dataset=info.dataset)


def accept_background_draft(store: Store, identity: Identity, project: str, graph_name: str, draft_id: int,
                            rank: int) -> VersionInfo:
    """Accept candidate ``rank`` of a background draft as :func:`accept_candidate` accepts one drafted now."""
    identity.require(EDITOR, "save versions")
    info, result = background_result(store, draft_id, project=project)
    model = f" ({result.model})" if result.model else ""
    message = (f"accepted candidate {rank} of {len(result.candidates)} from the {result.backend} assistant{model} "
               f"({background_source(info)})")
    return _save_candidate(store, project, graph_name, result, rank, author=identity.name, message=message,
                           question=info.question, dataset=info.dataset)


def stored_error(info: DraftJobInfo):
    """The typed error stored with a failed or cancelled draft job, to show as the foreground shows errors."""
    from assistant.errors import CausalAssistantError

    error = info.error or {}
    message = str(error.get("message") or f"draft {info.id} {info.status} without a stored error")
    hint = error.get("hint")
    err = CausalAssistantError(message, hint=str(hint) if hint else None)
    err.code = str(error.get("code") or "error")
    return err
