"""Concurrent writers on SQLite and PostgreSQL, as threads and as processes, on one graph and on one graph
each: zero lost updates (versions == successful saves, one intact parent chain per graph, every edit present
exactly once), every conflict reported to its writer, the integrity check clean.  Small and bounded here;
``benchmarks/bench_load.py`` measures throughput at larger sizes (docs/benchmarks/load.md)."""

from __future__ import annotations

import pytest
from load_writers import run_writers, verify

pytestmark = pytest.mark.slow


def _run(url: str, mode: str, writers: int, saves: int, layout: str):
    result = run_writers(url, writers, saves, mode=mode, layout=layout)
    counts = verify(url, result)
    print(f"{mode} x{writers}, {layout}: {result.successes} saves, {result.conflicts} conflicts, "
          f"{result.throughput:.1f} saves/s, versions {counts}")
    return result


@pytest.mark.parametrize("layout", ["same", "own"])
def test_threads_saving_lose_nothing(database_url, layout):
    result = _run(database_url, "threads", 4, 5, layout)
    if layout == "same":   # every writer read v1 before the barrier: the first round alone makes 3 conflicts
        assert result.conflicts >= 3


def test_processes_saving_one_shared_graph_and_their_own_lose_nothing(database_url):
    """Four spawned processes: two race on one graph, two write their own graphs, all at once."""
    result = _run(database_url, "processes", 4, 4, "mixed")
    assert result.conflicts >= 1   # the two on the shared graph both read v1 first
