"""Graph analysis speed: our pure core against DoWhy 0.14's identify_effect, same graphs, same run.

Random DAGs (seeded Erdős–Rényi over a random order, expected degree 3) of 50,
200 and 1000 nodes.  For each graph we time what ``causal-assistant check``
computes — minimal adjustment sets (capped at 100), a validity check,
instruments, the front door and 100 implied independencies — and, in a child
process with a time limit, DoWhy's ``identify_effect_auto`` (what
``CausalModel.identify_effect`` calls) on the same networkx graph.

Run:  python benchmarks/bench_analysis.py [--timeout 60] [--seeds 3] [--write-docs]

With ``--write-docs`` the table is written to docs/benchmarks/graph-analysis.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "graph"))

from random_graphs import random_dag  # noqa: E402  (shared seeded generator)

from assistant.graph import (  # noqa: E402
    front_door, instrumental_variables, is_valid_adjustment_set, minimal_adjustment_sets, missing_edge_implications,
)


def our_check(graph) -> dict[str, float]:
    t: dict[str, float] = {}
    start = time.perf_counter()
    sets = minimal_adjustment_sets(graph, max_sets=100)
    t["adjustment_sets"] = time.perf_counter() - start
    s = time.perf_counter()
    if sets.sets:
        is_valid_adjustment_set(graph, sets.sets[0])
    t["validity"] = time.perf_counter() - s
    s = time.perf_counter()
    instrumental_variables(graph)
    t["instruments"] = time.perf_counter() - s
    s = time.perf_counter()
    front_door(graph)
    t["front_door"] = time.perf_counter() - s
    s = time.perf_counter()
    missing_edge_implications(graph, max_results=100)
    t["implications"] = time.perf_counter() - s
    t["total"] = time.perf_counter() - start
    return t


def _dowhy_child(edges, nodes, x, y, queue) -> None:
    import warnings

    import networkx as nx
    from dowhy.causal_identifier import EstimandType, identify_effect_auto

    warnings.filterwarnings("ignore")
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    start = time.perf_counter()
    identify_effect_auto(g, [x], [y], list(nodes), EstimandType.NONPARAMETRIC_ATE)
    queue.put(time.perf_counter() - start)


def dowhy_identify(graph, timeout: float) -> float | None:
    edges = [(e.source, e.target) for e in graph.edges]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_dowhy_child, args=(edges, graph.names, graph.exposures[0], graph.outcomes[0], queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,200,1000")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for seed in range(args.seeds):
            graph = random_dag(n, 3.0, seed=1000 * n + seed)
            runs = [our_check(graph) for _ in range(args.repeat)]
            ours = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            theirs = dowhy_identify(graph, args.timeout)
            rows.append({"nodes": n, "seed": seed, "edges": len(graph.edges), "ours": ours, "dowhy": theirs})
            shown = f"{theirs:.3f}s" if theirs is not None else f">{args.timeout:.0f}s (timeout)"
            print(f"n={n} seed={seed} edges={len(graph.edges)} ours={ours['total']:.4f}s "
                  f"(adjust {ours['adjustment_sets']:.4f}s) dowhy={shown}", flush=True)
    report = {"machine": platform.platform(), "python": platform.python_version(), "timeout": args.timeout,
              "rows": rows}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "graph-analysis.json").write_text(json.dumps(report, indent=2))
    table = render(report)
    print(table)
    if args.write_docs:
        docs = ROOT / "docs" / "benchmarks"
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "graph-analysis.md").write_text(table)
    return report


def render(report: dict) -> str:
    lines = [
        "# Graph analysis speed",
        "",
        "Produced by `python benchmarks/bench_analysis.py --write-docs` "
        f"({report['machine']}, Python {report['python']}).",
        "Random DAGs, expected degree 3, one exposure and one outcome. *Ours* is the median of 5 runs of everything",
        "`causal-assistant check` computes (adjustment sets capped at 100, a validity check, instruments, the front door,",
        "100 implied independencies); *adjust* is the minimal adjustment sets alone. *DoWhy* is one run of",
        f"`identify_effect_auto` (what `CausalModel.identify_effect` calls) with a {report['timeout']:.0f} s limit.",
        "",
        "| nodes | seed | edges | ours: all (s) | ours: adjust (s) | DoWhy identify (s) | DoWhy / ours-all |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["rows"]:
        d = r["dowhy"]
        ratio = f"{d / r['ours']['total']:.0f}x" if d is not None else f">{report['timeout'] / r['ours']['total']:.0f}x"
        shown = f"{d:.3f}" if d is not None else f">{report['timeout']:.0f} (killed)"
        lines.append(f"| {r['nodes']} | {r['seed']} | {r['edges']} | {r['ours']['total']:.4f} | "
                     f"{r['ours']['adjustment_sets']:.4f} | {shown} | {ratio} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
