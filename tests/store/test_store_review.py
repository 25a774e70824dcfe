"""The review lifecycle: allowed transitions, refused ones, and the event trail."""

from __future__ import annotations

import pytest

from assistant.errors import InputError, InvalidTransitionError, NotFoundError


def test_draft_to_in_review_to_validated_records_events(store, project, graph_name):
    v = store.set_status(project, graph_name, 1, "in_review", actor="ana", comment="please check")
    assert v.status == "in_review"
    v = store.set_status(project, graph_name, 1, "validated", actor="ben", comment="looks right")
    assert v.status == "validated"
    assert store.get_version(project, graph_name).status == "validated"
    events = store.review_events(project, graph_name, 1)
    assert [(e.action, e.actor, e.comment, e.version) for e in events] == [
        ("request_review", "ana", "please check", 1), ("approve", "ben", "looks right", 1)]


def test_in_review_can_be_rejected_or_withdrawn(store, project, graph_name):
    g = store.get_version(project, graph_name).graph
    store.save_version(project, graph_name, g, parent=1, author="ana", message="v2")
    store.set_status(project, graph_name, 1, "in_review", actor="ana")
    store.set_status(project, graph_name, 1, "rejected", actor="ben", comment="Z is not a confounder")
    store.set_status(project, graph_name, 2, "in_review", actor="ana")
    assert store.set_status(project, graph_name, 2, "draft", actor="ana").status == "draft"
    assert [e.action for e in store.review_events(project, graph_name)] == [
        "request_review", "reject", "request_review", "withdraw"]
    assert [e.version for e in store.review_events(project, graph_name, 2)] == [2, 2]


def test_status_change_does_not_touch_content_or_head(store, project, graph_name):
    before = store.get_version(project, graph_name)
    after = store.set_status(project, graph_name, 1, "in_review", actor="ana")
    assert after.model_dump(exclude={"status"}) == before.model_dump(exclude={"status"})
    assert store.list_graphs(project)[0].head_status == "in_review"


@pytest.mark.parametrize("path, target, allowed", [
    ([], "validated", "it can go to 'in_review'"),
    ([], "rejected", "it can go to 'in_review'"),
    ([], "draft", "it can go to 'in_review'"),
    (["in_review"], "in_review", "'validated', 'rejected', 'draft'"),
    (["in_review", "validated"], "draft", "'validated' is final"),
    (["in_review", "rejected"], "in_review", "'rejected' is final"),
])
def test_invalid_transitions_name_from_to_and_the_allowed_ones(store, project, graph_name, path, target, allowed):
    for status in path:
        store.set_status(project, graph_name, 1, status, actor="ana")
    counts = store.row_counts()
    current = path[-1] if path else "draft"
    with pytest.raises(InvalidTransitionError) as info:
        store.set_status(project, graph_name, 1, target, actor="ana")
    message = str(info.value)
    assert f"from {current!r} to {target!r}" in message
    assert allowed in message
    assert store.row_counts() == counts
    assert store.get_version(project, graph_name, 1).status == current


def test_unknown_status_is_refused(store, project, graph_name):
    with pytest.raises(InvalidTransitionError, match="unknown status 'approved'"):
        store.set_status(project, graph_name, 1, "approved", actor="ana")


def test_status_of_an_unknown_version_is_not_found(store, project, graph_name):
    with pytest.raises(NotFoundError, match="no version 7"):
        store.set_status(project, graph_name, 7, "in_review", actor="ana")


def test_comments_carry_an_optional_subject(store, project, graph_name):
    event = store.add_review_event(project, graph_name, 1, "comment", actor="ben", comment="why?", subject="Z -> X")
    assert (event.action, event.subject, event.version) == ("comment", "Z -> X", 1)
    assert store.review_events(project, graph_name) == [event]


@pytest.mark.parametrize("action", ["approve", "reject", "request_review", "withdraw", "status_change"])
def test_status_actions_must_go_through_set_status(store, project, graph_name, action):
    with pytest.raises(InputError, match="use set_status"):
        store.add_review_event(project, graph_name, 1, action, actor="ben")
    assert store.review_events(project, graph_name) == []


def test_unknown_review_action_is_refused(store, project, graph_name):
    with pytest.raises(InputError, match="unknown review action 'like'"):
        store.add_review_event(project, graph_name, 1, "like", actor="ben")
