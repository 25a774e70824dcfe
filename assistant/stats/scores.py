"""The BIC score of a DAG on data: how well the graph's factorisation fits, minus a penalty for its size.

A DAG says the joint distribution factorises as ``Π_v P(v | parents(v))``, so
its log-likelihood is a sum of one *local* term per variable.  The Bayesian
information criterion (Schwarz 1978) is

    BIC = Σ_v [ ℓ_v  -  (k_v / 2) · log n ]            (higher is better)

with ``ℓ_v`` the maximised log-likelihood of v given its parents and ``k_v``
its number of free parameters.  The local model depends on the kinds of v and
its parents (see :mod:`assistant.stats.data`):

* continuous v — linear regression on the parents (discrete parents as
  dummies), Gaussian errors; ``k`` = coefficients + intercept + variance;
* discrete v, discrete parents — a multinomial table per parent
  configuration; ``k = (levels(v) - 1) · Π levels(parents)``;
* discrete v with a continuous parent — a multinomial logit on the parents;
  ``k = (levels(v) - 1) · coefficients``.

The purely Gaussian and purely multinomial scores are *score equivalent*:
Markov-equivalent DAGs get the same BIC, so the data cannot rank them.  The
mixed score is not exactly equivalent (a logit and a regression are different
families), so equivalent DAGs on mixed data can differ slightly.

All local terms use the same rows — those complete in every scored variable —
so scores of different graphs on the same variables are comparable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import xlogy

from assistant.errors import DataError, InputError
from assistant.model import CausalGraph, DataType
from assistant.stats.data import PreparedData
from assistant.stats.regression import design, gaussian_loglik, multinomial_loglik, ols_rss

_DENSE_CELLS = 1 << 20


@dataclass(frozen=True)
class BICScore:
    """A DAG's BIC (higher is better) with its parts."""

    total: float
    loglik: float
    parameters: int
    n: int
    local: Mapping[str, float]


class BICScorer:
    """Local BIC terms on one prepared data set, memoised by (variable, parent set)."""

    def __init__(self, prepared: PreparedData, variables: Sequence[str]):
        prepared.require(list(variables), "the BIC score")
        self.prepared = prepared
        self.variables = tuple(variables)
        self.rows = prepared.mask(self.variables)
        self.n = int(self.rows.sum())
        if self.n < 2:
            raise DataError("fewer than 2 rows are complete in every variable: cannot compute a BIC score")
        self._memo: dict[tuple[str, tuple[str, ...]], tuple[float, int]] = {}

    def local(self, node: str, parents: Sequence[str]) -> tuple[float, int]:
        """``(log-likelihood, parameters)`` of ``node`` given ``parents``."""
        key = (node, tuple(sorted(parents)))
        if key not in self._memo:
            self._memo[key] = self._fit(node, key[1])
        return self._memo[key]

    def local_score(self, node: str, parents: Sequence[str]) -> float:
        """``node``'s term of the BIC given ``parents``: log-likelihood minus (parameters / 2) · log n."""
        ll, k = self.local(node, parents)
        return ll - 0.5 * math.log(self.n) * k

    def _fit(self, node: str, parents: tuple[str, ...]) -> tuple[float, int]:
        p, rows = self.prepared, self.rows
        if p.kinds[node] == "continuous":
            y = p.numeric[node][rows]  # type: ignore[index]
            rss, rank = ols_rss(y - y.mean(), design(p, parents, rows))
            return gaussian_loglik(rss, self.n), rank + 1
        codes = p.codes[node][rows]
        if all(p.kinds[q] == "discrete" for q in parents):
            levels = p.levels[node]
            config = np.zeros(self.n, dtype=np.int64)
            nominal = 1
            for q in parents:
                config = config * p.levels[q] + p.codes[q][rows]
                nominal *= p.levels[q]
            if nominal * levels > _DENSE_CELLS:  # too many configurations to count directly: number those seen
                _u, config = np.unique(config, return_inverse=True)
                config = config.ravel()
            joint = np.bincount(config * levels + codes).astype(float)
            totals = np.bincount(config).astype(float)
            # Σ n_jk log(n_jk / n_j), with 0 log 0 = 0
            ll = float(xlogy(joint, joint).sum() - xlogy(totals, totals).sum())
            return ll, (levels - 1) * nominal
        return multinomial_loglik(codes, design(p, parents, rows))

    def score(self, parents: Mapping[str, Sequence[str]]) -> BICScore:
        """BIC of the DAG given as ``{variable: parents}``; variables not in the mapping have no parents."""
        unknown = sorted({q for ps in parents.values() for q in ps} - set(self.variables))
        if unknown:
            raise InputError(f"parents {unknown} are not among the scored variables")
        penalty = 0.5 * math.log(self.n)
        local: dict[str, float] = {}
        loglik, params = 0.0, 0
        for v in self.variables:
            ll, k = self.local(v, parents.get(v, ()))
            local[v] = ll - penalty * k
            loglik += ll
            params += k
        return BICScore(total=loglik - penalty * params, loglik=loglik, parameters=params, n=self.n, local=local)


def bic_score(data: pd.DataFrame, parents: Mapping[str, Sequence[str]], *,
              types: Mapping[str, DataType]) -> BICScore:
    """BIC of a DAG over the columns in ``types``; ``parents`` maps variables to their parents (default none).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> a = rng.normal(size=400); frame = pd.DataFrame({"a": a, "b": 2 * a + rng.normal(size=400)})
    >>> types = {"a": "continuous", "b": "continuous"}
    >>> bic_score(frame, {"a": [], "b": ["a"]}, types=types).total > bic_score(frame, {}, types=types).total
    True
    """
    variables = list(types)
    unknown = sorted(set(parents) - set(variables))
    if unknown:
        raise InputError(f"variables {unknown} have no type")
    prepared = PreparedData.from_frame(data, types, variables, data_fingerprint="")
    return BICScorer(prepared, variables).score(parents)


def graph_bic(graph: CausalGraph, data: pd.DataFrame, *, types: Mapping[str, DataType]) -> BICScore:
    """BIC of a graph's directed edges among its observed variables; latent nodes and ``<->`` edges are ignored."""
    observed = graph.observed
    parents: dict[str, list[str]] = {v: [] for v in observed}
    keep = set(observed)
    for e in graph.directed_edges():
        if e.source in keep and e.target in keep:
            parents[e.target].append(e.source)
    prepared = PreparedData.from_frame(data, types, observed, data_fingerprint="")
    return BICScorer(prepared, observed).score(parents)
