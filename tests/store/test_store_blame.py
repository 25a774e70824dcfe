"""Blame: the version that introduced each edge, along the parent chain."""

from __future__ import annotations

from store_helpers import make_graph

from assistant.edit import AddEdge, RemoveEdge, ReverseEdge, SetEdgeKind, UpdateEdge, apply_edit
from assistant.model import Edge


def _save(store, project, graph_name, op, author, message):
    head = store.get_version(project, graph_name)
    return store.save_version(project, graph_name, apply_edit(head.graph, op), parent=head.number, author=author,
                              message=message)


def _by_edge(blames):
    return {b.edge_text: b for b in blames}


def test_edges_of_the_first_version_are_blamed_on_it(store, project, graph_name):
    blames = store.blame(project, graph_name)
    assert [(b.edge_text, b.version, b.author, b.message) for b in blames] == [
        ("Z -> X", 1, "ana", "first draft"), ("Z -> Y", 1, "ana", "first draft"), ("X -> Y", 1, "ana", "first draft")]


def test_added_edge_is_blamed_on_the_version_that_added_it(store, project):
    store.create_graph(project, "g", make_graph("abc"), author="ana", message="nodes")
    _save(store, project, "g", AddEdge(edge=Edge(source="a", target="b", provenance="llm")), "bot", "llm proposal")
    _save(store, project, "g", AddEdge(edge=Edge(source="b", target="c")), "ben", "expert edge")
    blames = _by_edge(store.blame(project, "g"))
    assert (blames["a -> b"].version, blames["a -> b"].author, blames["a -> b"].provenance) == (2, "bot", "llm")
    assert (blames["b -> c"].version, blames["b -> c"].message, blames["b -> c"].provenance) == (3, "expert edge",
                                                                                             "expert")
    assert blames["a -> b"].created_at.tzinfo is not None


def test_removed_and_readded_edge_counts_from_its_readdition(store, project, graph_name):
    _save(store, project, graph_name, RemoveEdge(source="X", target="Y"), "ben", "no direct effect")
    _save(store, project, graph_name, AddEdge(edge=Edge(source="X", target="Y")), "cy", "it is back")
    blames = _by_edge(store.blame(project, graph_name))
    assert (blames["X -> Y"].version, blames["X -> Y"].author) == (3, "cy")
    assert blames["Z -> X"].version == 1


def test_reversal_and_kind_change_make_a_new_edge(store, project, graph_name):
    _save(store, project, graph_name, ReverseEdge(source="Z", target="X"), "ben", "reverse")
    _save(store, project, graph_name, SetEdgeKind(source="Z", target="Y", new_kind="bidirected"), "cy", "latent")
    blames = _by_edge(store.blame(project, graph_name))
    assert blames["X -> Z"].version == 2
    assert blames["Z <-> Y"].version == 3
    assert blames["X -> Y"].version == 1


def test_attribute_changes_keep_the_introducer_and_set_last_changed(store, project, graph_name):
    _save(store, project, graph_name, UpdateEdge(source="X", target="Y", fields={"rationale": "dose"}), "ben", "why")
    _save(store, project, graph_name, AddEdge(edge=Edge(source="X", target="Z")), "cy", "unrelated")
    blame = _by_edge(store.blame(project, graph_name))["X -> Y"]
    assert (blame.version, blame.last_changed) == (1, 2)
    assert _by_edge(store.blame(project, graph_name))["Z -> X"].last_changed == 1


def test_blame_of_an_old_version_ignores_later_ones(store, project, graph_name):
    _save(store, project, graph_name, RemoveEdge(source="X", target="Y"), "ben", "drop")
    _save(store, project, graph_name, AddEdge(edge=Edge(source="X", target="Y")), "cy", "restore")
    assert _by_edge(store.blame(project, graph_name, 1))["X -> Y"].version == 1
    assert "X -> Y" not in _by_edge(store.blame(project, graph_name, 2))


def test_revert_reintroduces_edges_at_the_revert(store, project, graph_name):
    _save(store, project, graph_name, RemoveEdge(source="X", target="Y"), "ben", "drop")
    store.revert(project, graph_name, 1, author="cy")
    blames = _by_edge(store.blame(project, graph_name))
    assert (blames["X -> Y"].version, blames["X -> Y"].message) == (3, "Revert to version 1")
    assert blames["Z -> Y"].version == 1
