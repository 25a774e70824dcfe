"""Background knowledge for the search: why an edge direction is ruled out, checked for consistency up front.

Four kinds of knowledge forbid an edge direction (see
:meth:`assistant.draft.spec.Knowledge.forbids`): an explicit forbidden edge, a
temporal tier (a cause cannot come later than its effect), an exogenous
variable (it has no causes in the model) and the question itself (the outcome
cannot cause the exposure).  Required edges must appear in every candidate.
"""

from __future__ import annotations

from typing import Sequence

import networkx as nx
from causallearn.graph.GraphNode import GraphNode
from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

from assistant.draft.spec import Knowledge
from assistant.errors import CycleError, KnowledgeError


def forbid_reason(knowledge: Knowledge, source: str, target: str) -> tuple[str, str] | None:
    """``(evidence source, sentence)`` saying why ``source -> target`` is ruled out, or None.

    The evidence source is ``tier-rule`` for temporal tiers and ``knowledge`` otherwise.
    """
    text = knowledge.forbids(source, target)
    if text is None:
        return None
    forbidden = {tuple(e) for e in knowledge.forbidden_edges}
    ts, tt = knowledge.tiers.get(source), knowledge.tiers.get(target)
    if (source, target) not in forbidden and ts is not None and tt is not None and ts > tt:
        return "tier-rule", text
    return "knowledge", text


def check_knowledge(knowledge: Knowledge) -> None:
    """Required edges must be allowed by the rest of the knowledge and must not form a cycle."""
    for a, b in knowledge.required_edges:
        if a == b:
            raise KnowledgeError(f"required edge {a} -> {b} is a self-loop")
        forbidden = {tuple(e) for e in knowledge.forbidden_edges}
        if (a, b) in forbidden:
            raise KnowledgeError(f"{a} -> {b} is both required and forbidden")
        why = knowledge.forbids(a, b)
        if why:
            raise KnowledgeError(f"required edge {a} -> {b} contradicts the other knowledge: {why}",
                             hint="fix the tiers or roles, or drop the required edge")
    graph = nx.DiGraph(list(knowledge.required_edges))
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    raise CycleError([u for u, _v in cycle])


def background_knowledge(knowledge: Knowledge, names: Sequence[str]) -> BackgroundKnowledge:
    """causal-learn's form of ``knowledge`` over the observed ``names``.

    Tiers become causal-learn tiers (a dictionary lookup); the other rules
    become explicit forbidden node pairs.  Same-tier edges stay allowed.
    """
    nodes = {n: GraphNode(n) for n in names}
    bk = BackgroundKnowledge()
    for n in names:
        if n in knowledge.tiers:
            bk.add_node_to_tier(nodes[n], int(knowledge.tiers[n]))
    for a in names:
        for b in names:
            if a == b:
                continue
            why = forbid_reason(knowledge, a, b)
            if why is not None and why[0] == "knowledge":
                bk.add_forbidden_by_node(nodes[a], nodes[b])
    for a, b in knowledge.required_edges:
        if a in nodes and b in nodes:
            bk.add_required_by_node(nodes[a], nodes[b])
    return bk


def connected_latents(knowledge: Knowledge, latent: Sequence[str]) -> list[str]:
    """Latent variables that knowledge connects to the graph (a required edge names them)."""
    named = {n for edge in knowledge.required_edges for n in edge}
    return [n for n in latent if n in named]
