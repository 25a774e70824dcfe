"""The causal question an analysis sets out to answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.model.variable import check_unicode

Estimand = Literal["ate", "att", "atc", "cate", "nde", "nie"]


class Question(BaseModel):
    """"Does radio airplay raise record sales?" with its exposure, outcome and estimand."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The question in the user's words.")
    exposure: str | None = None
    outcome: str | None = None
    estimand: Estimand = Field(default="ate", description="ate: average treatment effect; att/atc: on the treated/controls; "
                               "cate: conditional; nde/nie: natural direct/indirect effect.")

    @field_validator("text", "exposure", "outcome")
    @classmethod
    def _valid_text(cls, value: str | None) -> str | None:
        return None if value is None else check_unicode(value, what="question text")
