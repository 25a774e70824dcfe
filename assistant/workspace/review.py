"""Review actions with role checks: editors request reviews and comment, only reviewers validate or reject.

The store enforces the lifecycle (draft -> in_review -> validated/rejected,
see :mod:`assistant.store.review`); this module adds *who* may move it.
"""

from __future__ import annotations

from assistant.errors import InputError, PermissionDeniedError
from assistant.store import ReviewEventInfo, Store, VersionInfo
from assistant.workspace.roles import EDITOR, REVIEWER, Identity


def request_review(store: Store, identity: Identity, project: str, graph: str, number: int,
                   comment: str = "") -> VersionInfo:
    identity.require(EDITOR, "request a review")
    return store.set_status(project, graph, number, "in_review", actor=identity.name, comment=comment)


def withdraw(store: Store, identity: Identity, project: str, graph: str, number: int, comment: str = "") -> VersionInfo:
    identity.require(EDITOR, "withdraw a review request")
    return store.set_status(project, graph, number, "draft", actor=identity.name, comment=comment)


def approve(store: Store, identity: Identity, project: str, graph: str, number: int, comment: str = "") -> VersionInfo:
    """Mark a version validated (reviewers only); it must be in review.

    With logins (deployed mode) a reviewer may not validate a version they saved themselves: a second
    person checks every assumption (the four-eyes rule). A local install has one user, who may.
    """
    identity.require(REVIEWER, "validate a version")
    if identity.source == "oidc":
        author = store.get_version(project, graph, number).author
        if author == identity.name:
            raise PermissionDeniedError(
                f"{identity.name} saved version {number} of {graph!r} and so may not validate it",
                hint="another reviewer must approve it")
    return store.set_status(project, graph, number, "validated", actor=identity.name, comment=comment)


def reject(store: Store, identity: Identity, project: str, graph: str, number: int, comment: str = "") -> VersionInfo:
    """Mark a version rejected (reviewers only); a reason is required."""
    identity.require(REVIEWER, "reject a version")
    if not comment.strip():
        raise InputError("say why the version is rejected", hint="write the reason in the comment box")
    return store.set_status(project, graph, number, "rejected", actor=identity.name, comment=comment)


def comment(store: Store, identity: Identity, project: str, graph: str, number: int, text: str, *,
            subject: str | None = None) -> ReviewEventInfo:
    """Comment on a version, or on one of its edges (``subject`` = ``"a -> b"``); editors and reviewers may."""
    identity.require_any("comment on versions")
    if not text.strip():
        raise InputError("the comment is empty")
    if subject is not None:
        edges = {str(e) for e in store.get_version(project, graph, number).graph.edges}
        if subject not in edges:
            raise InputError(f"version {number} has no edge {subject!r}")
    return store.add_review_event(project, graph, number, "comment", actor=identity.name, comment=text.strip(),
                                  subject=subject)
