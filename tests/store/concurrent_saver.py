"""The worker of the multi-process save test; a module of its own so 'spawn' children import little."""

from __future__ import annotations

import traceback
from typing import Any

PROJECT, GRAPH = "race", "shared"
MAX_ATTEMPTS_PER_EDIT = 200


def edit_name(worker: int, j: int) -> str:
    return f"w{worker}_e{j}"


def save_many(url: str, worker: int, saves: int, barrier: Any, results: Any) -> None:
    """Make ``saves`` edits to the shared graph, retrying each on conflict as a careful editor would.

    Every worker reads version 1 and then waits at ``barrier``, so the first
    round of saves is guaranteed to collide.
    """
    from assistant.edit import AddEdge, AddVariable, apply_edits
    from assistant.errors import ConflictError
    from assistant.model import Edge, Variable
    from assistant.store import Store

    report: dict[str, Any] = {"worker": worker, "attempts": 0, "conflicts": [], "saved": [], "error": None}
    try:
        with Store.open(url, upgrade=False) as store:
            head = store.get_version(PROJECT, GRAPH)
            barrier.wait(timeout=60)
            for j in range(saves):
                name = edit_name(worker, j)
                ops = [AddVariable(variable=Variable(name=name)), AddEdge(edge=Edge(source="X", target=name))]
                for _ in range(MAX_ATTEMPTS_PER_EDIT):
                    report["attempts"] += 1
                    try:
                        head = store.save_version(PROJECT, GRAPH, apply_edits(head.graph, ops), parent=head.number,
                                                  author=f"worker-{worker}", message=name)
                        report["saved"].append(head.number)
                        break
                    except ConflictError as exc:
                        report["conflicts"].append({
                            "parent": exc.parent_version, "head": exc.head_version,
                            "diff": exc.diff.summary(), "concurrent": exc.concurrent_diff.summary()})
                        head = store.get_version(PROJECT, GRAPH)
                else:
                    raise RuntimeError(f"edit {name} still conflicting after {MAX_ATTEMPTS_PER_EDIT} attempts")
    except BaseException:
        report["error"] = traceback.format_exc()
    results.put(report)
