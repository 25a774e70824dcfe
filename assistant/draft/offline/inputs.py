"""Checking a draft request against its data before any search: every problem is a typed error naming the column."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from assistant.draft.spec import DraftRequest, Knowledge
from assistant.errors import DataError, InputError, UnknownVariableError
from assistant.intake.profile import profile_frame
from assistant.model import DataType
from assistant.stats.data import UNTESTABLE, PreparedData, fingerprint

MIN_ROWS = 20
ROWS_PER_VARIABLE = 5


@dataclass
class Problem:
    """A checked request: the observed variables in the data, their types, and the knowledge.

    ``names`` are the observed variables sorted by name: every search runs in
    that order, so the result does not depend on the order of the columns or
    of the specs.  ``declared`` keeps the request's order for the output.
    """

    request: DraftRequest
    names: list[str]
    types: dict[str, DataType]
    prepared: PreparedData
    knowledge: Knowledge
    latent: list[str]
    declared: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return self.prepared.n_rows


def _type_of(request: DraftRequest, data: pd.DataFrame, name: str) -> DataType:
    spec = request.spec(name)
    if spec.data_type is not None:
        return spec.data_type
    column = request.profile.column(name) if request.profile else None
    if column is not None:
        return column.inferred_type
    return profile_frame(data[[name]])[0].inferred_type


def _check_knowledge_names(request: DraftRequest) -> None:
    known = set(request.names)
    for field_name in ("required_edges", "forbidden_edges"):
        for a, b in getattr(request, field_name):
            missing = [n for n in (a, b) if n not in known]
            if missing:
                raise UnknownVariableError(missing, context=field_name, known=request.names)
    for role in ("exposure", "outcome"):
        value = getattr(request, role)
        if value is not None and value not in known:
            raise UnknownVariableError([value], context=role, known=request.names)


def check_problem(request: DraftRequest, data: pd.DataFrame) -> Problem:
    """Validate ``request`` against ``data``; raise :class:`DataError`, :class:`InputError` or
    :class:`UnknownVariableError` with the offending column named."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"the data must be a pandas DataFrame, not {type(data).__name__}")
    if data.columns.duplicated().any():
        dup = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise DataError(f"duplicate column names: {', '.join(map(repr, dup))}")
    columns = [str(c) for c in data.columns]
    absent = [v.name for v in request.variables if v.observed and v.name not in columns]
    if absent:
        raise UnknownVariableError(absent, context="the data (observed variables must be columns; "
                                                   "mark unmeasured ones observed: false)", known=columns)
    _check_knowledge_names(request)
    names = request.observed_names
    notes: list[str] = []
    unused = [c for c in columns if c not in set(request.names)]
    if unused:
        notes.append(f"columns not among the request's variables were not used: {', '.join(unused)}")
    for name in names:
        values = data[name].dropna()
        if values.empty:
            raise DataError(f"column {name!r} has no values: every row is missing",
                            hint="drop the column, or mark the variable observed: false")
        if values.nunique() == 1:
            raise DataError(f"column {name!r} is constant (every present value is {values.iloc[0]!r}): "
                            "a constant carries no information about causes", hint="drop the column")
    types = {name: _type_of(request, data, name) for name in names}
    bad = [n for n in names if types[n] in UNTESTABLE]
    if bad:
        shown = ", ".join(f"{n!r} ({types[n]})" for n in bad)
        raise DataError(f"structure search cannot use {shown}",
                        hint="give each a data type (continuous, integer, binary, categorical or ordinal) "
                             "in the variables file, or drop it")
    if len(names) < 2:
        raise DataError(f"structure search needs at least 2 usable columns, but the request has {len(names)}"
                        + (f" ({names[0]!r})" if names else ""))
    needed = max(MIN_ROWS, ROWS_PER_VARIABLE * len(names))
    if len(data) < needed:
        raise DataError(f"only {len(data)} rows for {len(names)} variables: structure search needs at least "
                        f"{needed} ({ROWS_PER_VARIABLE} per variable, and no fewer than {MIN_ROWS})",
                        hint="collect more rows or search over fewer variables")
    prepared = PreparedData.from_frame(data, types, names, data_fingerprint=fingerprint(data))
    latent = [v.name for v in request.variables if not v.observed]
    return Problem(request=request, names=sorted(names), types=types, prepared=prepared,
                   knowledge=request.knowledge(), latent=latent, declared=names, notes=notes)
