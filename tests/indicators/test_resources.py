"""Resource indicators: canopy, green spaces and walking distances."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.indicators.resources import access_columns, access_indicators, canopy_and_green
from quartiers.spatial.geometry import CellGrid

X0, Y0 = 3_500_000, 2_800_000


def _grid() -> CellGrid:
    return CellGrid(np.array([[X0, Y0], [X0 + 200, Y0]], dtype=np.int64))


def test_tree_crowns_with_recorded_or_default_diameter() -> None:
    trees = gpd.GeoDataFrame(
        {"crown_m": [10.0, np.nan]},
        geometry=[shapely.Point(X0 + 50, Y0 + 50), shapely.Point(X0 + 150, Y0 + 150)],
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    canopy, green = canopy_and_green(_grid(), None, trees, default_crown_m=6.0)
    expected = (math.pi * 5**2 + math.pi * 3**2) / 40_000
    assert canopy[0] == pytest.approx(expected, rel=1e-6)  # 16-gons of the circle's area
    assert green[0] == pytest.approx(canopy[0])
    assert canopy[1] == 0


def test_woods_are_canopy_parks_only_green_overlaps_once() -> None:
    veg = gpd.GeoDataFrame(
        {"kind": ["wood", "park", "tree_row"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 100, Y0 + 200),
            shapely.box(X0 + 50, Y0, X0 + 200, Y0 + 200),
            shapely.LineString([(X0 + 203, Y0 + 100), (X0 + 397, Y0 + 100)]),
        ],
        crs="EPSG:3035",
    )
    canopy, green = canopy_and_green(_grid(), veg, None, default_crown_m=6.0)
    assert canopy[0] == pytest.approx(0.5)
    assert green[0] == pytest.approx(1.0)  # wood ∪ park covers the cell once
    # a line widened by half the default crown on each side, with round ends
    assert canopy[1] == pytest.approx((6 * 194 + math.pi * 9) / 40_000, rel=2e-2)


def test_access_distances_reindexed_and_unreachable_is_nan() -> None:
    access = pd.DataFrame(
        {
            "idcar_200m": ["b", "a"],
            "dist_care_m": [120.0, np.inf],
            "time_care_min": [1.7, np.nan],
            "connected": [True, False],
        }
    )
    values, missing = access_indicators(["a", "b", "c"], access)
    care = values["dist_care"]
    assert np.isnan(care[0]) and care[1] == 120.0 and np.isnan(care[2])
    assert "dist_cool_outdoor" in missing and "dist_care" not in missing
    assert access_columns(access.set_index("idcar_200m")) == ["time_care_min", "connected"]


def test_duplicate_access_cells_are_refused() -> None:
    access = pd.DataFrame(
        {"dist_care_m": [1.0, 2.0]}, index=pd.Index(["a", "a"], name="idcar_200m")
    )
    with pytest.raises(InputError, match="en double"):
        access_indicators(["a"], access)


def test_unreachable_cells_take_the_worst_distance_in_v2() -> None:
    access = pd.DataFrame(
        {"dist_care_m": [120.0, np.inf, 800.0, np.nan]},
        index=pd.Index(["a", "b", "c", "d"], name="idcar_200m"),
    )
    ids = ["a", "b", "c", "d", "e"]  # "e" is not in the table: unknown, not unreachable
    dropped, _ = access_indicators(ids, access)
    assert np.isnan(dropped["dist_care"][[1, 3, 4]]).all()  # v1: left out of the means
    worst, _ = access_indicators(ids, access, unreachable="worst")
    np.testing.assert_array_equal(worst["dist_care"][:4], [120.0, 800.0, 800.0, 800.0])
    assert np.isnan(worst["dist_care"][4])
