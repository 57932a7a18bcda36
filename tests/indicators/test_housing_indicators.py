"""Housing indicators from the DPE: allocation by residential building, shares, comparisons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from _synthetic import X0, Y0, make_cells, make_territory
from quartiers.diagnostic.run import run_diagnostic
from quartiers.indicators.housing import (
    dpe_cell_counts,
    housing_indicators,
    no_housing_reasons,
)
from quartiers.indicators.housing_registry import HOUSING_IDS
from quartiers.indicators.registry import REGISTRY
from quartiers.report._common import block_indicators
from quartiers.schemas import HOUSING_COLUMNS
from quartiers.spatial.geometry import CellGrid


def _dpe(rows: list[tuple[float, float, str, str, str, float]]) -> gpd.GeoDataFrame:
    """Certificates at EPSG:3035 points: (x, y, class, comfort, heating, dwellings)."""
    frame = gpd.GeoDataFrame(
        {
            "record_id": [f"D{k}" for k in range(len(rows))],
            "dwellings": [r[5] for r in rows],
            "energy_class": [r[2] for r in rows],
            "summer_comfort": [r[3] for r in rows],
            "building_type": ["appartement"] * len(rows),
            "period": [""] * len(rows),
            "heating": [r[4] for r in rows],
            "rnb_id": [""] * len(rows),
            "insee_com": ["99001"] * len(rows),
            "source": ["dpe"] * len(rows),
        },
        geometry=[shapely.Point(r[0], r[1]) for r in rows],
        crs="EPSG:3035",
    )
    return frame.to_crs("EPSG:2154")[HOUSING_COLUMNS]


def _homes(boxes: list[shapely.Geometry], residential: list[bool]) -> gpd.GeoDataFrame:
    n = len(boxes)
    return gpd.GeoDataFrame(
        {"height_m": [np.nan] * n, "residential": residential, "source": ["osm"] * n},
        geometry=boxes,
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")


def _cells(n: int = 3) -> tuple[pd.DataFrame, CellGrid]:
    cells = make_cells(n)
    return cells, CellGrid(cells[["x_sw", "y_sw"]].to_numpy())


def _cell(cells: pd.DataFrame, i: int, j: int) -> np.ndarray:
    return (cells["x_sw"].to_numpy() == X0 + 200 * i) & (cells["y_sw"].to_numpy() == Y0 + 200 * j)


def test_building_across_two_cells_shares_its_certificates() -> None:
    cells, grid = _cells()
    # a block straddling the first two cells, 3/4 of its footprint in the first one
    block = shapely.box(X0 + 50, Y0 + 50, X0 + 250, Y0 + 90)
    shop = shapely.box(X0 + 100, Y0 + 100, X0 + 120, Y0 + 120)
    dpe = _dpe(
        [
            (X0 + 60, Y0 + 60, "F", "insuffisant", "Fioul domestique", 1.0),
            (X0 + 240, Y0 + 92, "C", "", "Électricité", 3.0),  # 2 m off the block: matched
            (X0 + 110, Y0 + 110, "G", "bon", "Gaz naturel", 1.0),  # inside a shop only
        ]
    )
    counts = dpe_cell_counts(grid, dpe, _homes([block, shop], [True, False]))
    first, second = _cell(cells, 0, 0), _cell(cells, 1, 0)
    # the shop is not housing: its certificate is matched to the block (within 30 m)
    assert counts["dpe"][first] == pytest.approx(5 * 0.75, rel=1e-5)
    assert counts["dpe"][second] == pytest.approx(5 * 0.25, rel=1e-5)
    assert counts["fg"].sum() == pytest.approx(2.0, rel=1e-5)
    assert counts["comfort_known"].sum() == pytest.approx(2.0, rel=1e-5)
    assert counts["fuel_oil"].sum() == pytest.approx(1.0, rel=1e-5)
    assert counts["electric"].sum() == pytest.approx(3.0, rel=1e-5)
    assert counts["dpe"].sum() == pytest.approx(5.0, rel=1e-5)


def test_without_buildings_a_certificate_counts_in_its_cell() -> None:
    cells, grid = _cells()
    dpe = _dpe(
        [
            (X0 + 450, Y0 + 250, "G", "insuffisant", "Électricité", 1.0),
            (X0 + 10_000, Y0, "G", "", "", 1.0),  # outside every inhabited cell
        ]
    )
    counts = dpe_cell_counts(grid, dpe, None)
    target = _cell(cells, 2, 1)
    assert counts["dpe"][target] == pytest.approx(1.0)
    assert counts["dpe"].sum() == pytest.approx(1.0)


def test_indicator_values_and_energy_poverty_proxy() -> None:
    cells, grid = _cells()
    dpe = _dpe(
        [
            (X0 + 20, Y0 + 20, "F", "insuffisant", "Fioul domestique", 1.0),
            (X0 + 30, Y0 + 30, "C", "moyen", "Électricité", 1.0),
            (X0 + 420, Y0 + 20, "B", "", "", 2.0),
        ]
    )
    values, missing, _ = housing_indicators(grid, cells, dpe, None)
    assert set(values) == set(HOUSING_IDS) and not missing
    first = _cell(cells, 0, 0)
    fg = values["share_dpe_fg"]
    assert fg.value[first] == pytest.approx(0.5)
    assert fg.num.sum() / fg.den.sum() == pytest.approx(1 / 4)
    comfort = values["share_summer_comfort_poor"]
    assert comfort.num.sum() / comfort.den.sum() == pytest.approx(1 / 2)  # 2 filled
    men = cells["men"].to_numpy()
    poor = cells["men_pauv"].to_numpy()
    proxy = values["energy_poverty_proxy"]
    # only cells with a certificate; the first cell's poor households × its F/G share
    assert proxy.num.sum() == pytest.approx(poor[first][0] * 0.5)
    assert proxy.den.sum() == pytest.approx(men[first][0] + men[_cell(cells, 2, 0)][0])
    cover = values["dpe_coverage"]
    assert cover.num.sum() == pytest.approx(4.0) and cover.den.sum() == pytest.approx(men.sum())
    heat = values["share_heating_fuel_oil"]
    assert heat.num.sum() / heat.den.sum() == pytest.approx(1 / 2)


def test_missing_reasons_never_zero() -> None:
    cells, grid = _cells()
    reasons = no_housing_reasons()
    assert set(reasons) == set(HOUSING_IDS) and all("dpe" in r for r in reasons.values())
    # certificates without comfort nor heating: those shares are missing, not 0
    values, missing, _ = housing_indicators(
        grid, cells, _dpe([(X0 + 20, Y0 + 20, "G", "", "", 1.0)]), None
    )
    assert set(missing) == {
        "share_summer_comfort_poor",
        "share_heating_fuel_oil",
        "share_heating_electric",
    }
    assert "indicateur_confort_ete" in missing["share_summer_comfort_poor"]
    # certificates all outside the inhabited cells
    values, missing, _ = housing_indicators(
        grid, cells, _dpe([(X0 + 9_000, Y0, "G", "", "", 1.0)]), None
    )
    assert not values and set(missing) == set(HOUSING_IDS)
    assert all("aucun DPE du fichier fourni" in r for r in missing.values())
    # a file with no certificate in the territory at all: the same reason, not « non fournie »
    values, missing, _ = housing_indicators(grid, cells, _dpe([])[:0], None)
    assert not values and all("aucun DPE" in r for r in missing.values())


def test_qpv_compared_with_rest_of_commune_and_registry() -> None:
    rng = np.random.default_rng(3)
    n = 400
    x = X0 + rng.uniform(0, 2000, n)
    y = Y0 + rng.uniform(0, 2000, n)
    classes = rng.choice(list("ABCDEFG"), n)
    rows = [
        (float(a), float(b), str(c), "moyen", "Gaz naturel", 1.0)
        for a, b, c in zip(x, y, classes, strict=True)
    ]
    inputs = make_territory(housing=_dpe(rows))
    diag = run_diagnostic(inputs)
    q = diag.qpv_table().set_index("code_qp")
    big = q.loc["QN99901M"]
    assert 0 <= big["share_dpe_fg"] <= 1 and big["dpe_coverage"] > 0
    assert "gap_commune_share_dpe_fg" in q.columns and "ratio_epci_energy_poverty_proxy" in q
    assert np.isnan(q.loc["QN99902I", "share_dpe_fg"])  # under 50 residents: not shown
    # no DPE: every housing indicator empty with its reason
    bare = run_diagnostic(make_territory())
    assert bare.run["missing_indicators"]["share_dpe_fg"] == "DPE absents (source dpe non fournie)"
    assert bare.qpv_table()["share_dpe_fg"].isna().all()
    empty = run_diagnostic(make_territory(housing=_dpe([])))
    assert empty.run["missing_indicators"]["share_dpe_fg"].startswith("aucun DPE du fichier")
    # the sheet lists them in their own section, not in the dimension blocks
    assert not set(block_indicators(diag, "sensitivity")) & set(HOUSING_IDS)
    assert all(REGISTRY[i].direction in (-1, 1) for i in HOUSING_IDS)
