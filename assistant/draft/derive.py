"""Suggestions read off a candidate graph by graph theory: confounders, instruments, mediators, colliders.

Whatever proposed the graph, the *consequences* of its edges are computed, not
asked for: which back-door paths a confounder blocks, which variables are
instruments or mediators, and which are colliders that must not be adjusted
for all come from :mod:`assistant.graph`.  An LLM's own claims about roles are
kept only when the graph agrees; otherwise they are reported as rejected.
"""

from __future__ import annotations

from assistant.draft.result import ConfounderSuggestion, RejectedClaim, RoleSuggestion, Source
from assistant.graph import all_paths, ancestors, descendants, instrumental_variables
from assistant.model import CausalGraph


def confounders(graph: CausalGraph, exposure: str, outcome: str) -> list[ConfounderSuggestion]:
    """Common causes of exposure and outcome, with the back-door paths each one blocks."""
    listing = all_paths(graph, exposure, outcome, limit=500)
    backdoors = [p for p in listing.paths if p.backdoor and p.open]
    common = ancestors(graph, exposure) & ancestors(graph, outcome)
    out = []
    for name in graph.names:
        if name not in common:
            continue
        blocks = [p.text for p in backdoors if name in p.nodes[1:-1]
                  and not _is_collider_on(p.nodes, p.marks, name)]
        if not blocks:
            continue
        var = graph.variable(name)
        out.append(ConfounderSuggestion(
            name=name, observed=var.observed, blocks=blocks, provenance="graph",
            rationale=(f"{name} causes both {exposure} and {outcome}"
                       + ("" if var.observed else "; it is not measured, so it cannot be adjusted for"))))
    return out


def _is_collider_on(nodes: tuple[str, ...], marks: tuple[str, ...], name: str) -> bool:
    i = nodes.index(name)
    return marks[i - 1].endswith(">") and marks[i].startswith("<")


def roles(graph: CausalGraph, exposure: str, outcome: str) -> list[RoleSuggestion]:
    """Instruments (with their conditioning sets), mediators and colliders between exposure and outcome."""
    out: list[RoleSuggestion] = []
    for inst in instrumental_variables(graph, exposure, outcome):
        cond = f" once {', '.join(inst.conditioning)} is adjusted for" if inst.conditioning else ""
        out.append(RoleSuggestion(name=inst.variable, role="instrument", conditioning=list(inst.conditioning),
                                  provenance="graph",
                                  rationale=f"{inst.variable} moves {exposure} and reaches {outcome} only "
                                            f"through it{cond}"))
    mediators = (descendants(graph, exposure) & ancestors(graph, outcome)) - {exposure, outcome}
    for name in graph.names:
        if name in mediators:
            out.append(RoleSuggestion(name=name, role="mediator", provenance="graph",
                                      rationale=f"{name} lies on a causal path from {exposure} to {outcome}: "
                                                "adjusting for it removes part of the effect"))
    common_effects = descendants(graph, exposure) & descendants(graph, outcome)
    for name in graph.names:
        if name in common_effects and name != outcome:
            out.append(RoleSuggestion(name=name, role="collider", provenance="graph",
                                      rationale=f"{name} is affected by both {exposure} and {outcome}: adjusting "
                                                "for it (or selecting data on it) creates a spurious association"))
    return out


def check_claimed_roles(graph: CausalGraph, claims: list[RoleSuggestion], derived: list[RoleSuggestion],
                        provenance: Source) -> tuple[list[RoleSuggestion], list[RejectedClaim]]:
    """Keep a proposer's role claims that the graph confirms; report the others as rejected."""
    confirmed = {(r.name, r.role) for r in derived}
    kept, rejected = [], []
    for claim in claims:
        if not graph.has_variable(claim.name):
            rejected.append(RejectedClaim(claim=f"{claim.name} is a {claim.role}", provenance=provenance,
                                          reason="not a variable of the draft"))
        elif (claim.name, claim.role) in confirmed:
            kept.append(claim)
        else:
            rejected.append(RejectedClaim(claim=f"{claim.name} is a {claim.role}", provenance=provenance,
                                          reason=f"the proposed graph does not make {claim.name} a {claim.role}"))
    return kept, rejected
