"""Store writes from the UI that are neither edits nor reviews, each with its role check.

The pages call these rather than the store, so the check cannot be skipped by
a page that forgets it (or by a request crafted to reach an action the page
did not show).  Like every store write, each is audited in its own
transaction (:mod:`assistant.store.audit`).
"""

from __future__ import annotations

from assistant.store import ProjectInfo, Store, VersionInfo
from assistant.workspace.roles import EDITOR, Identity


def create_project(store: Store, identity: Identity, name: str, description: str = "") -> ProjectInfo:
    """Create a project (editors only)."""
    identity.require(EDITOR, "create projects")
    return store.create_project(name.strip(), description=description, author=identity.name)


def revert(store: Store, identity: Identity, project: str, graph: str, to: int,
           message: str | None = None) -> VersionInfo:
    """Save the content of version ``to`` as the new head (editors only); history is kept."""
    identity.require(EDITOR, "revert graphs")
    return store.revert(project, graph, to, author=identity.name, message=message)
