"""What a draft starts from: the question, the variables (from the data and the user's specs) and knowledge.

A variables file (``--variables VARS.yaml``, or JSON) describes columns the way
an expert would: label, description, role, temporal tier, whether measured::

    variables:
      radio_play: {label: Radio play, description: Hours of airplay, role: exposure, tier: 1}
      artist_age: {role: exogenous, tier: 0}
      popularity: {observed: false, description: How well known the artist is}
    required_edges: [[radio_play, record_sales_6m]]
    forbidden_edges: [[record_sales_6m, label_marketing_spend]]

Names and descriptions are data.  They are checked like any variable name and
never interpreted as instructions (see :mod:`assistant.draft.guards`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import InputError, Location, ParseError, UnknownVariableError
from assistant.model import DatasetProfile, DataType, Role
from assistant.model.variable import check_name, check_text


class VariableSpec(BaseModel):
    """One variable as the expert describes it; unset fields fall back to the data profile."""

    model_config = ConfigDict(extra="forbid")

    name: str
    label: str | None = None
    description: str = ""
    data_type: DataType | None = None
    role: Role | None = None
    tier: int | None = Field(default=None, ge=0)
    observed: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return check_name(v)

    @field_validator("description")
    @classmethod
    def _description(cls, v: str) -> str:
        return check_text(v, multiline=True, what="description")

    @property
    def exogenous(self) -> bool:
        return self.role == "exogenous"


class Knowledge(BaseModel):
    """Background knowledge that constrains every proposal, whatever its source."""

    model_config = ConfigDict(extra="forbid")

    tiers: dict[str, int] = Field(default_factory=dict)
    exogenous: list[str] = Field(default_factory=list)
    required_edges: list[tuple[str, str]] = Field(default_factory=list)
    forbidden_edges: list[tuple[str, str]] = Field(default_factory=list)
    exposure: str | None = None
    outcome: str | None = None

    def forbids(self, source: str, target: str) -> str | None:
        """Why ``source -> target`` is not allowed, or None if it is."""
        if (source, target) in {tuple(e) for e in self.forbidden_edges}:
            return f"{source} -> {target} is a forbidden edge"
        ts, tt = self.tiers.get(source), self.tiers.get(target)
        if ts is not None and tt is not None and ts > tt:
            return f"{source} is in tier {ts}, after {target} in tier {tt}: causes cannot come later"
        if target in self.exogenous:
            return f"{target} is exogenous: it has no causes in the model"
        if self.exposure and self.outcome and (source, target) == (self.outcome, self.exposure):
            return f"the outcome {self.outcome} cannot cause the exposure {self.exposure}: exposure precedes outcome"
        return None


class DraftRequest(BaseModel):
    """Everything a backend needs to propose candidate graphs."""

    model_config = ConfigDict(extra="forbid")

    question: str
    variables: list[VariableSpec]
    exposure: str | None = None
    outcome: str | None = None
    candidates: int = Field(default=3, ge=1, le=20)
    required_edges: list[tuple[str, str]] = Field(default_factory=list)
    forbidden_edges: list[tuple[str, str]] = Field(default_factory=list)
    profile: DatasetProfile | None = None
    seed: int = 0

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    @property
    def observed_names(self) -> list[str]:
        return [v.name for v in self.variables if v.observed]

    def spec(self, name: str) -> VariableSpec:
        for v in self.variables:
            if v.name == name:
                return v
        raise UnknownVariableError([name], known=self.names)

    def knowledge(self) -> Knowledge:
        return Knowledge(
            tiers={v.name: v.tier for v in self.variables if v.tier is not None},
            exogenous=[v.name for v in self.variables if v.exogenous],
            required_edges=list(self.required_edges), forbidden_edges=list(self.forbidden_edges),
            exposure=self.exposure, outcome=self.outcome)


class SpecFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variables: list[VariableSpec] = Field(default_factory=list)
    required_edges: list[tuple[str, str]] = Field(default_factory=list)
    forbidden_edges: list[tuple[str, str]] = Field(default_factory=list)


def _whole_characters(value: Any, source: str, path: str) -> Any:
    """Join the surrogate pairs PyYAML leaves apart (JSON writes U+1F642 as "\\ud83d\\ude42"); refuse lone ones."""
    if isinstance(value, str):
        if not any("\ud800" <= c <= "\udfff" for c in value):
            return value
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError("the text holds a lone surrogate escape: it is not valid Unicode", fmt="variables file",
                             location=Location(file=source, path=path or None)) from None
    if isinstance(value, list):
        return [_whole_characters(v, source, f"{path}.{i}" if path else str(i)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {_whole_characters(k, source, path): _whole_characters(v, source, f"{path}.{k}" if path else str(k))
                for k, v in value.items()}
    return value


# A variables file describes at most a few thousand columns; YAML aliases can make a file of a few hundred
# bytes expand to billions of values ("billion laughs"), which would take minutes and gigabytes to walk.
MAX_SPEC_VALUES = 200_000


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int) -> int:
    """How many values ``node`` stands for once every alias is expanded (stops counting past ``limit``)."""
    key = id(node)
    if key in memo:
        if memo[key] < 0:
            raise _SelfReference(node)
        return memo[key]
    memo[key] = -1  # being counted: meeting it again below means it contains itself
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            total += _expanded_size(item, memo, limit)
            if total > limit:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            total += _expanded_size(k, memo, limit) + _expanded_size(v, memo, limit)
            if total > limit:
                break
    memo[key] = total
    return total


class _SelfReference(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node


def _check_expansion(text: str, source: str) -> None:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        size = _expanded_size(node, {}, MAX_SPEC_VALUES) if node is not None else 0
    except _SelfReference as ref:
        mark = ref.node.start_mark
        raise ParseError("a value contains itself through an alias (*name inside its own &name)",
                         fmt="variables file (YAML/JSON)",
                         location=Location(file=source, line=mark.line + 1, column=mark.column + 1)) from None
    if size > MAX_SPEC_VALUES:
        raise ParseError(f"the document expands to more than {MAX_SPEC_VALUES:,} values through its aliases "
                         "(*name references)", fmt="variables file (YAML/JSON)", location=Location(file=source),
                         hint="write the values out instead of nesting aliases")


def parse_spec_text(text: str, *, source: str = "<variables>") -> SpecFile:
    """Parse a YAML or JSON variables file; ``variables`` may be a mapping by name or a list."""
    try:
        if "*" in text:  # only aliases can expand; plain documents skip the extra pass
            _check_expansion(text, source)
        doc: Any = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ParseError(str(getattr(exc, "problem", exc)), fmt="variables file (YAML/JSON)",
                         location=Location(file=source, line=mark.line + 1 if mark else None,
                                           column=mark.column + 1 if mark else None)) from None
    except RecursionError:
        raise ParseError("the document is nested too deeply", fmt="variables file (YAML/JSON)",
                         location=Location(file=source)) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors convert values themselves and fail untyped: an integer of more than 4300
        # digits, a date like 2001-02-30, an explicit "!!timestamp x" that is no timestamp
        raise ParseError(f"a value cannot be read ({type(exc).__name__}: {str(exc).split(';')[0]})",
                         fmt="variables file (YAML/JSON)", location=Location(file=source)) from None
    doc = _whole_characters(doc, source, "")
    if not isinstance(doc, dict):
        raise ParseError("expected a mapping with a 'variables' key", fmt="variables file",
                         location=Location(file=source))
    variables = doc.get("variables", [])
    if isinstance(variables, dict):
        variables = [{"name": k, **(v or {})} if isinstance(v, dict) else {"name": k, "bad": v}
                     for k, v in variables.items()]
    try:
        return SpecFile.model_validate({**doc, "variables": variables})
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ParseError(f"{first['msg']}{more}", fmt="variables file",
                         location=Location(file=source, path=path)) from None


# A variables file describing a few thousand columns is well under a megabyte; reading is bounded so that
# a device or a pipe (``--variables /dev/zero``) cannot fill the memory.
MAX_SPEC_BYTES = 10 * 1024 * 1024


def load_spec_file(path: str | Path) -> SpecFile:
    path = Path(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_SPEC_BYTES + 1)
        if len(raw) > MAX_SPEC_BYTES:
            raise ParseError(f"the file is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MB", fmt="variables file",
                             location=Location(file=str(path)))
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"no such variables file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read: {exc}", fmt="variables file", location=Location(file=str(path))) from None
    return parse_spec_text(text, source=str(path))


def build_request(question: str, profile: DatasetProfile | None, spec: SpecFile | None = None, *,
                  exposure: str | None = None, outcome: str | None = None, candidates: int = 3,
                  seed: int = 0) -> DraftRequest:
    """Merge the data profile with the expert's specs; every spec must name a column or be latent."""
    spec = spec or SpecFile()
    columns = profile.column_names if profile else []
    by_name = {v.name: v for v in spec.variables}
    unknown = [v.name for v in spec.variables if v.observed and columns and v.name not in columns]
    if unknown:
        raise UnknownVariableError(unknown, context="the variables file (observed variables must be columns; "
                                                    "mark unmeasured ones observed: false)", known=columns)
    variables: list[VariableSpec] = []
    for name in columns:
        s = by_name.get(name, VariableSpec(name=name))
        col = profile.column(name) if profile else None
        variables.append(s.model_copy(update={"data_type": s.data_type or (col.inferred_type if col else None)}))
    variables += [v for v in spec.variables if v.name not in columns]
    if len(variables) < 2:
        raise InputError(f"a causal graph needs at least two variables; the data have {len(columns)} column"
                         f"{'' if len(columns) == 1 else 's'}", hint="add columns, or describe unmeasured variables "
                                                                  "in the variables file")
    names = {v.name for v in variables}
    for field in ("required_edges", "forbidden_edges"):
        for a, b in getattr(spec, field):
            missing = [n for n in (a, b) if n not in names]
            if missing:
                raise UnknownVariableError(missing, context=field, known=sorted(names))
    for role, value in (("exposure", exposure), ("outcome", outcome)):
        if value is not None and value not in names:
            raise UnknownVariableError([value], context=f"--{role}", known=sorted(names))
    if exposure is None:
        exposure = next((v.name for v in variables if v.role == "exposure"), None)
    if outcome is None:
        outcome = next((v.name for v in variables if v.role == "outcome"), None)
    return DraftRequest(question=question, variables=variables, exposure=exposure, outcome=outcome,
                        candidates=candidates, required_edges=spec.required_edges,
                        forbidden_edges=spec.forbidden_edges, profile=profile, seed=seed)
