"""Dasymetric allocation: residential-building weights, cell totals conserved, area fallback."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from _synthetic import X0, Y0, environment_layers, make_territory
from quartiers.diagnostic.robustness import RobustnessOptions
from quartiers.diagnostic.run import run_diagnostic
from quartiers.errors import InputError, MethodError
from quartiers.method.spec import default_method, parse_method
from quartiers.spatial.dasymetric import building_matrix, residential_weights
from quartiers.spatial.grid import CELL_CRS
from quartiers.spatial.overlaps import overlap_matrix

_NO_ROBUSTNESS = RobustnessOptions(uncertainty=False, hotspots=False)


def _xy(n: int) -> np.ndarray:
    gx, gy = np.meshgrid(np.arange(n) * 200 + X0, np.arange(n) * 200 + Y0)
    return np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)


def _buildings(
    boxes: list[tuple[float, float, float, float]],
    *,
    residential: list[bool] | None = None,
    height: list[float] | None = None,
    dwellings: list[float] | None = None,
) -> gpd.GeoDataFrame:
    n = len(boxes)
    return gpd.GeoDataFrame(
        {
            "height_m": height if height is not None else [np.nan] * n,
            "residential": residential if residential is not None else [True] * n,
            "source": "osm",
            "dwellings": dwellings if dwellings is not None else [np.nan] * n,
        },
        geometry=[shapely.box(*b) for b in boxes],
        crs=CELL_CRS,
    )


def _alloc(
    xy: np.ndarray, zones: list[shapely.Geometry], buildings: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    series = gpd.GeoSeries(zones, crs=CELL_CRS)
    area = overlap_matrix(xy, series)
    alloc = building_matrix(xy, series, area, buildings)
    return alloc.matrix.toarray(), area.toarray(), alloc.fallback


def test_people_follow_buildings_not_area() -> None:
    xy = _xy(1)
    # zone A holds the west quarter of the cell, zone B the rest; all floor area is in A
    zones = [
        shapely.box(X0 - 10, Y0 - 10, X0 + 50, Y0 + 210),
        shapely.box(X0 + 50, Y0 - 10, X0 + 210, Y0 + 210),
    ]
    b = _buildings([(X0 + 10, Y0 + 10, X0 + 40, Y0 + 40)])
    shares, area, fallback = _alloc(xy, zones, b)
    np.testing.assert_allclose(area[:, 0], [0.25, 0.75])
    np.testing.assert_allclose(shares[:, 0], [1.0, 0.0], atol=1e-12)
    assert not fallback[0]


def test_storeys_and_dwellings_weigh_buildings() -> None:
    xy = _xy(1)
    zones = [
        shapely.box(X0, Y0, X0 + 100, Y0 + 200),
        shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 200),
    ]
    same = [(X0 + 10, Y0 + 10, X0 + 30, Y0 + 30), (X0 + 110, Y0 + 10, X0 + 130, Y0 + 30)]
    # 3 storeys west (9 m), 1 storey east (3 m): 3/4 of the floor area in the west zone
    shares, _, _ = _alloc(xy, zones, _buildings(same, height=[9.0, 3.0]))
    np.testing.assert_allclose(shares[:, 0], [0.75, 0.25])
    # dwellings given: 1 west, 4 east → 1/5, 4/5
    shares, _, _ = _alloc(xy, zones, _buildings(same, height=[9.0, 3.0], dwellings=[1.0, 4.0]))
    np.testing.assert_allclose(shares[:, 0], [0.2, 0.8])


def test_cells_without_residential_building_keep_area_shares() -> None:
    xy = _xy(2)
    zones = [shapely.box(X0 + 100, Y0, X0 + 400, Y0 + 400)]
    # one non-residential building in cell 0, nothing elsewhere
    b = _buildings([(X0 + 10, Y0 + 10, X0 + 50, Y0 + 50)], residential=[False])
    shares, area, fallback = _alloc(xy, zones, b)
    assert fallback.all()
    np.testing.assert_allclose(shares, area)


def test_residential_weights_median_storeys_for_unknown_heights() -> None:
    b = _buildings([(0, 0, 10, 10), (20, 0, 30, 10), (40, 0, 50, 10)], height=[12.0, 12.0, np.nan])
    _, density, by_dwellings = residential_weights(b)
    np.testing.assert_allclose(density, [4.0, 4.0, 4.0])
    assert by_dwellings == 0


@settings(max_examples=40, deadline=None)
@given(
    cut_x=st.floats(1, 599),
    cut_y=st.floats(1, 599),
    boxes=st.lists(
        st.tuples(st.floats(0, 580), st.floats(0, 580), st.floats(2, 60), st.floats(2, 60)),
        min_size=1,
        max_size=25,
    ),
    heights=st.lists(st.sampled_from([np.nan, 3.0, 6.0, 15.0]), min_size=25, max_size=25),
)
def test_cell_totals_conserved_over_a_tiling(
    cut_x: float,
    cut_y: float,
    boxes: list[tuple[float, float, float, float]],
    heights: list[float],
) -> None:
    """Zones tiling the grid: each cell's shares sum to one, so every count is conserved."""
    xy = _xy(3)
    outer = shapely.box(X0 - 50, Y0 - 50, X0 + 650, Y0 + 650)
    qpv = shapely.Polygon(
        [(X0 + 20, Y0 + 30), (X0 + cut_x, Y0 + 10), (X0 + 590, Y0 + cut_y), (X0 + 50, Y0 + 580)]
    )
    zones = [qpv, outer.difference(qpv)]
    b = _buildings(
        [(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for x, y, w, h in boxes],
        height=heights[: len(boxes)],
    )
    shares, _, _ = _alloc(xy, zones, b)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0, atol=1e-9)
    pop = np.random.default_rng(0).uniform(0, 500, len(xy))
    assert float((shares @ pop).sum()) == pytest.approx(float(pop.sum()), rel=1e-12)


def test_method_option_allocation_checked() -> None:
    text = default_method().text + "\nallocation: batiments\n"
    with pytest.raises(MethodError, match=r"allocation.*attendu : area, buildings"):
        parse_method(text, source="m.yaml")
    assert parse_method(text.replace("batiments", "buildings"), source="m.yaml")


def test_run_reports_both_allocations_and_area_stays_default() -> None:
    inputs = make_territory(**environment_layers())
    base = run_diagnostic(inputs, robustness=_NO_ROBUSTNESS)
    qpv = base.qpv
    np.testing.assert_allclose(qpv["population_area"], qpv["population"])
    assert qpv["population_buildings"].notna().all()
    assert base.run["allocation"]["rule"] == "area"
    method = parse_method(default_method().text + "\nallocation: buildings\n", source="m.yaml")
    dasy = run_diagnostic(inputs, method=method, robustness=_NO_ROBUSTNESS)
    np.testing.assert_allclose(dasy.qpv["population"], qpv["population_buildings"])
    np.testing.assert_allclose(dasy.qpv["population_area"], qpv["population_area"])
    assert dasy.run["allocation"]["rule"] == "buildings"


def test_buildings_allocation_without_buildings_refused() -> None:
    inputs = make_territory()
    method = parse_method(default_method().text + "\nallocation: buildings\n", source="m.yaml")
    with pytest.raises(InputError, match=r"allocation.*bâtiments résidentiels"):
        run_diagnostic(inputs, method=method, robustness=_NO_ROBUSTNESS)
    out = run_diagnostic(inputs, robustness=_NO_ROBUSTNESS)
    assert out.qpv["population_buildings"].isna().all()
    assert not out.run["allocation"]["buildings_computed"]


def test_bdtopo_storeys_and_dwellings_read(shared_data: Path) -> None:
    from quartiers.sources.bdtopo import read_buildings

    b = read_buildings(shared_data / "bdtopo" / "BATIMENT.shp")
    # Olemps sample: NB_ETAGES and NB_LOGTS given for 1,334 buildings (0 dwellings → NaN)
    assert int(b["levels"].notna().sum()) == 1334
    assert 0 < int(b["dwellings"].notna().sum()) <= 1334
    _, density, by_dwellings = residential_weights(b)
    assert by_dwellings == int((b["dwellings"].notna() & b["residential"]).sum())
    assert np.isfinite(density).all()
