"""Hostile variable names: code-like, quoted, spaced, unicode (shared by the export tests)."""

from __future__ import annotations

from assistant.demo import record_sales as rs
from assistant.model import CausalGraph, Edge, GraphMetadata, Question

HOSTILE = 'x"); import os; os.system("touch pwned") #'
RENAME = {
    "label_marketing_spend": HOSTILE,                       # a confounder
    "tiktok_use": "tik tok use (1000 videos)",              # spaces and parentheses
    "tour_dates": "tour\\dates {n}",                        # backslash, braces
    "radio_play": "radio 'play' \"hours\"",                 # both quotes: the exposure
    "record_sales_6m": "ventes «6 mois» — 売上 ☃",           # unicode: the outcome
}
QUESTION = 'Does """radio""" raise sales?\'; __import__("os").system("touch pwned")'


def hostile_graph() -> CausalGraph:
    g = rs.graph()
    return CausalGraph(
        variables=[v.model_copy(update={"name": RENAME[v.name]}) for v in g.variables],
        edges=[Edge(source=RENAME[e.source], target=RENAME[e.target]) for e in g.edges],
        exposures=[RENAME[rs.EXPOSURE]], outcomes=[RENAME[rs.OUTCOME]],
        metadata=GraphMetadata(name="hostile", question=Question(text=QUESTION)))
