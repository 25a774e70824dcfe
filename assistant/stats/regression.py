"""The two regressions behind the mixed-data test and score: least squares and multinomial logit.

Both work on a *design*: an intercept, the continuous columns standardised and
the discrete columns dummy-coded (main effects, first level as reference).
Only the design's column space matters to either likelihood, so each design is
reduced to an orthonormal basis first: collinear dummies and constant columns
drop out, the rank is the number of free coefficients, and the logit
optimisation is well conditioned.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from assistant.stats.data import PreparedData

_RANK_TOL = 1e-10
_NEWTON_STEPS = 50
_RIDGE = 1e-6  # keeps the logit finite under perfect separation; the reported log-likelihood is unpenalised


def design(prepared: PreparedData, names: Sequence[str], rows: np.ndarray) -> np.ndarray:
    """Intercept plus the columns ``names`` on the selected rows (continuous standardised, discrete as dummies)."""
    n = int(rows.sum())
    parts = [np.ones((n, 1))]
    for name in names:
        if prepared.kinds[name] == "continuous":
            v = prepared.numeric[name][rows]  # type: ignore[index]
            sd = v.std()
            if sd > 0:
                parts.append(((v - v.mean()) / sd)[:, None])
        else:
            codes = prepared.codes[name][rows]
            observed = np.unique(codes)
            if len(observed) > 1:
                parts.append((codes[:, None] == observed[None, 1:]).astype(float))
    return np.hstack(parts)


def basis(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis (scaled by sqrt(n)) of the column space of ``matrix``.

    From the eigen-decomposition of the small Gram matrix ``XᵀX``: directions
    with a negligible eigenvalue are collinear and dropped.
    """
    if matrix.shape[1] == 0:
        return matrix
    gram = matrix.T @ matrix
    values, vectors = np.linalg.eigh(gram)
    keep = values > _RANK_TOL * max(values.max(), 1.0) * matrix.shape[1]
    return matrix @ (vectors[:, keep] / np.sqrt(values[keep])) * math.sqrt(matrix.shape[0])


def _logsumexp(eta: np.ndarray) -> np.ndarray:
    top = eta.max(axis=1)
    return top + np.log(np.exp(eta - top[:, None]).sum(axis=1))


def ols_rss(y: np.ndarray, x: np.ndarray) -> tuple[float, int]:
    """Residual sum of squares of ``y`` on the columns of ``x`` and the rank of ``x``."""
    q = basis(x)
    if q.shape[1] == 0:
        return float(y @ y), 0
    fitted = q @ (q.T @ y) / x.shape[0]
    resid = y - fitted
    return float(resid @ resid), q.shape[1]


def gaussian_loglik(rss: float, n: int) -> float:
    """Maximised Gaussian log-likelihood of a regression with residual sum of squares ``rss``."""
    sigma2 = max(rss / n, 1e-300)
    return -0.5 * n * (math.log(2 * math.pi * sigma2) + 1.0)


def multinomial_loglik(codes: np.ndarray, x: np.ndarray) -> tuple[float, int]:
    """Maximised log-likelihood of a multinomial logit of ``codes`` on ``x``, and its number of parameters.

    ``codes`` are the outcome's level codes; levels absent from these rows are
    ignored.  With one observed level the log-likelihood is 0 and there are no
    parameters.
    """
    levels, y = np.unique(codes, return_inverse=True)
    k = len(levels)
    n = len(y)
    if k < 2:
        return 0.0, 0
    q = basis(x)
    d = q.shape[1]
    counts = np.bincount(y, minlength=k)
    if d <= 1:  # intercept only: the closed form
        return float(np.sum(counts * np.log(counts / n))), k - 1
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    w = np.zeros((d, k - 1))
    ll = _logit_loglik(q, y, w)
    for _ in range(_NEWTON_STEPS):
        eta = np.hstack([np.zeros((n, 1)), q @ w])
        prob = np.exp(eta - _logsumexp(eta)[:, None])[:, 1:]
        grad = q.T @ (onehot[:, 1:] - prob) - 2 * _RIDGE * w
        hess = np.empty((k - 1, d, k - 1, d))
        for a in range(k - 1):
            for b in range(a, k - 1):
                weight = prob[:, a] * ((a == b) - prob[:, b])
                block = (q * weight[:, None]).T @ q
                hess[a, :, b, :] = block
                hess[b, :, a, :] = block.T
        hess = hess.reshape((k - 1) * d, (k - 1) * d) + 2 * _RIDGE * np.eye((k - 1) * d)
        try:
            step = np.linalg.solve(hess, grad.T.ravel()).reshape(k - 1, d).T
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad.T.ravel(), rcond=None)[0].reshape(k - 1, d).T
        t = 1.0
        while t > 1e-4:  # step halving keeps every Newton step an ascent step
            trial = w + t * step
            new_ll = _logit_loglik(q, y, trial)
            if new_ll - _RIDGE * float((trial ** 2).sum()) >= ll - _RIDGE * float((w ** 2).sum()) - 1e-12:
                break
            t /= 2
        else:
            break
        w, improvement, ll = trial, new_ll - ll, new_ll
        if abs(improvement) < 1e-10 * max(1.0, abs(ll)):
            break
    return ll, d * (k - 1)


def _logit_loglik(q: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    eta = np.hstack([np.zeros((q.shape[0], 1)), q @ w])
    return float(np.sum(eta[np.arange(len(y)), y]) - _logsumexp(eta).sum())
