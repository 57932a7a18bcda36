"""The vectorised Green's-theorem overlap against GEOS intersections, cell by cell."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.spatial.grid import overlap_shares


def _lattice(n: int = 14, *, drop: float = 0.0, seed: int = 0) -> np.ndarray:
    gx, gy = np.meshgrid(np.arange(-4, n - 4) * 200, np.arange(-4, n - 4) * 200)
    xy = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)
    if drop:
        keep = np.random.default_rng(seed).uniform(size=len(xy)) >= drop
        xy = xy[keep]
    return xy


def _geos(xy: np.ndarray, zones: list[shapely.Geometry]) -> np.ndarray:
    boxes = shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + 200, xy[:, 1] + 200)
    return np.vstack([shapely.area(shapely.intersection(boxes, z)) / 4e4 for z in zones])


def _dense(xy: np.ndarray, zones: list[shapely.Geometry]) -> np.ndarray:
    pairs = overlap_shares(xy, zones)
    out = np.zeros((len(zones), len(xy)))
    out[pairs["zone"], pairs["cell"]] = pairs["share"]
    return out


def _star(cx: float, cy: float, radii: list[float], clockwise: bool) -> shapely.Polygon:
    a = np.linspace(0, 2 * np.pi, len(radii), endpoint=False)
    if clockwise:
        a = -a
    r = np.asarray(radii)
    return shapely.Polygon(np.column_stack([cx + r * np.cos(a), cy + r * np.sin(a)]))


@settings(max_examples=60, deadline=None)
@given(
    cx=st.floats(-300, 1500),
    cy=st.floats(-300, 1500),
    radii=st.lists(st.floats(20, 900), min_size=3, max_size=40),
    clockwise=st.booleans(),
    drop=st.sampled_from([0.0, 0.4]),
)
def test_star_polygons_match_geos(
    cx: float, cy: float, radii: list[float], clockwise: bool, drop: float
) -> None:
    poly = shapely.make_valid(_star(cx, cy, radii, clockwise))
    xy = _lattice(drop=drop)
    np.testing.assert_allclose(_dense(xy, [poly]), _geos(xy, [poly]), atol=1e-9)


def test_holes_multipolygons_and_grid_aligned_edges() -> None:
    ring = shapely.box(-250, -250, 1650, 1650).difference(shapely.box(200, 200, 1000, 1000))
    multi = shapely.MultiPolygon(
        [shapely.box(0, 0, 400, 400), shapely.box(600.5, 600.5, 800, 1333.3)]
    )
    aligned = shapely.box(0, 0, 600, 600)
    tri = shapely.Polygon([(-799, -799), (1999, -700), (300, 1999)])
    zones = [ring, multi, aligned, tri, shapely.Polygon(), None]
    xy = _lattice(drop=0.2)
    got = _dense(xy, zones)
    want = np.vstack([_geos(xy, zones[:4]), np.zeros((2, len(xy)))])
    np.testing.assert_allclose(got, want, atol=1e-9)
    full = _dense(_lattice(), [aligned])[0]
    assert set(np.round(full, 12)) == {0.0, 1.0}


def test_invalid_zone_is_repaired() -> None:
    bowtie = shapely.Polygon([(0, 0), (800, 800), (800, 0), (0, 800)])
    xy = _lattice()
    got = _dense(xy, [bowtie])
    np.testing.assert_allclose(got, _geos(xy, [shapely.make_valid(bowtie)]), atol=1e-9)


def test_national_coordinates_keep_precision() -> None:
    x0, y0 = 3_700_000, 2_900_000
    xy = _lattice() + np.array([x0, y0])
    poly = _star(x0 + 700.3, y0 + 611.7, [450, 700, 300, 820, 510, 260, 640], False)
    np.testing.assert_allclose(_dense(xy, [poly]), _geos(xy, [poly]), atol=1e-9)
    assert overlap_shares(xy, [poly])["share"].sum() * 4e4 == pytest.approx(poly.area, rel=1e-9)


def test_dense_lookup_finds_what_the_binary_search_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dense position table (a région's compact box) answers as the sorted keys do."""
    from quartiers.spatial import _overlap

    rng = np.random.default_rng(5)
    col = rng.integers(-30, 60, 900)
    row = rng.integers(100, 170, 900)
    col[:40], row[:40] = col[40:80], row[40:80]  # cells held twice: the first position wins
    queries = (rng.integers(-40, 70, 5_000), rng.integers(90, 180, 5_000))
    dense = _overlap._Lattice(col, row)
    assert dense.table is not None
    monkeypatch.setattr(_overlap, "_DENSE_SLOTS_PER_CELL", 0)
    monkeypatch.setattr(_overlap, "_DENSE_EXTRA_SLOTS", 0)
    sparse = _overlap._Lattice(col, row)
    assert sparse.table is None
    np.testing.assert_array_equal(dense.find(*queries), sparse.find(*queries))
    np.testing.assert_array_equal(dense.find(col, row), sparse.find(col, row))


def test_shares_same_with_either_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    from quartiers.spatial import _overlap

    xy = _lattice(20, drop=0.3, seed=2)
    zones = [shapely.Point(300, 500).buffer(900), shapely.box(-500, -300, 1700, 100)]
    dense = overlap_shares(xy, zones)
    monkeypatch.setattr(_overlap, "_DENSE_SLOTS_PER_CELL", 0)
    monkeypatch.setattr(_overlap, "_DENSE_EXTRA_SLOTS", 0)
    sparse = overlap_shares(xy, zones)
    assert dense.equals(sparse)
