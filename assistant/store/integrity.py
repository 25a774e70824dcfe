"""The store's integrity check (``causal-assistant db check``): is every version where it should be?

A save is one transaction, so a crash, a killed connection or a locked file
must leave either the whole version or nothing.  :func:`check_integrity`
verifies that on a live database, read-only:

* SQLite only: ``PRAGMA integrity_check`` (the file's b-trees and pages).
* Every graph has a head, the head is a version *of that graph*, and it is
  the graph's newest version.
* Version numbers of a graph are exactly 1, 2, ..., n.
* Version 1 has no parent; every later version has a parent in the same
  graph with a smaller number.
* ``content`` is a valid :class:`~assistant.model.CausalGraph` and
  ``content_hash`` is the sha256 of its canonical JSON.
* Datasets: ``content_hash`` and ``size_bytes`` match ``content``.
* No orphan rows: every foreign key of the schema points at a row that
  exists (checked with joins, so also on a SQLite file written with foreign
  keys off), a working copy's base version belongs to its graph, and a
  draft job's dataset belongs to its project.

Each problem names its table and row id.  Analysis runs and draft jobs still ``running`` are
reported as notes, not problems: a process that died mid-analysis leaves
one, by design (``docs/store.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Text, cast, select
from sqlalchemy import exc as sa_exc

from assistant.errors import CausalAssistantError
from assistant.model import CausalGraph
from assistant.store.db import READ_ONLY
from assistant.store.info import canonical_json
from assistant.store.tables import (
    analysis_runs, critiques, datasets, draft_jobs, graph_versions, graphs, llm_exchanges, projects, review_events,
    working_copies,
)

MAX_SQLITE_MESSAGES = 50


@dataclass(frozen=True)
class Problem:
    code: str
    table: str
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table} {self.row_id}" if self.row_id is not None else self.table
        return f"[{self.code}] {where}: {self.message}"


@dataclass
class IntegrityReport:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, table: str, row_id: int | None, message: str) -> None:
        self.problems.append(Problem(code, table, row_id, message))

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [asdict(p) for p in self.problems], "notes": list(self.notes),
                "counts": dict(self.counts)}

    def summary(self) -> str:
        checked = (f"{self.counts.get('graphs', 0)} graphs, {self.counts.get('graph_versions', 0)} versions checked"
                   if self.counts else "the file check failed, so the rows were not checked")
        if self.ok:
            return f"integrity: ok ({checked})"
        n = len(self.problems)
        return f"integrity: {n} problem{'s' if n != 1 else ''} ({checked})"


def check_integrity(engine: Engine, *, file_checks: bool = True,
                    report: IntegrityReport | None = None) -> IntegrityReport:
    """Check the store on ``engine`` (read-only; see the module docstring).

    ``file_checks=False`` skips the SQLite PRAGMAs (when :func:`check_sqlite_file` already ran).
    """
    report = report if report is not None else IntegrityReport()
    if file_checks and engine.dialect.name == "sqlite":
        check_sqlite_file(engine, report)
        if not report.ok:
            return report
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        try:
            _graphs_and_versions(conn, report)
            _datasets(conn, report)
            _orphans(conn, report)
            _review_trail(conn, report)
            _notes(conn, report)
        finally:
            conn.rollback()
    return report


def check_sqlite_file(engine: Engine, report: IntegrityReport) -> IntegrityReport:
    """``PRAGMA integrity_check``; a file too damaged to check at all is one problem."""
    try:
        with engine.connect() as conn:  # connecting runs PRAGMAs, which fail on a damaged schema
            conn.execution_options(**{READ_ONLY: True})
            try:
                _sqlite_pragmas(conn, report)
            finally:
                conn.rollback()
    except sa_exc.DatabaseError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()
        if "malformed" not in reason and "not a database" not in reason:
            raise
        report.add("sqlite-integrity", "(file)", None, f"the file cannot be checked: {reason}")
    return report


def _sqlite_pragmas(conn: Connection, report: IntegrityReport) -> None:
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        for message in rows[:MAX_SQLITE_MESSAGES]:
            report.add("sqlite-integrity", "(file)", None, str(message))


def _graphs_and_versions(conn: Connection, report: IntegrityReport) -> None:
    graph_rows = {r.id: r for r in conn.execute(select(graphs.c.id, graphs.c.name, graphs.c.head_version_id))}
    # Pass 1, without content: numbers, parents and heads.
    meta = {r.id: r for r in conn.execute(
        select(graph_versions.c.id, graph_versions.c.graph_id, graph_versions.c.number, graph_versions.c.parent_id))}
    report.counts = {"graphs": len(graph_rows), "graph_versions": len(meta)}
    by_graph: dict[int, list[Any]] = defaultdict(list)
    for v in meta.values():
        by_graph[v.graph_id].append(v)

    for v in meta.values():
        if v.graph_id not in graph_rows:
            report.add("orphan", "graph_versions", v.id, f"belongs to graph {v.graph_id}, which does not exist")
        if v.number == 1:
            if v.parent_id is not None:
                report.add("parent", "graph_versions", v.id, f"version 1 has a parent (version id {v.parent_id})")
            continue
        if v.parent_id is None:
            report.add("parent", "graph_versions", v.id, f"version {v.number} of graph {v.graph_id} has no parent")
            continue
        parent = meta.get(v.parent_id)
        if parent is None:
            report.add("parent", "graph_versions", v.id, f"its parent (version id {v.parent_id}) does not exist")
        elif parent.graph_id != v.graph_id:
            report.add("parent", "graph_versions", v.id,
                       f"its parent (version id {parent.id}) belongs to another graph ({parent.graph_id})")
        elif parent.number >= v.number:
            report.add("parent", "graph_versions", v.id,
                       f"version {v.number}'s parent is version {parent.number}, which is not older")

    for g in graph_rows.values():
        versions = sorted(by_graph.get(g.id, []), key=lambda r: r.number)
        numbers = [v.number for v in versions]
        if not versions:
            report.add("no-versions", "graphs", g.id, f"graph {g.name!r} has no versions")
        elif numbers != list(range(1, len(numbers) + 1)):
            missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
            report.add("numbering", "graphs", g.id,
                       f"graph {g.name!r}: version numbers are not 1..{len(numbers)}"
                       + (f" (missing {', '.join(map(str, missing[:10]))})" if missing else f": {numbers[:20]}"))
        if g.head_version_id is None:
            report.add("head", "graphs", g.id, f"graph {g.name!r} has no head version")
            continue
        head = meta.get(g.head_version_id)
        if head is None:
            report.add("head", "graphs", g.id,
                       f"graph {g.name!r}: its head (version id {g.head_version_id}) does not exist")
        elif head.graph_id != g.id:
            report.add("head", "graphs", g.id, f"graph {g.name!r}: its head (version id {head.id}) belongs to "
                                               f"another graph ({head.graph_id})")
        elif versions and head.number != versions[-1].number:
            report.add("head", "graphs", g.id, f"graph {g.name!r}: its head is version {head.number}, but the "
                                               f"newest version is {versions[-1].number} (id {versions[-1].id})")

    # Pass 2, streamed: content and hashes.
    # The content as text, parsed here: a row whose text is not JSON at all is reported, not raised.
    query = select(graph_versions.c.id, cast(graph_versions.c.content, Text).label("text"),
                   graph_versions.c.content_hash)
    for row in conn.execution_options(yield_per=200).execute(query):
        try:
            content = json.loads(row.text)
        except (TypeError, ValueError) as exc:
            report.add("content", "graph_versions", row.id, f"content is not JSON: {exc}")
            continue
        try:
            CausalGraph.model_validate(content)
        except (ValidationError, ValueError, TypeError, CausalAssistantError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            report.add("content", "graph_versions", row.id, f"content is not a valid graph: {first}")
            continue
        try:
            actual = hashlib.sha256(canonical_json(content)).hexdigest()
        except (TypeError, ValueError) as exc:
            report.add("content", "graph_versions", row.id, f"content cannot be hashed: {exc}")
            continue
        if actual != row.content_hash:
            report.add("hash", "graph_versions", row.id,
                       f"content_hash {str(row.content_hash)[:12]}... does not match the content ({actual[:12]}...)")


def _datasets(conn: Connection, report: IntegrityReport) -> None:
    query = select(datasets.c.id, datasets.c.content, datasets.c.content_hash, datasets.c.size_bytes)
    for row in conn.execution_options(yield_per=20).execute(query):
        content = bytes(row.content or b"")
        if hashlib.sha256(content).hexdigest() != row.content_hash:
            report.add("hash", "datasets", row.id, "content_hash does not match the stored file")
        if len(content) != row.size_bytes:
            report.add("size", "datasets", row.id, f"size_bytes is {row.size_bytes}, the file has {len(content)}")


# (table, column, referenced table, nullable)
_REFERENCES = [
    (graphs, "project_id", projects, False),
    (datasets, "project_id", projects, False),
    (review_events, "version_id", graph_versions, False),
    (critiques, "graph_version_id", graph_versions, False),
    (analysis_runs, "graph_version_id", graph_versions, False),
    (working_copies, "graph_id", graphs, False),
    (working_copies, "base_version_id", graph_versions, False),
    (llm_exchanges, "version_id", graph_versions, True),
    (draft_jobs, "project_id", projects, False),
    (draft_jobs, "dataset_id", datasets, False),
]


def _orphans(conn: Connection, report: IntegrityReport) -> None:
    for table, column, target, nullable in _REFERENCES:
        col = table.c[column]
        query = (select(table.c.id, col).select_from(table.outerjoin(target, target.c.id == col))
                 .where(target.c.id.is_(None)))
        if nullable:
            query = query.where(col.is_not(None))
        for row_id, ref in conn.execute(query.limit(200)):
            report.add("orphan", table.name, row_id, f"{column} = {ref}: no such row in {target.name}")
    wc = working_copies
    query = (select(wc.c.id, wc.c.graph_id, graph_versions.c.graph_id.label("base_graph"))
             .select_from(wc.join(graph_versions, graph_versions.c.id == wc.c.base_version_id))
             .where(graph_versions.c.graph_id != wc.c.graph_id))
    for row in conn.execute(query.limit(200)):
        report.add("orphan", "working_copies", row.id,
                   f"its base version belongs to graph {row.base_graph}, not to its graph {row.graph_id}")
    dj = draft_jobs
    query = (select(dj.c.id, dj.c.project_id, datasets.c.project_id.label("data_project"))
             .select_from(dj.join(datasets, datasets.c.id == dj.c.dataset_id))
             .where(datasets.c.project_id != dj.c.project_id))
    for row in conn.execute(query.limit(200)):
        report.add("orphan", "draft_jobs", row.id,
                   f"its dataset belongs to project {row.data_project}, not to its project {row.project_id}")


# The status each review action leaves a version in (see assistant.store.review.TRANSITIONS).
_STATUS_AFTER = {"request_review": "in_review", "approve": "validated", "reject": "rejected", "withdraw": "draft"}


def _review_trail(conn: Connection, report: IntegrityReport) -> None:
    """Every version's status is the one its last review action left it in (draft if none): a version
    set to validated by hand, without an approval, or whose approval was deleted, is named."""
    last: dict[int, str] = {}
    query = (select(review_events.c.version_id, review_events.c.action)
             .where(review_events.c.action.in_(list(_STATUS_AFTER))).order_by(review_events.c.id))
    for version_id, action in conn.execution_options(yield_per=1000).execute(query):
        last[version_id] = action
    query = select(graph_versions.c.id, graph_versions.c.status)
    for version_id, status in conn.execution_options(yield_per=1000).execute(query):
        action = last.get(version_id)
        expected = _STATUS_AFTER[action] if action else "draft"
        if status != expected:
            why = f"its last review action is {action!r}" if action else "it has no review actions"
            report.add("review-trail", "graph_versions", version_id,
                       f"status is {status!r}, but {why}, which leaves it {expected!r}")


def _notes(conn: Connection, report: IntegrityReport) -> None:
    running = list(conn.execute(select(analysis_runs.c.id).where(analysis_runs.c.status == "running")
                                .order_by(analysis_runs.c.id).limit(20)).scalars())
    if running:
        report.notes.append(f"analysis runs still marked running (ended by a crash, or still going): "
                            f"{', '.join(map(str, running))}")
    drafting = list(conn.execute(select(draft_jobs.c.id).where(draft_jobs.c.status == "running")
                                 .order_by(draft_jobs.c.id).limit(20)).scalars())
    if drafting:
        report.notes.append(f"background draft jobs still marked running (queued, working, or their job was lost): "
                            f"{', '.join(map(str, drafting))}")

