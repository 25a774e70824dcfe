"""Statistics on data: conditional-independence tests (chosen by column type, cached) and DAG scores.

Used by the offline drafting proposer (:mod:`assistant.draft.offline`) for
structure search and ranking, and meant for the critique engine's data checks.

=====================================  =============================================
question                               function / class
=====================================  =============================================
is x independent of y given z?         :func:`ci_test`, :class:`CITester`
run each test once across edits        :class:`CITestCache`
let causal-learn's pc/fci use them     :mod:`assistant.stats.causallearn_adapter`
how well does a DAG fit?               :func:`bic_score`, :func:`graph_bic`, :class:`BICScorer`
=====================================  =============================================
"""

from assistant.stats.citests import CITestResult, format_p
from assistant.stats.data import PreparedData, fingerprint
from assistant.stats.independence import CITestCache, CITester, ci_test
from assistant.stats.scores import BICScore, BICScorer, bic_score, graph_bic

__all__ = [
    "BICScore", "BICScorer", "CITestCache", "CITestResult", "CITester", "PreparedData", "bic_score", "ci_test",
    "fingerprint", "format_p", "graph_bic",
]
