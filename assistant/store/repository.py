"""The :class:`Store`: every version of every graph, in SQLite or PostgreSQL.

>>> from assistant.model import CausalGraph, Edge, Variable
>>> store = Store.open("sqlite://")          # in memory, for the example
>>> _ = store.create_project("sales", author="ana")
>>> g = CausalGraph(variables=[Variable(name="airplay"), Variable(name="sales")])
>>> v1 = store.create_graph("sales", "main", g, author="ana", message="variables only")
>>> g2 = g.model_copy(update={"edges": [Edge(source="airplay", target="sales")]})
>>> v2 = store.save_version("sales", "main", g2, parent=v1.number, author="ana", message="airplay -> sales")
>>> [(v.number, v.parent) for v in store.log("sales", "main")]
[(2, 1), (1, None)]
>>> store.diff("sales", "main", 1, 2).summary()
'+1 edge'
>>> store.close()

Each public method runs in its own transaction and either does all of its
work or none of it.  Results are immutable pydantic records
(:mod:`assistant.store.info`), never live database objects.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from assistant.config import Settings, data_dir
from assistant.edit.diff import GraphDiff
from assistant.errors import StoreError
from assistant.model import CausalGraph, DatasetProfile
from assistant.store import blame as _blame
from assistant.store import analyses, audit, catalog, critiques, drafts, exchanges, review, versions, working_copies
from assistant.store.db import READ_ONLY, make_engine, parse_url, safe_url, translate_errors
from assistant.store.info import (
    AnalysisRunInfo, AuditEntryInfo, CritiqueInfo, DatasetInfo, DraftJobInfo, EdgeBlame, ExchangeRecord, GraphInfo, ProjectInfo, ReviewEventInfo, VersionInfo,
    VersionStatus, WorkingCopyInfo,
)
from assistant.store.migrate import ensure_schema
from assistant.store.text_check import check_arguments

if TYPE_CHECKING:
    from assistant.critique.finding import CritiqueReport

T = TypeVar("T")


class Store:
    """A versioned graph store on one database.  Open it with :meth:`Store.open`."""

    def __init__(self, engine: Engine, url: URL):
        self._engine = engine
        self._url = url
        self._closed = False

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> "Store":
        """Connect to ``url`` (default: :class:`~assistant.config.Settings`) and check its schema.

        An empty or older database is upgraded when ``upgrade`` is true.

        Raises
        ------
        DatabaseUnavailableError
            The database cannot be reached or opened (the password is masked in the message).
        SchemaVersionError
            The database was written by a newer causal-assistant, or is older and ``upgrade`` is false.
        ConfigError
            The URL is malformed or names an unsupported database.
        """
        parsed = parse_url(url if url is not None else Settings.load().database_url)
        engine = make_engine(parsed, create_dir=data_dir())
        try:
            with translate_errors(parsed):
                ensure_schema(engine, upgrade=upgrade)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed)

    @property
    def url(self) -> str:
        """The database URL with the password masked."""
        return safe_url(self._url)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r}{', closed' if self._closed else ''})"

    # --- transactions -----------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        if self._closed:
            raise StoreError("the store is closed")
        with translate_errors(self._url), self._engine.connect() as conn:
            if not write:
                conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn

    def _write(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        check_arguments(fn, args, kwargs)
        with self._transaction(write=True) as conn:
            return fn(conn, *args, **kwargs)

    def _read(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        check_arguments(fn, args, kwargs)
        with self._transaction(write=False) as conn:
            return fn(conn, *args, **kwargs)

    # --- projects and datasets --------------------------------------------

    def create_project(self, name: str, *, description: str = "", author: str) -> ProjectInfo:
        """Create a project; a duplicate name raises :class:`AlreadyExistsError`."""
        return self._write(catalog.create_project, name, description, author)

    def list_projects(self) -> list[ProjectInfo]:
        return self._read(catalog.list_projects)

    def get_project(self, name: str) -> ProjectInfo:
        return self._read(catalog.get_project, name)

    def add_dataset(self, project: str, name: str, *, content: bytes, profile: DatasetProfile, author: str,
                    file_name: str = "") -> DatasetInfo:
        """Store a data file with its profile; the sha256 is computed here and written into the profile."""
        return self._write(catalog.add_dataset, project, name, content=content, profile=profile, author=author,
                           file_name=file_name)

    def list_datasets(self, project: str) -> list[DatasetInfo]:
        return self._read(catalog.list_datasets, project)

    def get_dataset(self, project: str, name: str) -> DatasetInfo:
        return self._read(catalog.get_dataset, project, name)

    def dataset_content(self, project: str, name: str) -> bytes:
        return self._read(catalog.dataset_content, project, name)

    # --- graphs and versions ----------------------------------------------

    def create_graph(self, project: str, name: str, graph: CausalGraph, *, author: str,
                     message: str) -> VersionInfo:
        """Create a graph whose version 1 is ``graph``."""
        return self._write(versions.create_graph, project, name, graph, author=author, message=message)

    def list_graphs(self, project: str) -> list[GraphInfo]:
        return self._read(catalog.list_graphs, project)

    def save_version(self, project: str, graph_name: str, graph: CausalGraph, *, parent: int, author: str,
                     message: str) -> VersionInfo:
        """Save ``graph`` as the new head; ``parent`` is the version number the edit started from.

        Raises :class:`ConflictError` (nothing written) if ``parent`` is no
        longer the head; it carries ``head_version``, ``parent_version``,
        ``diff`` (head -> your graph) and ``concurrent_diff`` (parent -> head).
        Content identical to the head is saved as a new version.
        """
        return self._write(versions.save_version, project, graph_name, graph, parent=parent, author=author,
                           message=message)

    def get_version(self, project: str, graph_name: str, number: int | None = None) -> VersionInfo:
        """Version ``number``, or the head if None."""
        return self._read(versions.get_version, project, graph_name, number)

    def log(self, project: str, graph_name: str) -> list[VersionInfo]:
        """Every version, newest first."""
        return self._read(versions.log, project, graph_name)

    def diff(self, project: str, graph_name: str, a: int, b: int) -> GraphDiff:
        """What changed from version ``a`` to version ``b``."""
        return self._read(versions.diff, project, graph_name, a, b)

    def revert(self, project: str, graph_name: str, to: int, *, author: str,
               message: str | None = None) -> VersionInfo:
        """Save the content of version ``to`` as a new head (history is kept)."""
        return self._write(versions.revert, project, graph_name, to, author=author, message=message)

    def blame(self, project: str, graph_name: str, number: int | None = None) -> list[EdgeBlame]:
        """For each edge of version ``number`` (head if None): the version that introduced it."""
        return self._read(_blame.blame, project, graph_name, number)

    # --- review -----------------------------------------------------------

    def set_status(self, project: str, graph_name: str, number: int, status: VersionStatus, *, actor: str,
                   comment: str = "") -> VersionInfo:
        """Move a version along draft -> in_review -> validated/rejected (or back to draft); records an event."""
        return self._write(review.set_status, project, graph_name, number, status, actor=actor, comment=comment)

    def add_review_event(self, project: str, graph_name: str, number: int, action: str, *, actor: str,
                         comment: str = "", subject: str | None = None) -> ReviewEventInfo:
        """Record a review event that does not change the status (``comment``)."""
        return self._write(review.add_review_event, project, graph_name, number, action, actor=actor,
                           comment=comment, subject=subject)

    def review_events(self, project: str, graph_name: str, number: int | None = None) -> list[ReviewEventInfo]:
        """Review events oldest first, for one version or every version of the graph."""
        return self._read(review.list_review_events, project, graph_name, number)

    # --- the LLM exchange log ---------------------------------------------
    # The Store is an ``assistant.llm.ExchangeSink``: LLMClient(..., sink=store).

    def record_exchange(self, record: ExchangeRecord) -> int:
        """Append one LLM exchange to the log; returns its id."""
        return self._write(exchanges.record_exchange, record)

    def list_exchanges(self, *, limit: int = 50, project: str | None = None,
                       template: str | None = None) -> list[ExchangeRecord]:
        """The newest ``limit`` exchanges, newest first, optionally for one project or template name."""
        return self._read(exchanges.list_exchanges, limit=limit, project=project, template=template)

    def get_exchange(self, exchange_id: int) -> ExchangeRecord:
        return self._read(exchanges.get_exchange, exchange_id)

    def find_cached(self, request_hash: str) -> ExchangeRecord | None:
        """The most recent exchange with ``request_hash`` whose answer validated, if any."""
        return self._read(exchanges.find_cached, request_hash)

    # --- critiques ----------------------------------------------------------

    def record_critique(self, project: str, graph_name: str, version_number: int, report: CritiqueReport, *,
                        author: str, data_sha256: str | None = None, rules: str | None = None) -> CritiqueInfo:
        """Store ``report`` against the version it judged; stored critiques are never changed.

        ``data_sha256`` is the sha256 of the data file the critique read (None:
        no data); ``rules`` defaults to the ids of the rules in the report.
        """
        return self._write(critiques.record_critique, project, graph_name, version_number, report, author=author,
                           data_sha256=data_sha256, rules=rules)

    def list_critiques(self, project: str, graph_name: str, version: int | None = None) -> list[CritiqueInfo]:
        """Stored critiques of one version (every version if None), newest first."""
        return self._read(critiques.list_critiques, project, graph_name, version)

    def get_critique(self, critique_id: int) -> CritiqueInfo:
        return self._read(critiques.get_critique, critique_id)

    # --- analysis runs ------------------------------------------------------

    def start_analysis(self, project: str, graph_name: str, version_number: int, spec: object, *, author: str,
                       data_sha256: str | None = None) -> AnalysisRunInfo:
        """Record a ``running`` analysis of a version; ``spec`` is an AnalysisSpec/QuerySpec (or its JSON)."""
        return self._write(analyses.start_run, project, graph_name, version_number, spec, author=author,
                           data_sha256=data_sha256)

    def finish_analysis(self, run_id: int, result: object, *, duration_seconds: float | None = None,
                        data_sha256: str | None = None) -> AnalysisRunInfo:
        """Mark a running analysis ``succeeded`` with its result; ended runs are never changed."""
        return self._write(analyses.finish_run, run_id, result, duration_seconds=duration_seconds,
                           data_sha256=data_sha256)

    def fail_analysis(self, run_id: int, error: object, *, cancelled: bool = False,
                      duration_seconds: float | None = None) -> AnalysisRunInfo:
        """Mark a running analysis ``failed`` (or ``cancelled``) with its error (a typed error, dict or text)."""
        return self._write(analyses.fail_run, run_id, error, cancelled=cancelled, duration_seconds=duration_seconds)

    def list_analyses(self, project: str, graph_name: str, version: int | None = None) -> list[AnalysisRunInfo]:
        """Analysis runs on one version (every version if None), newest first."""
        return self._read(analyses.list_runs, project, graph_name, version)

    def get_analysis(self, run_id: int) -> AnalysisRunInfo:
        return self._read(analyses.get_run, run_id)

    # --- background draft jobs ----------------------------------------------

    def start_draft(self, project: str, dataset: str, request: object, *, author: str, backend: str, job_id: str,
                    queue: str, graph_name: str | None = None, options: dict | None = None) -> DraftJobInfo:
        """Record a ``running`` (queued) draft on every row of stored ``dataset``; ``request`` is a DraftRequest.

        ``options`` are the backend's knobs (``alpha``: the tests' significance level; ``cache``: serve
        identical LLM requests from the exchange log).
        """
        return self._write(drafts.start_draft, project, dataset, request, author=author, backend=backend,
                           job_id=job_id, queue=queue, graph_name=graph_name, options=options)

    def finish_draft(self, draft_id: int, result: object, *, duration_seconds: float | None = None) -> DraftJobInfo:
        """Mark a running draft job ``succeeded`` with its DraftResult; ended draft jobs are never changed."""
        return self._write(drafts.finish_draft, draft_id, result, duration_seconds=duration_seconds)

    def fail_draft(self, draft_id: int, error: object, *, cancelled: bool = False,
                   duration_seconds: float | None = None) -> DraftJobInfo:
        """Mark a running draft job ``failed`` (or ``cancelled``) with its error (a typed error, dict or text)."""
        return self._write(drafts.fail_draft, draft_id, error, cancelled=cancelled, duration_seconds=duration_seconds)

    def list_drafts(self, project: str, *, limit: int | None = None) -> list[DraftJobInfo]:
        """The project's background draft jobs, newest first."""
        return self._read(drafts.list_drafts, project, limit=limit)

    def count_drafts(self, project: str) -> int:
        return self._read(drafts.count_drafts, project)

    def get_draft(self, draft_id: int) -> DraftJobInfo:
        return self._read(drafts.get_draft, draft_id)

    # --- working copies -----------------------------------------------------

    def put_working_copy(self, project: str, graph_name: str, user: str, graph: CausalGraph, *, base_version: int,
                         message: str = "") -> WorkingCopyInfo:
        """Keep ``user``'s unsaved edits of a graph (replacing any earlier ones); not a version."""
        return self._write(working_copies.put_working_copy, project, graph_name, user, graph,
                           base_version=base_version, message=message)

    def get_working_copy(self, project: str, graph_name: str, user: str) -> WorkingCopyInfo | None:
        """``user``'s unsaved edits of the graph, or None."""
        return self._read(working_copies.get_working_copy, project, graph_name, user)

    def discard_working_copy(self, project: str, graph_name: str, user: str) -> bool:
        """Forget ``user``'s unsaved edits (after a save, or on request); True if there were any."""
        return self._write(working_copies.discard_working_copy, project, graph_name, user)

    # --- the audit log -------------------------------------------------------

    def audit_log(self, *, project: str | None = None, graph_name: str | None = None, actor: str | None = None,
                  since: datetime | None = None, limit: int | None = None) -> list[AuditEntryInfo]:
        """Who changed what and when, oldest first (the newest ``limit`` entries if given).

        Every write method above adds its entry in its own transaction; the log is append-only.
        """
        return self._read(audit.list_entries, project=project, graph_name=graph_name, actor=actor, since=since,
                          limit=limit)

    def row_counts(self) -> dict[str, int]:
        """Rows per table (diagnostics and tests)."""
        return self._read(catalog.count_rows)
