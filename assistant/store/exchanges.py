"""The LLM exchange log: insert and read ``llm_exchanges`` rows on an open connection.

Every function takes a :class:`~sqlalchemy.Connection` already inside the
transaction that :class:`~assistant.store.Store` opened; none commits.  Rows
are written once and never updated.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select
from sqlalchemy import exc as sa_exc

from assistant.errors import InputError, NotFoundError
from assistant.store.info import ExchangeRecord, now, utc
from assistant.store.tables import graph_versions, llm_exchanges

MAX_LIST = 10_000
_COLUMNS = [c.name for c in llm_exchanges.columns if c.name not in ("id", "created_at")]


def _record(row: Row[Any]) -> ExchangeRecord:
    values = dict(row._mapping)
    values["created_at"] = utc(values["created_at"])
    return ExchangeRecord.model_validate(values)


def record_exchange(conn: Connection, record: ExchangeRecord) -> int:
    if not isinstance(record, ExchangeRecord):
        raise InputError(f"expected an ExchangeRecord, not {type(record).__name__}")
    if record.version_id is not None and conn.execute(
            select(graph_versions.c.id).where(graph_versions.c.id == record.version_id)).first() is None:
        raise NotFoundError(f"no graph version with id {record.version_id} (the exchange's version_id)")
    values = record.model_dump(include=set(_COLUMNS))
    values["created_at"] = record.created_at or now()
    try:
        return int(conn.execute(insert(llm_exchanges).values(**values).returning(llm_exchanges.c.id)).scalar_one())
    except sa_exc.IntegrityError as exc:
        raise InputError(f"cannot record the exchange: {exc.orig}") from exc


def list_exchanges(conn: Connection, *, limit: int = 50, project: str | None = None,
                   template: str | None = None) -> list[ExchangeRecord]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise InputError(f"limit must be a whole number from 1 to {MAX_LIST}, not {limit!r}")
    query = select(llm_exchanges).order_by(llm_exchanges.c.id.desc()).limit(limit)
    if project is not None:
        query = query.where(llm_exchanges.c.project == project)
    if template is not None:
        query = query.where(llm_exchanges.c.template_name == template)
    return [_record(row) for row in conn.execute(query)]


def get_exchange(conn: Connection, exchange_id: int) -> ExchangeRecord:
    if isinstance(exchange_id, bool) or not isinstance(exchange_id, int) or abs(exchange_id) > 2**63 - 1:
        raise InputError(f"an exchange id is a whole number, not {exchange_id!r}")
    row = conn.execute(select(llm_exchanges).where(llm_exchanges.c.id == exchange_id)).first()
    if row is None:
        raise NotFoundError(f"no LLM exchange with id {exchange_id}", hint="`causal-assistant llm log` lists them")
    return _record(row)


def find_cached(conn: Connection, request_hash: str) -> ExchangeRecord | None:
    """The most recent exchange with this hash whose answer validated (None if there is none)."""
    query = (select(llm_exchanges)
             .where(llm_exchanges.c.request_hash == request_hash, llm_exchanges.c.error.is_(None),
                    llm_exchanges.c.parsed.is_not(None))
             .order_by(llm_exchanges.c.id.desc()).limit(1))
    row = conn.execute(query).first()
    return _record(row) if row is not None else None
