"""Identification rules (I001–I008) on graphs with known answers, their fixes, and random graphs.

The worked examples of each rule are run by test_rule_examples.py; here the
rules meet the gallery's published answers, several exposures, and random
ADMGs with random adjusted sets, where a chosen set must be valid exactly
when no identification error is reported.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.critique import critique
from assistant.edit import apply_edits, parse_edit
from assistant.formats import read_graph
from assistant.gallery import entry, load
from assistant.graph import is_valid_adjustment_set, minimal_adjustment_sets
from assistant.model import CausalGraph, Edge, Variable

SET_RULES = {"I003", "I004", "I005", "I008"}  # problems with the chosen set whose fix makes it valid
VALIDITY_RULES = {"I001", "I002"} | SET_RULES


def dagitty(text: str) -> CausalGraph:
    return read_graph(text, "dagitty")


def adjusted(graph: CausalGraph, names: list[str]) -> CausalGraph:
    return graph.model_copy(update={"adjusted": names})


def run(graph: CausalGraph, **kw):
    report = critique(graph, select=["I"], **kw)
    assert not report.by_rule("E000"), [f.message for f in report.by_rule("E000")]
    assert all(r.status == "ran" for r in report.rules), report.rules
    return report


def rules_of(report) -> list[str]:
    return [f.rule for f in report.findings]


def apply_fix(graph: CausalGraph, finding) -> CausalGraph:
    assert finding.fix, f"{finding.rule} has no fix: {finding.message}"
    return apply_edits(graph, [parse_edit(op) for op in finding.fix])


# ------------------------------------------------------------------ gallery graphs
def test_confounding_unadjusted_is_an_open_backdoor_and_the_fix_adjusts_for_z():
    g = load("confounding")
    report = run(g)
    assert rules_of(report) == ["I008"]
    f = report.findings[0]
    assert "X <- Z -> Y" in f.message and f.edges == ["Z -> X", "Z -> Y"]
    assert f.fix == [{"op": "set_adjusted", "names": ["Z"]}]
    assert rules_of(run(apply_fix(g, f))) == []


def test_record_sales_needs_both_confounders():
    g = load("record_sales")
    [f] = run(g).findings
    assert f.rule == "I008" and "2 back-door paths" in f.message
    assert sorted(f.fix[0]["names"]) == ["label_marketing_spend", "tiktok_use"]
    assert rules_of(run(apply_fix(g, f))) == []


def test_open_backdoor_fix_keeps_what_is_already_adjusted():
    g = adjusted(load("record_sales"), ["tiktok_use"])
    [f] = run(g).findings
    assert f.rule == "I008" and "label_marketing_spend" in f.message and "tiktok_use" not in f.message.split(":")[1]
    assert sorted(f.fix[0]["names"]) == ["label_marketing_spend", "tiktok_use"]


def test_open_backdoor_fix_is_a_smallest_published_set():
    e = entry("polzer_2012")
    [f] = run(e.graph).findings
    assert f.rule == "I008" and "at least" in f.message  # too many paths to list them all
    assert "ToothLoss <- Age -> Mortality" in f.message  # the shortest paths are named first
    assert tuple(f.fix[0]["names"]) == min(e.expected[0].adjustment_sets, key=len)


def test_a_collider_that_also_confounds_is_kept_and_its_path_blocked():
    # FitnessLevel is a common effect of Coach and Genetics, and also a common cause of the exposure and outcome
    e = entry("shrier_platt_2008")
    g = adjusted(e.graph, ["FitnessLevel"])
    [f] = run(g).findings
    assert f.rule == "I005" and "Coach -> FitnessLevel <- Genetics" in f.message
    assert "dropping FitnessLevel is not enough" in f.message
    names = tuple(f.fix[0]["names"])
    assert "FitnessLevel" in names and names in e.expected[0].adjustment_sets and len(names) == 2
    assert rules_of(run(apply_fix(g, f))) == []


def test_published_adjustment_sets_raise_no_identification_finding():
    for e in [entry(n) for n in ("confounding", "record_sales", "polzer_2012", "shrier_platt_2008", "two_routes",
                                 "confounding_triangle", "long_chains", "mediator_model",
                                 "two_exposures_two_outcomes")]:
        for expected in e.expected:
            if expected.include:
                continue  # sets forced to contain a variable need not be good ones (see below)
            for s in expected.adjustment_sets or ():
                report = run(adjusted(e.graph, list(s)))
                bad = [f for f in report.findings if f.severity != "info"]
                assert not bad, (e.name, s, [f.message for f in bad])


def test_a_forced_variable_that_is_an_instrument_given_the_rest_is_flagged():
    # DAGitty's sets that must include FitnessLevel: given {NeuromuscularFatigue, TissueWeakness} it only moves
    # the exposure, so it is valid but useless
    g = adjusted(load("shrier_platt_2008"), ["FitnessLevel", "NeuromuscularFatigue", "TissueWeakness"])
    [f] = run(g).findings
    assert (f.rule, f.severity) == ("I006", "warning") and f.message.startswith("FitnessLevel is an instrument")
    assert f.fix == [{"op": "set_adjusted", "names": ["NeuromuscularFatigue", "TissueWeakness"]}]


def test_mediator_adjusted():
    g = adjusted(load("mediation"), ["M"])
    [f] = run(g).findings
    assert f.rule == "I003" and "mediator" in f.message and "X -> M -> Y" in f.message
    assert f.fix == [{"op": "set_adjusted", "names": []}]
    assert rules_of(run(apply_fix(g, f))) == []


def test_a_descendant_of_the_outcome_is_reported_as_such_not_as_a_collider():
    g = adjusted(load("collider"), ["C"])  # X -> C <- Y: C descends from the outcome
    [f] = run(g).findings
    assert f.rule == "I003" and "descends from the outcome Y" in f.message
    assert rules_of(run(apply_fix(g, f))) == []


def test_descendant_of_a_mediator_keeps_the_confounder_in_the_fix():
    g = dagitty("dag { X [exposure] Y [outcome] Z [adjusted] D [adjusted] Z -> X Z -> Y X -> M -> Y M -> D }")
    [f] = run(g).findings
    assert f.rule == "I003" and "descends from the mediator M (M -> D)" in f.message
    assert f.fix[0]["names"] == ["Z"]


def test_m_bias():
    g = adjusted(load("m_bias"), ["M"])
    report = run(g)
    assert rules_of(report) == ["I005"]
    f = report.findings[0]
    assert "X <- A -> M <- B -> Y" in f.message and "A or B" in f.message
    assert f.fix == [{"op": "set_adjusted", "names": []}]
    assert rules_of(run(apply_fix(g, f))) == []
    # the near miss: A blocks the path M opens
    assert rules_of(run(adjusted(load("m_bias"), ["A", "M"]))) == []


def test_m_bias_through_a_descendant_of_the_collider():
    g = dagitty("dag { X [exposure] Y [outcome] D [adjusted] A -> X A -> M B -> M B -> Y M -> D X -> Y }")
    [f] = run(g).findings
    assert f.rule == "I005" and "D descends from M" in f.message


def test_adjusted_collider_downstream_of_the_exposure():
    g = dagitty("dag { X [exposure] Y [outcome] U [latent] C [adjusted] X -> C <- U -> Y X -> Y }")
    [f] = run(g).findings
    assert f.rule == "I004" and "X -> C <- U -> Y" in f.message and "descendant of the exposure X" in f.message
    assert rules_of(run(apply_fix(g, f))) == []


def test_collider_with_an_observed_blocker_suggests_it():
    g = dagitty("dag { X [exposure] Y [outcome] C [adjusted] X -> C <- W -> Y X -> Y }")
    [f] = run(g).findings
    assert f.rule == "I004" and "also adjust for W" in f.message
    assert f.fix[0]["names"] == []


def test_front_door_rescues_latent_confounding():
    report = run(load("front_door"))
    [f] = report.findings
    assert (f.rule, f.severity) == ("I002", "warning")
    assert "X <- U -> Y" in f.message and "front door" in f.message and "{M}" in f.message


def test_front_door_with_the_mediator_adjusted():
    report = run(adjusted(load("front_door"), ["M"]))
    assert rules_of(report) == ["I003", "I002"]  # sorted: error before warning
    assert not report.by_rule("I003")[0].fix  # no valid set exists to switch to


def test_instrument_rescues_latent_confounding_and_adjusting_for_it_is_flagged():
    [f] = run(load("instrument")).findings
    assert (f.rule, f.severity) == ("I002", "warning") and "instrument" in f.message and "Z" in f.message
    report = run(adjusted(load("instrument"), ["Z"]))
    assert sorted(rules_of(report)) == ["I002", "I006"]
    i006 = report.by_rule("I006")[0]
    assert "use Z as an instrument instead" in i006.message and not i006.fix


def test_conditional_instrument_names_its_conditioning_set():
    [f] = run(load("conditional_instrument")).findings
    assert f.rule == "I002" and "z (conditioning on {w})" in f.message


def test_unrescued_latent_confounding_is_an_error():
    g = dagitty("dag { X [exposure] Y [outcome] X <-> Y X -> Y }")
    [f] = run(g).findings
    assert (f.rule, f.severity) == ("I002", "error") and "X <-> Y" in f.message and f.edges == ["X <-> Y"]
    assert "neither the front door nor an instrument" in f.message


def test_latent_confounding_through_colliders_only():
    [f] = run(load("commentator")).findings
    assert f.rule == "I002" and "collider" in f.message


def test_adjusted_instrument_fix_removes_it():
    g = dagitty("dag { X [exposure] Y [outcome] Z [adjusted] W [adjusted] Z -> X W -> X W -> Y X -> Y }")
    [f] = run(g).findings
    assert f.rule == "I006" and f.fix == [{"op": "set_adjusted", "names": ["W"]}]
    assert rules_of(run(apply_fix(g, f))) == []


def test_a_redundant_confounder_is_a_conditional_instrument_not_over_adjustment():
    # V -> X, V -> W -> Y: given W, V reaches Y only through X
    g = dagitty("dag { X [exposure] Y [outcome] V [adjusted] W [adjusted] V -> X V -> W -> Y X -> Y }")
    assert rules_of(run(g)) == ["I006"]


def test_over_adjustment_is_info_and_precision_variables_are_kept():
    g = dagitty("dag { X [exposure] Y [outcome] Z [adjusted] V [adjusted] P [adjusted] "
                "V -> Z Z -> X Z -> Y P -> Y X -> Y }")
    report = run(g)
    [f] = report.findings
    assert (f.rule, f.severity, f.nodes) == ("I007", "info", ["V"]) and "precision" in f.message
    assert f.fix == [{"op": "set_adjusted", "names": ["Z", "P"]}]
    assert rules_of(run(apply_fix(g, f))) == []


def test_each_problem_is_reported_once():
    # a mediator, an M-bias collider and an unadjusted confounder, all at once
    g = dagitty("dag { X [exposure] Y [outcome] M [adjusted] C [adjusted] "
                "X -> M -> Y A -> X A -> C B -> C B -> Y Z -> X Z -> Y X -> Y }")
    report = run(g)
    assert rules_of(report) == ["I003", "I005", "I008"]
    i008 = report.by_rule("I008")[0]
    assert "X <- Z -> Y" in i008.message and "A -> C" not in i008.message
    for f in report.findings:  # each fix mends every problem at once: it sets a valid set
        fixed = apply_fix(g, f)
        assert is_valid_adjustment_set(fixed, fixed.adjusted), (f.rule, f.fix)
        assert not set(rules_of(run(fixed))) & SET_RULES


# --------------------------------------------------------------- several exposures
def test_multiple_exposures_and_outcomes_are_supported_by_adjustment():
    e = entry("two_exposures_two_outcomes")
    [f] = run(e.graph).findings
    assert f.rule == "I008" and tuple(f.fix[0]["names"]) in e.expected[0].adjustment_sets
    assert rules_of(run(apply_fix(e.graph, f))) == []


def test_joint_effect_not_identified_by_adjustment_is_i001():
    g = dagitty("dag { X1 [exposure] X2 [exposure] Y [outcome] X1 -> Z -> X2 -> Y Z -> Y X1 -> Y }")
    [f] = run(g).findings
    assert (f.rule, f.severity) == ("I001", "error")
    assert "X2 <- Z -> Y" in f.message and "X1 -> Z -> Y" in f.message
    assert "only checked for one exposure and one outcome" in f.message
    assert "X2 alone (adjust for {Z})" in f.message


def test_exposures_given_to_critique_override_the_markers():
    g = dagitty("dag { X1 -> Z -> X2 -> Y Z -> Y X1 -> Y }")
    assert rules_of(run(g, exposures=["X2"], outcomes=["Y"])) == ["I008"]
    assert rules_of(run(g, exposures=["X1", "X2"], outcomes=["Y"])) == ["I001"]


def test_latent_confounding_with_two_exposures_says_rescues_were_not_checked():
    g = dagitty("dag { X1 [exposure] X2 [exposure] Y [outcome] X1 -> Y X2 -> Y X2 <-> Y }")
    [f] = run(g).findings
    assert (f.rule, f.severity) == ("I002", "error")
    assert "only checked for one exposure and one outcome" in f.message


def test_outcome_causing_the_exposure_is_i001():
    g = dagitty("dag { X [exposure] Y [outcome] Y -> X }")
    [f] = run(g).findings
    assert f.rule == "I001" and "Y -> X" in f.message


def test_a_latent_exposure_is_reported_not_crashed_on():
    g = dagitty("dag { X [exposure,latent] Y [outcome] X -> Y }")
    report = run(g)
    assert rules_of(report) == ["I001"] and "latent" in report.findings[0].message


def test_cyclic_graph_skips_the_identification_rules():
    report = critique(dagitty("dag { X [exposure] Y [outcome] X -> Y -> X }"), select=["I"])
    assert {r.status for r in report.rules} == {"skipped"} and not report.findings


# ---------------------------------------------------------------- every example's fix
def test_every_triggering_example_fix_resolves_its_finding():
    from assistant.critique.examples import example_graph
    from assistant.critique.rules import all_rules

    for r in [r for r in all_rules() if r.id.startswith("I")]:
        for ex in r.examples:
            if not ex.triggers:
                continue
            g, _ = example_graph(ex.graph, ex)
            for f in run(g).by_rule(r.id):
                if not f.fix:
                    continue
                fixed = apply_fix(g, f)
                assert is_valid_adjustment_set(fixed, fixed.adjusted), (r.id, f.fix)
                assert not [h for h in run(fixed).by_rule(r.id) if h.nodes == f.nodes], (r.id, f.message)


# ------------------------------------------------------------------- random graphs
@st.composite
def queries(draw):
    """A random ADMG over v0..vn (topological order), one or two exposures and outcomes, a random adjusted set."""
    n = draw(st.integers(3, 7))
    names = [f"v{i}" for i in range(n)]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    edges = [Edge(source=names[a], target=names[b]) for a, b in pairs if draw(st.integers(0, 2)) > 0]
    edges += [Edge(source=names[a], target=names[b], kind="bidirected") for a, b in pairs
              if draw(st.integers(0, 6)) == 0]
    k = draw(st.sampled_from([2, 2, 2, 3, 4])) if n >= 4 else 2
    picked = draw(st.lists(st.sampled_from(names), min_size=k, max_size=k, unique=True))
    if draw(st.booleans()):  # exposures before outcomes, so that most effects are not trivially zero
        picked.sort(key=names.index)
    n_exp = 1 if k == 2 else draw(st.integers(1, k - 1))
    xs, ys = picked[:n_exp], picked[n_exp:]
    others = [v for v in names if v not in picked]
    latent = {v for v in others if draw(st.integers(0, 3)) == 0}
    adj = draw(st.lists(st.sampled_from(others), unique=True)) if others else []
    return CausalGraph(variables=[Variable(name=v, observed=v not in latent) for v in names], edges=edges,
                       exposures=xs, outcomes=ys, adjusted=adj)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_identification_rules_on_random_graphs(graph):
    report = run(graph)  # never crashes
    found = set(rules_of(report))
    query = set(graph.exposures) | set(graph.outcomes)
    z = [n for n in graph.adjusted if n in graph.observed and n not in query]
    valid = is_valid_adjustment_set(graph, z)
    identifiable = bool(minimal_adjustment_sets(graph).sets)
    # a chosen set is valid exactly when no identification error is reported
    assert valid == (not (found & VALIDITY_RULES)), (valid, [f.message for f in report.findings])
    assert identifiable == (not (found & {"I001", "I002"}))
    assert not ({"I001", "I002"} <= found)
    if not identifiable:
        assert "I008" not in found
    if not valid:
        assert "I007" not in found
    for f in report.findings:
        assert f.message and set(f.nodes) <= set(graph.names)
        if f.fix:
            fixed = apply_fix(graph, f)
            assert is_valid_adjustment_set(fixed, fixed.adjusted), (f.rule, f.message, f.fix)
            if f.rule in SET_RULES:
                assert not (set(rules_of(run(fixed))) & SET_RULES), (f.rule, f.message)
