"""Counting instead of np.unique on national arrays (issue 16): the same results."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from quartiers.diagnostic._tables import _unique_rows
from quartiers.diagnostic.aggregate import aggregate_cells
from quartiers.indicators.base import CellIndicator


@pytest.mark.parametrize("width", [0, 1, 3, 8, 21])
@pytest.mark.parametrize("n", [1, 9, 2_000])
def test_unique_rows_as_numpy(width: int, n: int) -> None:
    mask = np.random.default_rng(width * 100 + n).random((n, width)) < 0.3
    rows, inverse = np.unique(mask, axis=0, return_inverse=True)
    got_rows, got_inverse = _unique_rows(mask)
    assert got_rows.dtype == rows.dtype
    np.testing.assert_array_equal(got_rows, rows)
    np.testing.assert_array_equal(got_inverse, inverse.reshape(-1))


def test_zone_totals_skip_untouched_cells() -> None:
    """Cells no zone touches are left out of the sums, exactly as before."""
    rng = np.random.default_rng(4)
    n = 500
    cols = rng.choice(n, 300, replace=False)
    rows = rng.integers(0, 7, 300)
    matrix = sparse.csr_array((rng.random(300), (rows, cols)), shape=(7, n))
    pop = rng.random(n) * 50
    ind = CellIndicator(num=rng.random(n), den=rng.random(n) + 1, value=rng.random(n))
    totals = aggregate_cells(
        matrix, population=pop, households=pop / 2, poor_households=pop / 9,
        imputed=rng.random(n) < 0.2, indicators={"a": ind},
    )  # fmt: skip
    used = np.unique(matrix.indices)
    expected = np.asarray(matrix[:, used] @ pop[used])
    np.testing.assert_array_equal(totals.population, expected)
