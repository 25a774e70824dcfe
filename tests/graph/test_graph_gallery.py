"""Our answers on the named gallery graphs match the published ones (DAGitty, the literature)."""

from __future__ import annotations

import pytest

from assistant import gallery
from assistant.graph import (
    basis_implications, front_door, instrumental_variables, is_front_door_set, is_valid_adjustment_set,
    minimal_adjustment_sets, missing_edge_implications,
)

CASES = [(entry.name, i, exp) for entry in gallery.entries() for i, exp in enumerate(entry.expected)]


def _ids(case):
    return f"{case[0]}-{case[1]}"


def _statement(text: str) -> tuple[frozenset, frozenset]:
    """'A _||_ B | C, D' as (pair, conditioning set), so the comparison ignores ordering."""
    head, _, given = text.partition(" | ")
    a, b = head.split(" _||_ ")
    return frozenset({a, *b.split(", ")}), frozenset(given.split(", ")) if given else frozenset()


@pytest.mark.parametrize("case", [c for c in CASES if c[2].adjustment_sets is not None], ids=_ids)
def test_minimal_adjustment_sets_match_published(case):
    name, _, exp = case
    graph = gallery.load(name)
    result = minimal_adjustment_sets(graph, include=exp.include, exclude=exp.exclude)
    assert set(result.sets) == set(exp.adjustment_sets), exp.source
    assert not result.truncated
    for s in result.sets:
        assert is_valid_adjustment_set(graph, s)


@pytest.mark.parametrize("case", [c for c in CASES if c[2].instruments is not None], ids=_ids)
def test_instruments_match_published(case):
    name, _, exp = case
    assert {str(i) for i in instrumental_variables(gallery.load(name))} == set(exp.instruments), exp.source


@pytest.mark.parametrize("case", [c for c in CASES if c[2].front_door is not None], ids=_ids)
def test_front_door_matches_published(case):
    name, _, exp = case
    graph = gallery.load(name)
    found = front_door(graph)
    assert found.minimal == exp.front_door
    assert is_front_door_set(graph, exp.front_door)


@pytest.mark.parametrize("case", [c for c in CASES if c[2].missing_edge_implications is not None], ids=_ids)
def test_missing_edge_implications_match_published(case):
    name, _, exp = case
    got = {_statement(str(i)) for i in missing_edge_implications(gallery.load(name))}
    assert got == {_statement(t) for t in exp.missing_edge_implications}, exp.source


@pytest.mark.parametrize("case", [c for c in CASES if c[2].basis_implications is not None], ids=_ids)
def test_basis_implications_match_published(case):
    name, _, exp = case
    assert [str(i) for i in basis_implications(gallery.load(name))] == list(exp.basis_implications)


def test_every_gallery_graph_is_a_valid_acyclic_graph_with_a_query():
    for entry in gallery.entries():
        graph = gallery.load(entry.name)
        assert graph.exposures and graph.outcomes, entry.name
        assert entry.expected, f"{entry.name} has no published answer to test against"


def test_record_sales_names_the_seed_variables():
    graph = gallery.load("record_sales")
    assert set(graph.names) == {"radio_play", "label_marketing_spend", "tiktok_use", "record_sales_6m"}
    assert graph.metadata.question is not None
    assert graph.metadata.question.text == "Does radio airplay raise record sales?"


def test_unknown_gallery_name_is_a_not_found_error_listing_the_choices():
    from assistant.errors import NotFoundError

    with pytest.raises(NotFoundError) as err:
        gallery.load("no_such_graph")
    assert "record_sales" in err.value.hint
