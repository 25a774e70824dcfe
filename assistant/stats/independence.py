"""Conditional-independence tests chosen by column type, with a symmetric cache.

Two variables X and Y are *conditionally independent given Z* when, once Z
is known, X carries no further information about Y.  A causal DAG implies
such independencies (d-separation), so testing them on data is how structure
search finds edges and how a critique checks a graph.

The test is chosen from the columns' data types (:mod:`assistant.stats.citests`
explains each): Fisher-z when all are continuous, G² when all are discrete,
and a conditional-Gaussian likelihood-ratio test when they are mixed.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> a = rng.normal(size=500); b = a + rng.normal(size=500); c = b + rng.normal(size=500)
>>> frame = pd.DataFrame({"a": a, "b": b, "c": c})
>>> types = {"a": "continuous", "b": "continuous", "c": "continuous"}
>>> ci_test(frame, "a", "c", [], types=types).p_value < 0.001      # a and c are dependent ...
True
>>> ci_test(frame, "a", "c", ["b"], types=types).p_value > 0.05    # ... but independent given b
True

A :class:`CITestCache` keeps results by (data fingerprint, test, unordered
pair, sorted conditioning set), so ``(x, y | z)`` and ``(y, x | z)`` run once,
across searches and across edits of a graph on the same data.  A
:class:`CITester` binds one prepared data set to a cache and counts the tests
it actually computes.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from assistant.errors import InputError
from assistant.model import DataType
from assistant.stats.citests import CITestResult, resolve_method, run_test
from assistant.stats.data import PreparedData, fingerprint

CacheKey = tuple[str, str, str, str, tuple[str, ...], str]


class CITestCache:
    """Test results keyed symmetrically in x and y; safe to share between testers on different data."""

    def __init__(self) -> None:
        self._results: dict[CacheKey, CITestResult] = {}
        self.hits = 0
        self.misses = 0
        #: Other per-data results worth keeping across edits (encoded data, regressions), keyed by the
        #: caller with the data fingerprint in the key.
        self.memo: dict[object, object] = {}

    @staticmethod
    def fingerprint(data: pd.DataFrame) -> str:
        """The data part of every key: a sha256 of the frame's names, dtypes and values."""
        return fingerprint(data)

    @staticmethod
    def key(data_fingerprint: str, method: str, x: str, y: str, z: Sequence[str], kinds: str = "") -> CacheKey:
        """The same key for ``(x, y | z)`` and ``(y, x | z)``, whatever the order of ``z``."""
        a, b = sorted((x, y))
        return (data_fingerprint, method, a, b, tuple(sorted(z)), kinds)

    def get(self, key: CacheKey) -> CITestResult | None:
        found = self._results.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: CacheKey, result: CITestResult) -> None:
        self._results[key] = result

    def __len__(self) -> int:
        return len(self._results)

    def __contains__(self, key: object) -> bool:
        return key in self._results

    def clear(self) -> None:
        self._results.clear()
        self.memo.clear()
        self.hits = self.misses = 0


class CITester:
    """Tests on one data set: prepared once, cached, with a count of the tests actually computed.

    ``data`` is a frame (prepared here from ``types``) or an already
    :class:`~assistant.stats.data.PreparedData`.
    """

    def __init__(self, data: pd.DataFrame | PreparedData, types: Mapping[str, DataType] | None = None, *,
                 method: str = "auto", cache: CITestCache | None = None, columns: Sequence[str] | None = None):
        if isinstance(data, PreparedData):
            self.prepared = data
        else:
            if types is None:
                raise InputError("column types are needed to choose the independence test")
            self.prepared = PreparedData.from_frame(data, types, columns,
                                                    data_fingerprint=None if cache is not None else "")
        resolve_method(self.prepared, [], method)  # reject unknown method names early
        self.method = method
        self.cache = cache if cache is not None else CITestCache()
        self.computed = 0
        self.requested = 0

    def test(self, x: str, y: str, z: Sequence[str] = ()) -> CITestResult:
        """``x ⫫ y | z``, from the cache when this pair and set were tested before (in either order)."""
        z = tuple(sorted(set(z)))
        self.prepared.require([x, y, *z], "an independence test")
        if x == y:
            raise InputError(f"cannot test {x!r} against itself")
        if x in z or y in z:
            raise InputError(f"the conditioning set of {x!r} vs {y!r} contains one of them")
        self.requested += 1
        names = (*sorted((x, y)), *z)
        method = resolve_method(self.prepared, names, self.method)
        kinds = "".join(self.prepared.kinds[n][0] for n in names)
        key = CITestCache.key(self.prepared.fingerprint, method, x, y, z, kinds)
        found = self.cache.get(key)
        if found is None:
            a, b = sorted((x, y))
            found = run_test(self.prepared, a, b, z, method)
            self.cache.put(key, found)
            self.computed += 1
        return found.swapped(x, y)


def ci_test(data: pd.DataFrame, x: str, y: str, z: Sequence[str], *, types: Mapping[str, DataType],
            method: str = "auto", cache: CITestCache | None = None) -> CITestResult:
    """Test whether ``x`` and ``y`` are independent given ``z`` in ``data``.

    Parameters
    ----------
    data : the data; only the columns ``x``, ``y`` and ``z`` are read, and rows
        missing any of them are dropped (``result.n`` says how many were used).
    x, y : the two column names.
    z : the conditioning set (any order, may be empty).
    types : data type of each column (``continuous``, ``integer``, ``binary``,
        ``categorical``, ``ordinal``); ``text``, ``datetime`` and ``unknown``
        raise :class:`~assistant.errors.DataError`.
    method : ``auto`` (by type), ``fisherz``, ``gsq`` or ``cg-lrt``.
    cache : an optional :class:`CITestCache`; a repeated test, in either order, is looked up.

    Returns
    -------
    CITestResult
        method, statistic, p-value, degrees of freedom, rows used, and whether
        the test was reliable (see :mod:`assistant.stats.citests` for the guards).
    """
    tester = CITester(data, types, method=method, cache=cache, columns=list(dict.fromkeys([x, y, *z])))
    return tester.test(x, y, z)
