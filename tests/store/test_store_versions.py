"""Graph versions on both backends: create, save, read, log, diff, revert and round trips."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import make_graph

from assistant.edit import AddEdge, AddVariable, RemoveEdge, apply_edit
from assistant.model import CausalGraph, Edge, Evidence, GraphMetadata, Position, Question, Variable
from assistant.store import Store


def test_create_graph_makes_version_one_as_head(store, project, confounding_graph):
    v1 = store.create_graph(project, "g", confounding_graph, author="ana", message="first")
    assert (v1.number, v1.parent, v1.author, v1.message, v1.status) == (1, None, "ana", "first", "draft")
    assert v1.graph == confounding_graph
    assert store.get_version(project, "g") == v1
    (info,) = store.list_graphs(project)
    assert (info.name, info.head, info.head_status, info.created_by) == ("g", 1, "draft", "ana")


def test_versions_are_numbered_per_graph(store, project, confounding_graph):
    store.create_graph(project, "a", confounding_graph, author="ana", message="")
    store.create_graph(project, "b", confounding_graph, author="ana", message="")
    v2 = store.save_version(project, "a", confounding_graph, parent=1, author="ana", message="")
    assert v2.number == 2
    assert store.get_version(project, "b").number == 1
    assert [g.head for g in store.list_graphs(project)] == [2, 1]


def test_save_version_records_parent_author_and_message(store, project, graph_name):
    head = store.get_version(project, graph_name)
    edited = apply_edit(head.graph, RemoveEdge(source="X", target="Y"))
    v2 = store.save_version(project, graph_name, edited, parent=head.number, author="ben", message="no effect?")
    assert (v2.number, v2.parent, v2.author, v2.message) == (2, 1, "ben", "no effect?")
    assert store.get_version(project, graph_name).graph == edited
    assert store.get_version(project, graph_name, 1).graph == head.graph


def test_created_at_is_timezone_aware_utc_and_increasing(store, project, graph_name):
    g = store.get_version(project, graph_name).graph
    store.save_version(project, graph_name, g, parent=1, author="ana", message="again")
    newest, oldest = store.log(project, graph_name)
    for v in (newest, oldest):
        assert v.created_at.tzinfo is not None
        assert v.created_at.utcoffset() == timedelta(0)
    assert oldest.created_at <= newest.created_at
    assert newest.created_at.astimezone(timezone.utc) == newest.created_at


def test_content_hash_is_sha256_of_canonical_json(store, project, graph_name, confounding_graph):
    v = store.get_version(project, graph_name)
    canonical = json.dumps(confounding_graph.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode()
    assert v.content_hash == hashlib.sha256(canonical).hexdigest()


def test_saving_identical_content_creates_a_version_with_the_same_hash(store, project, graph_name):
    head = store.get_version(project, graph_name)
    v2 = store.save_version(project, graph_name, head.graph, parent=1, author="ben", message="reviewed, no change")
    assert v2.number == 2
    assert v2.content_hash == head.content_hash
    assert store.diff(project, graph_name, 1, 2).is_empty


def test_log_is_newest_first_with_parent_numbers(store, project, graph_name):
    g = store.get_version(project, graph_name).graph
    for i in range(3):
        g = apply_edit(g, AddVariable(variable=Variable(name=f"v{i}")))
        store.save_version(project, graph_name, g, parent=i + 1, author="ana", message=f"add v{i}")
    log = store.log(project, graph_name)
    assert [(v.number, v.parent) for v in log] == [(4, 3), (3, 2), (2, 1), (1, None)]
    assert [v.message for v in log][:3] == ["add v2", "add v1", "add v0"]


def test_diff_between_two_versions(store, project, graph_name):
    g = store.get_version(project, graph_name).graph
    g2 = apply_edit(apply_edit(g, AddVariable(variable=Variable(name="W"))), AddEdge(edge=Edge(source="W", target="Y")))
    store.save_version(project, graph_name, g2, parent=1, author="ana", message="weather")
    assert store.diff(project, graph_name, 1, 2).summary() == "+1 variable, +1 edge"
    assert store.diff(project, graph_name, 2, 1).summary() == "-1 variable, -1 edge"


def test_revert_adds_a_new_version_with_old_content_and_keeps_history(store, project, graph_name):
    v1 = store.get_version(project, graph_name)
    g2 = apply_edit(v1.graph, RemoveEdge(source="Z", target="Y"))
    store.save_version(project, graph_name, g2, parent=1, author="ana", message="drop Z -> Y")
    v3 = store.revert(project, graph_name, 1, author="ben")
    assert (v3.number, v3.parent, v3.author, v3.message) == (3, 2, "ben", "Revert to version 1")
    assert v3.graph == v1.graph and v3.content_hash == v1.content_hash
    assert len(store.log(project, graph_name)) == 3
    v4 = store.revert(project, graph_name, 2, author="ben", message="Z -> Y really is absent")
    assert v4.message == "Z -> Y really is absent" and v4.graph == g2


def test_a_rich_graph_survives_the_database_unchanged(store, project):
    graph = CausalGraph(
        variables=[Variable(name="radio airplay", label="Airplay", description="plays/week", data_type="integer",
                            tier=0, role="exposure", position=Position(x=0.1, y=-2.5)),
                   Variable(name="sales", data_type="continuous", tier=1),
                   Variable(name="bands' fame ☆", observed=False)],
        edges=[Edge(source="radio airplay", target="sales", provenance="llm", confidence=0.73, rationale="→",
                    evidence=[Evidence(source="ci-test", method="fisher-z", statistic=-2.5, p_value=0.013, n=200,
                                       supports=True)]),
               Edge(source="bands' fame ☆", target="sales", kind="bidirected")],
        exposures=["radio airplay"], outcomes=["sales"],
        metadata=GraphMetadata(name="sales", question=Question(text="Does airplay sell records?",
                                                               exposure="radio airplay", outcome="sales"),
                               extra={"nested": {"a": [1, 2.5, None, True]}}))
    store.create_graph(project, "rich", graph, author="ana", message="")
    assert store.get_version(project, "rich").graph == graph


def test_reopening_the_store_sees_the_same_history(database_url, confounding_graph):
    with Store.open(database_url) as s:
        s.create_project("p", author="ana")
        s.create_graph("p", "g", confounding_graph, author="ana", message="m")
    with Store.open(database_url) as s:
        assert [v.number for v in s.log("p", "g")] == [1]
        assert s.get_version("p", "g").graph == confounding_graph


NAMES = ["a", "b", "c", "long name with spaces", "ü", "x'y\"z"]


@st.composite
def graphs(draw) -> CausalGraph:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, unique=True))
    pairs = [(s, t) for s in names for t in names if s != t]
    edges = draw(st.lists(st.sampled_from(pairs), unique_by=lambda p: p, max_size=6)) if pairs else []
    g = make_graph(names, edges)
    confidence = draw(st.none() | st.floats(0, 1))
    if g.edges:
        g = g.model_copy(update={"edges": [g.edges[0].model_copy(update={"confidence": confidence}), *g.edges[1:]]})
    return CausalGraph.model_validate(g.model_dump())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_any_graph_round_trips_through_the_store(store, project, graph_name, graph):
    head = store.get_version(project, graph_name)
    saved = store.save_version(project, graph_name, graph, parent=head.number, author="h", message="")
    loaded = store.get_version(project, graph_name, saved.number)
    assert loaded.graph == graph
    assert loaded.content_hash == saved.content_hash
