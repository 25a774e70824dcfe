"""The pure graph core: questions about causal diagrams, with no I/O, database or LLM.

Every function takes a :class:`~assistant.model.CausalGraph` first, validates
its arguments up front (raising typed errors from :mod:`assistant.errors`),
and never changes its input.

========================================  ===============================================
question                                  function
========================================  ===============================================
is it acyclic? which cycle?               :func:`find_cycle`, :func:`require_acyclic`
ancestors / descendants                   :func:`ancestors`, :func:`descendants`
d-separation (m-separation)               :func:`d_separated`
causal and biasing paths, open or not     :func:`all_paths`, :func:`open_biasing_paths`
is Z a valid adjustment set? why not?     :func:`is_valid_adjustment_set`, :func:`check_adjustment_set`
minimal adjustment sets                   :func:`minimal_adjustment_sets`
(conditional) instrumental variables      :func:`instrumental_variables`
front-door criterion                      :func:`front_door`, :func:`is_front_door_set`
testable implications                     :func:`missing_edge_implications`, :func:`basis_implications`
latent projection                         :func:`latent_projection`
========================================  ===============================================
"""

from assistant.graph.adjustment import (
    AdjustmentCheck, AdjustmentSets, check_adjustment_set, is_valid_adjustment_set, minimal_adjustment_sets,
)
from assistant.graph.dag import (
    LatentDAG, ancestors, descendants, find_cycle, is_acyclic, require_acyclic, to_latent_dag, topological_order,
)
from assistant.graph.frontdoor import FrontDoor, front_door, is_front_door_set
from assistant.graph.implications import Independence, basis_implications, missing_edge_implications
from assistant.graph.instruments import Instrument, instrumental_variables
from assistant.graph.paths import PathListing, PathReport, all_paths, open_biasing_paths
from assistant.graph.projection import latent_projection
from assistant.graph.separation import d_separated

__all__ = [
    "AdjustmentCheck", "AdjustmentSets", "FrontDoor", "Independence", "Instrument", "LatentDAG", "PathListing",
    "PathReport", "all_paths", "ancestors", "basis_implications", "check_adjustment_set", "d_separated",
    "descendants", "find_cycle", "front_door", "instrumental_variables", "is_acyclic", "is_front_door_set",
    "is_valid_adjustment_set", "latent_projection", "minimal_adjustment_sets", "missing_edge_implications",
    "open_biasing_paths", "require_acyclic", "to_latent_dag", "topological_order",
]

from assistant.graph.summary import CheckReport, check_graph  # noqa: E402  (composes the modules above)

__all__ += ["CheckReport", "check_graph"]
