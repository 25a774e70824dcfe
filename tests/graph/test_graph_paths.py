"""Paths between exposure and outcome: causal or biasing, open or blocked, and why."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import assistant.graph
from assistant import gallery
from assistant.errors import AnalysisInputError, UnknownVariableError
from assistant.graph import all_paths, ancestors, d_separated, descendants, find_cycle, open_biasing_paths
from assistant.model import CausalGraph, Edge, Variable


def test_confounding_has_one_backdoor_and_one_causal_path():
    listing = all_paths(gallery.load("confounding"), "X", "Y")
    kinds = {p.text: p.kind for p in listing.paths}
    assert kinds == {"X <- Z -> Y": "back-door", "X -> Y": "causal"}
    assert [p.text for p in listing.biasing] == ["X <- Z -> Y"]


def test_conditioning_on_the_confounder_blocks_the_backdoor_path_and_says_why():
    (path,) = [p for p in all_paths(gallery.load("confounding"), "X", "Y", ["Z"]).paths if not p.causal]
    assert not path.open
    assert path.reasons == ("Z is conditioned on",)


def test_m_bias_path_is_blocked_until_the_collider_is_conditioned_on():
    g = gallery.load("m_bias")
    (blocked,) = [p for p in all_paths(g, "X", "Y").paths if not p.causal]
    assert not blocked.open and "M is a collider that is not conditioned on" in blocked.reasons
    (opened,) = open_biasing_paths(g, "X", "Y", ["M"])
    assert opened.text == "X <- A -> M <- B -> Y"
    assert "M is a collider and is conditioned on, which opens the path" in opened.reasons


def test_conditioning_on_a_descendant_of_a_collider_opens_the_path():
    g = CausalGraph(variables=[Variable(name=n) for n in ["X", "Y", "C", "D"]],
                    edges=[Edge(source="X", target="C"), Edge(source="Y", target="C"), Edge(source="C", target="D")],
                    exposures=["X"], outcomes=["Y"])
    (path,) = open_biasing_paths(g, "X", "Y", ["D"])
    assert path.reasons == ("C is a collider whose descendant D is conditioned on, which opens the path",)


def test_bidirected_edges_appear_on_paths_with_both_arrowheads():
    g = gallery.load("front_door")
    texts = {p.text for p in all_paths(g, "X", "Y").paths}
    assert texts == {"X -> M -> Y", "X <- U -> Y"}
    g2 = CausalGraph(variables=[Variable(name=n) for n in "XMY"],
                     edges=[Edge(source="X", target="M"), Edge(source="M", target="Y"),
                            Edge(source="X", target="Y", kind="bidirected")], exposures=["X"], outcomes=["Y"])
    (biasing,) = all_paths(g2, "X", "Y").biasing
    assert biasing.text == "X <-> Y" and biasing.backdoor


def test_path_listing_is_capped_and_reports_truncation():
    names = [f"n{i}" for i in range(12)]
    edges = [Edge(source=a, target=b) for i, a in enumerate(names) for b in names[i + 1:]]
    g = CausalGraph(variables=[Variable(name=n) for n in names], edges=edges)
    listing = all_paths(g, "n0", "n11", limit=50)
    assert len(listing.paths) == 50 and listing.truncated


def test_overlapping_exposure_and_outcome_are_rejected():
    with pytest.raises(AnalysisInputError):
        all_paths(gallery.load("confounding"), ["X"], ["X"])


def test_d_separation_rejects_overlapping_sets_and_unknown_names():
    g = gallery.load("confounding")
    with pytest.raises(AnalysisInputError, match="disjoint"):
        d_separated(g, ["X"], ["Y"], ["X"])
    with pytest.raises(UnknownVariableError, match="'Q'"):
        d_separated(g, ["Q"], ["Y"])


def test_ancestors_and_descendants_exclude_the_node_and_synthetic_latents():
    g = gallery.load("front_door")
    assert descendants(g, "X") == {"M", "Y"}
    assert ancestors(g, "Y") == {"X", "M", "U"}


def test_acyclic_graph_has_no_cycle():
    assert find_cycle(gallery.load("shrier_platt_2008")) is None


def _modules_with_examples():
    finder = doctest.DocTestFinder()
    for info in pkgutil.iter_modules(assistant.graph.__path__):
        module = importlib.import_module(f"assistant.graph.{info.name}")
        if any(t.examples for t in finder.find(module)):
            yield module


@pytest.mark.parametrize("module", list(_modules_with_examples()), ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
