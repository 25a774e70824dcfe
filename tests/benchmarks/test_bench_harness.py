"""The LLM benchmarks' own machinery: bnlearn loaders, seeded sampling, metrics, descriptions, call budget.

The benchmark modules live in ``benchmarks/`` (not a package), so they are imported from there.
pgmpy (the bundled .bif.gz networks) is a benchmark dependency, not a runtime one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

pytest.importorskip("pgmpy", reason="the bnlearn networks ship inside pgmpy")

import networks as bnlearn  # noqa: E402  (our loader; not the PyPI package)
from bench_llm_budget import MAX_CALLS_PER_DRAFT, SCENARIOS, fake_draft_usage, pairwise_calls  # noqa: E402
from bench_llm_eval import build_request, load_descriptions  # noqa: E402

from assistant.model import CausalGraph, Edge, Variable  # noqa: E402


def graph(names: str, *edges: str) -> CausalGraph:
    """``graph("abc", "a>b", "b<c", "a~c")``: > and < directed, ~ bidirected."""
    out = []
    for spec in edges:
        a, op, b = spec[0], spec[1], spec[2]
        if op == ">":
            out.append(Edge(source=a, target=b))
        elif op == "<":
            out.append(Edge(source=b, target=a))
        else:
            out.append(Edge(source=a, target=b, kind="bidirected"))
    return CausalGraph(variables=[Variable(name=n) for n in names], edges=out)


@pytest.fixture(scope="module")
def descriptions():
    return load_descriptions()


# --- loading and sampling ---------------------------------------------------------------------------


def test_asia_loads_offline_with_its_known_structure():
    g = bnlearn.true_graph("asia")
    assert len(g.variables) == 8 and len(g.edges) == 8
    edges = {(e.source, e.target) for e in g.edges}
    assert {("smoke", "lung"), ("either", "xray"), ("asia", "tub"), ("bronc", "dysp")} <= edges
    assert all(v.observed and v.data_type == "binary" for v in g.variables)


@pytest.mark.parametrize("name,nodes,edges", [("sachs", 11, 17), ("child", 20, 25), ("insurance", 27, 52),
                                              ("alarm", 37, 46)])
def test_every_benchmark_network_loads_as_an_acyclic_graph(name, nodes, edges):
    g = bnlearn.true_graph(name)
    assert (len(g.variables), len(g.edges)) == (nodes, edges)
    assert nx.is_directed_acyclic_graph(nx.DiGraph([(e.source, e.target) for e in g.edges]))
    assert {v.data_type for v in g.variables} <= {"binary", "categorical"}


def test_sampling_is_seeded_and_uses_the_state_labels():
    a, b = bnlearn.sample("asia", 500, seed=7), bnlearn.sample("asia", 500, seed=7)
    assert a.equals(b)
    assert not a.equals(bnlearn.sample("asia", 500, seed=8))
    assert list(a.columns) == bnlearn.true_graph("asia").names and len(a) == 500
    assert set(a["smoke"].cat.categories) == {"yes", "no"}


def test_samples_follow_the_networks_probabilities():
    data = bnlearn.sample("asia", 20000, seed=0)
    # either is the logical OR of tub and lung in asia's CPD
    assert ((data["either"] == "yes") == ((data["tub"] == "yes") | (data["lung"] == "yes"))).all()
    p_lung_given_smoke = (data.loc[data["smoke"] == "yes", "lung"] == "yes").mean()
    assert abs(p_lung_given_smoke - 0.10) < 0.02


# --- metrics -----------------------------------------------------------------------------------------


def test_identical_graphs_score_perfectly():
    t = graph("abc", "a>b", "b>c")
    assert bnlearn.shd(t, t) == 0
    assert bnlearn.directed_f1(t, t) == (1.0, 1.0, 1.0)


def test_a_reversed_edge_costs_one_in_shd_and_counts_as_false_positive_and_negative():
    t, e = graph("abc", "a>b", "b>c"), graph("abc", "a<b", "b>c")
    assert bnlearn.shd(t, e) == 1
    assert bnlearn.directed_f1(t, e) == (0.5, 0.5, 0.5)


def test_missing_and_extra_edges_each_count_once():
    t = graph("abcd", "a>b", "b>c")
    assert bnlearn.shd(t, graph("abcd", "a>b")) == 1                       # missing b->c
    assert bnlearn.shd(t, graph("abcd", "a>b", "b>c", "c>d")) == 1         # extra c->d
    assert bnlearn.shd(t, graph("abcd", "a<b", "c>d")) == 3                # reversed, missing, extra
    p, r, f = bnlearn.directed_f1(t, graph("abcd", "a>b", "c>d"))
    assert (p, r) == (0.5, 0.5) and f == pytest.approx(0.5)


def test_an_empty_estimate_has_zero_precision_and_recall():
    t = graph("abc", "a>b", "b>c")
    assert bnlearn.shd(t, graph("abc")) == 2
    assert bnlearn.directed_f1(t, graph("abc")) == (0.0, 0.0, 0.0)


def test_a_bidirected_edge_is_misoriented_where_an_edge_exists_and_extra_where_none_does():
    t = graph("abc", "a>b")
    assert bnlearn.shd(t, graph("abc", "a~b")) == 1
    assert bnlearn.shd(t, graph("abc", "a>b", "b~c")) == 1
    assert bnlearn.directed_f1(t, graph("abc", "a>b", "b~c")) == (1.0, 1.0, 1.0)


def test_latent_variables_the_truth_lacks_are_not_scored():
    t = graph("ab", "a>b")
    est = CausalGraph(variables=[Variable(name="a"), Variable(name="b"), Variable(name="u", observed=False)],
                      edges=[Edge(source="a", target="b"), Edge(source="u", target="a"), Edge(source="u", target="b")])
    assert bnlearn.shd(t, est) == 0
    assert bnlearn.directed_f1(t, est) == (1.0, 1.0, 1.0)


# --- the descriptions file ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", bnlearn.NETWORKS)
def test_descriptions_cover_exactly_the_networks_nodes(descriptions, name):
    described = descriptions[name]["variables"]
    assert set(described) == set(bnlearn.true_graph(name).names)
    for node, text in described.items():
        assert text["label"].strip() and text["description"].strip().endswith("."), node


@pytest.mark.parametrize("name", bnlearn.NETWORKS)
def test_each_questions_exposure_reaches_its_outcome(descriptions, name):
    q = descriptions[name]["question"]
    g = nx.DiGraph([(e.source, e.target) for e in bnlearn.true_graph(name).edges])
    assert q["exposure"] != q["outcome"]
    assert nx.has_path(g, q["exposure"], q["outcome"]), q


def test_names_only_requests_carry_no_labels_or_descriptions(descriptions):
    bare, described = build_request("asia", "names", descriptions), build_request("asia", "descriptions", descriptions)
    assert all(v.label is None and v.description == "" for v in bare.variables)
    assert all(v.label and v.description for v in described.variables)
    assert bare.names == described.names and (bare.exposure, bare.outcome) == ("smoke", "dysp")
    assert bare.candidates == 1


# --- the call budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_fifty_variable_draft_stays_within_three_llm_calls(scenario):
    row = fake_draft_usage(50, scenario)
    assert row.status == "ok"
    assert 1 <= row.calls <= MAX_CALLS_PER_DRAFT == 3
    assert row.prompt_tokens > 0
    assert pairwise_calls(50) == 1225
