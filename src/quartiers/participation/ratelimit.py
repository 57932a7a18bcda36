"""Token buckets, one per client key: in memory (:class:`RateLimiter`) or in the database.

:class:`RateLimiter` is per process (thread-safe, bounded memory, injectable clock).
:class:`SharedRateLimiter` keeps the buckets in the contributions database (table
``rate_limit_buckets``), each acquisition one short write transaction, so that several server
processes (``uvicorn --workers``, gunicorn, several machines on one PostgreSQL) share one
budget per client: the web app uses it.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from quartiers.participation.models import RateBucket

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from quartiers.participation.db import Database

__all__ = ["RateLimiter", "SharedRateLimiter"]


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


class SharedRateLimiter:
    """Token buckets stored in the database: one budget per key across server processes.

    Same interface and arithmetic as :class:`RateLimiter`. Each call is one write
    transaction: the row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN
    IMMEDIATE`` on SQLite), refilled, charged and written back. Buckets full again are
    pruned now and then.

    Parameters
    ----------
    db
        The contributions database (migrated: table ``rate_limit_buckets``).
    scope
        Name of this limiter (``contributions``, ``connexion-client``…): keys of two
        limiters never mix.
    capacity, per_minute
        Burst size and refill rate, as for :class:`RateLimiter`.
    clock
        Wall clock in seconds (shared by processes; tests pass a fake one).
    """

    _PRUNE_EVERY = 200

    def __init__(
        self,
        db: Database,
        scope: str,
        *,
        capacity: int,
        per_minute: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if capacity < 1 or per_minute <= 0:
            raise ValueError("limiteur : capacité ≥ 1 et débit > 0 attendus")
        self.db = db
        self.scope = scope[:20]
        self.capacity = capacity
        self.rate_per_s = per_minute / 60.0
        self._clock = clock
        self._calls = 0

    @staticmethod
    def _stored_key(key: str) -> str:
        # A digest, not the raw text: any client-supplied key (login names with NUL bytes,
        # which PostgreSQL refuses, or keys longer than the column) maps to one fixed-size
        # value, and two long keys never collide by truncation.
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    def _bucket(self, session: Session, key: str, now: float) -> RateBucket:
        key = self._stored_key(key)
        query = select(RateBucket).where(RateBucket.scope == self.scope, RateBucket.key == key)
        bucket = session.scalars(query.with_for_update()).one_or_none()
        if bucket is None:
            bucket = RateBucket(scope=self.scope, key=key, tokens=float(self.capacity), updated=now)
            session.add(bucket)
            session.flush()  # a concurrent insert of the same key fails here: caller retries
            return bucket
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(self.capacity), bucket.tokens + elapsed * self.rate_per_s)
        bucket.updated = now
        return bucket

    def _run(self, key: str, cost: float, *, take: bool) -> float:
        from sqlalchemy.exc import IntegrityError

        for attempt in range(3):
            try:
                with self.db.writing() as session:
                    now = self._clock()
                    bucket = self._bucket(session, key, now)
                    if bucket.tokens >= cost:
                        if take:
                            bucket.tokens -= cost
                        wait = 0.0
                    else:
                        wait = (cost - bucket.tokens) / self.rate_per_s
                    self._prune(session, now)
                    return wait
            except IntegrityError:  # two processes created the same bucket at once
                if attempt == 2:
                    raise
        return 0.0  # pragma: no cover - the loop returns or raises

    def _prune(self, session: Session, now: float) -> None:
        self._calls += 1
        if self._calls % self._PRUNE_EVERY:
            return
        full_after = self.capacity / self.rate_per_s
        session.execute(
            delete(RateBucket).where(
                RateBucket.scope == self.scope, RateBucket.updated < now - full_after
            )
        )

    def acquire(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``key``; return 0 if allowed, else seconds to wait."""
        return self._run(key, cost, take=True)

    def peek(self, key: str, cost: float = 1.0) -> float:
        """Return the seconds to wait before ``cost`` tokens are available, taking none."""
        return max(0.0, self._run(key, cost, take=False))

    def reset(self, key: str) -> None:
        """Forget a key (its bucket is full again)."""
        with self.db.writing() as session:
            session.execute(
                delete(RateBucket).where(
                    RateBucket.scope == self.scope, RateBucket.key == self._stored_key(key)
                )
            )

    retry_after = staticmethod(RateLimiter.retry_after)
