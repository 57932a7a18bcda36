"""Top-floor proxy: share of housing floor area just under a roof, from building heights."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import box

from quartiers.indicators.floors import storeys, top_floor_share
from quartiers.spatial.geometry import CellGrid

X0, Y0 = 3_500_000, 2_800_000


def _grid() -> CellGrid:
    return CellGrid(np.array([[X0 + 200 * i, Y0] for i in range(3)], dtype=np.int64))


def test_storeys_from_heights() -> None:
    np.testing.assert_array_equal(storeys(np.array([2.0, 3.0, 7.4, 30.0])), [1, 1, 2, 10])
    assert np.isnan(storeys(np.array([np.nan, 0.0]))).all()


def test_top_floor_share_is_footprint_over_floor_area() -> None:
    buildings = gpd.GeoDataFrame(
        {
            "height_m": [3.0, 30.0, 6.0, np.nan, 9.0],
            "residential": [True, True, True, True, False],
            "source": "test",
        },
        geometry=[
            box(X0 + 10, Y0 + 10, X0 + 30, Y0 + 30),  # cell 0: house, 400 m², 1 storey
            box(X0 + 50, Y0 + 50, X0 + 70, Y0 + 60),  # cell 0: tower, 200 m², 10 storeys
            box(X0 + 210, Y0 + 10, X0 + 230, Y0 + 20),  # cell 1: 200 m², 2 storeys
            box(X0 + 240, Y0 + 10, X0 + 280, Y0 + 20),  # cell 1: 400 m², height unknown
            box(X0 + 410, Y0 + 10, X0 + 450, Y0 + 50),  # cell 2: not housing
        ],
        crs="EPSG:3035",
    )
    share = top_floor_share(_grid(), buildings)
    assert share[0] == (400 + 200) / (400 + 200 * 10)
    # cell 1: only a third of the housing footprint has a height → no value
    assert np.isnan(share[1])
    assert np.isnan(share[2])
    known = buildings.assign(height_m=[3.0, 30.0, 6.0, 6.0, 9.0])
    assert top_floor_share(_grid(), known)[1] == 0.5
