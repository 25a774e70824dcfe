"""Helpers shared by the store tests (importable from test modules and spawned workers)."""

from __future__ import annotations

from typing import Iterable

from assistant.model import CausalGraph, Edge, Variable


def make_graph(names: Iterable[str], edges: Iterable[tuple[str, str]] = (), **extra) -> CausalGraph:
    """``make_graph("xyz", [("x", "y")])``: variables by name, directed edges as pairs."""
    return CausalGraph(variables=[Variable(name=n) for n in names],
                       edges=[Edge(source=s, target=t) for s, t in edges], **extra)
