"""Let causal-learn's ``pc`` and ``fci`` run our tests, and record every one they ask for.

causal-learn looks tests up by name (``causallearn.utils.cit.CIT``) and builds
the test object itself from the data matrix and any extra keyword arguments
of ``pc``/``fci``.  We register :class:`RecordingCIT` under
:data:`METHOD_NAME` and hand it a :class:`TestRun` through those keyword
arguments::

    run = TestRun(tester, names)
    pc(matrix, alpha, indep_test=METHOD_NAME, run=run, node_names=names, show_progress=False)
    run.records   # every test pc asked for, in order, with statistic, p-value and n

The matrix causal-learn sees is only used for its shape; the tests read the
prepared columns through ``tester``, so discrete, continuous and mixed data,
and missing values, are handled as :mod:`assistant.stats.independence` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from causallearn.utils.cit import NO_SPECIFIED_PARAMETERS_MSG, CIT_Base, register_ci_test

from assistant.stats.citests import CITestResult
from assistant.stats.independence import CITester

METHOD_NAME = "causal-assistant"


class TimeBudgetExceeded(Exception):
    """Raised from inside a search when its :class:`TestRun` deadline has passed."""


@dataclass
class TestRun:
    """The tests one search asked for; ``deadline`` (a ``time.monotonic()`` value) stops a long search."""

    __test__ = False  # not a pytest class

    tester: CITester
    names: Sequence[str]
    deadline: float | None = None
    eligible: Callable[[str, str, Sequence[str]], bool] | None = None
    max_computed: int | None = None
    records: list[CITestResult] = field(default_factory=list)
    skipped: int = 0

    def __call__(self, i: int, j: int, condition: Sequence[int]) -> float:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeBudgetExceeded("time")
        if self.max_computed is not None and self.tester.computed >= self.max_computed:
            raise TimeBudgetExceeded("tests")
        x, y, z = self.names[int(i)], self.names[int(j)], [self.names[int(k)] for k in condition]
        if self.eligible is not None and not self.eligible(x, y, z):
            self.skipped += 1
            return 0.0  # not a candidate separating set: reported as "does not separate", never run
        result = self.tester.test(x, y, z)
        self.records.append(result)
        return result.p_value

    def __deepcopy__(self, memo: dict) -> "TestRun":
        # causal-learn deep-copies its graph (and with it the test object) between phases; one run is shared.
        return self


class RecordingCIT(CIT_Base):
    """A causal-learn CIT whose p-values come from a :class:`TestRun`."""

    def __init__(self, data: np.ndarray, run: TestRun | None = None, **kwargs):
        if run is None:
            raise TypeError(f"the {METHOD_NAME!r} test needs run=TestRun(...)")
        super().__init__(data, **kwargs)
        self.check_cache_method_consistent(METHOD_NAME, NO_SPECIFIED_PARAMETERS_MSG)
        self.run = run

    def __deepcopy__(self, memo: dict) -> "RecordingCIT":
        return self

    def __call__(self, X, Y, condition_set=None) -> float:  # noqa: N803  (causal-learn's names)
        return self.run(X, Y, () if condition_set is None else tuple(condition_set))


register_ci_test(METHOD_NAME, RecordingCIT)
