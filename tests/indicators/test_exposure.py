"""Exposure indicators: LCZ heat score, sealed and built surfaces, climate per cell."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.indicators.exposure import (
    LCZ_HEAT_SCORES,
    CellCommunes,
    built_share,
    climate_long,
    climate_per_cell,
    impervious_share,
    lcz_classes,
    lcz_heat,
)
from quartiers.spatial.geometry import CellGrid

X0, Y0 = 3_500_000, 2_800_000


def _grid() -> CellGrid:
    return CellGrid(np.array([[X0, Y0], [X0 + 200, Y0], [X0 + 400, Y0]], dtype=np.int64))


def _layer(geoms: list[shapely.Geometry], **cols: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs="EPSG:3035")


def test_lcz_score_area_weighted_and_coverage_rule() -> None:
    lcz = _layer(
        [
            shapely.box(X0, Y0, X0 + 100, Y0 + 200),  # class 2 (4) on half of cell 0
            shapely.box(X0 + 100, Y0, X0 + 250, Y0 + 200),  # class A (0)
            shapely.box(X0 + 400, Y0, X0 + 460, Y0 + 200),  # 30 % of cell 2 only
        ],
        lcz=["2", None, "10"],
        lcz_int=[2, 11, 10],
    )
    value, coverage = lcz_heat(_grid(), lcz.to_crs("EPSG:2154"))
    # layers come in Lambert-93: the round trip moves edges by millimetres
    assert value[0] == pytest.approx(2.0, abs=1e-4)
    assert coverage[1] == pytest.approx(0.25, abs=1e-4)
    assert np.isnan(value[1])  # covered 25 % < 50 %: unknown, not zero
    assert np.isnan(value[2])
    assert list(lcz_classes(lcz)) == ["2", "A", "10"]
    assert set(LCZ_HEAT_SCORES) == {*map(str, range(1, 11)), *"ABCDEFG"}


def test_built_and_impervious_shares() -> None:
    buildings = _layer(
        [
            shapely.box(X0 + 10, Y0 + 10, X0 + 110, Y0 + 110),
            shapely.box(X0 + 60, Y0 + 60, X0 + 110, Y0 + 110),
        ],
        height_m=[np.nan, 9.0],
    )
    road = gpd.GeoDataFrame(
        {"highway": ["residential"], "width_m": [np.nan]},
        geometry=[shapely.LineString([(X0, Y0 + 150), (X0 + 600, Y0 + 150)])],
        crs="EPSG:3035",
    )
    grid = _grid()
    built = built_share(grid, buildings)
    assert built[0] == pytest.approx(100 * 100 / 40_000)  # the inner building counts once
    sealed = impervious_share(grid, buildings, road)
    # residential default width 6 m: a 6 m band across each cell (with round caps beyond)
    assert sealed[1] == pytest.approx(6 * 200 / 40_000, rel=1e-3)
    assert sealed[0] == pytest.approx((100 * 100 + 6 * 200) / 40_000, rel=1e-3)
    assert (sealed >= built).all()
    car_park = gpd.GeoDataFrame(
        {"kind": ["parking"]},
        geometry=[shapely.box(X0 + 120, Y0 + 10, X0 + 180, Y0 + 60)],
        crs="EPSG:3035",
    )
    with_park = impervious_share(grid, buildings, road, car_park)
    assert with_park[0] == pytest.approx(sealed[0] + 60 * 50 / 40_000, rel=1e-3)
    assert np.array_equal(with_park[1:], sealed[1:])


def _climate() -> pd.DataFrame:
    rows = [
        ("85191", "S1", "ref", 0.47), ("85191", "S11", "ref", 3.0), ("85191", "S3", "2030", 6.95),
        ("85191", "s3", "ref", 0.8), ("85008", "S1", "ref", 2.0), ("85008", "S2", "ref", 1.5),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["insee_com", "indicator", "horizon", "value"]).assign(
        low=np.nan, high=np.nan, source="climadiag"
    )


def test_climate_ids_by_preference() -> None:
    long = climate_long(_climate())
    hot = long[long["indicator"] == "very_hot_days"].set_index("insee_com")
    assert hot.loc["85191", "publisher_id"] == "S1"  # S1 preferred to the S11 variant
    assert hot.loc["85008", "publisher_id"] == "S1"
    waves = long[long["indicator"] == "heat_wave_days"]
    assert set(waves["horizon"]) == {"ref", "2030"}  # lower-case id accepted


def test_climate_one_threshold_for_the_whole_territory() -> None:
    table = _climate()
    # 85008 only publishes the local variant S11: both communes use S11, not S1 and S11
    table.loc[(table["insee_com"] == "85008") & (table["indicator"] == "S1"), "indicator"] = "S11"
    hot = climate_long(table).query("indicator == 'very_hot_days'")
    assert set(hot["publisher_id"]) == {"S11"}
    assert hot.set_index("insee_com").loc["85191", "value"] == pytest.approx(3.0)
    # no id in common: refused, naming the indicator and what each commune publishes
    table.loc[table["indicator"] == "S11", "indicator"] = ["S11", "S9"]
    with pytest.raises(InputError, match=r"very_hot_days.*85008 : S9.*85191 : S1"):
        climate_long(table)


def test_climate_spread_on_cells_by_area() -> None:
    long = climate_long(_climate())
    shares = pd.DataFrame(
        {
            "cell": [0, 0, 1, 2, 2],
            "insee_com": ["85191", "85008", "85008", "85191", "99999"],
            "share": [0.5, 0.5, 1.0, 0.3, 0.7],
        }
    )
    per_cell = climate_per_cell(shares, long, "ref", 3)
    assert per_cell["very_hot_days"][0] == pytest.approx((0.47 + 2.0) / 2)
    assert per_cell["very_hot_days"][1] == pytest.approx(2.0)
    # 70 % of cell 2 lies in a commune without data: it does not borrow 85191's value
    assert np.isnan(per_cell["very_hot_days"][2])
    assert np.isnan(per_cell["heat_wave_days"][1])
    assert "heat_wave_days" in climate_per_cell(shares, long, "2030", 3)


def test_climate_spread_when_every_commune_has_a_value() -> None:
    """Every overlap has a value (a national run): the weights are the cells' inside shares."""
    long = climate_long(_climate())
    shares = pd.DataFrame(
        {
            "cell": [0, 0, 1, 2],
            "insee_com": ["85191", "85008", "85008", "85191"],
            "share": [0.5, 0.5, 1.0, 0.3],
        }
    )
    per_cell = climate_per_cell(shares, long, "ref", 4)
    assert per_cell["very_hot_days"][0] == (0.5 * 0.47 + 0.5 * 2.0) / 1.0
    assert per_cell["very_hot_days"][1] == 2.0
    assert per_cell["very_hot_days"][2] == 0.3 * 0.47 / 0.3
    assert np.isnan(per_cell["very_hot_days"][3])  # in no commune


def test_climate_spread_is_the_sum_over_the_overlaps_bit_for_bit() -> None:
    """The sparse products add each cell's overlaps in their order: the same numbers."""
    rng = np.random.default_rng(7)
    n_cells, n_rows = 400, 900
    communes = np.array([f"85{i:03d}" for i in range(30)], dtype=object)
    cells = rng.integers(0, n_cells, n_rows)  # unsorted, some cells in several communes
    com = communes[rng.integers(0, len(communes), n_rows)]
    com[rng.integers(0, n_rows, 40)] = None  # overlaps outside any commune
    share = rng.uniform(0.01, 1.0, n_rows)
    shares = pd.DataFrame({"cell": cells, "insee_com": com, "share": share})
    values = rng.normal(10.0, 4.0, len(communes))
    values[[3, 11]] = np.nan  # communes without a value
    long = pd.DataFrame(
        {"insee_com": communes, "horizon": "ref", "indicator": "very_hot_days", "value": values}
    )
    got = CellCommunes(shares, n_cells).spread(long, "ref")["very_hot_days"]
    by_code = dict(zip(communes, values, strict=True))
    val = np.array([by_code.get(c, np.nan) for c in com])
    ok = np.isfinite(val)
    inside = np.bincount(cells, weights=share, minlength=n_cells)
    weight = np.bincount(cells[ok], weights=share[ok], minlength=n_cells)
    total = np.bincount(cells[ok], weights=share[ok] * val[ok], minlength=n_cells)
    expected = np.full(n_cells, np.nan)
    np.divide(total, weight, out=expected, where=(weight > 0) & (weight >= 0.5 * inside))
    assert np.isfinite(expected).sum() > 100 and np.isnan(expected).sum() > 10
    assert got.tobytes() == expected.tobytes()
