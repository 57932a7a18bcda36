"""Vectorised area shares inside cells and the blockwise grouped union."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.spatial.geometry import (
    CellGrid,
    area_share,
    area_weighted_mean,
    dissolve_overlaps,
    union_by_group,
)


def _grid() -> CellGrid:
    gx, gy = np.meshgrid(np.arange(4) * 200, np.arange(4) * 200)
    return CellGrid(np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64))


def test_overlapping_features_count_once() -> None:
    a = shapely.box(0, 0, 100, 100)
    b = shapely.box(50, 50, 150, 150)  # overlaps a by 50 × 50
    share = area_share(_grid(), np.array([a, b, None], dtype=object))
    assert share[0] == pytest.approx((2 * 100 * 100 - 50 * 50) / 40_000)
    assert share[1:].sum() == 0


def test_feature_over_several_cells() -> None:
    big = shapely.box(100, 100, 500, 300)
    share = area_share(_grid(), np.array([big], dtype=object))
    assert share.sum() * 40_000 == pytest.approx(big.area)
    assert share.max() <= 1.0


def test_area_weighted_mean_and_coverage() -> None:
    left = shapely.box(0, 0, 100, 200)
    right = shapely.box(100, 0, 200, 200)
    mean, cov = area_weighted_mean(
        _grid(), np.array([left, right], dtype=object), np.array([4.0, 0.0])
    )
    assert mean[0] == pytest.approx(2.0) and cov[0] == pytest.approx(1.0)
    assert np.isnan(mean[1]) and cov[1] == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 700), st.floats(0, 700), st.floats(1, 300), st.integers(0, 3)),
        min_size=1,
        max_size=60,
    ),
    st.integers(2, 8),
)
def test_grouped_union_equals_per_group_union(
    boxes: list[tuple[float, float, float, int]], block: int
) -> None:
    geoms = np.array([shapely.box(x, y, x + w, y + w) for x, y, w, _ in boxes], dtype=object)
    groups = np.array([g for *_, g in boxes], dtype=np.int64)
    ids, merged = union_by_group(geoms, groups, block=block)
    assert list(ids) == sorted(set(groups))
    for gid, geom in zip(ids, merged, strict=True):
        expected = shapely.union_all(geoms[groups == gid]).area
        assert shapely.area(geom) == pytest.approx(expected, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(1, 8), st.integers(0, 2)),
        min_size=1,
        max_size=40,
    )
)
def test_dissolve_overlaps_keeps_union_area(boxes: list[tuple[int, int, int, int]]) -> None:
    # integer boxes: many touch exactly, some overlap or contain others
    geoms = np.array([shapely.box(x, y, x + w, y + w) for x, y, w, _ in boxes], dtype=object)
    groups = np.array([g for *_, g in boxes], dtype=np.int64)
    out_groups, out_geoms = dissolve_overlaps(geoms, groups)
    for gid in set(groups):
        expected = shapely.union_all(geoms[groups == gid]).area
        got = shapely.area(out_geoms[out_groups == gid]).sum()
        assert got == pytest.approx(expected, rel=1e-9)
