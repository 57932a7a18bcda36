"""Per-QPV warning on the OpenStreetMap tree mapping behind the canopy (issue 22, point 6)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.diagnostic._canopy_warning import add_canopy_warning
from quartiers.schemas import TerritoryInputs

X0, Y0 = 3_700_000, 2_700_000


def _inputs(trees: list[tuple[float, float]] | None, *, raster: bool = False) -> TerritoryInputs:
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:3035"))
    layer = None
    if trees is not None:
        layer = gpd.GeoDataFrame(
            {"crown_m": [np.nan] * len(trees)},
            geometry=[shapely.Point(x, y) for x, y in trees],
            crs="EPSG:3035",
        ).to_crs("EPSG:2154")
    return TerritoryInputs(
        code="00000",
        name="Ville-Test",
        qpv=empty,
        cells=empty,
        communes=empty,
        trees=layer,
        tree_cover=pd.DataFrame({"idcar_200m": [], "tree_cover": []}) if raster else None,
    )


def _qpv() -> gpd.GeoDataFrame:
    # three QPV of 4 ha each on a 10 × 1 row of cells (40 ha)
    boxes = [shapely.box(X0 + 200 * k, Y0, X0 + 200 * (k + 1), Y0 + 200) for k in (0, 4, 8)]
    return gpd.GeoDataFrame({"code_qp": ["A", "B", "C"]}, geometry=boxes, crs="EPSG:3035")


XY = np.array([[X0 + 200 * k, Y0] for k in range(10)], dtype=np.int64)


def test_bare_and_thinly_mapped_qpv_are_flagged() -> None:
    # A: 40 trees (10 / ha); B: none; C: 1 tree (0.25 / ha); territory: 41 / 40 ha ≈ 1 / ha
    trees = [(X0 + 5 + 4 * i, Y0 + 100) for i in range(40)] + [(X0 + 1700, Y0 + 100)]
    out = add_canopy_warning(_qpv(), _inputs(trees), XY).set_index("code_qp")
    assert out.loc["A", "canopy_warning"] == ""
    assert out.loc["B", "canopy_warning"].startswith("aucun arbre isolé cartographié")
    c = out.loc["C", "canopy_warning"]
    assert c.startswith("0,2 arbre(s) isolé(s) cartographié(s) par hectare dans le QPV contre 1,0")
    assert "--source couvert_arbore" in c


def test_no_warning_with_a_tree_cover_raster_or_without_trees_layer() -> None:
    trees = [(X0 + 100, Y0 + 100)]
    with_raster = add_canopy_warning(_qpv(), _inputs(trees, raster=True), XY)
    assert with_raster["canopy_warning"].eq("").all()
    without_layer = add_canopy_warning(_qpv(), _inputs(None), XY)
    assert without_layer["canopy_warning"].eq("").all()
