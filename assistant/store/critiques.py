"""Stored critiques: insert and read ``critiques`` rows on an open connection.

A critique is recorded against the graph version it judged, with the sha256
of the data it read (if any), the counts of errors, warnings and infos, the
rules that were selected and the whole report as JSON.  Rows are written once
and never updated or deleted: re-running a critique records a new one.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from assistant.errors import InputError, NotFoundError
from assistant.store import audit
from assistant.store.catalog import check_label, graph_row
from assistant.store.info import CritiqueInfo, now, utc
from assistant.store.tables import critiques, graph_versions, graphs, projects
from assistant.store.versions import MAX_SQL_INT, check_number, version_row

_SHA256 = re.compile(r"[0-9a-f]{64}")

_QUERY = (select(critiques, graph_versions.c.number.label("version_number"), graphs.c.name.label("graph_name"),
                 projects.c.name.label("project_name"))
          .join(graph_versions, graph_versions.c.id == critiques.c.graph_version_id)
          .join(graphs, graphs.c.id == graph_versions.c.graph_id)
          .join(projects, projects.c.id == graphs.c.project_id))


def _info(row: Row[Any]) -> CritiqueInfo:
    return CritiqueInfo(id=row.id, project=row.project_name, graph_name=row.graph_name, version=row.version_number,
                        version_id=row.graph_version_id, created_at=utc(row.created_at), created_by=row.created_by,
                        data_sha256=row.data_sha256, errors=row.errors, warnings=row.warnings, infos=row.infos,
                        rules=row.rules, report=json.loads(row.report))


def _check_sha256(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.fullmatch(value):
        raise InputError(f"data_sha256 must be 64 lowercase hex digits (a sha256), not {value!r}")
    return value


def _check_report(report: Any):
    from assistant.critique.finding import CritiqueReport

    if not isinstance(report, CritiqueReport):
        raise InputError(f"expected a CritiqueReport, not {type(report).__name__}")
    return report


def record_critique(conn: Connection, project: str, graph_name: str, number: int, report: Any, *, author: str,
                    data_sha256: str | None = None, rules: str | None = None) -> CritiqueInfo:
    report = _check_report(report)
    check_label("author", author)
    data_sha256 = _check_sha256(data_sha256)
    if rules is None:
        rules = ",".join(r.rule for r in report.rules)
    elif not isinstance(rules, str):
        raise InputError(f"rules must be text, not {type(rules).__name__}")
    graph = graph_row(conn, project, graph_name)
    version = version_row(conn, graph, project, check_number(number))
    counts = report.counts
    payload = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, allow_nan=False, sort_keys=True)
    new_id = conn.execute(insert(critiques).values(
        graph_version_id=version.id, created_at=now(), created_by=author, data_sha256=data_sha256,
        errors=counts["error"], warnings=counts["warning"], infos=counts["info"], rules=rules,
        report=payload).returning(critiques.c.id)).scalar_one()
    audit.record(conn, author, "critique.record", project=project, graph_name=graph_name, version=version.number,
                 subject=f"critique {new_id}", details={"errors": counts["error"], "warnings": counts["warning"],
                                                         "infos": counts["info"], "data_sha256": data_sha256})
    return get_critique(conn, int(new_id))


def list_critiques(conn: Connection, project: str, graph_name: str, number: int | None = None) -> list[CritiqueInfo]:
    """Critiques of one version (or of every version when ``number`` is None), newest first."""
    graph = graph_row(conn, project, graph_name)
    query = _QUERY.where(graph_versions.c.graph_id == graph.id)
    if number is not None:
        query = query.where(graph_versions.c.id == version_row(conn, graph, project, check_number(number)).id)
    return [_info(row) for row in conn.execute(query.order_by(critiques.c.id.desc()))]


def get_critique(conn: Connection, critique_id: int) -> CritiqueInfo:
    if isinstance(critique_id, bool) or not isinstance(critique_id, int) or abs(critique_id) > MAX_SQL_INT:
        raise InputError(f"a critique id is a whole number, not {critique_id!r}")
    row = conn.execute(_QUERY.where(critiques.c.id == critique_id)).first()
    if row is None:
        raise NotFoundError(f"no stored critique with id {critique_id}")
    return _info(row)
