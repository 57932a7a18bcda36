from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from _synthetic import X0, Y0, communes_layer, make_cells, qpv_layer
from quartiers.diagnostic.aggregate import aggregate_cells
from quartiers.indicators.sensitivity import sensitivity_indicators
from quartiers.spatial.overlaps import overlap_matrix
from quartiers.spatial.zones import build_zones


def _xy(cells: pd.DataFrame) -> np.ndarray:
    return cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)


def _loop_shares(cells: pd.DataFrame, geom: shapely.Geometry) -> np.ndarray:
    """Independent route: one shapely intersection per cell, in a plain loop."""
    out = []
    for x, y in _xy(cells):
        box = shapely.box(x, y, x + 200, y + 200)
        out.append(shapely.intersection(box, geom).area / 40_000.0)
    return np.asarray(out)


def test_overlap_matrix_matches_cell_by_cell_intersections() -> None:
    cells = make_cells()
    q = qpv_layer()
    matrix = overlap_matrix(_xy(cells), q.geometry).toarray()
    for z, geom in enumerate(q.geometry):
        np.testing.assert_allclose(matrix[z], _loop_shares(cells, geom), atol=1e-12)


def test_counts_and_rates_are_sums_of_shared_counts() -> None:
    cells = make_cells()
    q = qpv_layer()
    ind, _ = sensitivity_indicators(cells)
    totals = aggregate_cells(
        overlap_matrix(_xy(cells), q.geometry),
        population=cells["ind"].to_numpy(),
        households=cells["men"].to_numpy(),
        poor_households=cells["men_pauv"].to_numpy(),
        imputed=cells["imputed"].to_numpy(),
        indicators=ind,
    )
    share = _loop_shares(cells, q.geometry.iloc[0])
    pop = float((share * cells["ind"]).sum())
    men = float((share * cells["men"]).sum())
    poor = float((share * cells["men_pauv"]).sum())
    old = float((share * (cells["ind_65_79"] + cells["ind_80p"])).sum())
    assert totals.population[0] == pytest.approx(pop, rel=1e-12)
    assert totals.households[0] == pytest.approx(men, rel=1e-12)
    assert totals.poor_households[0] == pytest.approx(poor, rel=1e-12)
    j = totals.indicator_ids.index("poverty_rate")
    assert totals.values[0, j] == pytest.approx(poor / men, rel=1e-12)
    j = totals.indicator_ids.index("share_65p")
    assert totals.values[0, j] == pytest.approx(old / pop, rel=1e-12)
    # a ratio of sums, not a mean of cell ratios
    cell_rates = (cells["men_pauv"] / cells["men"]).where(cells["men"] > 0)
    naive = float(np.nansum(share * cell_rates) / share[cell_rates.notna()].sum())
    assert abs(naive - poor / men) > 1e-6
    imputed_pop = float((share * cells["ind"] * cells["imputed"]).sum())
    assert totals.imputed_population[0] == pytest.approx(imputed_pop, rel=1e-12)


def test_population_conserved_between_cells_and_zones() -> None:
    cells = make_cells()
    zones = build_zones(qpv_layer(), communes_layer())
    totals = aggregate_cells(
        overlap_matrix(_xy(cells), zones.geometry),
        population=cells["ind"].to_numpy(),
        households=cells["men"].to_numpy(),
        poor_households=cells["men_pauv"].to_numpy(),
        imputed=cells["imputed"].to_numpy(),
        indicators={},
    )
    partition = zones["zone_type"].isin(["qpv", "reste_commune"]).to_numpy()
    total = float(cells["ind"].sum())
    assert totals.population[partition].sum() == pytest.approx(total, rel=1e-9)
    epci = (zones["zone_type"] == "reste_epci").to_numpy()
    qpv = (zones["zone_type"] == "qpv").to_numpy()
    assert totals.population[epci | qpv].sum() == pytest.approx(total, rel=1e-9)


def test_combine_adds_disjoint_zones() -> None:
    cells = make_cells()
    zones = build_zones(qpv_layer(), communes_layer())
    ind, _ = sensitivity_indicators(cells)
    totals = aggregate_cells(
        overlap_matrix(_xy(cells), zones.geometry),
        population=cells["ind"].to_numpy(),
        households=cells["men"].to_numpy(),
        poor_households=cells["men_pauv"].to_numpy(),
        imputed=cells["imputed"].to_numpy(),
        indicators=ind,
    )
    rests = np.flatnonzero((zones["zone_type"] == "reste_commune").to_numpy())
    both = totals.combine([list(rests), []])
    epci = int(np.flatnonzero((zones["zone_type"] == "reste_epci").to_numpy())[0])
    np.testing.assert_allclose(both.num[0], totals.num[epci], rtol=1e-12)
    np.testing.assert_allclose(both.values[0], totals.values[epci], rtol=1e-12)
    assert both.population[1] == 0 and np.isnan(both.values[1]).all()


@settings(max_examples=30, deadline=None)
@given(st.floats(-300, 1800), st.floats(-300, 1800), st.floats(20, 900), st.floats(20, 900))
def test_zone_population_equals_area_weighted_sum(x: float, y: float, w: float, h: float) -> None:
    cells = make_cells(seed=5)
    zone = shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)
    totals = aggregate_cells(
        overlap_matrix(_xy(cells), [zone]),
        population=cells["ind"].to_numpy(),
        households=cells["men"].to_numpy(),
        poor_households=cells["men_pauv"].to_numpy(),
        imputed=cells["imputed"].to_numpy(),
        indicators={},
    )
    expected = float((_loop_shares(cells, zone) * cells["ind"]).sum())
    assert totals.population[0] == pytest.approx(expected, rel=1e-9, abs=1e-9)
