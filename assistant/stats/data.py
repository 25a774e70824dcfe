"""Data prepared for testing: each column encoded once as numbers, with its kind and missingness.

The tests and scores in this package see a column as one of two *kinds*:

* ``continuous`` — real numbers (data types ``continuous`` and ``integer``, and
  ``ordinal`` columns with more than :data:`MAX_DISCRETE_LEVELS` levels);
* ``discrete`` — a handful of unordered levels (``binary``, ``categorical``,
  and ``ordinal`` with few levels), stored as integer codes ``0..levels-1``.

``text``, ``datetime`` and ``unknown`` columns cannot be tested: preparing them
raises :class:`~assistant.errors.DataError` naming the column.  Missing values
stay in the encoding (``NaN`` / code ``-1``) and are dropped per test, so each
test uses every row that is complete *in the columns it looks at*.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from assistant.errors import DataError, UnknownVariableError
from assistant.model import DataType

Kind = Literal["continuous", "discrete"]

#: Ordinal columns with at most this many levels are tested as discrete.
MAX_DISCRETE_LEVELS = 10
UNTESTABLE: frozenset[str] = frozenset({"text", "datetime", "unknown"})


def fingerprint(data: pd.DataFrame) -> str:
    """A sha256 of a frame's column names, dtypes and values (row order matters, the index does not).

    >>> a = pd.DataFrame({"x": [1, 2, 3]})
    >>> fingerprint(a) == fingerprint(a.copy()) != fingerprint(a.assign(x=[1, 2, 4]))
    True
    """
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in data.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def kind_of(data_type: DataType, levels: int) -> Kind:
    """How a column of ``data_type`` with ``levels`` distinct values is tested."""
    if data_type in UNTESTABLE:
        raise ValueError(f"{data_type} columns cannot be tested")
    if data_type in ("continuous", "integer"):
        return "continuous"
    if data_type == "ordinal" and levels > MAX_DISCRETE_LEVELS:
        return "continuous"
    return "discrete"


def _numeric(series: pd.Series) -> np.ndarray | None:
    """The column as float64 (NaN for missing), or None when a present value is not a number."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiu":  # plain numpy numbers: nothing to parse
        return series.to_numpy(dtype="float64", copy=True)
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64").to_numpy()
    converted = pd.to_numeric(series, errors="coerce")
    if (converted.isna() & series.notna()).any():
        return None
    return converted.astype("float64").to_numpy()


def _codes(series: pd.Series) -> tuple[np.ndarray, int]:
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:  # mixed types that do not sort: compare them as text
        codes, uniques = pd.factorize(series.map(lambda v: v if pd.isna(v) else str(v)), sort=True)
    return codes.astype(np.int64), len(uniques)


class _LazyCodes(Mapping[str, "np.ndarray | int"]):
    """Codes (or level counts) of columns, factorized on first access.

    Continuous columns are tested on their values, so their codes — a sort of
    every value — are computed only if something asks for them.
    """

    def __init__(self, series: Mapping[str, pd.Series], known: dict[str, tuple[np.ndarray, int]], part: int):
        self._series, self._known, self._part = series, known, part

    def __getitem__(self, name: str):
        if name not in self._known:
            self._known[name] = _codes(self._series[name])  # KeyError for an unknown name, as a dict would
        return self._known[name][self._part]

    def __iter__(self):
        return iter(self._series)

    def __len__(self) -> int:
        return len(self._series)


@dataclass(frozen=True, eq=False)
class PreparedData:
    """Columns encoded for testing; build it with :meth:`from_frame`."""

    names: tuple[str, ...]
    types: Mapping[str, DataType]
    kinds: Mapping[str, Kind]
    numeric: Mapping[str, np.ndarray | None]
    codes: Mapping[str, np.ndarray]
    levels: Mapping[str, int]
    present: Mapping[str, np.ndarray]
    n_rows: int
    fingerprint: str
    _corr: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def from_frame(cls, data: pd.DataFrame, types: Mapping[str, DataType], columns: Sequence[str] | None = None,
                   *, data_fingerprint: str | None = None) -> "PreparedData":
        """Encode ``columns`` (default: every column in ``types``) of ``data``."""
        columns = list(types) if columns is None else list(columns)
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise UnknownVariableError(missing, context="the data", known=[str(c) for c in data.columns])
        untyped = [c for c in columns if c not in types]
        if untyped:
            raise UnknownVariableError(untyped, context="the column types", known=list(types))
        bad = [c for c in columns if types[c] in UNTESTABLE]
        if bad:
            shown = ", ".join(f"{c!r} ({types[c]})" for c in bad)
            raise DataError(f"cannot run independence tests on {shown}",
                            hint="mark each as continuous, integer, binary, categorical or ordinal, or drop it")
        numeric: dict[str, np.ndarray | None] = {}
        factorized: dict[str, tuple[np.ndarray, int]] = {}
        kinds: dict[str, Kind] = {}
        present: dict[str, np.ndarray] = {}
        columns_series: dict[str, pd.Series] = {}
        for c in columns:
            series = data[c]
            present[c] = series.notna().to_numpy()
            if types[c] in ("continuous", "integer"):  # tested on their values whatever their levels
                kinds[c] = "continuous"
                columns_series[c] = series.copy()  # a snapshot, should the caller later change the frame
            else:
                factorized[c] = _codes(series)
                columns_series[c] = series
                kinds[c] = kind_of(types[c], factorized[c][1])
            numeric_dtype = pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
            # text levels of a discrete column are never numbers to a test: skip the (slow) conversion
            numeric[c] = _numeric(series) if kinds[c] == "continuous" or numeric_dtype else None
            if kinds[c] == "continuous":
                if numeric[c] is None:
                    example = next(v for v in series.dropna() if pd.isna(pd.to_numeric(v, errors="coerce")))
                    raise DataError(f"column {c!r} is {types[c]} but holds non-numeric values such as {example!r}",
                                    hint="mark it categorical, or clean the values")
                if np.isinf(numeric[c]).any():
                    raise DataError(f"column {c!r} holds infinite values", hint="replace them or mark them missing")
        fp = data_fingerprint if data_fingerprint is not None else fingerprint(data)
        return cls(names=tuple(columns), types={c: types[c] for c in columns}, kinds=kinds, numeric=numeric,
                   codes=_LazyCodes(columns_series, factorized, 0),  # type: ignore[arg-type]
                   levels=_LazyCodes(columns_series, factorized, 1),  # type: ignore[arg-type]
                   present=present, n_rows=len(data), fingerprint=fp)

    def require(self, names: Sequence[str], context: str) -> None:
        unknown = [n for n in names if n not in self.kinds]
        if unknown:
            raise UnknownVariableError(unknown, context=context, known=list(self.names))

    def mask(self, names: Sequence[str]) -> np.ndarray:
        """Rows complete in every one of ``names``."""
        incomplete = [n for n in names if n in self._gappy]
        if not incomplete:
            return self._all_rows
        out = self.present[incomplete[0]].copy()
        for n in incomplete[1:]:
            out &= self.present[n]
        return out

    @property
    def _gappy(self) -> frozenset[str]:
        if "gappy" not in self._corr:
            self._corr["gappy"] = frozenset(n for n in self.names if not self.present[n].all())
            self._corr["all"] = np.ones(self.n_rows, dtype=bool)
        return self._corr["gappy"]  # type: ignore[return-value]

    @property
    def _all_rows(self) -> np.ndarray:
        self._gappy  # noqa: B018  (fills the memo)
        return self._corr["all"]  # type: ignore[return-value]

    def complete_correlation(self) -> tuple[dict[str, int], np.ndarray]:
        """Correlation matrix over all rows of the numeric columns that have no missing values (memoized)."""
        if "matrix" not in self._corr:
            cols = [c for c in self.names if self.numeric[c] is not None and self.present[c].all()]
            index = {c: i for i, c in enumerate(cols)}
            if cols:
                with np.errstate(invalid="ignore", divide="ignore"):
                    matrix = np.atleast_2d(np.corrcoef(np.column_stack([self.numeric[c] for c in cols]), rowvar=False))
            else:
                matrix = np.zeros((0, 0))
            self._corr["index"], self._corr["matrix"] = index, matrix
        return self._corr["index"], self._corr["matrix"]  # type: ignore[return-value]
