"""From a partially directed pattern to DAGs: its consistent extensions.

A pattern (CPDAG, or a PDAG refined by knowledge) stands for every DAG that
has its adjacencies, its arrows and its colliders, and no others.  Such a DAG
is a *consistent extension*; all of them are Markov equivalent (they imply the
same independencies), so data alone cannot prefer one.

:func:`extensions` lists them depth first: take the first undirected edge in
node order, try one direction then the other, close under Meek's rules, and
prune any branch that creates a collider the pattern does not have.  Meek's
completeness theorem says a branch only dies when the pattern itself was
inconsistent (conflicting evidence); if no extension survives at all,
:func:`fallback_extension` orients the remaining edges along a topological
order of the arrows (acyclic and knowledge-respecting, but possibly with new
colliders) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.draft.spec import Knowledge
from assistant.draft.offline.knowledge import forbid_reason
from assistant.draft.offline.pdag import PDAG, Pair, Why, apply_meek

DEFAULT_BUDGET = 5000


@dataclass(frozen=True)
class Extension:
    """A fully directed graph and the undecided edges it had to choose (in order)."""

    dag: PDAG
    choices: tuple[Pair, ...]
    consistent: bool = True


def _choose(state: PDAG, x: str, y: str, knowledge: Knowledge) -> bool:
    before = set(state.arrows)
    if not state.orient(x, y, Why("choice", f"the data cannot orient {x} - {y} (both directions fit the "
                                            f"independencies equally well); this candidate takes {x} -> {y}")):
        return False
    apply_meek(state, knowledge)
    for a, b in set(state.arrows) - before - {(x, y)}:
        state.arrows[(a, b)] = Why("choice", f"follows from choosing {x} -> {y}: {state.arrows[(a, b)].text}")
    return True


def extensions(pattern: PDAG, knowledge: Knowledge, limit: int, *, budget: int = DEFAULT_BUDGET) -> list[Extension]:
    """Up to ``limit`` distinct consistent extensions of ``pattern``, in a deterministic order."""
    allowed = pattern.colliders()
    results: list[Extension] = []
    steps = 0

    def walk(state: PDAG, choices: tuple[Pair, ...]) -> None:
        nonlocal steps
        if len(results) >= limit or steps >= budget:
            return
        undecided = state.undirected_edges()
        if not undecided:
            results.append(Extension(state, choices))
            return
        a, b = undecided[0]
        for x, y in ((a, b), (b, a)):
            if forbid_reason(knowledge, x, y):
                continue
            steps += 1
            nxt = state.copy()
            if _choose(nxt, x, y, knowledge) and nxt.colliders() <= allowed:
                walk(nxt, choices + ((x, y),))

    walk(pattern.copy(), ())
    return results


def fallback_extension(pattern: PDAG, knowledge: Knowledge) -> tuple[Extension, list[str]]:
    """One acyclic, knowledge-respecting completion, even when the pattern has no consistent extension."""
    state = pattern.copy()
    notes: list[str] = []
    order: list[str] = []
    indegree = {n: len(state.parents(n)) for n in state.nodes}
    ready = sorted((n for n, d in indegree.items() if d == 0), key=state.rank.get)
    while ready:
        node = ready.pop(0)
        order.append(node)
        for child in state.neighbours(node):
            if state.is_arrow(node, child):
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
                    ready.sort(key=state.rank.get)
    position = {n: i for i, n in enumerate(order)}
    choices: list[Pair] = []
    for a, b in state.undirected_edges():
        x, y = (a, b) if position.get(a, 0) <= position.get(b, 0) else (b, a)
        if forbid_reason(knowledge, x, y):
            x, y = y, x
        why = Why("choice", f"no orientation of the undecided edges avoids a new collider (the evidence "
                            f"conflicts); this candidate takes {x} -> {y} to keep the graph acyclic")
        if state.orient(x, y, why):
            choices.append((x, y))
        else:
            state.remove(a, b)
            notes.append(f"dropped {a} - {b}: no direction fits the knowledge without a cycle")
    new = sorted(state.colliders() - pattern.colliders())
    if new:
        shown = "; ".join(f"{a} -> {c} <- {b}" for a, c, b in new)
        notes.append(f"the evidence conflicts, so one candidate has colliders the tests did not show: {shown}")
    return Extension(state, tuple(choices), consistent=not new), notes
