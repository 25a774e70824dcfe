"""The data rules (D001–D006) on seeded simulated data: what they find, what they must not, and never crashing."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "graph"))

import oracles  # noqa: E402

from assistant.critique.context import CritiqueOptions, build_context  # noqa: E402
from assistant.critique.data_support import adjust_pvalues  # noqa: E402
from assistant.critique.implied_independencies import implied_tests, minimal_separator  # noqa: E402
from assistant.critique.runner import critique  # noqa: E402
from assistant.edit import EDIT_ADAPTER, AddEdge, apply_edit  # noqa: E402
from assistant.formats import read_graph  # noqa: E402
from assistant.graph.separation import adjacency, d_separated  # noqa: E402
from assistant.model import CausalGraph, Edge, Variable  # noqa: E402
from assistant.stats import CITestCache  # noqa: E402
from assistant.stats.simulate import simulate_linear  # noqa: E402


def dag(text: str, *, roles: dict[str, str] | None = None, tiers: dict[str, int] | None = None,
        types: dict[str, str] | None = None) -> CausalGraph:
    g = read_graph(text, "dagitty")
    variables = []
    for v in g.variables:
        update = {}
        if roles and v.name in roles:
            update["role"] = roles[v.name]
        if tiers and v.name in tiers:
            update["tier"] = tiers[v.name]
        if types and v.name in types:
            update["data_type"] = types[v.name]
        variables.append(v.model_copy(update=update))
    return g.model_copy(update={"variables": variables})


def sim(text: str, rows: int = 2000, seed: int = 0, **kw) -> pd.DataFrame:
    return simulate_linear(dag(text), rows, seed=seed, **kw)


def rules_of(report, prefix: str = "D") -> list[str]:
    return [f.rule for f in report.findings if f.rule.startswith(prefix)]


def no_crash(report) -> None:
    assert not [f for f in report.findings if f.rule == "E000"], [f.message for f in report.findings]
    assert all(r.status != "failed" for r in report.rules), [r for r in report.rules if r.status == "failed"]


# ----------------------------------------------------------------------------------------- multiple testing
def test_holm_and_bh_match_statsmodels():
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    rng = np.random.default_rng(3)
    for m in (1, 2, 7, 50):
        p = np.concatenate([rng.uniform(size=m - m // 3), rng.uniform(0, 0.01, size=m // 3)])
        for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh")):
            assert np.allclose(adjust_pvalues(p, ours), multipletests(p, method=theirs)[1])


def test_adjusted_p_values_are_monotone_and_never_below_raw():
    rng = np.random.default_rng(7)
    p = rng.uniform(size=40) ** 3
    order = np.argsort(p)
    for method in ("holm", "bh"):
        adj = np.array(adjust_pvalues(p, method))
        assert np.all(adj >= p - 1e-15) and np.all(adj <= 1.0)
        assert np.all(np.diff(adj[order]) >= -1e-15)
    assert np.all(np.array(adjust_pvalues(p, "bh")) <= np.array(adjust_pvalues(p, "holm")) + 1e-15)
    assert adjust_pvalues([], "holm") == []
    with pytest.raises(ValueError):
        adjust_pvalues([0.1], "bonferroni-ish")


def test_correction_option_changes_the_family_adjustment():
    graph = dag("dag { A -> B -> C -> D -> E }")
    data = sim("dag { A -> B -> C -> D -> E A -> C B -> D }", rows=600, seed=2,
               weights={"A -> C": 0.15, "B -> D": 0.15})
    cache = CITestCache()
    holm = critique(graph, data, cache=cache, select=["D001", "D002"], impact=False)
    bh = critique(graph, data, cache=cache, select=["D001", "D002"], impact=False,
                  options=CritiqueOptions(correction="bh"))
    assert bh.data.tests_computed == 0  # the same tests, from the cache
    assert bh.data.correction == "bh"
    holm_p = {f.evidence[0].test: f.evidence[0].p_adjusted for f in holm.findings}
    bh_p = {f.evidence[0].test: f.evidence[0].p_adjusted for f in bh.findings}
    assert set(holm_p) <= set(bh_p)  # BH is never stricter
    for test, p in holm_p.items():
        assert bh_p[test] <= p
    assert all("Benjamini–Hochberg" in f.message for f in bh.findings)


# ----------------------------------------------------------------------------------------- separators
def _random_admg(rng: random.Random, n: int) -> CausalGraph:
    names = [f"v{i}" for i in range(n)]
    edges = [Edge(source=names[i], target=names[j]) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.35]
    taken = {frozenset((e.source, e.target)) for e in edges}
    for i in range(n):
        for j in range(i + 1, n):
            if frozenset((names[i], names[j])) not in taken and rng.random() < 0.08:
                edges.append(Edge(source=names[i], target=names[j], kind="bidirected"))
    hidden = {names[i] for i in range(n) if rng.random() < 0.2}
    return CausalGraph(variables=[Variable(name=v, observed=v not in hidden) for v in names], edges=edges)


def test_minimal_separator_is_a_minimal_d_separator():
    rng = random.Random(11)
    checked = 0
    for _ in range(60):
        g = _random_admg(rng, rng.randrange(3, 8))
        ctx = build_context(g)
        parents, _ = adjacency(ctx.latent_dag)
        observed = set(g.observed)
        adjacent = {frozenset((e.source, e.target)) for e in g.edges}
        for i, a in enumerate(g.observed):
            for b in g.observed[i + 1:]:
                if frozenset((a, b)) in adjacent:
                    continue
                truth = oracles.minimal_separating_sets(g, a, b)
                sep = minimal_separator(parents, a, b, observed)
                if not truth:
                    assert sep is None, (g, a, b, sep)
                    continue
                assert sep is not None and frozenset(sep) in truth, (a, b, sep, truth)
                assert d_separated(g, a, b, sorted(sep))
                for z in sep:
                    assert not d_separated(g, a, b, sorted(sep - {z}))
                checked += 1
    assert checked > 100


def test_minimal_separator_with_a_selection_variable_always_conditioned():
    rng = random.Random(5)
    for _ in range(40):
        g = _random_admg(rng, 7)
        observed = [n for n in g.observed]
        if len(observed) < 4:
            continue
        s = observed[-1]
        parents, _ = adjacency(build_context(g).latent_dag)
        for a, b in [(observed[0], observed[1]), (observed[0], observed[2])]:
            if g.find_edge(a, b) or g.find_edge(b, a) or g.find_edge(a, b, "bidirected"):
                continue
            sep = minimal_separator(parents, a, b, set(observed) - {s}, {s})
            if sep is not None:
                assert d_separated(g, a, b, sorted(sep | {s}))
                for z in sep:
                    assert not d_separated(g, a, b, sorted((sep - {z}) | {s}))


# ----------------------------------------------------------------------------------------- D001 / D002
def test_d001_finds_a_dropped_edge_and_suggests_it():
    graph = dag("dag { A -> B -> C -> D }")
    report = critique(graph, sim("dag { A -> B -> C -> D A -> C }"), select=["D001", "D002"], impact=False)
    found = report.by_rule("D001")
    # A _||_ D | B fails too: the separator chosen for A and D is {B}, which the missing edge A -> C bypasses
    assert sorted(tuple(f.nodes[:2]) for f in found) == [("A", "C"), ("A", "D")] and not report.by_rule("D002")
    f = next(f for f in found if f.nodes[:2] == ["A", "C"])
    ev = f.evidence[0]
    assert ev.test == "A _||_ C | B" and ev.method == "fisherz" and ev.n == 2000
    assert ev.p_adjusted is not None and ev.p_adjusted >= ev.p_value and ev.p_adjusted <= 0.05
    assert ev.effect is not None and ev.effect > 0.2
    assert "A <-> C" in f.message and f.source == "data"
    edit = EDIT_ADAPTER.validate_python(f.fix[0])
    assert isinstance(edit, AddEdge) and (edit.edge.source, edit.edge.target) == ("A", "C")
    assert edit.edge.provenance == "data" and edit.edge.evidence
    fixed = apply_edit(graph, edit)
    again = critique(fixed, sim("dag { A -> B -> C -> D A -> C }"), select=["D001", "D002"], impact=False)
    assert not again.by_rule("D001") and not again.by_rule("D002")


def test_d001_fix_respects_tiers_and_acyclicity():
    data = sim("dag { A -> B -> C A -> C }")
    tiered = dag("dag { A -> B -> C }", tiers={"A": 1, "B": 1, "C": 0})
    f = critique(tiered, data, select=["D001"], impact=False).by_rule("D001")[0]
    edit = EDIT_ADAPTER.validate_python(f.fix[0])
    # tiers forbid A -> C, and C -> A would close the cycle A -> B -> C -> A: only a latent common cause is left
    assert edit.edge.kind == "bidirected"
    free = dag("dag { A -> B C -> B }", tiers={"A": 1, "C": 0})
    g = critique(free, sim("dag { A -> B C -> B C -> A }"), select=["D002"], impact=False).by_rule("D002")[0]
    edit = EDIT_ADAPTER.validate_python(g.fix[0])
    assert (edit.edge.source, edit.edge.target, edit.edge.kind) == ("C", "A", "directed")


def test_d002_reports_dependence_between_unconnected_variables_once():
    graph = dag("dag { A -> B <- C D }")
    data = sim("dag { A -> B <- C A -> C D }")
    report = critique(graph, data, select=["D001", "D002"], impact=False)
    assert [f.nodes[:2] for f in report.by_rule("D002")] == [["A", "C"]]
    assert "missing edge or a missing confounder" in report.by_rule("D002")[0].message
    assert not report.by_rule("D001")  # one test per pair, reported by one rule
    plan = implied_tests(build_context(graph, data=data))
    pairs = [(t.implication.a, t.implication.b) for t in plan.tests]
    assert len(pairs) == len(set(pairs)) == plan.family


def test_no_false_alarm_on_the_true_graph_with_mixed_columns():
    truth = "dag { A -> B -> C -> E A -> D -> E B -> F D -> G C -> H }"
    graph = dag(truth, types={"F": "binary", "G": "binary", "H": "binary"})
    data = sim(truth, rows=3000, seed=4, discrete=("F", "G", "H"))
    report = critique(graph, data, select=["D001", "D002"], impact=False)
    assert not report.findings, [f.message for f in report.findings]
    ctx = build_context(graph, data=data)
    methods = {t.result.method for t in implied_tests(ctx).tests}
    assert {"fisherz", "cg-lrt"} <= methods


def test_untestable_and_capped_pairs_are_counted_in_caveats():
    graph = dag("dag { A -> M -> B -> C -> D -> E }")
    data = sim("dag { A -> M -> B -> C -> D -> E }").drop(columns=["M"])
    report = critique(graph, data, select=["D"], impact=False)
    no_crash(report)
    assert any("can only be separated through latent or untested variables" in c for c in report.data.caveats)
    capped = critique(graph, sim("dag { A -> M -> B -> C -> D -> E }"), select=["D"], impact=False,
                      options=CritiqueOptions(max_implications=3))
    assert any("max_implications=3" in c for c in capped.data.caveats)
    ctx = build_context(graph, data=sim("dag { A -> M -> B -> C -> D -> E }"),
                        options=CritiqueOptions(max_implications=3))
    plan = implied_tests(ctx)
    assert plan.family == 3 and plan.capped == 10 - 3
    assert ctx.memo["data_stats"]["implications_capped"] == 7


def test_latent_variables_are_never_in_a_conditioning_set():
    graph = dag("dag { U [latent] A -> B -> C U -> A U -> D D -> C }")
    data = sim("dag { U [latent] A -> B -> C U -> A U -> D D -> C }")
    plan = implied_tests(build_context(graph, data=data))
    assert plan.tests and all("U" not in t.implication.given for t in plan.tests)
    for t in plan.tests:
        assert d_separated(graph, t.implication.a, t.implication.b, list(t.implication.given))
    assert not critique(graph, data, select=["D001", "D002"], impact=False).findings


# ----------------------------------------------------------------------------------------- D003
def test_d003_flags_an_edge_the_data_do_not_support():
    graph = dag("dag { A -> B -> C A -> C }")
    report = critique(graph, sim("dag { A -> B -> C }", seed=1), select=["D003"], impact=False)
    [f] = report.by_rule("D003")
    assert f.severity == "info" and f.edges == ["A -> C"]
    assert "absence of evidence" in f.message and "n=2000" in f.message
    assert f.evidence[0].p_value > 0.05 and f.evidence[0].test == "A _||_ C | B"
    assert f.fix == [{"op": "remove_edge", "source": "A", "target": "C", "kind": "directed"}]


def test_d003_tests_bidirected_edges_given_a_separator_or_skips_them():
    graph = dag("dag { A <-> C A -> B }")
    report = critique(graph, sim("dag { A -> B C }", seed=2), select=["D003"], impact=False)
    [f] = report.by_rule("D003")
    assert f.edges == ["A <-> C"] and f.fix[0]["kind"] == "bidirected"
    inseparable = dag("dag { A -> B B <-> A }")
    report = critique(inseparable, sim("dag { A -> B }"), select=["D003"], impact=False)
    assert not report.by_rule("D003")
    assert any("bidirected" in c for c in report.data.caveats)


def test_d003_stays_quiet_on_supported_edges_even_on_a_cyclic_graph():
    graph = dag("dag { A -> B -> C -> A }")
    report = critique(graph, sim("dag { A -> B -> C }"), select=["D"], impact=False)
    no_crash(report)
    runs = {r.rule: r.status for r in report.rules}
    assert runs["D001"] == "skipped" and runs["D003"] == "ran"


# ----------------------------------------------------------------------------------------- D004
SIMPSON = "dag { C -> X -> Y C -> Y }"


def test_d004_confounder_reversal_suggests_adjusting():
    graph = dag("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }")
    data = sim(SIMPSON, weights={"X -> Y": -0.5, "C -> Y": 1.5})
    [f] = critique(graph, data, select=["D004"], impact=False).by_rule("D004")
    assert f.severity == "warning" and "confounder" in f.message
    assert f.fix == [{"op": "set_adjusted", "names": ["C"]}]
    marginal, adjusted = f.evidence[:2]
    assert marginal.effect > 0 > adjusted.effect and adjusted.p_adjusted <= 0.05
    done = graph.model_copy(update={"adjusted": ["C"]})
    assert not critique(done, data, select=["D004"], impact=False).by_rule("D004")


def test_d004_discrete_confounder_shows_the_strata():
    graph = dag("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }", types={"C": "binary"})
    rng = np.random.default_rng(8)
    c = rng.integers(0, 2, size=4000)
    x = 1.5 * c + rng.normal(size=4000)
    data = pd.DataFrame({"C": np.where(c == 1, "treated", "control"), "X": x,
                         "Y": -0.4 * x + 2.5 * c + rng.normal(size=4000)})
    [f] = critique(graph, data, select=["D004"], impact=False).by_rule("D004")
    strata = [e for e in f.evidence if e.method == "stratified-ols"]
    assert len(strata) == 2 and all(e.effect < 0 for e in strata)
    assert {e.test for e in strata} == {"Y ~ X where C = control", "Y ~ X where C = treated"}
    assert f.evidence[0].effect > 0


def test_d004_mediator_and_unexplained_reversals():
    data = sim("dag { X -> C -> Y X -> Y }", weights={"X -> Y": -0.3, "C -> Y": 1.0})
    plain = dag("dag { X [exposure] Y [outcome] X -> C -> Y X -> Y }")
    [info] = critique(plain, data, select=["D004"], impact=False).by_rule("D004")
    assert info.severity == "info" and "mediator" in info.message and not info.fix
    wrong = dag("dag { X [exposure] Y [outcome] X -> Y C }")
    [f] = critique(wrong, data, select=["D004"], impact=False).by_rule("D004")
    assert f.severity == "warning" and "no role" in f.message


def test_d004_skips_a_many_level_exposure():
    graph = dag("dag { X [exposure] Y [outcome] C -> X -> Y C -> Y }", types={"X": "categorical"})
    data = sim(SIMPSON)
    data["X"] = pd.cut(data["X"], 4, labels=["a", "b", "c", "d"]).astype(str)
    report = critique(graph, data, select=["D004"], impact=False)
    no_crash(report)
    assert not report.by_rule("D004") and any("D004 skipped" in c for c in report.data.caveats)


# ----------------------------------------------------------------------------------------- D005
def test_d005_names_the_opened_path():
    graph = dag("dag { X [exposure] Y [outcome] X -> Y X -> A -> S U [latent] U -> S U -> Y }",
                roles={"S": "selection"})
    [f] = critique(graph, select=["D005"], impact=False).by_rule("D005")
    assert "X -> A -> S <- U -> Y" in f.message and "descendant" not in f.message
    graph = dag("dag { X [exposure] Y [outcome] X -> Y X -> C <- Y C -> S }", roles={"S": "selection"})
    [f] = critique(graph, select=["D005"], impact=False).by_rule("D005")
    assert "X -> C <- Y" in f.message and "descendant of the collider C" in f.message
    assert set(f.edges) == {"X -> C", "Y -> C"}


def test_d005_quiet_when_selection_opens_nothing():
    graph = dag("dag { X [exposure] Y [outcome] X -> Y S -> X S -> Y }", roles={"S": "selection"})
    assert not critique(graph, select=["D005"], impact=False).by_rule("D005")
    no_selection = dag("dag { X [exposure] Y [outcome] X -> S <- Y }")
    assert not critique(no_selection, select=["D005"], impact=False).by_rule("D005")


def test_selected_data_are_not_a_false_alarm_for_d001():
    truth = "dag { A -> S <- B A -> C B -> D }"
    full = sim(truth, rows=6000)
    selected = full[full["S"] > 0.5].reset_index(drop=True)  # S is recorded but every row is "selected"
    selected["S"] = 1
    graph = dag(truth, roles={"S": "selection"})
    report = critique(graph, selected, select=["D", "S004"], impact=False)
    no_crash(report)
    assert not report.by_rule("D001") and not report.by_rule("D002")
    assert report.by_rule("D005")
    assert any("selected on S" in c for c in report.data.caveats)
    # the same data against a graph that ignores the selection: A and B look dependent (Berkson)
    unaware = dag(truth)
    assert ["A", "B"] in [f.nodes[:2] for f in critique(unaware, selected, select=["D002"], impact=False).findings]


# ----------------------------------------------------------------------------------------- D006
def test_d006_few_rows_and_unreliable_tests():
    report = critique(dag("dag { A -> B -> C }"), sim("dag { A -> B -> C }", rows=60), select=["D"], impact=False)
    [f] = report.by_rule("D006")
    assert "only 60 complete rows" in f.message and report.data.low_power
    rng = np.random.default_rng(0)
    n = 150
    frame = pd.DataFrame({c: rng.choice(list("abcdefgh"), size=n) for c in ("A", "B", "C", "D")})
    graph = dag("dag { A -> B -> C -> D A -> C }", types={c: "categorical" for c in "ABCD"})
    found = critique(graph, frame, select=["D"], impact=False).by_rule("D006")
    assert any("could not be tested reliably" in f.message for f in found)
    assert any("only 150" in f.message for f in found)
    assert not critique(dag("dag { A -> B -> C }"), sim("dag { A -> B -> C }"), select=["D006"],
                        impact=False).by_rule("D006")


def test_d006_tests_thinned_by_missing_values():
    data = sim("dag { A -> B -> C -> D }", rows=1000)
    data.loc[data.index[:450], "D"] = np.nan
    data.loc[data.index[450:900], "A"] = np.nan  # A and D overlap on 100 rows only
    report = critique(dag("dag { A -> B -> C -> D }"), data, select=["D"], impact=False)
    no_crash(report)
    [f] = report.by_rule("D006")
    assert "only 100 complete rows" in f.message
    # no row is complete, but every test reads two columns and finds a third of the rows complete in them
    spread = sim("dag { A -> B C -> D E -> F }", rows=999)
    for k, column in enumerate("ACE"):
        spread.loc[spread.index[333 * k:333 * (k + 1)], column] = np.nan
    report = critique(dag("dag { A -> B C -> D E -> F }"), spread, select=["D006"], impact=False)
    [f] = report.by_rule("D006")
    assert "only 0 rows are complete in every column" in f.message and "at least 333" in f.message


# ----------------------------------------------------------------------------------------- cache reuse
def test_a_one_edge_edit_recomputes_only_the_new_tests():
    truth = "dag { A -> B -> C -> D -> E A -> F -> G -> E B -> H C -> I }"
    graph = dag(truth)
    data = sim(truth, rows=1500)
    cache = CITestCache()
    first = critique(graph, data, cache=cache, select=["D"], impact=False)
    assert first.data.tests_computed == first.data.tests_run == len(cache) > 30
    again = critique(graph, data, cache=cache, select=["D"], impact=False)
    assert again.data.tests_computed == 0 and again.data.tests_run == first.data.tests_run
    edited = apply_edit(graph, AddEdge(edge=Edge(source="H", target="I")))
    before = len(cache)
    second = critique(edited, data, cache=cache, previous=graph, select=["D"], impact=False)
    assert second.data.tests_computed == len(cache) - before
    assert 0 < second.data.tests_computed < second.data.tests_run / 3


# ----------------------------------------------------------------------------------------- mismatched data
def test_mismatched_data_never_crash():
    graph = dag("dag { A -> B -> C -> D A -> E F -> D G -> A T -> B K -> C Z -> D }",
                types={"K": "continuous"})
    data = sim("dag { A -> B -> C -> D A -> E F -> D }", rows=500)
    data["G"] = 3.0  # constant
    data["T"] = ["word"] * len(data)  # text
    data["K"] = ["x"] * 250 + ["1.5"] * 250  # declared continuous, holds text
    data["E"] = np.where(np.arange(len(data)) % 3 == 0, np.nan, data["E"])  # a third missing
    data["extra"] = 1.0  # not in the graph
    # Z is not a column at all
    report = critique(graph, data, impact=False)
    no_crash(report)
    assert report.data is not None and "G" not in report.data.columns_used and "Z" not in report.data.columns_used
    assert any("K" in c for c in report.data.caveats)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"A": [], "B": [], "C": []}, dtype=float),
    pd.DataFrame({"A": [1.0, 2.0, 3.0], "B": [2.0, 1.0, 0.0], "C": [0.5, 0.1, 0.2]}),
    pd.DataFrame({"A": [1.0] * 50, "B": np.arange(50.0), "C": np.nan}),
    pd.DataFrame({"A": np.r_[np.arange(40.0), [np.nan] * 60], "B": np.r_[[np.nan] * 60, np.arange(40.0)],
                  "C": np.arange(100.0)}),
])
def test_degenerate_frames_never_crash(frame):
    graph = dag("dag { A -> B -> C A -> C }")
    report = critique(graph, frame, impact=False)
    no_crash(report)
    query = dag("dag { A [exposure] C [outcome] A -> B -> C }")
    no_crash(critique(query, frame, impact=False))
