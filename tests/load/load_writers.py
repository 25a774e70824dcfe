"""Concurrent writers for the load tests and ``benchmarks/bench_load.py``: optimistic concurrency, counted.

Each writer makes ``saves`` edits: load the head, add one variable and one edge, save with
``parent=head``; on :class:`ConflictError` reload the head and try again.  Every attempt, conflict and
success is counted and reported, with the time spent, so a caller can check that nothing was lost
(versions in the store == successful saves) and compute the throughput.

Writers run as threads (one Store each, as in one server process) or as spawned processes.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import sys
import threading
import time
import traceback
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

PROJECT = "load"
MAX_ATTEMPTS_PER_EDIT = 500


LAYOUTS = ("same", "own", "mixed")


def graph_for(writer: int, layout: str) -> str:
    """``same``: every writer on one graph; ``own``: one graph each; ``mixed``: even writers share one graph,
    odd writers have their own."""
    if layout == "same" or (layout == "mixed" and writer % 2 == 0):
        return "shared"
    if layout in ("own", "mixed"):
        return f"own-{writer}"
    raise ValueError(f"unknown layout {layout!r}")


def edit_name(writer: int, j: int) -> str:
    return f"w{writer}_e{j}"


def seed(url: str, writers: int, layout: str) -> None:
    from assistant.model import CausalGraph, Edge, Variable
    from assistant.store import Store

    start = CausalGraph(variables=[Variable(name="X"), Variable(name="Y")], edges=[Edge(source="X", target="Y")])
    with Store.open(url) as store:
        store.create_project(PROJECT, author="setup")
        for name in sorted({graph_for(w, layout) for w in range(writers)}):
            store.create_graph(PROJECT, name, start, author="setup", message="start")


def write(url: str, writer: int, saves: int, layout: str, barrier: Any, results: Any) -> None:
    from assistant.edit import AddEdge, AddVariable, apply_edits
    from assistant.errors import ConflictError
    from assistant.model import Edge, Variable
    from assistant.store import Store

    report: dict[str, Any] = {"writer": writer, "attempts": 0, "conflicts": 0, "conflict_reports": [],
                              "saved": [], "error": None, "seconds": 0.0, "latencies": []}
    graph = graph_for(writer, layout)
    try:
        with Store.open(url, upgrade=False) as store:
            head = store.get_version(PROJECT, graph)
            barrier.wait(timeout=120)
            started = time.perf_counter()
            for j in range(saves):
                name = edit_name(writer, j)
                ops = [AddVariable(variable=Variable(name=name)), AddEdge(edge=Edge(source="X", target=name))]
                for _ in range(MAX_ATTEMPTS_PER_EDIT):
                    report["attempts"] += 1
                    t0 = time.perf_counter()
                    try:
                        head = store.save_version(PROJECT, graph, apply_edits(head.graph, ops), parent=head.number,
                                                  author=f"writer-{writer}", message=name)
                        report["latencies"].append(time.perf_counter() - t0)
                        report["saved"].append(head.number)
                        break
                    except ConflictError as exc:
                        report["conflicts"] += 1
                        if len(report["conflict_reports"]) < 50:
                            report["conflict_reports"].append((exc.parent_version, exc.head_version))
                        head = store.get_version(PROJECT, graph)
                else:
                    raise RuntimeError(f"edit {name} still conflicting after {MAX_ATTEMPTS_PER_EDIT} attempts")
            report["seconds"] = time.perf_counter() - started
    except BaseException:
        report["error"] = traceback.format_exc()
    results.put(report)


@dataclass
class LoadResult:
    writers: int
    saves: int
    mode: str
    layout: str
    reports: list[dict[str, Any]] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def successes(self) -> int:
        return sum(len(r["saved"]) for r in self.reports)

    @property
    def conflicts(self) -> int:
        return sum(r["conflicts"] for r in self.reports)

    @property
    def attempts(self) -> int:
        return sum(r["attempts"] for r in self.reports)

    @property
    def errors(self) -> list[str]:
        return [r["error"] for r in self.reports if r["error"]]

    @property
    def throughput(self) -> float:
        """Successful saves per second of wall time (from the barrier to the last writer's end)."""
        return self.successes / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def latencies(self) -> list[float]:
        return sorted(x for r in self.reports for x in r["latencies"])


@contextmanager
def plain_main() -> Iterator[None]:
    """Start "spawn" children with a bare ``__main__``, so they import only their target's module.

    A child re-runs the parent's ``__main__`` file first; in a test process that may be a Streamlit page
    an AppTest left there (ui/app.py), which dies outside Streamlit before the child ever reports.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def run_writers(url: str, writers: int, saves: int, *, mode: str, layout: str,
                timeout: float = 300) -> LoadResult:
    """Seed the store, then run ``writers`` concurrent writers (``mode`` "threads" or "processes")."""
    seed(url, writers, layout)
    result = LoadResult(writers, saves, mode, layout)
    if mode == "threads":
        barrier, results = threading.Barrier(writers + 1), queue_module.Queue()
        workers = [threading.Thread(target=write, args=(url, w, saves, layout, barrier, results), daemon=True)
                   for w in range(writers)]
    elif mode == "processes":
        ctx = multiprocessing.get_context("spawn")
        barrier, results = ctx.Barrier(writers + 1), ctx.Queue()
        workers = [ctx.Process(target=write, args=(url, w, saves, layout, barrier, results))
                   for w in range(writers)]
    else:
        raise ValueError(mode)
    with plain_main():
        for w in workers:
            w.start()
    try:
        barrier.wait(timeout=120)        # every writer has opened the store and read its head
        started = time.perf_counter()
        result.reports = [results.get(timeout=timeout) for _ in workers]
        result.wall_seconds = time.perf_counter() - started
    finally:
        for w in workers:
            w.join(timeout=30)
    return result


def verify(url: str, result: LoadResult) -> dict[str, Any]:
    """The invariants; raises AssertionError naming the first broken one.  Returns per-graph version counts."""
    from assistant.store import Store
    from assistant.store.integrity import check_integrity

    assert not result.errors, "\n".join(result.errors)
    assert result.attempts == result.successes + result.conflicts
    assert result.successes == result.writers * result.saves
    counts: dict[str, int] = {}
    with Store.open(url, upgrade=False) as store:
        report = check_integrity(store.engine)
        assert report.ok, report.problems
        graphs = sorted({graph_for(w, result.layout) for w in range(result.writers)})
        for graph in graphs:
            log = store.log(PROJECT, graph)
            by_number = {v.number: v for v in log}
            n = len(log)
            counts[graph] = n
            # one linear chain head -> v1 through every version
            chain, current = [], log[0].number
            while current is not None:
                chain.append(current)
                current = by_number[current].parent
            assert chain == list(range(n, 0, -1)), f"{graph}: the parent chain is broken"
            # each version is its parent plus exactly its own edit: no edit lost or applied twice
            for v in log[:-1]:
                parent = by_number[v.parent].graph
                assert set(v.graph.names) - set(parent.names) == {v.message}, f"{graph} v{v.number}"
                assert len(v.graph.edges) == len(parent.edges) + 1
        writers_of = {g: [w for w in range(result.writers) if graph_for(w, result.layout) == g] for g in graphs}
        for graph in graphs:
            expected = {edit_name(w, j) for w in writers_of[graph] for j in range(result.saves)}
            head = store.get_version(PROJECT, graph)
            assert set(head.graph.names) == expected | {"X", "Y"}, f"{graph}: lost updates"
            assert counts[graph] == 1 + len(expected)
    # zero lost updates: every successful save is a version, and there are no others
    assert sum(counts.values()) - len(counts) == result.successes
    # every conflict was reported to its writer with a newer head than the parent it tried
    for r in result.reports:
        assert all(head > parent for parent, head in r["conflict_reports"])
    if result.layout == "own":
        assert result.conflicts == 0
    return counts
