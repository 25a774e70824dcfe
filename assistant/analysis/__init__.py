"""From a validated graph to answers: identification, estimation, refutation, sensitivity, rung-2/3 queries."""

from assistant.analysis.spec import (
    AnalysisResult, AnalysisSpec, Estimate, Identification, QueryResult, QuerySpec, Refutation, RefuterSpec,
    Sensitivity,
)

__all__ = ["AnalysisResult", "AnalysisSpec", "Estimate", "Identification", "QueryResult", "QuerySpec",
           "Refutation", "RefuterSpec", "Sensitivity"]
