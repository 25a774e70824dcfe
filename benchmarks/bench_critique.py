"""Critique speed: a cold full critique, warm single-edit critiques, and DoWhy's graph refuters, same data, same run.

A seeded random DAG (Erdős–Rényi over a random order, expected degree 3, the
generator of ``bench_analysis.py``; the exposure causes the outcome directly,
so a causal path joins them) of 50 nodes and 10,000 rows simulated from it
(linear-Gaussian, :func:`assistant.stats.simulate.simulate_linear`), plus a
variant in which about 20% of the columns are cut into 0/1 (mixed tests).

* **cold** — ``critique(graph, data)`` with a fresh :class:`CITestCache` and
  every rule (median of ``--repeat`` runs, after a warm-up on a small graph so
  imports are not timed);
* **warm** — a chain of single-edge edits (add, remove, reverse in turn), each
  critiqued with the same cache and ``previous=`` the version before (the edit
  impact included): time, tests requested and tests actually computed;
* **DoWhy 0.14**, in a child process with a time limit, on the same networkx
  graph and data: ``dowhy.gcm.falsify.falsify_graph`` given the
  partial-correlation (Fisher-z) test of ours as a plain callable, with
  ``n_permutations`` permutations (DoWhy's default is 1/α = 20) and
  ``n_jobs=1``; its local-Markov validation of the given graph alone
  (``validate_lmc``, the part comparable to our data rules); its default kernel
  test (KCI), *estimated* from a few sampled tests since a full run takes hours;
  and ``CausalModel(...).refute_graph(k=1)`` (partial correlation).

Every DoWhy figure is reported as a ratio to our cold critique measured in
the same run, with the number of tests each ran.

Run:  python benchmarks/bench_critique.py [--nodes 50] [--rows 10000] [--write-docs] [--skip-dowhy]

With ``--write-docs`` the report is written to docs/benchmarks/critique.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import multiprocessing as mp
import os
import platform
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "graph"))

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from random_graphs import random_dag  # noqa: E402  (shared seeded generator)

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_common import cpu_name  # noqa: E402

from assistant.critique import all_rules, critique  # noqa: E402
from assistant.edit import AddEdge, EditOp, RemoveEdge, ReverseEdge, apply_edit  # noqa: E402
from assistant.model import CausalGraph, Edge  # noqa: E402
from assistant.stats import CITestCache  # noqa: E402
from assistant.stats.simulate import simulate_linear  # noqa: E402

#: Where a critique's time goes: (file suffix, function) -> label, for the profile summaries.
PROFILE_PARTS = {
    "edit impact (`critique/impact.py:edit_impact`)": ("critique/impact.py", "edit_impact"),
    "  its implied independencies, both versions (`graph/implications.py:missing_edge_implications`)":
        ("graph/implications.py", "missing_edge_implications"),
    "column types inferred (`intake/profile.py:profile_frame`, via `CritiqueContext.column_types`)":
        ("intake/profile.py", "profile_frame"),
    "data encoded (`stats/data.py:PreparedData.from_frame`)": ("stats/data.py", "from_frame"),
    "D001 plan: one minimal separator per pair (`critique/implied_independencies.py:plan_implications`)":
        ("critique/implied_independencies.py", "plan_implications"),
    "independence tests, cached or computed (`stats/independence.py:CITester.test`)":
        ("stats/independence.py", "test"),
    "  computed (`stats/citests.py:run_test`)": ("stats/citests.py", "run_test"),
    "violation findings: effect sizes, fixes (`critique/implied_rules.py:_violation_finding`)":
        ("critique/implied_rules.py", "_violation_finding"),
    "D004 Simpson check (`critique/simpson_rules.py:simpson_reversal`)":
        ("critique/simpson_rules.py", "simpson_reversal"),
}
WARM_TARGET_S = 1.0
COLD_TARGET_S = 10.0
EDIT_KINDS = ("add", "remove", "reverse")


# --------------------------------------------------------------------------------------------- our side


def make_case(nodes: int, rows: int, degree: float, seed: int, discrete_fraction: float
              ) -> tuple[CausalGraph, pd.DataFrame, list[str]]:
    graph = random_dag(nodes, degree, seed=seed)
    rng = random.Random(seed + 1)
    query = set(graph.exposures) | set(graph.outcomes)
    candidates = [n for n in graph.names if n not in query]
    discrete = sorted(rng.sample(candidates, round(discrete_fraction * nodes)), key=graph.names.index) \
        if discrete_fraction > 0 else []
    if not discrete:
        return graph, simulate_linear(graph, rows, seed=seed), discrete
    return graph, simulate_mixed(graph, rows, seed=seed, discrete=discrete), discrete


def simulate_mixed(graph: CausalGraph, rows: int, *, seed: int, discrete: list[str]) -> pd.DataFrame:
    """Linear-Gaussian equations in which each ``discrete`` variable *is* its 0/1 value, children included.

    ``simulate_linear(discrete=...)`` cuts the columns after the fact (children
    see the continuous value: a binary *measurement*), so conditioning on such a
    column does not block the paths through it and the true graph fails its own
    implied independencies — right for the rules' examples, wrong for timing a
    critique of a correct graph.
    """
    rng = np.random.default_rng(seed)
    parents: dict[str, list[str]] = {n: [] for n in graph.names}
    for e in graph.directed_edges():
        parents[e.target].append(e.source)
    values: dict[str, np.ndarray] = {}
    for node in nx.topological_sort(_digraph(graph)):
        total = rng.standard_normal(rows)
        for p in sorted(parents[node]):
            total = total + 0.7 * values[p]
        values[node] = (total > np.median(total)).astype(np.int64) if node in discrete else total
    return pd.DataFrame({n: values[n] for n in graph.names})


def _digraph(graph: CausalGraph) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(graph.names)
    g.add_edges_from((e.source, e.target) for e in graph.directed_edges())
    return g


def random_edit(rng: random.Random, graph: CausalGraph, kind: str) -> EditOp:
    """One edge edit of ``kind`` that keeps the graph acyclic and the exposure -> outcome edge in place."""
    g = _digraph(graph)
    query = (graph.exposures[0], graph.outcomes[0]) if graph.exposures and graph.outcomes else None
    edges = [(e.source, e.target) for e in graph.directed_edges() if (e.source, e.target) != query]
    for _ in range(10_000):
        if kind == "add":
            a, b = rng.sample(graph.names, 2)
            if g.has_edge(a, b) or g.has_edge(b, a) or nx.has_path(g, b, a):
                continue
            return AddEdge(edge=Edge(source=a, target=b))
        a, b = rng.choice(edges)
        if kind == "remove":
            return RemoveEdge(source=a, target=b)
        g.remove_edge(a, b)
        creates_cycle = nx.has_path(g, a, b)  # another a ~> b path would close a cycle with b -> a
        g.add_edge(a, b)
        if not creates_cycle:
            return ReverseEdge(source=a, target=b)
    raise RuntimeError(f"no {kind} edit found")


def describe_edit(op: EditOp) -> str:
    if isinstance(op, AddEdge):
        return f"add {op.edge.source} -> {op.edge.target}"
    if isinstance(op, RemoveEdge):
        return f"remove {op.source} -> {op.target}"
    return f"reverse {op.source} -> {op.target}"  # type: ignore[union-attr]


class Critic:
    """Runs critiques the way a session would; says so when the edit impact cannot be computed."""

    def __init__(self) -> None:
        self.impact_error: str | None = None
        try:
            import assistant.critique.impact  # noqa: F401  (the runner imports it only when previous= is given)
        except ImportError as exc:  # not there (yet): time the critiques without it, and report that
            self.impact_error = f"{type(exc).__name__}: {exc}"

    def __call__(self, graph: CausalGraph, data: pd.DataFrame, cache: CITestCache,
                 previous: CausalGraph | None = None):
        report = critique(graph, data, cache=cache, previous=previous, impact=self.impact_error is None)
        failed = [n for n in report.notes if "impact of the edit could not be computed" in n]
        if previous is not None and failed and self.impact_error is None:
            self.impact_error = failed[0]
        return report


def _report_summary(report) -> dict[str, Any]:
    data = report.data
    return {"tests_run": data.tests_run if data else 0, "tests_computed": data.tests_computed if data else 0,
            "findings": report.counts, "failed_rules": [r.rule for r in report.rules if r.status == "failed"],
            "impact": report.impact is not None}


def profile_call(fn, top: int) -> dict[str, Any]:
    """cProfile one call: total time, and the functions with the largest own and cumulative time."""
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.runcall(fn)
    wall = time.perf_counter() - start
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = max(stats.total_tt, 1e-12)  # type: ignore[attr-defined]

    def rows(key: int) -> list[dict[str, Any]]:
        entries = []
        for (file, line, name), (_cc, ncalls, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            short = file.replace(str(ROOT) + os.sep, "")
            if short.startswith("benchmarks"):  # the harness's own wrappers
                continue
            if "site-packages" in short:
                short = short.split("site-packages" + os.sep, 1)[1]
            entries.append({"function": f"{short}:{line}({name})", "calls": ncalls, "own_s": tt, "cum_s": ct,
                            "own_share": tt / total, "cum_share": ct / total})
        entries.sort(key=lambda e: e["own_s" if key == 0 else "cum_s"], reverse=True)
        return entries[:top]

    parts = {}
    for label, (file_part, name) in PROFILE_PARTS.items():
        cum = [ct for (file, _line, fn), (_cc, _n, _tt, ct, _c) in stats.stats.items()  # type: ignore[attr-defined]
               if fn == name and file.endswith(file_part)]
        if cum:
            parts[label] = {"cum_s": max(cum), "share": max(cum) / total}
    return {"wall_s": wall, "profiled_s": total, "own": rows(0), "cumulative": rows(1), "parts": parts}


def run_ours(graph: CausalGraph, data: pd.DataFrame, *, edits: int, repeat: int, seed: int,
             profile_top: int) -> dict[str, Any]:
    critic = Critic()
    cold_times = []
    cold_summary: dict[str, Any] = {}
    for _ in range(repeat):
        cache = CITestCache()
        start = time.perf_counter()
        report = critic(graph, data, cache)
        cold_times.append(time.perf_counter() - start)
        cold_summary = _report_summary(report)
    cold_summary["cache_entries"] = len(cache)

    rng = random.Random(seed)
    current = graph
    steps = []
    for i in range(edits):
        kind = EDIT_KINDS[i % len(EDIT_KINDS)]
        op = random_edit(rng, current, kind)
        edited = apply_edit(current, op)
        hits_before = cache.hits
        start = time.perf_counter()
        report = critic(edited, data, cache, previous=current)
        elapsed = time.perf_counter() - start
        steps.append({"edit": describe_edit(op), "kind": kind, "seconds": elapsed,
                      "cache_hits": cache.hits - hits_before, **_report_summary(report)})
        current = edited

    out: dict[str, Any] = {
        "cold": {"seconds": statistics.median(cold_times), "runs": cold_times, **cold_summary},
        "warm": {"steps": steps,
                 "median_s": statistics.median(s["seconds"] for s in steps) if steps else None,
                 "max_s": max(s["seconds"] for s in steps) if steps else None},
        "impact_error": critic.impact_error,
    }
    if profile_top:
        op = random_edit(rng, current, "add")
        edited = apply_edit(current, op)
        out["profile_warm"] = {"edit": describe_edit(op),
                               **profile_call(lambda: critic(edited, data, cache, previous=current), profile_top)}
        out["profile_cold"] = profile_call(lambda: critic(graph, data, CITestCache()), profile_top)
    return out


# --------------------------------------------------------------------------------------------- DoWhy side


def fisher_z_pvalue(X: np.ndarray, Y: np.ndarray, Z: np.ndarray | None = None) -> float:
    """Partial-correlation (Fisher-z) test as a DoWhy gcm callable: the statistic our ``fisherz`` uses."""
    from scipy.special import ndtr

    cols = [np.asarray(X, dtype=float).reshape(len(X), -1), np.asarray(Y, dtype=float).reshape(len(Y), -1)]
    if Z is not None:
        cols.append(np.asarray(Z, dtype=float).reshape(len(Z), -1))
    m = np.column_stack(cols)
    n, k = m.shape[0], m.shape[1] - 2
    precision = np.linalg.pinv(np.corrcoef(m, rowvar=False))
    r = -precision[0, 1] / math.sqrt(abs(precision[0, 0] * precision[1, 1]))
    r = max(min(r, 1 - 1e-12), -1 + 1e-12)
    stat = math.sqrt(max(n - k - 3, 1)) * math.atanh(r)
    return float(min(1.0, 2 * ndtr(-abs(stat))))


class _Counted:
    def __init__(self, fn) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


def _dowhy_child(task: str, edges, nodes, data: pd.DataFrame, params: dict, queue) -> None:
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    out: dict[str, Any] = {}
    np.random.seed(params.get("seed", 0))  # DoWhy draws its permutations and test seeds from NumPy's global state
    if task == "falsify":
        from dowhy.gcm.falsify import FalsifyConst, falsify_graph

        test = _Counted(fisher_z_pvalue)
        start = time.perf_counter()
        result = falsify_graph(g, data, independence_test=test, conditional_independence_test=test,
                               n_permutations=params["n_permutations"], n_jobs=1, show_progress_bar=False)
        out["seconds"] = time.perf_counter() - start
        out["tests_computed"] = test.calls
        out["tests_given_graph"] = result.summary[FalsifyConst.VALIDATE_LMC][FalsifyConst.N_TESTS]
        out["violations_given_graph"] = result.summary[FalsifyConst.VALIDATE_LMC][FalsifyConst.GIVEN_VIOLATIONS]
        out["falsified"] = bool(result.falsified)
    elif task == "lmc":
        from dowhy.gcm.falsify import FalsifyConst, validate_lmc

        test = _Counted(fisher_z_pvalue)
        start = time.perf_counter()
        summary = validate_lmc(g, data, independence_test=test, conditional_independence_test=test, n_jobs=1)
        out["seconds"] = time.perf_counter() - start
        out["tests_computed"] = test.calls  # distinct tests: (x, y | z) and (y, x | z) run once
        out["tests_given_graph"] = summary[FalsifyConst.N_TESTS]  # (node, non-descendant) pairs
        out["violations"] = summary[FalsifyConst.N_VIOLATIONS]
    elif task == "kernel-sample":
        from dowhy.gcm.falsify import _get_parental_triples
        from dowhy.gcm.independence_test import kernel_based

        triples = _get_parental_triples(g, include_unconditional=True)
        rng = random.Random(params["seed"])
        conditional = [t for t in triples if t[2]]
        sample = rng.sample(conditional, min(params["samples"], len(conditional)))
        rng_np = np.random.default_rng(0)
        kernel_based(*rng_np.standard_normal((3, 200, 1)))  # first-call overhead is not a test's cost
        times = []
        for node, other, parents in sample:
            start = time.perf_counter()
            kernel_based(data[node].values, data[other].values, data[list(parents)].values)
            times.append(time.perf_counter() - start)
        out["per_test_s"] = statistics.fmean(times)
        out["sampled"] = len(times)
        out["tests_given_graph"] = len(triples)
        out["seconds"] = out["per_test_s"] * len(triples)
    elif task == "refute":
        from dowhy import CausalModel

        model = CausalModel(data=data, treatment=params["treatment"], outcome=params["outcome"], graph=g)
        start = time.perf_counter()
        res = model.refute_graph(k=params["k"])
        out["seconds"] = time.perf_counter() - start
        out["tests_computed"] = res.number_of_constraints_model
        out["satisfied"] = res.number_of_constraints_satisfied
        out["passed"] = bool(res.refutation_result)
    queue.put(out)


def dowhy_run(task: str, graph: CausalGraph, data: pd.DataFrame, params: dict, timeout: float) -> dict[str, Any]:
    """One DoWhy task in a spawned child, killed after ``timeout`` seconds (import time not counted)."""
    edges = [(e.source, e.target) for e in graph.directed_edges()]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_dowhy_child, args=(task, edges, graph.names, data, params, queue))
    proc.start()
    try:
        return queue.get(timeout=timeout + 30)  # + the child's imports
    except Exception:  # noqa: BLE001 — queue.Empty: over the limit
        return {"seconds": None, "timeout": timeout}
    finally:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()


def run_dowhy(graph: CausalGraph, data: pd.DataFrame, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    plan = [("lmc", {}), ("falsify", {"n_permutations": args.permutations, "seed": args.seed}),
            ("kernel-sample", {"samples": args.kernel_samples, "seed": args.seed}),
            ("refute", {"treatment": graph.exposures[0], "outcome": graph.outcomes[0], "k": 1,
                        "dseparation_checks": math.comb(len(graph.names), 2) * (len(graph.names) - 2)})]
    for task, params in plan:
        if task == "kernel-sample" and args.kernel_samples <= 0:
            continue
        out[task] = dowhy_run(task, graph, data, params, args.dowhy_timeout)
        out[task]["params"] = params
        print(f"  dowhy {task}: {out[task]}", flush=True)
    return out


# --------------------------------------------------------------------------------------------- report



def machine() -> str:
    return f"{cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--degree", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=50_000)
    ap.add_argument("--edits", type=int, default=9, help="single-edge edits in the warm chain (add, remove, reverse)")
    ap.add_argument("--repeat", type=int, default=3, help="cold runs (median reported)")
    ap.add_argument("--discrete-fraction", type=float, default=0.2,
                    help="the mixed variant's share of 0/1 columns (0: no mixed variant)")
    ap.add_argument("--permutations", type=int, default=20, help="falsify_graph's n_permutations (DoWhy default 20)")
    ap.add_argument("--kernel-samples", type=int, default=3, help="sampled KCI tests for the estimate (0: skip)")
    ap.add_argument("--dowhy-timeout", type=float, default=600.0)
    ap.add_argument("--skip-dowhy", action="store_true")
    ap.add_argument("--profile-top", type=int, default=15, help="functions listed per profile (0: no profile)")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "critique.json")
    ap.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks" / "critique.md")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args(argv)

    # warm-up: imports and lazy registries are loaded before anything is timed
    small, small_data, _ = make_case(6, 200, 2.0, seed=1, discrete_fraction=0.0)
    warm_cache = CITestCache()
    critique(small, small_data, cache=warm_cache)
    edited_small = apply_edit(small, random_edit(random.Random(0), small, "add"))
    Critic()(edited_small, small_data, warm_cache, previous=small)
    load_before = os.getloadavg()

    report: dict[str, Any] = {
        "machine": machine(), "python": platform.python_version(), "nodes": args.nodes, "rows": args.rows,
        "degree": args.degree, "seed": args.seed, "edits": args.edits, "repeat": args.repeat,
        "rules": [r.id for r in all_rules()], "targets": {"warm_s": WARM_TARGET_S, "cold_s": COLD_TARGET_S},
        "variants": {},
    }
    variants = [("continuous", 0.0)] + ([("mixed", args.discrete_fraction)] if args.discrete_fraction > 0 else [])
    for name, fraction in variants:
        graph, data, discrete = make_case(args.nodes, args.rows, args.degree, args.seed, fraction)
        ours = run_ours(graph, data, edits=args.edits, repeat=args.repeat, seed=args.seed,
                        profile_top=args.profile_top)
        variant = {"edges": len(graph.edges), "exposure": graph.exposures[0], "outcome": graph.outcomes[0],
                   "discrete": discrete, "ours": ours}
        print(f"{name}: {len(graph.edges)} edges, cold {ours['cold']['seconds']:.3f}s "
              f"({ours['cold']['tests_run']} tests), warm median {ours['warm']['median_s'] or 0:.3f}s "
              f"max {ours['warm']['max_s'] or 0:.3f}s", flush=True)
        if name == "continuous" and not args.skip_dowhy:
            variant["dowhy"] = run_dowhy(graph, data, args)
        report["variants"][name] = variant

    report["load_average"] = {"start": [round(x, 2) for x in load_before],
                              "end": [round(x, 2) for x in os.getloadavg()]}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=2, default=str))
    text = render(report)
    print(text)
    if args.write_docs:
        args.docs.parent.mkdir(parents=True, exist_ok=True)
        args.docs.write_text(text)
    return report


def _load(report: dict[str, Any], when: str) -> str:
    values = report.get("load_average", {}).get(when)
    return "/".join(f"{v:.1f}" for v in values) if values else "?"


def _per_test(seconds: float | None, tests: int | None) -> str:
    if seconds is None or not tests:
        return "—"
    ms = 1000 * seconds / tests
    return f"{ms:.2f}" if ms < 100 else f"{ms:,.0f}"


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}" if x < 10 else f"{x:.1f}"


def _ratio(theirs: float | None, ours: float, timeout: float | None = None) -> str:
    if theirs is None:
        return f"> {timeout / ours:.0f}x" if timeout else "—"
    r = theirs / ours
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"


def _met(value: float | None, target: float) -> str:
    return "—" if value is None else ("**met**" if value <= target else "**missed**")


def render(report: dict[str, Any]) -> str:
    t = report["targets"]
    has_data_rules = any(r.startswith("D") for r in report["rules"])
    lines = [
        "# Critique speed",
        "",
        f"Produced by `python benchmarks/bench_critique.py --write-docs` on {report['machine']}, "
        f"Python {report['python']}; load average (1, 5, 15 min) {_load(report, 'start')} at the start, "
        f"{_load(report, 'end')} at the end — the machine is shared, so absolute times move with its load.",
        f"A seeded random DAG of {report['nodes']} nodes (expected degree {report['degree']:g}, seed {report['seed']}; "
        "the exposure causes the outcome directly) and "
        f"{report['rows']:,} rows simulated from it (linear-Gaussian). *Cold* is a full critique with a fresh "
        f"independence-test cache (median of {report['repeat']}); *warm* is a chain of {report['edits']} single-edge "
        "edits (add, remove, reverse in turn), each critiqued with the same cache and `previous=` the version before.",
        f"Rules registered: {', '.join(report['rules'])}.",
    ]
    if not has_data_rules:
        lines += ["", "**No data rule (D…) was registered when this ran**, so no independence test was run: "
                      "these figures are not the data-reading critique the targets are about."]
    lines += ["", "## Targets", "", "| variant | cold (s) | target | warm median (s) | warm max (s) | target |",
              "|---|---:|---|---:|---:|---|"]
    for name, v in report["variants"].items():
        o = v["ours"]
        cold = o["cold"]["seconds"]
        lines.append(f"| {name} | {_s(cold)} | ≤ {t['cold_s']:g} s {_met(cold, t['cold_s'])}"
                     f" | {_s(o['warm']['median_s'])} | {_s(o['warm']['max_s'])} | ≤ {t['warm_s']:g} s "
                     f"{_met(o['warm']['max_s'], t['warm_s'])} (max) |")
    for name, v in report["variants"].items():
        o = v["ours"]
        lines += ["", f"## {name.capitalize()} variant: {report['nodes']} nodes, {v['edges']} edges, "
                      f"exposure {v['exposure']}, outcome {v['outcome']}"]
        if v["discrete"]:
            lines.append(f"Binary (0/1) columns: {', '.join(v['discrete'])}.")
        c = o["cold"]
        lines += ["", f"Cold: {_s(c['seconds'])} s (runs: {', '.join(_s(x) for x in c['runs'])}), "
                      f"{c['tests_run']} tests requested, {c['tests_computed']} computed, "
                      f"findings {c['findings']}" + (f", failed rules {c['failed_rules']}" if c["failed_rules"] else "")
                  + ".", ""]
        if o.get("impact_error"):
            lines += [f"The edit impact was not computed for every edit ({o['impact_error']}); the *impact* column "
                      "says where it was.", ""]
        else:
            lines += ["Each warm time includes the edit impact (`previous=`: adjustment sets, paths, instruments, "
                      "implied independencies and a linear effect estimate of both versions).", ""]
        lines += ["| edit | time (s) | tests requested | tests computed | cache hits | findings (e/w/i) | impact |",
                  "|---|---:|---:|---:|---:|---|---|"]
        for s in o["warm"]["steps"]:
            f = s["findings"]
            lines.append(f"| {s['edit']} | {_s(s['seconds'])} | {s['tests_run']} | {s['tests_computed']} | "
                         f"{s['cache_hits']} | {f['error']}/{f['warning']}/{f['info']} | "
                         f"{'yes' if s['impact'] else 'no'} |")
        if "dowhy" in v:
            f = c["findings"]
            lines += render_dowhy(v["dowhy"], c["seconds"], c["tests_run"],
                                  f"{f['error']} errors, {f['warning']} warnings")
        for key, title in (("profile_warm", "Profile of one more warm edit"),
                           ("profile_cold", "Profile of a cold run")):
            if key in o:
                lines += render_profile(o[key], title)
    return "\n".join(lines) + "\n"


def render_dowhy(d: dict[str, Any], ours_s: float, ours_tests: int, ours_verdict: str) -> list[str]:
    lines = ["", "### DoWhy 0.14 on the same graph and data", "",
             f"Ratios are DoWhy's time over our cold critique ({_s(ours_s)} s, {ours_tests} tests). DoWhy runs in a "
             "child process (imports not timed) with `n_jobs=1`, as ours is single-threaded.", "",
             "| what | what it checks | tests | time (s) | ms / test | DoWhy / ours cold "
             "| verdict on this (true) graph |",
             "|---|---|---:|---:|---:|---:|---|",
             f"| ours: `critique()` cold, every rule | D001/D002: one minimal separator per non-adjacent pair, Holm; "
             f"D003: each edge given the child's other parents; D004–D006, structure, identification | {ours_tests} | "
             f"{_s(ours_s)} | {_per_test(ours_s, ours_tests)} | 1x | {ours_verdict} |"]
    if "lmc" in d:
        r = d["lmc"]
        lines.append(f"| `validate_lmc`, Fisher-z callable | local Markov: each node against each non-descendant "
                     f"given its parents, given graph only ({r.get('tests_given_graph', '—')} pairs) | "
                     f"{_timing(r)} | "
                     f"{_ratio(r['seconds'], ours_s, r.get('timeout'))} | "
                     f"{_verdict(r, 'violations', '{} of the pairs rejected at 5%, uncorrected')} |")
    if "falsify" in d:
        r = d["falsify"]
        n = r["params"]["n_permutations"]
        given = r.get("tests_given_graph", "—")
        lines.append(f"| `falsify_graph`, Fisher-z callable, `n_permutations={n}` | local Markov on the given graph "
                     f"({given} tests) and on {n} node permutations (the falsification baseline) | "
                     f"{_timing(r)} | "
                     f"{_ratio(r['seconds'], ours_s, r.get('timeout'))} | "
                     f"{_verdict(r, 'falsified', 'falsified: {}')} |")
    if "kernel-sample" in d:
        r = d["kernel-sample"]
        est = r["seconds"]
        detail = (f"estimate: {r['sampled']} sampled KCI tests at {_s(r['per_test_s'])} s × {r['tests_given_graph']}"
                  if est is not None else "sampling timed out")
        hours = f" (≈ {est / 3600:.1f} h)" if est is not None and est > 3600 else ""
        lines.append(f"| `falsify_graph` default (kernel KCI), given graph only | local Markov, {detail} | "
                     f"{r.get('tests_given_graph', '—')} | ≈ {_s(est)}{hours} | "
                     f"≈ {_per_test(est, r.get('tests_given_graph'))} | "
                     f"≈ {_ratio(est, ours_s, r.get('timeout'))} | not run |")
    if "refute" in d:
        r = d["refute"]
        lines.append(f"| `CausalModel.refute_graph(k=1)` (partial correlation) | every pair given every single "
                     f"variable that d-separates it ({r['params'].get('dseparation_checks', 0):,} "
                     "d-separation checks first) | "
                     f"{_timing(r)} | "
                     f"{_ratio(r['seconds'], ours_s, r.get('timeout'))} | "
                     f"{_refute_verdict(r)} |")
    lines += ["", "DoWhy has no partial-correlation test among its `gcm` independence tests (kernel, approximate "
              "kernel, regression, generalised covariance); `falsify_graph` is given ours as a plain callable, "
              "which computes each correlation matrix from the rows where ours reads one precomputed matrix. "
              "`refute_graph` only accepts partial correlation (continuous) and conditional mutual information "
              "(discrete), and conditioning sets of exactly `k` variables; `k=1` is its default. Neither DoWhy "
              "check corrects for multiple testing, so on a correct graph about 5% of its tests reject: "
              "`refute_graph` fails any large correct graph, and `falsify_graph` compares the violation count "
              "with that of random node permutations instead."]
    return lines


def _timing(r: dict[str, Any]) -> str:
    """The tests, time and time-per-test cells of a DoWhy row."""
    return f"{r.get('tests_computed', '—')} | {_s(r['seconds'])} | {_per_test(r['seconds'], r.get('tests_computed'))}"


def _verdict(r: dict[str, Any], key: str, template: str) -> str:
    return "—" if key not in r else template.format(r[key])


def _refute_verdict(r: dict[str, Any]) -> str:
    if "passed" not in r:
        return "—"
    rejected = r["tests_computed"] - r["satisfied"]
    return f"{'passed' if r['passed'] else 'failed'}: {rejected} of the tests rejected at 5%, uncorrected"


def render_profile(p: dict[str, Any], title: str) -> list[str]:
    head = f"### {title}" + (f" ({p['edit']})" if "edit" in p else "")
    lines = ["", head, "", f"{_s(p['wall_s'])} s under cProfile (which slows Python code more than NumPy's).", ""]
    if p.get("parts"):
        lines += ["| where the time goes | cumulative (s) | share |", "|---|---:|---:|"]
        for label, part in p["parts"].items():
            lines.append(f"| {label.replace('  ', '… ', 1) if label.startswith('  ') else label} | "
                         f"{part['cum_s']:.3f} | {part['share']:.0%} |")
        lines.append("")
    lines += ["Largest cumulative time:", "", "| function | calls | cumulative (s) | share |", "|---|---:|---:|---:|"]
    for e in p["cumulative"]:
        lines.append(f"| `{e['function']}` | {e['calls']} | {e['cum_s']:.3f} | {e['cum_share']:.0%} |")
    lines += ["", "Largest own time:", "", "| function | calls | own (s) | share |", "|---|---:|---:|---:|"]
    for e in p["own"]:
        lines.append(f"| `{e['function']}` | {e['calls']} | {e['own_s']:.3f} | {e['own_share']:.0%} |")
    return lines


if __name__ == "__main__":
    main()
