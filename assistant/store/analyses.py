"""Stored analysis runs: start, finish, fail, list and read ``analysis_runs`` rows on an open connection.

A run is recorded against the graph version it analysed.  It is inserted as
``running`` when the analysis starts (so a crash leaves a visible trace) and
moved exactly once to ``succeeded`` with its result, or to ``failed`` /
``cancelled`` with its error.  A run that has ended is never changed again.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from assistant.errors import InputError, InvalidTransitionError, NotFoundError
from assistant.store import audit
from assistant.store.catalog import check_label, graph_row
from assistant.store.info import AnalysisRunInfo, now, utc
from assistant.store.tables import analysis_runs, graph_versions, graphs, projects
from assistant.store.versions import MAX_SQL_INT, check_number, version_row

_SHA256 = re.compile(r"[0-9a-f]{64}")
ENDED = ("succeeded", "failed", "cancelled")

_QUERY = (select(analysis_runs, graph_versions.c.number.label("version_number"), graphs.c.name.label("graph_name"),
                 projects.c.name.label("project_name"))
          .join(graph_versions, graph_versions.c.id == analysis_runs.c.graph_version_id)
          .join(graphs, graphs.c.id == graph_versions.c.graph_id)
          .join(projects, projects.c.id == graphs.c.project_id))


def _json(value: Any, what: str) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a JSON object (or a pydantic model), not {type(value).__name__}")
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} is not valid JSON: {exc}") from exc


def _info(row: Row[Any]) -> AnalysisRunInfo:
    return AnalysisRunInfo(
        id=row.id, project=row.project_name, graph_name=row.graph_name, version=row.version_number,
        version_id=row.graph_version_id, created_at=utc(row.created_at), created_by=row.created_by,
        status=row.status, spec=json.loads(row.spec), result=None if row.result is None else json.loads(row.result),
        error=None if row.error is None else json.loads(row.error), data_sha256=row.data_sha256,
        duration_seconds=row.duration_seconds)


def _check_sha256(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise InputError(f"data_sha256 must be 64 lowercase hex digits (a sha256), not {value!r}")
    return value


def _check_duration(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise InputError(f"duration must be a non-negative number of seconds, not {value!r}")
    return float(value)


def start_run(conn: Connection, project: str, graph_name: str, number: int, spec: Any, *, author: str,
              data_sha256: str | None = None) -> AnalysisRunInfo:
    check_label("author", author)
    payload = _json(spec, "spec")
    data_sha256 = _check_sha256(data_sha256)
    graph = graph_row(conn, project, graph_name)
    version = version_row(conn, graph, project, check_number(number))
    new_id = conn.execute(insert(analysis_runs).values(
        graph_version_id=version.id, created_at=now(), created_by=author, status="running", spec=payload,
        data_sha256=data_sha256).returning(analysis_runs.c.id)).scalar_one()
    info = get_run(conn, int(new_id))
    audit.record(conn, author, "analysis.start", project=project, graph_name=graph_name, version=info.version,
                 subject=f"run {info.id}", details={"data_sha256": data_sha256})
    return info


def _end(conn: Connection, run_id: int, values: dict[str, Any]) -> AnalysisRunInfo:
    current = get_run(conn, run_id)
    if current.status in ENDED:
        raise InvalidTransitionError(f"analysis run {run_id} already ended ({current.status}); runs are never "
                                     "changed once they end")
    done = conn.execute(update(analysis_runs).where(analysis_runs.c.id == run_id,
                                                    analysis_runs.c.status == "running").values(**values))
    if done.rowcount != 1:  # another writer ended it between our read and our update
        raise InvalidTransitionError(f"analysis run {run_id} was ended concurrently")
    ended = get_run(conn, run_id)
    details: dict[str, Any] = {"duration_seconds": ended.duration_seconds}
    if ended.error is not None:
        details["error"] = ended.error.get("code")
    audit.record(conn, ended.created_by, f"analysis.{ended.status}", project=ended.project,
                 graph_name=ended.graph_name, version=ended.version, subject=f"run {run_id}", details=details)
    return ended


def finish_run(conn: Connection, run_id: int, result: Any, *, duration_seconds: float | None = None,
               data_sha256: str | None = None) -> AnalysisRunInfo:
    values: dict[str, Any] = {"status": "succeeded", "result": _json(result, "result"),
                              "duration_seconds": _check_duration(duration_seconds)}
    if data_sha256 is not None:
        values["data_sha256"] = _check_sha256(data_sha256)
    return _end(conn, _check_id(run_id), values)


def error_record(error: Any) -> Any:
    """How an error is stored (of a run or a draft job): a typed error's own dict, any other exception's
    type and message, a message, or a dict given as is."""
    if isinstance(error, BaseException):
        return error.as_dict() if hasattr(error, "as_dict") else {"code": type(error).__name__,
                                                                  "message": str(error)}
    if isinstance(error, str):
        return {"code": "error", "message": error}
    return error


def fail_run(conn: Connection, run_id: int, error: Any, *, cancelled: bool = False,
             duration_seconds: float | None = None) -> AnalysisRunInfo:
    values = {"status": "cancelled" if cancelled else "failed", "error": _json(error_record(error), "error"),
              "duration_seconds": _check_duration(duration_seconds)}
    return _end(conn, _check_id(run_id), values)


def list_runs(conn: Connection, project: str, graph_name: str, number: int | None = None) -> list[AnalysisRunInfo]:
    """Runs on one version (or on every version when ``number`` is None), newest first."""
    graph = graph_row(conn, project, graph_name)
    query = _QUERY.where(graph_versions.c.graph_id == graph.id)
    if number is not None:
        query = query.where(graph_versions.c.id == version_row(conn, graph, project, check_number(number)).id)
    return [_info(row) for row in conn.execute(query.order_by(analysis_runs.c.id.desc()))]


def _check_id(run_id: Any) -> int:
    if isinstance(run_id, bool) or not isinstance(run_id, int) or abs(run_id) > MAX_SQL_INT:
        raise InputError(f"an analysis run id is a whole number, not {run_id!r}")
    return run_id


def get_run(conn: Connection, run_id: int) -> AnalysisRunInfo:
    row = conn.execute(_QUERY.where(analysis_runs.c.id == _check_id(run_id))).first()
    if row is None:
        raise NotFoundError(f"no stored analysis run with id {run_id}")
    return _info(row)
