"""Optimistic concurrency for real: several processes saving the same graph lose nothing."""

from __future__ import annotations

import json
import multiprocessing
import queue as queue_module
import sys
import threading
import types

import pytest
from concurrent_saver import GRAPH, PROJECT, edit_name, save_many
from store_helpers import make_graph

from assistant.edit import AddVariable, RemoveEdge, apply_edit
from assistant.errors import ConflictError
from assistant.model import Variable
from assistant.store import Store

WORKERS, SAVES = 4, 5


@pytest.mark.slow
def test_processes_saving_the_same_graph_keep_one_linear_history(database_url):
    with Store.open(database_url) as store:
        store.create_project(PROJECT, author="setup")
        store.create_graph(PROJECT, GRAPH, make_graph("XY", [("X", "Y")]), author="setup", message="start")

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=save_many, args=(database_url, w, SAVES, barrier, results)) for w in range(WORKERS)]
    # A bare __main__ while starting: a child re-runs the parent's __main__ file first, and in a test
    # process that may be a Streamlit page an AppTest left there (ui/app.py), which dies before reporting.
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for p in procs:
            p.start()
    finally:
        sys.modules["__main__"] = main
    try:
        reports = [results.get(timeout=300) for _ in procs]  # generous: spawning is slow on a loaded machine
    except queue_module.Empty:  # pragma: no cover - only when a worker hangs
        pytest.fail("a worker did not report within 300 s")
    finally:
        for p in procs:
            p.join(timeout=30)
    assert [r["error"] for r in reports] == [None] * WORKERS, "\n".join(r["error"] or "" for r in reports)

    conflicts = [c for r in reports for c in r["conflicts"]]
    # Every worker read v1 before the barrier, so the first round alone makes WORKERS - 1 conflicts.
    assert len(conflicts) >= WORKERS - 1
    assert sum(r["attempts"] for r in reports) == WORKERS * SAVES + len(conflicts)
    for c in conflicts:
        assert c["head"] > c["parent"]
        assert c["concurrent"] != "no changes"

    with Store.open(database_url) as store:
        log = store.log(PROJECT, GRAPH)
        total = 1 + WORKERS * SAVES
        assert len(log) == total
        assert sorted(v.number for v in log) == list(range(1, total + 1))
        by_number = {v.number: v for v in log}

        # One linear chain from the head back to v1 through every version.
        chain, current = [], log[0].number
        while current is not None:
            chain.append(current)
            current = by_number[current].parent
        assert chain == list(range(total, 0, -1))

        # Each version adds exactly its own edit to its parent: nothing lost, nothing duplicated.
        for v in log[:-1]:
            assert store.diff(PROJECT, GRAPH, v.parent, v.number).summary() == "+1 variable, +1 edge"
            assert v.graph.has_variable(v.message)
        expected = {edit_name(w, j) for w in range(WORKERS) for j in range(SAVES)}
        assert {v.message for v in log[:-1]} == expected
        assert set(log[0].graph.names) == expected | {"X", "Y"}
        saved_numbers = sorted(n for r in reports for n in r["saved"])
        assert saved_numbers == list(range(2, total + 1))


def test_two_stores_stale_parent_conflicts_with_a_diff_and_writes_nothing(database_url, confounding_graph):
    with Store.open(database_url) as alice, Store.open(database_url) as bob:
        alice.create_project("p", author="alice")
        alice.create_graph("p", "g", confounding_graph, author="alice", message="v1")
        a_head, b_head = alice.get_version("p", "g"), bob.get_version("p", "g")

        alice.save_version("p", "g", apply_edit(a_head.graph, RemoveEdge(source="Z", target="Y")), parent=1,
                           author="alice", message="drop Z -> Y")
        counts = bob.row_counts()
        bobs_graph = apply_edit(b_head.graph, AddVariable(variable=Variable(name="W")))
        with pytest.raises(ConflictError) as info:
            bob.save_version("p", "g", bobs_graph, parent=b_head.number, author="bob", message="add W")
        assert bob.row_counts() == counts
        assert [v.number for v in bob.log("p", "g")] == [2, 1]

        exc = info.value
        assert (exc.head_version, exc.parent_version, exc.exit_code) == (2, 1, 3)
        assert "version 1" in str(exc) and "version 2" in str(exc) and "alice" in str(exc)
        # diff: what bob's save would do to the head; concurrent_diff: what alice did meanwhile.
        assert exc.diff.summary() == "+1 variable, +1 edge"
        assert exc.concurrent_diff.summary() == "-1 edge"
        assert json.loads(json.dumps(exc.as_dict()))["concurrent_diff"]["edges_removed"][0]["source"] == "Z"

        # The remedy the error suggests works: reload, re-apply, save.
        head = bob.get_version("p", "g")
        v3 = bob.save_version("p", "g", apply_edit(head.graph, AddVariable(variable=Variable(name="W"))),
                              parent=head.number, author="bob", message="add W")
        assert v3.number == 3 and v3.graph.has_variable("W") and v3.graph.find_edge("Z", "Y") is None


def test_revert_on_a_graph_saved_concurrently_goes_on_top_of_the_newest_head(database_url, confounding_graph):
    with Store.open(database_url) as a, Store.open(database_url) as b:
        a.create_project("p", author="a")
        a.create_graph("p", "g", confounding_graph, author="a", message="v1")
        a.save_version("p", "g", make_graph("XY"), parent=1, author="a", message="v2")
        reverted = b.revert("p", "g", 1, author="b")
        assert (reverted.number, reverted.parent) == (3, 2)


def test_threads_opening_an_empty_database_migrate_it_once(database_url):
    errors: list[BaseException] = []

    def open_and_create(i: int) -> None:
        try:
            with Store.open(database_url) as s:
                s.create_project(f"p{i}", author="t")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_create, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with Store.open(database_url) as s:
        assert [p.name for p in s.list_projects()] == ["p0", "p1", "p2", "p3"]
