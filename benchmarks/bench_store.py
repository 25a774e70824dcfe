"""Time the graph store on SQLite and PostgreSQL in one run.

Builds a seeded random DAG of 50 variables, saves 200 versions of it (each a
small edit: add, remove or reverse an edge, or relabel a variable), then times
``save_version``, ``get_version``, ``log``, ``diff`` and ``blame`` on each
backend and prints a markdown table (or JSON with ``--json``) with the
PostgreSQL/SQLite ratio.

Usage::

    python benchmarks/bench_store.py [--versions 200] [--nodes 50] [--repeat 20] [--json]

SQLite runs on a temporary file.  PostgreSQL runs on a throwaway database
created on the server named by ``CA_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, as in the test
fixtures) and dropped afterwards; if that server is unreachable, only SQLite
is timed.  Takes well under two minutes with the defaults.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from assistant.edit import AddEdge, EditOp, RemoveEdge, ReverseEdge, UpdateVariable, apply_edit  # noqa: E402
from assistant.model import CausalGraph, Edge, Variable  # noqa: E402
from assistant.store import Store  # noqa: E402
from bench_common import postgres_database  # noqa: E402

PROJECT, GRAPH = "bench", "dag"


def random_dag(rng: random.Random, nodes: int) -> CausalGraph:
    names = [f"v{i:02d}" for i in range(nodes)]
    edges = [Edge(source=names[i], target=names[j]) for i in range(nodes) for j in range(i + 1, nodes)
             if rng.random() < 3.0 / nodes]
    return CausalGraph(variables=[Variable(name=n) for n in names], edges=edges)


def random_edit(rng: random.Random, graph: CausalGraph, step: int) -> EditOp:
    """A small edit that keeps the graph acyclic (edges only point from lower to higher index)."""
    names = graph.names
    choice = rng.random()
    if choice < 0.4 or not graph.edges:
        while True:
            i, j = sorted(rng.sample(range(len(names)), 2))
            if graph.find_edge(names[i], names[j]) is None and graph.find_edge(names[j], names[i]) is None:
                return AddEdge(edge=Edge(source=names[i], target=names[j], provenance="llm", rationale=f"step {step}"))
    edge = rng.choice(graph.edges)
    if choice < 0.7:
        return RemoveEdge(source=edge.source, target=edge.target)
    if choice < 0.85:
        return ReverseEdge(source=edge.source, target=edge.target)
    return UpdateVariable(name=rng.choice(names), fields={"label": f"label {step}"})



def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run_backend(url: str, graphs: list[CausalGraph], repeat: int) -> dict[str, dict[str, float]]:
    results: dict[str, list[float]] = {}
    with Store.open(url) as store:
        store.create_project(PROJECT, author="bench")
        store.create_graph(PROJECT, GRAPH, graphs[0], author="bench", message="v1")
        saves = []
        for number, graph in enumerate(graphs[1:], start=1):
            start = time.perf_counter()
            store.save_version(PROJECT, GRAPH, graph, parent=number, author="bench", message=f"edit {number}")
            saves.append((time.perf_counter() - start) * 1000)
        results["save_version"] = saves
        last, middle = len(graphs), len(graphs) // 2
        results["get_version (head)"] = timed(lambda: store.get_version(PROJECT, GRAPH), repeat)
        results["get_version (middle)"] = timed(lambda: store.get_version(PROJECT, GRAPH, middle), repeat)
        results[f"log ({last} versions)"] = timed(lambda: store.log(PROJECT, GRAPH), max(3, repeat // 5))
        # The baseline for log: every version's graph built as well (what log did before it built them lazily).
        results[f"log, every graph read ({last} versions)"] = timed(
            lambda: [v.graph for v in store.log(PROJECT, GRAPH)], max(3, repeat // 5))
        results[f"diff (v1..v{last})"] = timed(lambda: store.diff(PROJECT, GRAPH, 1, last), repeat)
        results[f"blame (head, {last}-version chain)"] = timed(lambda: store.blame(PROJECT, GRAPH), max(3, repeat // 2))
    return {op: {"median_ms": statistics.median(t), "mean_ms": statistics.fmean(t), "n": len(t)}
            for op, t in results.items()}


def markdown(report: dict) -> str:
    backends = list(report["backends"])
    head = "| operation | " + " | ".join(f"{b} median ms" for b in backends)
    head += " | postgresql / sqlite |" if len(backends) == 2 else " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for op in report["backends"][backends[0]]:
        cells = [f"{report['backends'][b][op]['median_ms']:.2f}" for b in backends]
        row = f"| {op} | " + " | ".join(cells)
        if len(backends) == 2:
            row += f" | {report['ratios'][op]:.2f}x"
        lines.append(row + " |")
    return "\n".join(lines)


def log_note(report: dict) -> str:
    """The history listing against its same-run baseline (every version's graph built too)."""
    parts = []
    for backend, ops in report["backends"].items():
        listed = next(v for op, v in ops.items() if op.startswith("log ("))
        read = next(v for op, v in ops.items() if op.startswith("log, every graph read"))
        parts.append(f"{backend} {read['median_ms'] / listed['median_ms']:.1f}x")
    return ("`log` builds each version's graph only when it is read, so listing a history (as the History, "
            "Review, Analyze and Export pages do) costs a fraction of reading every graph: "
            "*log, every graph read* / *log* = " + ", ".join(parts) + ".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    parser.add_argument("--write-docs", action="store_true", help="also write docs/benchmarks/store.md")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    graphs = [random_dag(rng, args.nodes)]
    for step in range(1, args.versions):
        graphs.append(apply_edit(graphs[-1], random_edit(rng, graphs[-1], step)))

    report: dict = {"nodes": args.nodes, "versions": args.versions,
                    "edges_at_head": len(graphs[-1].edges), "backends": {}}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        report["backends"]["sqlite"] = run_backend(f"sqlite:///{Path(tmp) / 'bench.db'}", graphs, args.repeat)
    with postgres_database() as pg_url:
        if pg_url is not None:
            report["backends"]["postgresql"] = run_backend(pg_url, graphs, args.repeat)
    if len(report["backends"]) == 2:
        sq, pg = report["backends"]["sqlite"], report["backends"]["postgresql"]
        report["ratios"] = {op: pg[op]["median_ms"] / sq[op]["median_ms"] for op in sq}
    report["total_seconds"] = round(time.perf_counter() - started, 1)

    summary = (f"{args.nodes} variables, {len(graphs[-1].edges)} edges at head, {args.versions} versions; "
               f"median of repeated calls (save_version: each of the {args.versions - 1} saves)")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(summary + "\n")
        print(markdown(report))
        print("\n" + log_note(report))
        print(f"\ntotal {report['total_seconds']} s")
    if args.write_docs:
        docs = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "store.md").write_text(
            "# Store speed: SQLite and PostgreSQL in one run\n\n"
            f"Produced by `python benchmarks/bench_store.py --write-docs` (seed {args.seed}). {summary}.\n"
            "The last column is the PostgreSQL/SQLite ratio of medians, both measured in the same run on this "
            "machine (PostgreSQL over TCP on 127.0.0.1).\n\n" + markdown(report) + "\n\n"
            + log_note(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
