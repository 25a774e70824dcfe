"""The example gallery: named textbook graphs with their published answers.

One gallery serves the UI's example picker, the docs and the tests (examples
are fixtures).  Each entry records what the literature or DAGitty says the
answer is — minimal adjustment sets, instruments, front-door sets, implied
independencies — so the tests check our analysis against published answers
rather than against itself.

Sources:
* DAGitty's test suite and examples (Textor et al. 2016, "Robust causal
  inference using directed acyclic graphs: the R package 'dagitty'");
* Polzer et al. (2012), tooth loss and mortality; Shrier & Platt (2008),
  warm-up exercises and injury;
* Pearl (2009), *Causality*, for confounding, mediation, colliders, M-bias,
  instruments and the front door;
* the record-sales example from the seed article "Causality, counterfactuals
  and AI imagination" (radio play, label marketing spend, TikTok use, sales).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from assistant.errors import NotFoundError
from assistant.model import CausalGraph, Edge, GraphMetadata, Question, Variable

_EDGE = re.compile(r"^\s*(\S+)\s*(->|<->)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Expected:
    """Published answers for one exposure/outcome query on a gallery graph."""

    adjustment_sets: tuple[tuple[str, ...], ...] | None = None
    instruments: tuple[str, ...] | None = None  # "z" or "z | w1, w2", as DAGitty prints them
    front_door: tuple[str, ...] | None = None
    missing_edge_implications: tuple[str, ...] | None = None
    basis_implications: tuple[str, ...] | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class GalleryEntry:
    name: str
    title: str
    story: str
    graph: CausalGraph
    expected: tuple[Expected, ...] = field(default=())


def _build(name: str, title: str, edges: Iterable[str], *, exposure: Iterable[str], outcome: Iterable[str],
           latent: Iterable[str] = (), describe: dict[str, str] | None = None, labels: dict[str, str] | None = None,
           question: str | None = None, extra_nodes: Iterable[str] = ()) -> CausalGraph:
    names: list[str] = []
    parsed: list[Edge] = []
    for spec in edges:
        match = _EDGE.match(spec)
        if not match:
            raise ValueError(f"bad gallery edge {spec!r}")
        a, arrow, b = match.groups()
        for n in (a, b):
            if n not in names:
                names.append(n)
        parsed.append(Edge(source=a, target=b, kind="directed" if arrow == "->" else "bidirected"))
    for n in extra_nodes:
        if n not in names:
            names.append(n)
    hidden = set(latent)
    describe = describe or {}
    labels = labels or {}
    xs, ys = list(exposure), list(outcome)
    return CausalGraph(
        variables=[Variable(name=n, observed=n not in hidden, description=describe.get(n, ""), label=labels.get(n))
                   for n in names],
        edges=parsed, exposures=xs, outcomes=ys,
        metadata=GraphMetadata(name=name, description=title,
                               question=Question(text=question, exposure=xs[0], outcome=ys[0]) if question else None),
    )


def _entries() -> list[GalleryEntry]:
    e: list[GalleryEntry] = []
    e.append(GalleryEntry(
        "confounding", "Confounding", "Z causes both X and Y; comparing by X alone mixes the effect with Z's.",
        _build("confounding", "Confounding", ["Z -> X", "Z -> Y", "X -> Y"], exposure=["X"], outcome=["Y"]),
        (Expected(adjustment_sets=(("Z",),), instruments=(), source="Pearl 2009, §3.3"),)))
    e.append(GalleryEntry(
        "mediation", "Mediation", "M carries part of X's effect on Y; adjusting for M removes that part.",
        _build("mediation", "Mediation", ["X -> M", "M -> Y", "X -> Y"], exposure=["X"], outcome=["Y"]),
        (Expected(adjustment_sets=((),), source="Pearl 2009, §4.5"),)))
    e.append(GalleryEntry(
        "collider", "Collider", "C is caused by both X and Y: conditioning on it biases the X-Y association.",
        _build("collider", "Collider", ["X -> C", "Y -> C", "X -> Y"], exposure=["X"], outcome=["Y"]),
        (Expected(adjustment_sets=((),), missing_edge_implications=(), source="Pearl 2009, §1.2"),)))
    e.append(GalleryEntry(
        "m_bias", "M-bias", "M is a pre-treatment collider: adjusting for it alone opens X <- A -> M <- B -> Y.",
        _build("m_bias", "M-bias", ["A -> X", "A -> M", "B -> M", "B -> Y", "X -> Y"], exposure=["X"], outcome=["Y"]),
        (Expected(adjustment_sets=((),), source="DAGitty test adjustment-dags.js; Greenland 2003"),
         Expected(adjustment_sets=(("A", "M"), ("B", "M")), include=("M",), source="DAGitty test adjustment-dags.js"))))
    e.append(GalleryEntry(
        "instrument", "Instrumental variable",
        "U confounds X and Y unmeasured; Z moves X and reaches Y only through X.",
        _build("instrument", "Instrumental variable", ["Z -> X", "U -> X", "U -> Y", "X -> Y"],
               exposure=["X"], outcome=["Y"], latent=["U"]),
        (Expected(adjustment_sets=(), instruments=("Z",), source="DAGitty test instrumental-variables.js"),)))
    e.append(GalleryEntry(
        "conditional_instrument", "Conditional instrument",
        "z is an instrument only once w, which also drives the hidden confounder u, is adjusted for.",
        _build("conditional_instrument", "Conditional instrument",
               ["w -> z", "z -> x", "x -> y", "w -> u", "u -> x", "u -> y"],
               exposure=["x"], outcome=["y"], latent=["u"]),
        (Expected(instruments=("z | w",), source="DAGitty test instrumental-variables.js"),)))
    e.append(GalleryEntry(
        "front_door", "Front door",
        "X and Y share a hidden cause, but X acts on Y only through M, which nothing hidden touches.",
        _build("front_door", "Front door", ["X -> M", "M -> Y", "U -> X", "U -> Y"],
               exposure=["X"], outcome=["Y"], latent=["U"]),
        (Expected(adjustment_sets=(), front_door=("M",), source="Pearl 1995; Pearl 2009, §3.3.2"),)))
    e.append(GalleryEntry(
        "record_sales", "Record sales",
        "Does radio airplay raise an artist's 6-month record sales? Label marketing spend and TikTok use "
        "drive both airplay and sales.",
        _build("record_sales", "Record sales",
               ["label_marketing_spend -> radio_play", "tiktok_use -> radio_play",
                "label_marketing_spend -> record_sales_6m", "tiktok_use -> record_sales_6m",
                "radio_play -> record_sales_6m"],
               exposure=["radio_play"], outcome=["record_sales_6m"],
               question="Does radio airplay raise record sales?",
               labels={"radio_play": "Radio play (hours)", "label_marketing_spend": "Label marketing spend",
                       "tiktok_use": "TikTok use", "record_sales_6m": "6-month record sales"},
               describe={"radio_play": "Hours of radio airplay the artist received",
                         "label_marketing_spend": "Money the record label spent marketing the artist",
                         "tiktok_use": "How much the artist's music was used on TikTok",
                         "record_sales_6m": "Records sold in the six months that followed"}),
        (Expected(adjustment_sets=(("label_marketing_spend", "tiktok_use"),), instruments=(),
                  source="seed 002 (Figure 5/6)"),)))
    e.append(GalleryEntry(
        "mediator_model", "Small model with mediator", "DAGitty's small mediator model for testable implications.",
        _build("mediator_model", "Small model with mediator", ["Z -> X", "Z -> I", "X -> I", "X -> Y", "I -> Y"],
               exposure=["X"], outcome=["Y"]),
        (Expected(adjustment_sets=(("Z",),), missing_edge_implications=("Z _||_ Y | X, I",),
                  basis_implications=("Y _||_ Z | X, I",), source="DAGitty test testable-implications.js"),)))
    e.append(GalleryEntry(
        "polzer_2012", "Tooth loss and mortality (Polzer et al. 2012)", "A 14-variable epidemiological DAG.",
        _build("polzer_2012", "Polzer et al. 2012", _polzer_edges(), exposure=["ToothLoss"], outcome=["Mortality"]),
        (Expected(adjustment_sets=(("Age", "Alcohol", "Diabetes", "Obesity", "Psychosocial", "Sex", "Smoking", "Sport"),
                                   ("Age", "Alcohol", "Periodontitis", "Psychosocial", "Sex", "Smoking")),
                  instruments=("Caries | Age, Psychosocial, Sex",
                               "Periodontitis | Age, Diabetes, Obesity, Psychosocial, Sex, Smoking, Sport"),
                  source="DAGitty test (Polzer et al. 2012); instruments as DAGitty computes them"),)))
    e.append(GalleryEntry(
        "shrier_platt_2008", "Warm-up exercises and injury (Shrier & Platt 2008)", "DAGitty's sports-injury example.",
        _build("shrier_platt_2008", "Shrier & Platt 2008", _shrier_edges(),
               exposure=["WarmUpExercises"], outcome=["Injury"]),
        (Expected(adjustment_sets=(("Coach", "FitnessLevel"), ("Coach", "PreGameProprioception"),
                                   ("ConnectiveTissueDisorder", "NeuromuscularFatigue"), ("FitnessLevel", "Genetics"),
                                   ("FitnessLevel", "TeamMotivation"), ("NeuromuscularFatigue", "TissueWeakness"),
                                   ("PreGameProprioception", "TeamMotivation")),
                  source="DAGitty (Shrier & Platt 2008 example)"),
         Expected(adjustment_sets=(("Coach", "FitnessLevel"), ("FitnessLevel", "NeuromuscularFatigue", "TissueWeakness"),
                                   ("FitnessLevel", "TeamMotivation")),
                  include=("FitnessLevel",), exclude=("Genetics", "ConnectiveTissueDisorder", "IntraGameProprioception"),
                  source="DAGitty test misc.js"))))
    e.append(GalleryEntry(
        "two_exposures_two_outcomes", "Two exposures, two outcomes", "DAGitty's joint-effect example.",
        _build("two_exposures_two_outcomes", "Two exposures, two outcomes",
               ["C -> Y1", "C -> m", "X1 -> X2", "X1 -> Y2", "Y2 -> Y1", "X2 -> Y1", "X1 -> m2", "m2 -> m",
                "m -> X2"], exposure=["X1", "X2"], outcome=["Y1", "Y2"]),
        (Expected(adjustment_sets=(("C",), ("m", "m2")), source="DAGitty test adjustment-dags.js"),)))
    chain = [f"{i + 1} -> {i}" for i in range(1, 14)] + ["1 -> E", "E -> D", "7 -> E", "8 -> D", "15 -> 14", "15 -> D"]
    e.append(GalleryEntry(
        "long_chains", "Many variables but few paths", "DAGitty's test of many variables with few back-door paths.",
        _build("long_chains", "Many variables but few paths", chain, exposure=["E"], outcome=["D"]),
        (Expected(adjustment_sets=(("7",), ("8",)), source="DAGitty test adjustment-dags.js"),)))
    e.append(GalleryEntry(
        "confounding_triangle", "Extended confounding triangle", "Two routes of confounding through C.",
        _build("confounding_triangle", "Extended confounding triangle",
               ["A -> B", "C -> A", "C -> B", "D -> A", "D -> C", "E -> B", "E -> C"], exposure=["A"], outcome=["B"]),
        (Expected(adjustment_sets=(("C", "D"), ("C", "E")), source="DAGitty test separators"),)))
    e.append(GalleryEntry(
        "two_routes", "Two confounding routes", "Confounding through t and u2 or through u1: two different minimal sets.",
        _build("two_routes", "Two confounding routes", ["t -> xobs", "u1 -> t", "u1 -> y", "u2 -> t", "u2 -> xobs",
                                                    "xobs -> y"], exposure=["xobs"], outcome=["y"]),
        (Expected(adjustment_sets=(("t", "u2"), ("u1",)), source="DAGitty test adjustment-other.js"),)))
    e.append(GalleryEntry(
        "commentator", "Latent structure with testable implications", "DAGitty's 'commentator1' model.",
        _build("commentator", "commentator1",
               ["X -> Y", "A -> W1", "A -> W2", "B -> W1", "B -> X", "C -> W2", "C -> Y", "V -> Z1", "V -> Z2",
                "W1 -> Z1", "W2 -> Z2", "Z1 -> X", "Z2 -> Y"], exposure=["X"], outcome=["Y"], latent=["A", "B", "C"]),
        (Expected(missing_edge_implications=(
            "X _||_ V | W1, Z1", "X _||_ Z2 | V, W2", "X _||_ Z2 | W1, W2, Z1", "Y _||_ V | W1, W2, Z1, Z2",
            "V _||_ W1", "V _||_ W2", "W1 _||_ Z2 | W2", "W2 _||_ Z1 | W1", "Z1 _||_ Z2 | V, W2",
            "Z1 _||_ Z2 | V, W1"), source="DAGitty test testable-implications.js"),)))
    return e


def _polzer_edges() -> list[str]:
    fan = {
        "Diabetes": "Hypertension Lipids Mortality Periodontitis",
        "Obesity": "Diabetes Hypertension Lipids Mortality Periodontitis",
        "Psychosocial": "Alcohol Caries Diabetes Hypertension Lipids Mortality Obesity Periodontitis Smoking Sport "
                        "ToothLoss",
        "Age": "Alcohol Caries Diabetes Hypertension Lipids Mortality Obesity Periodontitis Psychosocial Smoking "
               "Sport ToothLoss",
        "Sex": "Alcohol Caries Diabetes Hypertension Lipids Mortality Obesity Periodontitis Psychosocial Smoking "
               "Sport ToothLoss",
        "Alcohol": "Diabetes Hypertension Lipids Mortality Obesity Smoking ToothLoss",
        "Smoking": "Diabetes Hypertension Mortality Obesity Periodontitis Sport ToothLoss",
        "Sport": "Diabetes Hypertension Lipids Mortality Obesity Periodontitis",
    }
    edges = ["ToothLoss -> Mortality", "Periodontitis -> ToothLoss", "Caries -> ToothLoss",
             "Hypertension -> Mortality", "Lipids -> Mortality"]
    for src, targets in fan.items():
        edges += [f"{src} -> {t}" for t in targets.split()]
    return edges


def _shrier_edges() -> list[str]:
    fan = {
        "Coach": "FitnessLevel TeamMotivation",
        "Genetics": "ConnectiveTissueDisorder FitnessLevel NeuromuscularFatigue",
        "TeamMotivation": "PreviousInjury WarmUpExercises",
        "PreGameProprioception": "WarmUpExercises",
        "ConnectiveTissueDisorder": "NeuromuscularFatigue TissueWeakness",
        "ContactSport": "IntraGameProprioception PreviousInjury",
        "TissueWeakness": "Injury",
        "IntraGameProprioception": "Injury",
        "FitnessLevel": "NeuromuscularFatigue PreGameProprioception",
        "NeuromuscularFatigue": "Injury IntraGameProprioception",
        "WarmUpExercises": "IntraGameProprioception",
    }
    return [f"{src} -> {t}" for src, targets in fan.items() for t in targets.split()]


_GALLERY: dict[str, GalleryEntry] = {entry.name: entry for entry in _entries()}


def names() -> list[str]:
    return list(_GALLERY)


def entry(name: str) -> GalleryEntry:
    try:
        return _GALLERY[name]
    except KeyError:
        raise NotFoundError(f"no gallery graph named {name!r}", hint=f"choose one of: {', '.join(_GALLERY)}") from None


def load(name: str) -> CausalGraph:
    """A fresh copy of a gallery graph (callers may not share mutable state)."""
    return entry(name).graph.model_copy(deep=True)


def entries() -> list[GalleryEntry]:
    return list(_GALLERY.values())
