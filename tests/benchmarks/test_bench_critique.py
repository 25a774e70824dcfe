"""Smoke runs of benchmarks/bench_critique.py at tiny sizes: the report's structure, not its timings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_critique  # noqa: E402

from assistant.critique import critique  # noqa: E402
from assistant.edit import apply_edit  # noqa: E402
from assistant.stats import CITestCache  # noqa: E402

TINY = ["--nodes", "8", "--rows", "300", "--degree", "2", "--edits", "3", "--repeat", "1", "--profile-top", "3"]


def test_tiny_run_without_dowhy_reports_cold_warm_and_profiles(tmp_path):
    docs, results = tmp_path / "critique.md", tmp_path / "critique.json"
    report = bench_critique.main([*TINY, "--discrete-fraction", "0.25", "--skip-dowhy", "--write-docs",
                                  "--docs", str(docs), "--results", str(results)])
    assert set(report["variants"]) == {"continuous", "mixed"}
    assert len(report["variants"]["mixed"]["discrete"]) == 2
    for variant in report["variants"].values():
        ours = variant["ours"]
        assert ours["cold"]["seconds"] > 0 and len(ours["cold"]["runs"]) == 1
        steps = ours["warm"]["steps"]
        assert [s["kind"] for s in steps] == ["add", "remove", "reverse"]
        assert all(0 <= s["tests_computed"] <= s["tests_run"] for s in steps)
        assert ours["warm"]["max_s"] >= ours["warm"]["median_s"] > 0
        assert {"profile_warm", "profile_cold"} <= set(ours)
        assert len(ours["profile_warm"]["own"]) == 3 and len(ours["profile_warm"]["cumulative"]) == 3
        assert "dowhy" not in variant
    assert json.loads(results.read_text())["nodes"] == 8
    text = docs.read_text()
    assert text.startswith("# Critique speed")
    for heading in ("## Targets", "## Continuous variant", "## Mixed variant", "### Profile of one more warm edit",
                    "### Profile of a cold run"):
        assert heading in text
    assert "| continuous |" in text and "| mixed |" in text and "DoWhy" not in text


def test_tiny_run_with_dowhy_reports_each_comparison_with_its_test_count(tmp_path):
    pytest.importorskip("dowhy")
    docs = tmp_path / "critique.md"
    report = bench_critique.main([*TINY, "--discrete-fraction", "0", "--profile-top", "0", "--permutations", "2",
                                  "--kernel-samples", "1", "--dowhy-timeout", "120", "--write-docs",
                                  "--docs", str(docs), "--results", str(tmp_path / "c.json")])
    assert set(report["variants"]) == {"continuous"}
    dowhy = report["variants"]["continuous"]["dowhy"]
    assert set(dowhy) == {"lmc", "falsify", "kernel-sample", "refute"}
    for task in ("lmc", "falsify", "refute"):
        assert dowhy[task]["seconds"] is not None and dowhy[task]["tests_computed"] > 0, task
    # the permutations test more than the given graph alone
    assert dowhy["falsify"]["tests_given_graph"] == dowhy["lmc"]["tests_given_graph"] >= dowhy["lmc"]["tests_computed"]
    assert dowhy["falsify"]["tests_computed"] >= dowhy["lmc"]["tests_computed"]
    assert dowhy["kernel-sample"]["sampled"] == 1 and dowhy["kernel-sample"]["seconds"] > 0
    text = docs.read_text()
    assert "### DoWhy 0.14 on the same graph and data" in text
    assert text.count("| `") >= 4 and "refute_graph(k=1)" in text and "falsify_graph" in text


def test_edits_keep_the_graph_acyclic_and_the_query_edge():
    import random

    graph, data, _ = bench_critique.make_case(12, 200, 3.0, seed=3, discrete_fraction=0.0)
    rng, current = random.Random(0), graph
    query = (graph.exposures[0], graph.outcomes[0])
    for i in range(30):
        current = apply_edit(current, bench_critique.random_edit(rng, current, bench_critique.EDIT_KINDS[i % 3]))
        assert current.find_edge(*query) is not None
    cache = CITestCache()
    report = critique(current, data, cache=cache)
    assert not [f for f in report.findings if f.rule == "S001"]  # no cycle


def test_the_mixed_simulation_makes_the_binary_columns_binary_and_blocks_paths_through_them():
    graph, data, discrete = bench_critique.make_case(10, 500, 2.0, seed=4, discrete_fraction=0.3)
    assert len(discrete) == 3
    for name in discrete:
        assert set(data[name].unique()) <= {0, 1}
    assert all(data[c].dtype.kind == "f" for c in data.columns if c not in discrete)
