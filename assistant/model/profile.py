"""What a dataset looks like: columns, inferred types, rows, missingness and cardinality."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.model.variable import DataType


class ColumnProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    inferred_type: DataType
    n_missing: int = Field(ge=0)
    missing_fraction: float = Field(ge=0.0, le=1.0)
    cardinality: int = Field(ge=0, description="Number of distinct non-missing values.")
    examples: list[str] = Field(default_factory=list, description="A few distinct values, as text.")
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    std: float | None = None


class DatasetProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str = ""
    content_hash: str = Field(default="", description="sha256 of the file's bytes.")
    n_rows: int = Field(ge=0)
    columns: list[ColumnProfile]
    delimiter: str = ","
    encoding: str = "utf-8"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnProfile | None:
        return next((c for c in self.columns if c.name == name), None)
