"""Our local Moran's I gives esda's figures (statistic, quadrant, permutation p-value)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _synthetic import X0, Y0
from quartiers.method.hotspots import local_moran, queen_pairs

esda = pytest.importorskip("esda")
weights_module = pytest.importorskip("libpysal.weights")


def _esda(values: np.ndarray, xy: np.ndarray, permutations: int, seed: int) -> dict[str, object]:
    """Run esda.Moran_Local as the diagnostic did before (tested cells, queen, rows = 1)."""
    known = np.isfinite(values)
    i, j = queen_pairs(xy)
    keep = known[i] & known[j]
    i, j = i[keep], j[keep]
    tested = known & (np.bincount(i, minlength=len(values)) > 0)
    idx = np.flatnonzero(tested)
    local = np.full(len(values), -1)
    local[idx] = np.arange(idx.size)
    neighbours: dict[int, list[int]] = {k: [] for k in range(idx.size)}
    for a, b in zip(local[i].tolist(), local[j].tolist(), strict=True):
        neighbours[a].append(b)
    w = weights_module.W(neighbours, silence_warnings=True)
    w.transform = "r"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lisa = esda.Moran_Local(
            values[idx], w, permutations=permutations, seed=seed, keep_simulations=False
        )
    return {"idx": idx, "Is": lisa.Is, "q": lisa.q, "p_sim": lisa.p_sim}


def _grid(nx: int, ny: int) -> np.ndarray:
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    return np.column_stack([X0 + 200 * gx.ravel(), Y0 + 200 * gy.ravel()]).astype(np.int64)


def _compare(
    values: np.ndarray, xy: np.ndarray, permutations: int, seed: int, *, exact: bool = True
) -> None:
    ours = local_moran(values, xy, permutations=permutations, seed=seed)
    theirs = _esda(values, xy, permutations, seed)
    idx = theirs["idx"]
    assert np.array_equal(np.flatnonzero(ours.tested), idx)
    np.testing.assert_allclose(ours.local_i[idx], theirs["Is"], rtol=1e-12, atol=0)
    assert np.array_equal(ours.quadrant[idx], theirs["q"])
    p_ours = ours.p_value[idx]
    p_esda = np.asarray(theirs["p_sim"], dtype="float64")
    if exact:
        assert np.array_equal(p_ours, p_esda)
        return
    # A permuted statistic that equals the observed one in exact arithmetic (a low-cardinality
    # cell drawing its own neighbours' values, or tied values) may fall either side of it in
    # floating point, summed in another order: the count then differs by one permutation.
    step = 1.0 / (permutations + 1)
    differ = p_ours != p_esda
    assert np.all(np.abs(p_ours - p_esda) <= step + 1e-6)
    assert differ.sum() <= max(1, len(idx) // 20)


def test_same_figures_as_esda_on_a_planted_cluster() -> None:
    rng = np.random.default_rng(3)
    xy = _grid(25, 22)  # 550 cells, about La Roche-sur-Yon's 530
    values = rng.normal(size=len(xy))
    values[(xy[:, 0] - X0) // 200 < 6] += 2.5
    values[rng.random(len(xy)) < 0.1] = np.nan  # holes: cells without an index
    _compare(values, xy, permutations=999, seed=20241)


@settings(max_examples=25, deadline=None)
@given(
    keep=st.lists(st.booleans(), min_size=80, max_size=80),
    seed=st.integers(0, 2**31 - 1),
    ties=st.booleans(),
)
def test_same_figures_as_esda_on_any_grid(keep: list[bool], seed: int, ties: bool) -> None:
    xy = _grid(10, 8)[np.asarray(keep)]
    values = np.random.default_rng(seed).normal(size=len(xy))
    if ties:  # equal values: permuted statistics equal to the observed one
        values = np.round(values)
    known = np.isfinite(values)
    i, j = queen_pairs(xy)
    tested = known & (np.bincount(i[known[i] & known[j]], minlength=len(xy)) > 0)
    if tested.sum() < 3 or np.ptp(values[tested]) == 0:
        return
    _compare(values, xy, permutations=199, seed=seed, exact=False)
