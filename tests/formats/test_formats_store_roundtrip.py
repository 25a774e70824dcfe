"""Graphs survive the whole trip: a format, the database (SQLite and PostgreSQL), and back out again."""

from __future__ import annotations

import itertools

from formats_strategies import causal_graphs, dagitty_view
from hypothesis import HealthCheck, given, settings

from assistant.formats import read_graph, write_graph
from assistant.store import Store

TRIP = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def test_every_format_survives_a_trip_through_the_database(database_url):
    counter = itertools.count()
    with Store.open(database_url) as store:
        store.create_project("trip", author="tester")

        @TRIP
        @given(causal_graphs())
        def trip(graph):
            name = f"g{next(counter)}"
            first = store.create_graph("trip", name, graph, author="tester", message="original")
            assert store.get_version("trip", name, first.number).graph == graph
            for fmt in ("json", "dot", "gml"):
                text = write_graph(store.get_version("trip", name).graph, fmt)
                saved = store.save_version("trip", name, read_graph(text, fmt), parent=store.get_version(
                    "trip", name).number, author="tester", message=f"via {fmt}")
                assert store.get_version("trip", name, saved.number).graph == graph, fmt
                assert store.diff("trip", name, first.number, saved.number).is_empty
            text = write_graph(graph, "dagitty")
            head = store.get_version("trip", name).number
            saved = store.save_version("trip", name, read_graph(text, "dagitty"), parent=head, author="tester",
                                       message="via dagitty")
            assert dagitty_view(store.get_version("trip", name, saved.number).graph) == dagitty_view(graph)

        trip()
