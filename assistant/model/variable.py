"""Variables: the nodes of a causal graph."""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DataType = Literal["continuous", "integer", "binary", "categorical", "ordinal", "text", "datetime", "unknown"]
Role = Literal[
    "exposure", "outcome", "confounder", "mediator", "instrument", "selection", "exogenous", "covariate",
]

MAX_NAME_LENGTH = 200


def check_name(name: str) -> str:
    """Variable names are data: any printable text, but never empty or with control characters."""
    if not name or not name.strip():
        raise ValueError("variable name must not be empty or blank")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"variable name is longer than {MAX_NAME_LENGTH} characters")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cs")]
    if bad:
        raise ValueError(f"variable name {name!r} contains control character {bad[0]!r}")
    if name != name.strip():
        raise ValueError(f"variable name {name!r} has leading or trailing whitespace")
    return name


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

    @property
    def display(self) -> str:
        return self.label or self.name
