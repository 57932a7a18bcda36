from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiers.participation.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill() -> None:
    clock = FakeClock()
    limiter = RateLimiter(capacity=3, per_minute=6, clock=clock)  # one token every 10 s
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(10.0)
    assert limiter.acquire("b") == 0.0  # per key
    clock.now = 10.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert RateLimiter.retry_after(0.2) == 1 and RateLimiter.retry_after(10.01) == 11


def test_peek_takes_nothing_and_reset_refills() -> None:
    limiter = RateLimiter(capacity=1, per_minute=1, clock=FakeClock())
    assert limiter.peek("k") == 0.0 and limiter.peek("k") == 0.0
    assert limiter.acquire("k") == 0.0 and limiter.peek("k") > 0
    limiter.reset("k")
    assert limiter.acquire("k") == 0.0


def test_memory_is_bounded() -> None:
    limiter = RateLimiter(capacity=1, per_minute=1, max_keys=10, clock=FakeClock())
    for i in range(100):
        limiter.acquire(f"client-{i}")
    assert len(limiter._buckets) == 10


@given(
    capacity=st.integers(1, 20),
    per_minute=st.floats(0.5, 600),
    steps=st.lists(st.floats(0, 30), min_size=1, max_size=60),
)
def test_never_more_than_burst_plus_refill(
    capacity: int, per_minute: float, steps: list[float]
) -> None:
    clock = FakeClock()
    limiter = RateLimiter(capacity=capacity, per_minute=per_minute, clock=clock)
    allowed = 0
    for step in steps:
        clock.now += step
        allowed += limiter.acquire("x") == 0.0
    assert allowed <= capacity + clock.now * per_minute / 60 + 1e-9


def test_bad_parameters() -> None:
    with pytest.raises(ValueError):
        RateLimiter(capacity=0, per_minute=1)


# ------------------------------------------------------------------ shared across processes


def test_shared_limiter_arithmetic_matches_the_in_memory_one(db_url: str) -> None:
    from quartiers.participation.db import Database
    from quartiers.participation.ratelimit import SharedRateLimiter

    clock = FakeClock()
    db = Database(db_url)
    try:
        limiter = SharedRateLimiter(db, "essai", capacity=3, per_minute=6, clock=clock)
        assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
        assert limiter.acquire("a") == pytest.approx(10.0)
        assert limiter.peek("b") == 0.0
        other = SharedRateLimiter(db, "autre", capacity=3, per_minute=6, clock=clock)
        assert other.acquire("a") == 0.0  # scopes never mix
        clock.now = 10.0
        assert limiter.acquire("a") == 0.0
        limiter.reset("a")
        assert limiter.acquire("a") == 0.0
    finally:
        db.close()


_WORKER = """
import sys
from quartiers.participation.db import Database
from quartiers.participation.ratelimit import SharedRateLimiter
db = Database(sys.argv[1])
limiter = SharedRateLimiter(db, "contributions", capacity=10, per_minute=0.001)
print(sum(limiter.acquire("203.0.113.7") == 0.0 for _ in range(int(sys.argv[2]))))
"""


def test_budget_holds_across_worker_processes(db_url: str) -> None:
    """Two server processes on one database grant the burst once, not once each."""
    import subprocess
    import sys

    from quartiers.participation.db import Database

    Database(db_url).close()  # migrated once before the workers start
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, db_url, "30"], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    granted = [int(w.communicate(timeout=300)[0].strip()) for w in workers]
    assert sum(granted) == 10, granted
