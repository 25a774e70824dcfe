"""Typed errors for every layer of causal-assistant.

Every error the user can cause is a :class:`CausalAssistantError` subclass that
carries a stable ``code``, a human message and, where there is one, a
:class:`Location` (file, line, column or a JSON-style path).  The CLI and the UI
render these in one place (``assistant.cli.render``); nothing else formats
errors for people.

Exit codes are part of the contract so CI pipelines can gate on them:

====  ==========================================================
code  meaning
====  ==========================================================
0     success
1     bad input (parse errors, unknown variables, cycles, ...)
2     command-line usage error
3     conflict: a save on a version that is no longer the head
4     database unavailable or at an incompatible schema
5     the check ran and found the effect not identifiable
6     not found (project, graph, version, dataset)
7     the LLM endpoint could not be used (not configured,
      unreachable, rejected the key or the request, or its
      output stayed invalid after one repair)
8     the critique ran and found errors (or warnings, with
      ``--fail-on warning``)
====  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_DATABASE = 4
EXIT_NOT_IDENTIFIABLE = 5
EXIT_NOT_FOUND = 6
EXIT_LLM = 7
EXIT_FINDINGS = 8  # critique found errors (or warnings, with --fail-on warning)


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file and line/column, and/or a path inside a document."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
            if self.column is not None:
                parts[-1] += f", column {self.column}"
        if self.path:
            parts.append(self.path)
        return ": ".join(parts) if parts else "<unknown location>"

    def with_file(self, file: str | None) -> "Location":
        return Location(file=file, line=self.line, column=self.column, path=self.path)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class CausalAssistantError(Exception):
    """Base class: a problem the user can understand and act on."""

    code = "error"
    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"

    def located(self, file: str | None) -> "CausalAssistantError":
        """Attach a file name to the location (keeping line and column)."""
        self.location = (self.location or Location()).with_file(file)
        return self

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.location:
            out["location"] = self.location.as_dict()
        if self.hint:
            out["hint"] = self.hint
        return out


# --- bad input -------------------------------------------------------------


class InputError(CausalAssistantError):
    """The user's input is wrong in a way they can fix."""

    code = "input"


class ParseError(InputError):
    """A file or text could not be parsed in the format it claims to be."""

    code = "parse"

    def __init__(self, message: str, *, fmt: str, location: Location | None = None, hint: str | None = None):
        super().__init__(f"malformed {fmt}: {message}", location=location, hint=hint)
        self.fmt = fmt


class GraphValidationError(InputError):
    """A graph is structurally invalid (duplicate names, dangling edges, ...)."""

    code = "graph-invalid"


class DuplicateVariableError(GraphValidationError):
    code = "duplicate-variable"


class UnknownVariableError(GraphValidationError):
    code = "unknown-variable"

    def __init__(self, names: Sequence[str], *, context: str = "", location: Location | None = None,
                 known: Sequence[str] = ()):
        names = list(names)
        listed = ", ".join(repr(n) for n in names)
        msg = f"unknown variable{'s' if len(names) > 1 else ''} {listed}"
        if context:
            msg += f" in {context}"
        hint = None
        if known:
            shown = ", ".join(repr(k) for k in list(known)[:12])
            more = "" if len(known) <= 12 else f" (and {len(known) - 12} more)"
            hint = f"known variables: {shown}{more}"
        super().__init__(msg, location=location, hint=hint)
        self.names = names


class CycleError(GraphValidationError):
    """A directed cycle where a DAG is required; ``cycle`` lists the nodes in order."""

    code = "cycle"

    def __init__(self, cycle: Sequence[str], *, location: Location | None = None):
        self.cycle = list(cycle)
        shown = " -> ".join(self.cycle + self.cycle[:1])
        super().__init__(f"the graph has a directed cycle: {shown}", location=location,
                         hint="reverse or delete one edge of the cycle")


class DataError(InputError):
    """A data file (CSV) is unusable."""

    code = "data"


class UploadTooLargeError(DataError):
    """An uploaded file is larger than the configured limit (``CAUSAL_ASSISTANT_MAX_UPLOAD_MB``)."""

    code = "upload-too-large"

    def __init__(self, message: str, *, size_bytes: int, limit_bytes: int, location: Location | None = None,
                 hint: str | None = None):
        super().__init__(message, location=location, hint=hint)
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["size_bytes"], out["limit_bytes"] = self.size_bytes, self.limit_bytes
        return out


class AlreadyExistsError(InputError):
    """A project, dataset or graph with that name already exists."""

    code = "already-exists"


class InvalidTextError(InputError):
    """Text that no database can store: a NUL character or a lone surrogate (not valid Unicode)."""

    code = "invalid-text"


class KnowledgeError(InputError):
    """Background knowledge that contradicts itself: a required edge that is forbidden, a self-loop, ..."""

    code = "knowledge"


class AnalysisInputError(InputError):
    """Arguments to an analysis do not fit the graph (overlapping sets, latent exposure, ...)."""

    code = "analysis-input"


# --- store -----------------------------------------------------------------


class NotFoundError(CausalAssistantError):
    code = "not-found"
    exit_code = EXIT_NOT_FOUND


class StoreError(CausalAssistantError):
    code = "store"


class ConflictError(StoreError):
    """A save whose parent is no longer the head of the graph.

    ``diff`` is the change between the head and the rejected content, so a user
    can see what they would overwrite; ``head_number`` names the current head.
    """

    code = "conflict"
    exit_code = EXIT_CONFLICT

    def __init__(self, message: str, *, head_version: Any = None, parent_version: Any = None,
                 diff: Any = None, concurrent_diff: Any = None):
        super().__init__(message, hint="reload the head version, re-apply your change and save again")
        self.head_version = head_version
        self.parent_version = parent_version
        self.diff = diff
        self.concurrent_diff = concurrent_diff

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["head_version"] = self.head_version
        out["parent_version"] = self.parent_version
        if self.diff is not None:
            out["diff"] = self.diff.model_dump(mode="json") if hasattr(self.diff, "model_dump") else self.diff
        if self.concurrent_diff is not None:
            cd = self.concurrent_diff
            out["concurrent_diff"] = cd.model_dump(mode="json") if hasattr(cd, "model_dump") else cd
        return out


class PermissionDeniedError(StoreError):
    """The user's role does not allow the action (e.g. only a reviewer may validate a version)."""

    code = "permission-denied"


class InvalidTransitionError(StoreError):
    code = "invalid-transition"


class DatabaseUnavailableError(StoreError):
    code = "database-unavailable"
    exit_code = EXIT_DATABASE


class SchemaVersionError(StoreError):
    """The database schema is newer than (or unknown to) this code."""

    code = "schema-version"
    exit_code = EXIT_DATABASE


class DatabaseIntegrityError(StoreError):
    """``db check`` found damage: a head not at the newest version, a gap in the numbers, a bad hash, ...

    ``problems`` lists them as dicts (code, table, row_id, message).
    """

    code = "integrity"
    exit_code = EXIT_DATABASE

    def __init__(self, message: str, *, problems: Sequence[dict[str, Any]] = (), hint: str | None = None):
        super().__init__(message, hint=hint)
        self.problems = list(problems)

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["problems"] = self.problems
        return out


class JobQueueUnavailableError(StoreError):
    """The background-job queue (Redis, for RQ) cannot be reached; the URL's password is masked."""

    code = "job-queue-unavailable"
    exit_code = EXIT_DATABASE


class ConfigError(CausalAssistantError):
    code = "config"


# --- LLM -------------------------------------------------------------------
# No LLM error ever carries an API key: messages are built from the base URL
# (credentials stripped), the model name and the server's reason with any key
# redacted (see assistant.llm.failures.redact).


class PromptError(CausalAssistantError):
    """A prompt template is malformed, or was rendered with missing, extra or undeclared variables."""

    code = "prompt"

    def __init__(self, message: str, *, template: str | None = None, names: Sequence[str] = (),
                 location: Location | None = None, hint: str | None = None):
        super().__init__(message, location=location, hint=hint)
        self.template = template
        self.names = list(names)


class LLMError(CausalAssistantError):
    """The LLM endpoint could not be used."""

    code = "llm"
    exit_code = EXIT_LLM


class LLMNotConfiguredError(LLMError):
    """No endpoint is configured (no base URL and no API key)."""

    code = "llm-not-configured"


class LLMUnavailableError(LLMError):
    """The endpoint could not be reached (after retries), or did not answer like an OpenAI-compatible API."""

    code = "llm-unavailable"

    def __init__(self, message: str, *, base_url: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.base_url = base_url


class LLMAuthError(LLMError):
    """The endpoint rejected the API key (HTTP 401/403); never retried."""

    code = "llm-auth"


class LLMRequestError(LLMError):
    """The endpoint refused the request itself (e.g. context too long, unknown model)."""

    code = "llm-request"


class LLMOutputError(LLMError):
    """The model's answer was not valid for the schema, even after one repair re-prompt.

    ``errors`` are the validation errors of the last attempt, ``raw_output``
    its raw text, ``exchange_ids`` the logged exchanges (if a log was kept).
    """

    code = "llm-output"

    def __init__(self, message: str, *, errors: Sequence[str] = (), raw_output: str = "",
                 exchange_ids: Sequence[int] = (), hint: str | None = None):
        super().__init__(message, hint=hint)
        self.errors = list(errors)
        self.raw_output = raw_output
        self.exchange_ids = list(exchange_ids)

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["errors"] = self.errors
        out["raw_output"] = self.raw_output[:2000]
        out["exchange_ids"] = self.exchange_ids
        return out


# --- analysis (assistant.analysis) -------------------------------------------


class NotIdentifiableError(CausalAssistantError):
    """The effect cannot be identified from the graph with the observed variables.

    ``tried`` maps each criterion (back-door, front-door, instrumental
    variable, ID algorithm) to why it failed; ``fixes`` lists what would help.
    """

    code = "not-identifiable"
    exit_code = EXIT_NOT_IDENTIFIABLE

    def __init__(self, message: str, *, tried: dict[str, str] | None = None, fixes: Sequence[str] = (),
                 hint: str | None = None):
        self.tried = dict(tried or {})
        self.fixes = list(fixes)
        super().__init__(message, hint=hint or ("; ".join(self.fixes) if self.fixes else None))

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["tried"] = self.tried
        out["fixes"] = self.fixes
        return out


class RungRefusedError(AnalysisInputError):
    """A rung-2/3 query the model's assumptions do not support; ``rung`` names the rung it needed."""

    code = "rung-refused"

    def __init__(self, message: str, *, rung: int, reasons: Sequence[str] = (), hint: str | None = None):
        self.rung = rung
        self.reasons = list(reasons)
        super().__init__(message, hint=hint)

    def as_dict(self) -> dict[str, Any]:
        out = super().as_dict()
        out["rung"] = self.rung
        out["reasons"] = self.reasons
        return out


class AnalysisFailedError(CausalAssistantError):
    """An estimator or refuter failed on this data in a way the inputs did not predict."""

    code = "analysis-failed"


class AnalysisCancelledError(CausalAssistantError):
    """The analysis was cancelled between two steps (``step`` names the step it would have run)."""

    code = "cancelled"

    def __init__(self, message: str = "the analysis was cancelled", *, step: str | None = None):
        self.step = step
        super().__init__(message)


class DraftFailedError(CausalAssistantError):
    """A background draft failed in a way its inputs did not predict (stored with the draft job)."""

    code = "draft-failed"


class ExportError(CausalAssistantError):
    """An export could not be produced safely (a bug, never the user's input)."""

    code = "export"
    exit_code = EXIT_INPUT
