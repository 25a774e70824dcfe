"""The offline proposer: candidate causal graphs from data and background knowledge, with no LLM and no network.

Entry point: :func:`propose_offline`.  See ``docs/offline-proposer.md`` for how
candidates are searched, oriented, completed, ranked and explained.
"""

from assistant.draft.offline.proposer import OfflineProposal, PatternEdge, propose_offline

__all__ = ["OfflineProposal", "PatternEdge", "propose_offline"]
