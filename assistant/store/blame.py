"""Blame: which version introduced each edge of a graph version.

The history is walked along the *parent chain* (version -> its parent -> ...
-> v1), which is the history the editor actually saw.  An edge is blamed on
the oldest version of the unbroken run of versions, ending at the version
asked about, that contain it: an edge that was removed and later re-added
counts from its re-addition; a reversed edge (``b -> a`` replacing
``a -> b``) or one whose kind changed is a new edge.  Attribute changes
(rationale, confidence, ...) keep the edge's identity and are reported as
``last_changed``.

:func:`blame_chain` is pure and works on the stored JSON (no model
validation), so blaming a long history is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import Connection, select

from assistant.store.catalog import graph_row
from assistant.store.info import EdgeBlame, utc
from assistant.store.tables import graph_versions
from assistant.store.versions import version_row

_ATTRIBUTES = ("provenance", "confidence", "rationale", "evidence")


@dataclass(frozen=True)
class ChainEntry:
    number: int
    author: str
    created_at: datetime
    message: str
    content: Mapping[str, Any]
    """The version's graph as stored: ``CausalGraph.model_dump(mode="json")``."""


def _key(edge: Mapping[str, Any]) -> tuple[str, str, str]:
    kind = edge.get("kind", "directed")
    if kind == "bidirected":
        a, b = sorted((edge["source"], edge["target"]))
        return (a, b, kind)
    return (edge["source"], edge["target"], kind)


def _attributes(edge: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(edge.get(name) for name in _ATTRIBUTES)


def blame_chain(chain: Sequence[ChainEntry]) -> list[EdgeBlame]:
    """Blame every edge of ``chain[0]``; ``chain[i + 1]`` must be the parent of ``chain[i]``.

    Returns one :class:`EdgeBlame` per edge, in the edge order of ``chain[0]``.
    """
    if not chain:
        return []
    edge_maps = [{_key(e): e for e in entry.content.get("edges", [])} for entry in chain]
    out = []
    for edge in chain[0].content.get("edges", []):
        key = _key(edge)
        intro = 0
        last_changed: int | None = None
        for i in range(1, len(chain)):
            older = edge_maps[i].get(key)
            if older is None:
                break
            if last_changed is None and _attributes(older) != _attributes(edge_maps[i - 1][key]):
                last_changed = i - 1
            intro = i
        entry = chain[intro]
        out.append(EdgeBlame(source=edge["source"], target=edge["target"], kind=edge.get("kind", "directed"),
                             provenance=edge.get("provenance", "expert"), version=entry.number,
                             author=entry.author, created_at=entry.created_at, message=entry.message,
                             last_changed=chain[intro if last_changed is None else last_changed].number))
    return out


def blame(conn: Connection, project: str, graph_name: str, number: int | None) -> list[EdgeBlame]:
    g = graph_row(conn, project, graph_name)
    start = version_row(conn, g, project, number)
    rows = conn.execute(select(graph_versions.c.id, graph_versions.c.parent_id, graph_versions.c.number,
                               graph_versions.c.author, graph_versions.c.created_at, graph_versions.c.message,
                               graph_versions.c.content)
                        .where(graph_versions.c.graph_id == g.id, graph_versions.c.number <= start.number))
    by_id = {r.id: r for r in rows}
    chain: list[ChainEntry] = []
    current: int | None = start.id
    while current is not None:
        r = by_id[current]
        chain.append(ChainEntry(number=r.number, author=r.author, created_at=utc(r.created_at), message=r.message,
                                content=r.content))
        current = r.parent_id
    return blame_chain(chain)
