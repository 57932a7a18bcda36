"""Long rows (national size) are placed one by one without sorting the cells' points again:
the same numbers as the 2-D path, bit for bit (ties, unknown values, zero weights, hidden
cells, points that are not their cell's value)."""

from __future__ import annotations

import numpy as np
import pytest

from quartiers.method import _batch
from quartiers.method._batch import batch_normalise, batch_positions


def _case(rng: np.random.Generator, n: int, b: int) -> tuple[np.ndarray, ...]:
    pool = [0.0, -0.0, 0.5, 1.0, np.nan, np.inf, -1.0, 0.25, 0.1, 0.1 + 1e-12]
    values = rng.choice(pool, size=(b, n)) * np.where(
        rng.random((b, n)) < 0.5, 1.0, rng.random((b, n))
    )
    weights = np.where(rng.random(n) < 0.1, 0.0, rng.random(n) * 10)
    qpv = rng.random((b, 37)) * 1.2 - 0.1
    qpv[:, :5] = np.nan
    cells = np.where(rng.random((b, n)) < 0.1, np.nan, values)  # hidden cells
    cells[:, 3:8] = 0.3  # points that are not their cell's value
    return np.concatenate([qpv, cells], axis=1), values, weights


@pytest.mark.parametrize(("n", "b"), [(60, 3), (1_000, 2), (5_000, 1), (20_000, 4)])
def test_long_rows_give_the_numbers_of_the_2d_path(
    monkeypatch: pytest.MonkeyPatch, n: int, b: int
) -> None:
    rng = np.random.default_rng(n + b)
    for _ in range(10):
        points, values, weights = _case(rng, n, b)
        monkeypatch.setattr(_batch, "LONG_ROW", 10**9)
        expected = [
            batch_positions(points, values, weights),
            batch_positions(values, values, weights),
            batch_positions(points[:, :40], values, weights),  # fewer points than cells
            batch_normalise(
                points, values, weights, kind="percentile", direction=-1.0, bounds=None
            ),
        ]
        monkeypatch.setattr(_batch, "LONG_ROW", 1)
        got = [
            batch_positions(points, values, weights),
            batch_positions(values, values, weights),
            batch_positions(points[:, :40], values, weights),
            batch_normalise(
                points, values, weights, kind="percentile", direction=-1.0, bounds=None
            ),
        ]
        for e, g in zip(expected, got, strict=True):
            np.testing.assert_array_equal(g, e)


def test_a_national_row_takes_the_long_path() -> None:
    assert _batch.LONG_ROW <= 2_323_200
