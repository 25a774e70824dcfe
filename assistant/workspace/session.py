"""One user's workspace on one graph: a working copy, edits, critique, save, rebase or branch.

The UI holds one :class:`Workspace` per browser session and graph; nothing in
it imports Streamlit.  The flow::

    ws = Workspace.open(store, "sales", "main", identity, data=frame)
    ws.apply([{"op": "add_edge", "edge": {"source": "Z", "target": "Y"}}])
    report = ws.critique()                   # independence tests cached across edits
    outcome = ws.save("Z confounds")         # a version, or a conflict (nothing written)
    if outcome.conflict:
        ws.rebase()                          # replay my change on the new head ...
        ws.save("Z confounds (rebased)")
        # ... or ws.save_as_branch("main-ana", "Z confounds")

Every edit is written to the store's ``working_copies`` table, so a user who
navigates away, reloads, or whose browser closes, gets the edits back the next
time the workspace opens.  A save uses the version the edits started from as
its parent; a stale save raises nothing and writes nothing, it returns the
conflict with both diffs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from assistant.critique.finding import CritiqueReport, Finding
from assistant.edit.diff import GraphDiff, diff_graphs
from assistant.edit.operations import apply_edits, parse_edit
from assistant.errors import ConflictError, CycleError, InputError, UnknownVariableError
from assistant.graph.dag import find_cycle
from assistant.model import CausalGraph
from assistant.stats import CITestCache
from assistant.store import Store, VersionInfo
from assistant.store.info import content_hash
from assistant.workspace.merge import MergeResult, three_way_merge
from assistant.workspace.roles import EDITOR, Identity


@dataclass(frozen=True)
class Conflict:
    """A stale save: ``head_version`` was saved since ``parent_version``, the version the edits started from."""

    message: str
    head_version: int
    parent_version: int
    diff: GraphDiff  # head -> my graph: what my save would change on top of the head
    concurrent_diff: GraphDiff  # parent -> head: what the other save(s) changed

    @classmethod
    def from_error(cls, err: ConflictError) -> "Conflict":
        return cls(message=err.message, head_version=err.head_version, parent_version=err.parent_version,
                   diff=err.diff or GraphDiff(), concurrent_diff=err.concurrent_diff or GraphDiff())


@dataclass(frozen=True)
class SaveOutcome:
    version: VersionInfo | None = None
    conflict: Conflict | None = None

    @property
    def saved(self) -> bool:
        return self.version is not None


@dataclass
class Workspace:
    store: Store
    project: str
    graph_name: str
    identity: Identity
    base: VersionInfo
    graph: CausalGraph
    data: pd.DataFrame | None = None
    data_sha256: str | None = None
    message: str = ""
    previous: CausalGraph | None = None
    last_change: str = ""
    conflict: Conflict | None = None
    restored: bool = False
    data_note: str | None = None  # set when ``data`` is a sample of a larger dataset (the UI shows it)
    cache: CITestCache = field(default_factory=CITestCache)
    _report: tuple[str, str, CritiqueReport] | None = field(default=None, repr=False)

    # --- opening --------------------------------------------------------------

    @classmethod
    def open(cls, store: Store, project: str, graph_name: str, identity: Identity, *,
             data: pd.DataFrame | None = None, data_sha256: str | None = None) -> "Workspace":
        """The head version, or this user's unsaved working copy of the graph if there is one."""
        saved = store.get_working_copy(project, graph_name, identity.name)
        if saved is not None:
            base = store.get_version(project, graph_name, saved.base_version)
            return cls(store=store, project=project, graph_name=graph_name, identity=identity, base=base,
                       graph=saved.graph, data=data, data_sha256=data_sha256, message=saved.message, restored=True,
                       previous=base.graph, last_change="your unsaved edits (restored)")
        head = store.get_version(project, graph_name)
        return cls(store=store, project=project, graph_name=graph_name, identity=identity, base=head,
                   graph=head.graph, data=data, data_sha256=data_sha256)

    # --- state ----------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return content_hash(self.graph) != self.base.content_hash

    @property
    def changes(self) -> GraphDiff:
        """What the working copy changes relative to its base version."""
        return diff_graphs(self.base.graph, self.graph)

    def cycle(self) -> list[str] | None:
        return find_cycle(self.graph)

    def head(self) -> VersionInfo:
        return self.store.get_version(self.project, self.graph_name)

    def is_stale(self) -> bool:
        return self.head().number != self.base.number

    def _persist(self) -> None:
        self.identity.require(EDITOR, "edit graphs")  # every working-copy write passes here
        if self.dirty or self.message:
            self.store.put_working_copy(self.project, self.graph_name, self.identity.name, self.graph,
                                        base_version=self.base.number, message=self.message)
        else:
            self.store.discard_working_copy(self.project, self.graph_name, self.identity.name)

    # --- editing --------------------------------------------------------------

    def apply(self, ops: Iterable[Any], *, what: str = "") -> CausalGraph:
        """Apply edit operations (JSON dicts or parsed ops) to the working copy, all or none; returns the new graph.

        Raises the typed error of the first operation that does not apply
        (unknown variable, missing edge, ...); the working copy is unchanged then.
        """
        self.identity.require(EDITOR, "edit graphs")
        parsed = [op if not isinstance(op, dict) else parse_edit(op) for op in ops]
        if not parsed:
            return self.graph
        new = apply_edits(self.graph, parsed)
        self._set(new, what or diff_graphs(self.graph, new).summary())
        return new

    def replace(self, graph: CausalGraph, *, what: str = "") -> CausalGraph:
        """Make ``graph`` the working copy (from the edge table, the code box or a draft)."""
        self.identity.require(EDITOR, "edit graphs")
        self._set(graph, what or diff_graphs(self.graph, graph).summary())
        return graph

    def _set(self, graph: CausalGraph, what: str) -> None:
        if content_hash(graph) == content_hash(self.graph):
            return
        self.previous, self.graph, self.last_change = self.graph, graph, what
        self._persist()

    def set_message(self, message: str) -> None:
        if message != self.message:
            self.message = message
            self._persist()

    def apply_dagitty(self, code: str) -> CausalGraph:
        """Replace the structure with DAGitty model code, keeping every variable's and edge's details.

        A name the graph does not have is an :class:`UnknownVariableError`
        naming it, unless the code declares it ``[latent]`` (a new latent
        variable).  Variables the code leaves out are kept; their edges follow the code.
        """
        from assistant.formats import read_graph

        parsed = read_graph(code, "dagitty", source="the model code")
        known = set(self.graph.names)
        unknown = [v.name for v in parsed.variables if v.name not in known and v.observed]
        if unknown:
            raise UnknownVariableError(unknown, context="the model code", known=self.graph.names)
        data = self.graph.model_dump(mode="json")
        latent_in_code = {v.name for v in parsed.variables if not v.observed}
        for var in data["variables"]:
            if var["name"] in latent_in_code:
                var["observed"] = False
        data["variables"] += [v.model_dump(mode="json") for v in parsed.variables if v.name not in known]
        edges = []
        for e in parsed.edges:
            old = self.graph.find_edge(e.source, e.target, e.kind) if e.source in known and e.target in known else None
            if old is not None:
                edges.append({**old.model_dump(mode="json"), "source": e.source, "target": e.target})
            else:
                edges.append({**e.model_dump(mode="json"), "provenance": "expert",
                              "rationale": "written in the model code"})
        data["edges"] = edges
        for marker in ("exposures", "outcomes", "adjusted"):
            data[marker] = list(getattr(parsed, marker))
        graph = CausalGraph.model_validate(data)
        return self.replace(graph, what="model code")

    def discard(self) -> None:
        """Forget the unsaved edits and go back to the head version."""
        self.store.discard_working_copy(self.project, self.graph_name, self.identity.name)
        head = self.head()
        self.previous, self.base, self.graph, self.message, self.conflict = self.graph, head, head.graph, "", None
        self.last_change = "discarded the unsaved edits"

    def reload_if_clean(self) -> bool:
        """Move to the head version when there are no unsaved edits; True if it moved."""
        if self.dirty:
            return False
        head = self.head()
        if head.number == self.base.number:
            return False
        self.base, self.graph, self.previous = head, head.graph, None
        return True

    # --- critique -------------------------------------------------------------

    def critique(self) -> CritiqueReport:
        """Critique the working copy (with the data, and the edit impact of the last change); memoized.

        The :class:`CITestCache` lives as long as the workspace, so after a
        one-edge edit only the changed independence tests are computed again.
        """
        from assistant.critique import critique

        key = (content_hash(self.graph), content_hash(self.previous) if self.previous is not None else "")
        if self._report is not None and self._report[:2] == key:
            return self._report[2]
        report = critique(self.graph, self.data, previous=self.previous, cache=self.cache,
                          data_fingerprint=self.data_sha256)
        self._report = (key[0], key[1], report)
        return report

    def apply_fix(self, finding: Finding) -> SaveOutcome:
        """Apply a finding's one-click fix and save it as a version (or return the conflict)."""
        if not finding.fix:
            raise InputError(f"finding {finding.rule} has no automatic fix")
        self.apply(finding.fix, what=f"fix for {finding.rule}")
        label = finding.fix_label or "apply the suggested fix"
        return self.save(f"{finding.rule} {finding.name}: {label}")

    # --- saving ---------------------------------------------------------------

    def save(self, message: str | None = None) -> SaveOutcome:
        """Save the working copy as a new version whose parent is the base version.

        Returns the conflict (and writes nothing) if someone saved since; the
        working copy is kept so the user can rebase or save as a branch.
        A graph with a directed cycle is not saved (:class:`CycleError`).
        """
        self.identity.require(EDITOR, "save versions")
        message = (self.message if message is None else message).strip()
        if not message:
            raise InputError("a version needs a message: say what you changed and why")
        cycle = self.cycle()
        if cycle:
            raise CycleError(cycle)
        try:
            version = self.store.save_version(self.project, self.graph_name, self.graph, parent=self.base.number,
                                              author=self.identity.name, message=message)
        except ConflictError as err:
            self.message = message
            self._persist()
            self.conflict = Conflict.from_error(err)
            return SaveOutcome(conflict=self.conflict)
        self.store.discard_working_copy(self.project, self.graph_name, self.identity.name)
        self.base, self.graph, self.message, self.conflict = version, version.graph, "", None
        return SaveOutcome(version=version)

    def rebase(self) -> MergeResult:
        """Replay my unsaved change on the current head; the new base is the head (nothing is saved yet)."""
        head = self.head()
        merged = three_way_merge(self.base.graph, self.graph, head.graph)
        self.previous, self.base, self.graph, self.conflict = head.graph, head, merged.graph, None
        self.last_change = f"rebased onto version {head.number}"
        self._persist()
        return merged

    def save_as_branch(self, name: str, message: str | None = None) -> VersionInfo:
        """Save the working copy as version 1 of a new graph ``name``; the workspace moves to the branch."""
        self.identity.require(EDITOR, "save versions")
        message = (self.message if message is None else message).strip() or \
            f"branched from {self.graph_name} v{self.base.number}"
        cycle = self.cycle()
        if cycle:
            raise CycleError(cycle)
        graph = self.graph
        version = self.store.create_graph(self.project, name.strip(), graph, author=self.identity.name,
                                          message=f"{message} (branched from {self.graph_name} v{self.base.number})")
        self.store.discard_working_copy(self.project, self.graph_name, self.identity.name)
        self.graph_name, self.base, self.graph, self.message, self.conflict = name.strip(), version, graph, "", None
        return version
