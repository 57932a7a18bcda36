"""In-memory token buckets, one per client key (thread-safe, bounded memory, injectable clock).

In-memory means per process: behind several server processes, each limits on its own. That is
enough for one embedded server; a shared store would be needed for a fleet.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allow ``capacity`` events at once per key, refilled at ``per_minute`` events a minute.

    Parameters
    ----------
    capacity
        Burst size (tokens in a full bucket).
    per_minute
        Refill rate, tokens per minute.
    max_keys
        Buckets kept at most; the least recently used are forgotten first (they would be full
        again by then unless the clients are hammering, in which case they come back empty).
    clock
        Monotonic clock in seconds (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        capacity: int,
        per_minute: float,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1 or per_minute <= 0 or max_keys < 1:
            raise ValueError("limiteur : capacité ≥ 1, débit > 0 et max_keys ≥ 1 attendus")
        self.capacity = capacity
        self.rate_per_s = per_minute / 60.0
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.capacity), updated=now)
            self._buckets[key] = bucket
            if len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.capacity), bucket.tokens + elapsed * self.rate_per_s)
            bucket.updated = now
        return bucket

    def acquire(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``key``; return 0 if allowed, else seconds to wait."""
        with self._lock:
            bucket = self._refilled(key, self._clock())
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return 0.0
            return (cost - bucket.tokens) / self.rate_per_s

    def peek(self, key: str, cost: float = 1.0) -> float:
        """Return the seconds to wait before ``cost`` tokens are available, taking none."""
        with self._lock:
            bucket = self._refilled(key, self._clock())
            return max(0.0, (cost - bucket.tokens) / self.rate_per_s)

    def reset(self, key: str) -> None:
        """Forget a key (its bucket is full again)."""
        with self._lock:
            self._buckets.pop(key, None)

    @staticmethod
    def retry_after(wait_s: float) -> int:
        """Round a wait up to whole seconds for a ``Retry-After`` header (at least 1)."""
        return max(1, math.ceil(wait_s))
