"""The offline backend end to end: data in, ranked candidates with marked latent suggestions out."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "offline"))

from offline_sim import simulate  # noqa: E402

from assistant.draft import draft  # noqa: E402
from assistant.draft.guards import SUGGESTED_KEY  # noqa: E402
from assistant.draft.spec import DraftRequest, VariableSpec  # noqa: E402
from assistant.graph import minimal_adjustment_sets  # noqa: E402


def test_a_data_suggested_confounder_appears_as_a_marked_latent_node_in_every_candidate():
    frame = simulate([("x1", "A"), ("L", "A"), ("L", "B"), ("x2", "B")], 3000, 1).drop(columns=["L"])
    request = DraftRequest(question="Does A affect B?", exposure="A", outcome="B", candidates=2,
                           variables=[VariableSpec(name=n, data_type="continuous") for n in frame.columns])
    result = draft(request, frame, backend="offline")
    suggested = {m.name for m in result.missing_variables}
    assert len(suggested) == 1
    for cand in result.candidates:
        graph = cand.graph
        (latent,) = graph.latent
        assert latent in suggested and "suggested, not measured" in graph.variable(latent).label
        assert graph.metadata.extra[SUGGESTED_KEY] == [latent]
        assert {e.target for e in graph.edges if e.source == latent} == {"A", "B"}
        # With the hidden confounder in the graph, no covariate adjustment identifies the effect.
        assert minimal_adjustment_sets(graph).sets == ()
    assert any(c.name in suggested and not c.observed for c in result.confounders)
