"""Variables: the nodes of a causal graph."""

from __future__ import annotations

import math
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DataType = Literal["continuous", "integer", "binary", "categorical", "ordinal", "text", "datetime", "unknown"]
Role = Literal[
    "exposure", "outcome", "confounder", "mediator", "instrument", "selection", "exogenous", "covariate",
]

MAX_NAME_LENGTH = 200


# Invisible characters that make two names look identical or break line-based tools.  Besides these,
# every format character (category Cf: bidi overrides, isolates and marks, the soft hyphen) is refused:
# in a name they reorder or hide what a reviewer reads ("Trojan Source").  The zero-width non-joiner and
# joiner are the exception: Persian and Indic words and emoji sequences are spelt with them.
_SHAPING = {"\u200c", "\u200d"}
_INVISIBLE = {"\u200b", "\ufeff", "\u2060", "\u180e", "\u3164", "\uffa0", "\u115f", "\u1160"}
_REFUSED_CATEGORIES = ("Cc", "Cs", "Cf", "Co", "Zl", "Zp")


def check_name(name: str) -> str:
    """Variable names are data: any printable text, but never empty or with control characters."""
    if not name or not name.strip():
        raise ValueError("variable name must not be empty or blank")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"variable name is longer than {MAX_NAME_LENGTH} characters")
    bad = [c for c in name
           if (unicodedata.category(c) in _REFUSED_CATEGORIES and c not in _SHAPING) or c in _INVISIBLE]
    if bad:
        raise ValueError(f"variable name {name!r} contains control or invisible character {bad[0]!r} "
                         f"(U+{ord(bad[0]):04X} {unicodedata.name(bad[0], 'unnamed')})")
    if unicodedata.category(name[0]).startswith("M"):
        raise ValueError(f"variable name {name!r} starts with a combining mark (U+{ord(name[0]):04X}): "
                         "it would attach to whatever is printed before it")
    if name != name.strip():
        raise ValueError(f"variable name {name!r} has leading or trailing whitespace")
    return name


def check_text(value: str, *, multiline: bool, what: str) -> str:
    """Free text (labels, descriptions, rationales): printable, with newlines and tabs only where allowed."""
    allowed = {"\n", "\t", "\r"} if multiline else set()
    bad = [c for c in value if c not in allowed and unicodedata.category(c) in ("Cc", "Cs")]
    if bad:
        raise ValueError(f"{what} contains control character {bad[0]!r}")
    return value


def check_unicode(value: str, *, what: str) -> str:
    """Any text, as long as it is valid Unicode.

    A lone surrogate (from a ``"\\udcff"`` escape in JSON, or undecodable bytes)
    cannot be encoded as UTF-8, so no database, file or terminal could take it.
    """
    bad = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
    if bad is not None:
        raise ValueError(f"{what} contains the lone surrogate {bad!r}: it is not valid Unicode text")
    return value


def check_json_value(value: Any, *, what: str) -> Any:
    """Free-form JSON that can be stored: finite numbers and valid Unicode text (keys included)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} holds the number {value!r}; JSON has no NaN or infinity")
    if isinstance(value, str):
        check_unicode(value, what=what)
    elif isinstance(value, list):
        for item in value:
            check_json_value(item, what=what)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_unicode(str(key), what=what)
            check_json_value(item, what=what)
    return value


class Position(BaseModel):
    """Where a node sits on a canvas; layout only, never semantics."""

    model_config = ConfigDict(extra="forbid")
    x: float = Field(allow_inf_nan=False)
    y: float = Field(allow_inf_nan=False)


class Variable(BaseModel):
    """A variable in the causal model, observed in the data or latent."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Unique identifier; the column name for observed variables.")
    label: str | None = Field(default=None, description="Human-readable label for display.")
    description: str = Field(default="", description="What the variable measures. Data, never instructions.")
    data_type: DataType = "unknown"
    observed: bool = Field(default=True, description="False for latent (unmeasured) variables.")
    tier: int | None = Field(default=None, ge=0, description="Temporal tier: edges may not point to an earlier tier.")
    role: Role | None = Field(default=None, description="Optional hint about the variable's role.")
    position: Position | None = None

    @field_validator("name")
    @classmethod
    def _name_is_printable(cls, value: str) -> str:
        return check_name(value)

    @field_validator("label")
    @classmethod
    def _label_is_one_line(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, multiline=False, what="label")

    @field_validator("description")
    @classmethod
    def _description_is_text(cls, value: str) -> str:
        return check_text(value, multiline=True, what="description")

    @property
    def display(self) -> str:
        return self.label or self.name
