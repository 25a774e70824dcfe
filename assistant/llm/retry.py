"""Retries with exponential backoff and deterministic jitter.

The delay before retry ``n`` (0-based) is ``min(max_delay_s, base_delay_s *
2**n)``, stretched by a jitter factor in [1, 1.25) drawn from a seeded
generator (so runs are reproducible, and clients started together still
spread out when seeded differently).  A server's ``Retry-After`` replaces
the computed delay, capped at ``retry_after_cap_s`` so a hostile or confused
server cannot park us for an hour.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class RetryPolicy:
    max_retries: int = 3
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    retry_after_cap_s: float = 60.0
    seed: int = 0
    sleeper: Callable[[float], None] | None = field(default=None, repr=False)
    """Called to wait (default: ``time.sleep``, looked up at call time so tests can patch it)."""

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def sleep(self, seconds: float) -> None:
        (self.sleeper or time.sleep)(seconds)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 = the first retry).

        >>> p = RetryPolicy(seed=1)
        >>> [round(p.delay(n), 2) for n in range(3)]
        [1.03, 2.42, 4.76]
        >>> p.delay(0, retry_after=500)
        60.0
        """
        backoff = min(self.max_delay_s, self.base_delay_s * (2 ** retry)) * (1 + 0.25 * self._rng.random())
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap_s)
        return backoff
