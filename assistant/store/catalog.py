"""Projects, datasets and the graph catalogue: lookups and inserts on an open connection.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.
"""

from __future__ import annotations

import hashlib
from typing import Any, Sequence

from sqlalchemy import Connection, Row, func, insert, select
from sqlalchemy import exc as sa_exc

from assistant.errors import InputError, NotFoundError
from assistant.model import DatasetProfile
from assistant.model.variable import check_name
from assistant.errors import AlreadyExistsError
from assistant.store import audit
from assistant.store.info import DatasetInfo, GraphInfo, ProjectInfo, now, utc
from assistant.store.tables import datasets, graph_versions, graphs, projects


def check_label(kind: str, value: str) -> str:
    """Names and authors are free text, but never empty, padded, over-long or with control characters."""
    if not isinstance(value, str):
        raise InputError(f"{kind} must be text, not {type(value).__name__}")
    try:
        return check_name(value)
    except ValueError as exc:
        raise InputError(f"invalid {kind}: {str(exc).replace('variable name', kind)}") from exc


def _known(names: Sequence[str]) -> str | None:
    if not names:
        return None
    shown = ", ".join(repr(n) for n in names[:12])
    return f"known: {shown}" + ("" if len(names) <= 12 else f" (and {len(names) - 12} more)")


def project_row(conn: Connection, name: str) -> Row[Any]:
    row = conn.execute(select(projects).where(projects.c.name == name)).first()
    if row is None:
        names = list(conn.execute(select(projects.c.name).order_by(projects.c.name)).scalars())
        raise NotFoundError(f"no project named {name!r}", hint=_known(names) or "create one first")
    return row


def graph_row(conn: Connection, project: str, name: str, *, for_update: bool = False) -> Row[Any]:
    """The graphs row (locked with ``FOR UPDATE`` on PostgreSQL if ``for_update``)."""
    pid = project_row(conn, project).id
    query = select(graphs).where(graphs.c.project_id == pid, graphs.c.name == name)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        names = list(conn.execute(select(graphs.c.name).where(graphs.c.project_id == pid)
                                  .order_by(graphs.c.name)).scalars())
        raise NotFoundError(f"project {project!r} has no graph named {name!r}", hint=_known(names))
    return row


def _is_unique_violation(exc: sa_exc.IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


# --- projects -------------------------------------------------------------


def _project_info(row: Row[Any]) -> ProjectInfo:
    return ProjectInfo(name=row.name, description=row.description, created_at=utc(row.created_at),
                       created_by=row.created_by)


def create_project(conn: Connection, name: str, description: str, author: str) -> ProjectInfo:
    check_label("project name", name)
    check_label("author", author)
    if not isinstance(description, str):
        raise InputError(f"the description must be text, not {type(description).__name__}")
    if conn.execute(select(projects.c.id).where(projects.c.name == name)).first() is not None:
        raise AlreadyExistsError(f"a project named {name!r} already exists", hint="choose another name")
    values = dict(name=name, description=description, created_at=now(), created_by=author)
    try:
        conn.execute(insert(projects).values(**values))
    except sa_exc.IntegrityError as exc:  # a concurrent creator won the race
        if _is_unique_violation(exc):
            raise AlreadyExistsError(f"a project named {name!r} already exists") from exc
        raise
    audit.record(conn, author, "project.create", project=name, details={"description": description} if description
                 else None)
    return ProjectInfo(**values)


def list_projects(conn: Connection) -> list[ProjectInfo]:
    return [_project_info(r) for r in conn.execute(select(projects).order_by(projects.c.name))]


def get_project(conn: Connection, name: str) -> ProjectInfo:
    return _project_info(project_row(conn, name))


# --- datasets -------------------------------------------------------------

_DATASET_COLUMNS = [c for c in datasets.c if c.name != "content"]


def _dataset_info(project: str, row: Row[Any]) -> DatasetInfo:
    return DatasetInfo(project=project, name=row.name, file_name=row.file_name, content_hash=row.content_hash,
                       size_bytes=row.size_bytes, profile=DatasetProfile.model_validate(row.profile),
                       created_at=utc(row.created_at), created_by=row.created_by)


def add_dataset(conn: Connection, project: str, name: str, *, content: bytes, profile: DatasetProfile,
                author: str, file_name: str) -> DatasetInfo:
    check_label("dataset name", name)
    check_label("author", author)
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise InputError(f"dataset content must be bytes, not {type(content).__name__}")
    if not isinstance(profile, DatasetProfile):
        raise InputError(f"the dataset profile must be a DatasetProfile, not {type(profile).__name__}")
    content = bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    if profile.content_hash and profile.content_hash != digest:
        raise InputError(f"the profile of dataset {name!r} was computed from other content "
                         f"(sha256 {profile.content_hash[:12]}..., the content given is {digest[:12]}...)",
                         hint="profile the file you are storing")
    file_name = file_name or profile.file_name
    profile = profile.model_copy(update={"content_hash": digest, "file_name": file_name})
    pid = project_row(conn, project).id
    exists = select(datasets.c.id).where(datasets.c.project_id == pid, datasets.c.name == name)
    if conn.execute(exists).first() is not None:
        raise AlreadyExistsError(f"project {project!r} already has a dataset named {name!r}",
                                 hint="choose another name")
    values = dict(project_id=pid, name=name, file_name=file_name, content_hash=digest, size_bytes=len(content),
                  profile=profile.model_dump(mode="json"), content=content, created_at=now(), created_by=author)
    try:
        conn.execute(insert(datasets).values(**values))
    except sa_exc.IntegrityError as exc:
        if _is_unique_violation(exc):
            raise AlreadyExistsError(f"project {project!r} already has a dataset named {name!r}") from exc
        raise
    audit.record(conn, author, "dataset.add", project=project, subject=name,
                 details={"file_name": file_name, "sha256": digest, "size_bytes": len(content),
                          "rows": profile.n_rows, "columns": len(profile.columns)})
    return DatasetInfo(project=project, name=name, file_name=file_name, content_hash=digest,
                       size_bytes=len(content), profile=profile, created_at=values["created_at"], created_by=author)


def _dataset_row(conn: Connection, project: str, name: str, columns: Sequence[Any]) -> Row[Any]:
    pid = project_row(conn, project).id
    row = conn.execute(select(*columns).where(datasets.c.project_id == pid, datasets.c.name == name)).first()
    if row is None:
        names = list(conn.execute(select(datasets.c.name).where(datasets.c.project_id == pid)
                                  .order_by(datasets.c.name)).scalars())
        raise NotFoundError(f"project {project!r} has no dataset named {name!r}", hint=_known(names))
    return row


def list_datasets(conn: Connection, project: str) -> list[DatasetInfo]:
    pid = project_row(conn, project).id
    rows = conn.execute(select(*_DATASET_COLUMNS).where(datasets.c.project_id == pid).order_by(datasets.c.name))
    return [_dataset_info(project, r) for r in rows]


def get_dataset(conn: Connection, project: str, name: str) -> DatasetInfo:
    return _dataset_info(project, _dataset_row(conn, project, name, _DATASET_COLUMNS))


def dataset_content(conn: Connection, project: str, name: str) -> bytes:
    return bytes(_dataset_row(conn, project, name, [datasets.c.content]).content)


# --- graphs ---------------------------------------------------------------


def insert_graph(conn: Connection, project: str, name: str, author: str) -> int:
    """Insert an empty graphs row (no head yet) and return its id."""
    check_label("graph name", name)
    check_label("author", author)
    pid = project_row(conn, project).id
    if conn.execute(select(graphs.c.id).where(graphs.c.project_id == pid, graphs.c.name == name)).first():
        raise AlreadyExistsError(f"project {project!r} already has a graph named {name!r}",
                                 hint="choose another name, or save a new version of the existing graph")
    try:
        result = conn.execute(insert(graphs).values(project_id=pid, name=name, created_at=now(), created_by=author))
    except sa_exc.IntegrityError as exc:
        if _is_unique_violation(exc):
            raise AlreadyExistsError(f"project {project!r} already has a graph named {name!r}") from exc
        raise
    return int(result.inserted_primary_key[0])


def list_graphs(conn: Connection, project: str) -> list[GraphInfo]:
    pid = project_row(conn, project).id
    head = graph_versions.alias("head")
    query = (select(graphs.c.name, graphs.c.created_at, graphs.c.created_by, head.c.number, head.c.status,
                    head.c.created_at.label("updated_at"), head.c.author)
             .join(head, head.c.id == graphs.c.head_version_id)
             .where(graphs.c.project_id == pid).order_by(graphs.c.name))
    return [GraphInfo(project=project, name=r.name, head=r.number, head_status=r.status,
                      created_at=utc(r.created_at), created_by=r.created_by, updated_at=utc(r.updated_at),
                      updated_by=r.author)
            for r in conn.execute(query)]


def count_rows(conn: Connection) -> dict[str, int]:
    """Rows per store table; for tests and ``db status``."""
    from assistant.store.tables import metadata

    return {name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in sorted(metadata.tables.items())}
