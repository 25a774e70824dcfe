"""BIC scores on simulated data: the true DAG wins, Markov-equivalent DAGs tie where the score is equivalent."""

from __future__ import annotations

import pytest
from offline_sim import COLLIDERS, discrete_cpt, simulate, types_of

from assistant.model import CausalGraph, Edge, Variable
from assistant.stats import bic_score, graph_bic

TRUE = {"c": ["a", "b"], "e": ["c", "d"], "f": ["e"]}
NO_COLLIDER = {"a": ["c"], "c": ["b"], "e": ["c", "d"], "f": ["e"]}          # a <- c <- b instead of a -> c <- b
CHAIN = {"b": ["a"], "c": ["b"]}
CHAIN_REVERSED = {"a": ["b"], "b": ["c"]}


@pytest.mark.parametrize("make", [lambda: simulate(COLLIDERS, 2000, 1),
                                  lambda: discrete_cpt(COLLIDERS, 3000, 1, levels=3),
                                  lambda: simulate(COLLIDERS, 2000, 1, kinds={"a": "discrete", "e": "discrete"})],
                         ids=["gaussian", "multinomial", "mixed"])
def test_the_true_dag_scores_best(make):
    frame = make()
    types = types_of(frame)          # integer and text columns are discrete, floats continuous
    true = bic_score(frame, TRUE, types=types).total
    assert true > bic_score(frame, {}, types=types).total
    assert true > bic_score(frame, NO_COLLIDER, types=types).total
    assert true > bic_score(frame, {**TRUE, "f": ["e", "a"]}, types=types).total    # an extra edge costs more


@pytest.mark.parametrize("make", [lambda: simulate([("a", "b"), ("b", "c")], 1000, 2),
                                  lambda: discrete_cpt([("a", "b"), ("b", "c")], 1000, 2, levels=3)],
                         ids=["gaussian", "multinomial"])
def test_markov_equivalent_dags_share_their_score(make):
    frame = make()
    types = types_of(frame)
    one = bic_score(frame, CHAIN, types=types)
    other = bic_score(frame, CHAIN_REVERSED, types=types)
    assert one.total == pytest.approx(other.total, rel=1e-9)
    assert one.parameters == other.parameters and one.n == 1000


def test_graph_bic_scores_observed_edges_and_ignores_latent_ones():
    frame = simulate([("a", "b")], 500, 3)
    graph = CausalGraph(variables=[Variable(name="a"), Variable(name="b"), Variable(name="U", observed=False)],
                        edges=[Edge(source="a", target="b"), Edge(source="U", target="a")])
    types = types_of(frame)
    assert graph_bic(graph, frame, types=types).total == pytest.approx(
        bic_score(frame, {"b": ["a"]}, types=types).total)
