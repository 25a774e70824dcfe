"""Reading a CSV and profiling it: columns, inferred types, rows, missingness and cardinality.

The profile is what the rest of the product sees of a dataset before any
analysis: the drafting assistant reads column types from it, the critique
engine picks independence tests by them, and the UI shows it for editing.

Malformed files never get half-read: every problem is a :class:`DataError`
naming the file and, where there is one, the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import unicodedata

import numpy as np
import pandas as pd

from assistant.errors import DataError, Location
from assistant.model import ColumnProfile, DatasetProfile
from assistant.model.variable import check_name

MAX_CATEGORICAL_LEVELS = 20
EXAMPLES = 5
_PANDAS_LINE = re.compile(r"line (\d+)")


def _decode(content: bytes, file_name: str) -> str:
    if not content.strip():
        raise DataError("the file is empty", location=Location(file=file_name))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise DataError(f"the file is not UTF-8 text (invalid byte 0x{content[exc.start]:02x} at byte {exc.start})",
                        location=Location(file=file_name, line=line),
                        hint="re-save the file as UTF-8 CSV") from None
    if not text.strip():  # a byte-order mark and blanks only
        raise DataError("the file is empty", location=Location(file=file_name))
    if "\x00" in text:
        raise DataError("the file contains NUL bytes: it looks binary, not CSV", location=Location(file=file_name))
    return text


def _header(text: str, file_name: str, delimiter: str) -> list[str]:
    try:
        row = next(csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True))
    except csv.Error as exc:
        raise DataError(f"cannot read the header row: {exc}", location=Location(file=file_name, line=1)) from None
    names = [c.strip() for c in row]
    seen: dict[str, int] = {}
    looks: dict[str, int] = {}  # NFKC form -> column: "café" composed and decomposed, "Ａ" and "A"
    for i, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"column {i} has no name", location=Location(file=file_name, line=1),
                            hint="every column needs a header")
        try:
            check_name(name)
        except ValueError as exc:
            raise DataError(f"column {i}: {exc}", location=Location(file=file_name, line=1)) from None
        if name in seen:
            raise DataError(f"duplicate column name {name!r} (columns {seen[name]} and {i})",
                            location=Location(file=file_name, line=1))
        look = unicodedata.normalize("NFKC", name)
        if look in looks:
            raise DataError(f"column {i}: the name {name!a} looks the same as column {looks[look]}'s "
                            f"{names[looks[look] - 1]!a}; they differ only in Unicode form",
                            location=Location(file=file_name, line=1), hint="rename one of the columns")
        seen[name], looks[look] = i, i
    return names


def _sniff_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the first records into a consistent number of fields.

    Each candidate parses the header and up to 20 records with the csv module, so a delimiter inside a
    quoted field does not count.  The candidate that gives every record the header's field count, more
    than one, wins (the most fields first, then comma, semicolon, tab); failing that, the one splitting
    the header into the most fields, and a comma for a single column.  The exported scripts embed this
    function's source (:data:`assistant.export.code.HELPERS`), so it imports nothing but csv and io.

    >>> _sniff_delimiter('"spend;usd;k",tiktok,radio\\n1,2,3\\n'), _sniff_delimiter("a;b\\n1,5;2\\n")
    (',', ';')
    """
    import csv
    import io

    best, best_key = ",", (False, 1)
    for delimiter in (",", ";", "\t"):
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
        widths = []
        try:
            for row in reader:
                if row and any(field.strip() for field in row):
                    widths.append(len(row))
                if len(widths) > 20:
                    break
        except csv.Error:  # e.g. an unterminated quote: judge by the records read so far
            pass
        if not widths or widths[0] < 2:
            continue
        key = (all(w == widths[0] for w in widths), widths[0])
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _check_row_lengths(text: str, delimiter: str, width: int, file_name: str) -> None:
    """Every data row must have as many fields as the header.

    pandas would silently pad a short row with missing values and turn a long
    row's first field into an index; both usually mean a broken export.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    try:
        next(reader, None)
        ragged = next((row for row in reader
                       if row and len(row) != width and any(field.strip() for field in row)), None)
    except csv.Error as exc:  # e.g. a field longer than csv.field_size_limit()
        raise DataError(f"cannot read the row: {exc}", location=Location(file=file_name, line=reader.line_num),
                        hint="check for an unterminated quote, or split the oversized field") from None
    if ragged is not None:
        raise DataError(f"row has {len(ragged)} field{'s' if len(ragged) != 1 else ''} but the header has {width}",
                        location=Location(file=file_name, line=reader.line_num),
                        hint="check for a missing or extra delimiter, or an unquoted field containing one")


def read_csv(content: bytes, *, file_name: str = "<data>") -> tuple[pd.DataFrame, str]:
    """Parse CSV bytes into a DataFrame with checked column names; returns it and the delimiter."""
    text = _decode(content, file_name)
    delimiter = _sniff_delimiter(text)
    names = _header(text, file_name, delimiter)
    _check_row_lengths(text, delimiter, len(names), file_name)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, skipinitialspace=True, header=0, names=names,
                            engine="c", na_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"],
                            keep_default_na=False, low_memory=False)
    except pd.errors.ParserError as exc:
        match = _PANDAS_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        detail = str(exc).split(". ", 1)[-1].replace("C error: ", "")
        raise DataError(f"rows do not line up with the header: {detail}",
                        location=Location(file=file_name, line=line)) from None
    except (pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(f"cannot parse the file as CSV: {exc}", location=Location(file=file_name)) from None
    if len(frame) == 0:
        raise DataError("the file has a header but no data rows", location=Location(file=file_name, line=2))
    return frame, delimiter


def _infer_type(series: pd.Series) -> str:
    values = series.dropna()
    if values.empty:
        return "unknown"
    distinct = values.nunique()
    if pd.api.types.is_bool_dtype(values) or distinct == 2:
        return "binary"
    if pd.api.types.is_numeric_dtype(values):
        as_float = values.astype(float)
        if np.all(np.isfinite(as_float)) and np.all(np.mod(as_float, 1) == 0):
            # A few integer codes that repeat a lot look like ordered levels; otherwise counts or amounts.
            return "ordinal" if distinct <= 10 and len(values) >= 5 * distinct else "integer"
        return "continuous"
    text = values.astype(str)
    if distinct <= max(MAX_CATEGORICAL_LEVELS, int(0.05 * len(values))):
        return "categorical"
    parsed = pd.to_datetime(text.head(200), errors="coerce", format="mixed")
    if parsed.notna().mean() > 0.95:
        return "datetime"
    return "text"


def profile_frame(frame: pd.DataFrame) -> list[ColumnProfile]:
    columns = []
    n = len(frame)
    for name in frame.columns:
        series = frame[name]
        missing = int(series.isna().sum())
        inferred = _infer_type(series)
        values = series.dropna()
        examples = [str(v) for v in pd.unique(values)[:EXAMPLES]]
        stats: dict[str, float | None] = {"minimum": None, "maximum": None, "mean": None, "std": None}
        if inferred in ("continuous", "integer", "ordinal", "binary") and pd.api.types.is_numeric_dtype(values):
            numeric = values.astype(float)
            numeric = numeric[np.isfinite(numeric)]  # "inf" in a column parses as a number
            if len(numeric):
                with np.errstate(all="ignore"):
                    stats = {"minimum": float(numeric.min()), "maximum": float(numeric.max()),
                             "mean": float(numeric.mean()),
                             "std": float(numeric.std(ddof=1)) if len(numeric) > 1 else 0.0}
                # JSON (and PostgreSQL's json type) cannot hold inf or NaN, e.g. the mean of 1e308 and 1e308
                stats = {k: v if v is not None and math.isfinite(v) else None for k, v in stats.items()}
        columns.append(ColumnProfile(name=str(name), inferred_type=inferred, n_missing=missing,
                                     missing_fraction=missing / n if n else 0.0,
                                     cardinality=int(values.nunique()), examples=examples, **stats))
    return columns


def profile_csv(content: bytes, *, file_name: str = "<data>") -> tuple[pd.DataFrame, DatasetProfile]:
    """Read and profile CSV bytes.  The hash is of the bytes, so the same file always profiles the same.

    >>> frame, prof = profile_csv(b"age,treated,score\\n34,1,2.5\\n51,0,\\n29,1,3.75\\n40,0,1.25\\n",
    ...                           file_name="demo.csv")
    >>> [(c.name, c.inferred_type, c.n_missing) for c in prof.columns]
    [('age', 'integer', 0), ('treated', 'binary', 0), ('score', 'continuous', 1)]
    """
    frame, delimiter = read_csv(content, file_name=file_name)
    profile = DatasetProfile(file_name=file_name, content_hash=hashlib.sha256(content).hexdigest(),
                             n_rows=len(frame), columns=profile_frame(frame), delimiter=delimiter)
    return frame, profile
