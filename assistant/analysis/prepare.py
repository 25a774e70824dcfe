"""Check the data against the analysis before anything is estimated, with messages a domain expert can act on.

Every check raises a typed error up front (networkx style): a column the
analysis needs is missing, the outcome is not numeric, the exposure is
constant, too few complete rows remain.  What passes is a frame restricted to
the columns the estimand uses, with incomplete rows dropped (and counted).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assistant.analysis.spec import ExposureType
from assistant.errors import AnalysisInputError, DataError


@dataclass(frozen=True)
class PreparedData:
    frame: pd.DataFrame                 # original column names, complete rows, only the columns used
    exposure_type: ExposureType
    control_value: float
    treatment_value: float
    n_rows: int                         # rows in the input
    warnings: list[str] = field(default_factory=list)


def data_sha256(data: pd.DataFrame) -> str:
    """A fingerprint of the frame's content (column names, dtypes and values), stable across runs."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, data.columns)).encode())
    h.update(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
    return h.hexdigest()


def require_columns(data: pd.DataFrame, names: list[str], what: str) -> None:
    missing = [n for n in names if n not in data.columns]
    if missing:
        shown = ", ".join(repr(c) for c in list(data.columns)[:12])
        raise DataError(f"the data has no column for {what} {', '.join(repr(m) for m in missing)}",
                        hint=f"columns in the data: {shown}{' ...' if len(data.columns) > 12 else ''}; "
                             "column names must match the graph's variable names exactly")


def exposure_kind(values: pd.Series) -> tuple[ExposureType, float, float]:
    """binary (two values: compare max against min) or continuous (one unit more: 1 against 0)."""
    uniq = np.unique(values.to_numpy())
    if len(uniq) == 2:
        return "binary", float(uniq[0]), float(uniq[1])
    return "continuous", 0.0, 1.0


def prepare(data: pd.DataFrame, exposure: str, outcome: str, covariates: list[str], *, min_rows: int,
            linear: bool = True, method: str = "") -> PreparedData:
    """Select, check and clean the columns an analysis uses; ``covariates`` are every other column it reads."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a table of data (a pandas DataFrame), not {type(data).__name__}")
    require_columns(data, [exposure], "the exposure")
    require_columns(data, [outcome], "the outcome")
    require_columns(data, covariates, "the variable(s)")
    used = list(dict.fromkeys([exposure, outcome, *covariates]))
    frame = data[used]
    warnings: list[str] = []
    for name, what in ((exposure, "exposure"), (outcome, "outcome")):
        col = frame[name]
        if col.dtype == bool:
            frame = frame.assign(**{name: col.astype(int)})
        elif not pd.api.types.is_numeric_dtype(col):
            sample = ", ".join(repr(v) for v in col.dropna().astype(str).unique()[:3])
            if what == "outcome":
                raise AnalysisInputError(
                    f"the outcome {name!r} is not numeric (values like {sample}); {method or 'this method'} "
                    "models the outcome's mean, which needs numbers",
                    hint="recode the outcome as numbers (e.g. 0/1 for yes/no) before the analysis")
            raise AnalysisInputError(f"the exposure {name!r} is not numeric (values like {sample})",
                                     hint="recode it as numbers: 0/1 for a yes/no exposure")
    for name in covariates:
        col = frame[name]
        if col.dtype == bool:
            frame = frame.assign(**{name: col.astype(int)})
        elif not pd.api.types.is_numeric_dtype(col):
            frame = frame.assign(**{name: col.astype("category")})
            warnings.append(f"{name!r} is not numeric: treated as categorical (one indicator per level)")
    complete = frame.dropna()
    dropped = len(frame) - len(complete)
    if dropped:
        warnings.append(f"{dropped} of {len(frame)} rows have a missing value in a column the analysis uses "
                        "and were left out (complete-case analysis)")
    needed = max(min_rows, len(covariates) + 3)
    if len(complete) < needed:
        raise DataError(f"too few complete rows: {len(complete)} (the analysis needs at least {needed} to "
                        f"estimate an effect with {len(covariates)} other variable(s))",
                        hint="collect more data, or fill in the missing values")
    if complete[exposure].nunique() < 2:
        value = complete[exposure].iloc[0]
        raise AnalysisInputError(f"the exposure {exposure!r} is constant ({value!r} in every complete row): "
                                 "with no variation there is nothing to compare",
                                 hint="the data must contain units with different exposure levels")
    if complete[outcome].nunique() < 2:
        warnings.append(f"the outcome {outcome!r} is constant: every effect estimate will be zero")
    kind, control, treated = exposure_kind(complete[exposure])
    return PreparedData(frame=complete, exposure_type=kind, control_value=control, treatment_value=treated,
                        n_rows=len(data), warnings=warnings)
