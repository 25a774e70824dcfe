"""The versioned graph store: projects, datasets, and every version of every graph.

Backed by SQLite (default: one file in the per-user data directory) or
PostgreSQL (``DATABASE_URL``), with the schema managed by Alembic
(``migrations/``).  See ``docs/store.md`` for the schema, the version
lifecycle and the concurrency model.

Modules: :mod:`~assistant.store.db` (engines), :mod:`~assistant.store.tables`
(schema), :mod:`~assistant.store.migrate` (Alembic),
:mod:`~assistant.store.repository` (the :class:`Store`), and the pieces it
delegates to: :mod:`~assistant.store.catalog`, :mod:`~assistant.store.versions`,
:mod:`~assistant.store.review`, :mod:`~assistant.store.blame`,
:mod:`~assistant.store.exchanges` (the LLM exchange log),
:mod:`~assistant.store.critiques` (stored critique reports) and
:mod:`~assistant.store.analyses` (analysis runs),
:mod:`~assistant.store.drafts` (background draft jobs) and
:mod:`~assistant.store.audit` (who changed what, and when).
"""

from assistant.errors import AlreadyExistsError
from assistant.store.info import (
    AnalysisRunInfo, AuditEntryInfo, CritiqueInfo, DatasetInfo, DraftJobInfo, EdgeBlame, ExchangeRecord, GraphInfo, ProjectInfo, ReviewAction, ReviewEventInfo,
    VersionInfo, VersionStatus, WorkingCopyInfo,
)
from assistant.store.repository import Store

__all__ = [
    "AlreadyExistsError", "AnalysisRunInfo", "AuditEntryInfo", "CritiqueInfo", "DatasetInfo", "DraftJobInfo", "EdgeBlame", "ExchangeRecord", "GraphInfo", "ProjectInfo",
    "ReviewAction", "ReviewEventInfo",
    "Store", "VersionInfo", "VersionStatus", "WorkingCopyInfo",
]
