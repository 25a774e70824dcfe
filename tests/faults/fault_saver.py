"""A process that saves versions and can be stopped in the middle of a save (run as a script by the fault tests).

    python fault_saver.py URL pause-after-insert   # prints "PAUSED <backend pid or 0>" inside the save's
                                                   # transaction, after the version row is inserted and
                                                   # before the head moves; then waits to be killed
    python fault_saver.py URL loop                 # saves forever, printing "SAVED <n>" after each commit

The graph is ``faults/g`` (see :func:`seed`); each save adds one variable ``s<n>`` and an edge ``X -> s<n>``.
"""

from __future__ import annotations

import sys
import time

from sqlalchemy import event

PROJECT, GRAPH = "faults", "g"


def seed(store) -> None:
    from assistant.model import CausalGraph, Edge, Variable

    store.create_project(PROJECT, author="setup")
    store.create_graph(PROJECT, GRAPH, CausalGraph(variables=[Variable(name="X"), Variable(name="Y")],
                                                   edges=[Edge(source="X", target="Y")]),
                       author="setup", message="v1")


def next_graph(head):
    from assistant.edit import AddEdge, AddVariable, apply_edits
    from assistant.model import Edge, Variable

    name = f"s{head.number + 1}"
    return apply_edits(head.graph, [AddVariable(variable=Variable(name=name)),
                                    AddEdge(edge=Edge(source="X", target=name))]), name


def backend_pid(connection) -> int:
    dbapi = connection.connection.dbapi_connection
    info = getattr(dbapi, "info", None)
    return int(getattr(info, "backend_pid", 0) or 0)


def is_version_insert(statement: str) -> bool:
    return statement.lstrip().upper().startswith("INSERT INTO GRAPH_VERSIONS")


def main(url: str, mode: str) -> None:
    from assistant.store import Store

    store = Store.open(url, upgrade=False)
    if mode == "pause-after-insert":
        @event.listens_for(store.engine, "after_cursor_execute")
        def _pause(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            if is_version_insert(statement):
                print(f"PAUSED {backend_pid(conn)}", flush=True)
                time.sleep(600)

        head = store.get_version(PROJECT, GRAPH)
        graph, name = next_graph(head)
        store.save_version(PROJECT, GRAPH, graph, parent=head.number, author="saver", message=name)
        print("UNEXPECTED: the save finished", flush=True)
    elif mode == "loop":
        print("READY", flush=True)
        while True:
            head = store.get_version(PROJECT, GRAPH)
            graph, name = next_graph(head)
            saved = store.save_version(PROJECT, GRAPH, graph, parent=head.number, author="saver", message=name)
            print(f"SAVED {saved.number}", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
