"""Per-QPV warning on the OpenStreetMap mapping of trees behind ``canopy_share``.

Without a tree-cover raster, the canopy counts the trees, woods and rows *mapped* in
OpenStreetMap: a QPV where few single trees are mapped may look bare because nobody mapped
its trees. There is no reference to measure that completeness against, so the warning
compares the QPV with the rest of the territory: the number of single trees mapped per
hectare inside the QPV against the same density over the territory's inhabited cells. A QPV
with no mapped single tree, or with less than :data:`LOW_DENSITY_RATIO` of the territory's
density, gets a French sentence in ``canopy_warning``; other QPV (and every QPV when the
canopy comes from a raster, or when no tree layer was read) get an empty text.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.schemas import TerritoryInputs
from quartiers.spatial.geometry import CELL_AREA_M2, CellGrid, polygons_3035

__all__ = ["LOW_DENSITY_RATIO", "add_canopy_warning"]

#: A QPV whose mapped single trees per hectare fall below this share of the territory's is
#: flagged (heuristic, documented in docs/method.md).
LOW_DENSITY_RATIO = 0.25
_HA = 10_000.0
_RASTER = "--source couvert_arbore"


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _warning(in_qpv: int, qpv_density: float, territory_density: float) -> str:
    if in_qpv == 0:
        return (
            "aucun arbre isolé cartographié dans OpenStreetMap sur le QPV : la canopée ne "
            "compte que bois et alignements et peut être sous-estimée (cartographie "
            f"incomplète ?) — un raster de couvert arboré ({_RASTER}) l'évite"
        )
    if qpv_density < LOW_DENSITY_RATIO * territory_density:
        return (
            f"{_fmt(qpv_density)} arbre(s) isolé(s) cartographié(s) par hectare dans le QPV "
            f"contre {_fmt(territory_density)} sur les carreaux habités du territoire : la "
            "cartographie OpenStreetMap des arbres y est peut-être incomplète et la canopée "
            f"sous-estimée — un raster de couvert arboré ({_RASTER}) l'évite"
        )
    return ""


def add_canopy_warning(
    qpv: gpd.GeoDataFrame, inputs: TerritoryInputs, xy: np.ndarray
) -> gpd.GeoDataFrame:
    """Return ``qpv`` with ``canopy_warning`` (French sentence or empty) appended.

    Parameters
    ----------
    qpv
        The QPV table with its polygons.
    inputs
        The territory inputs (``trees``, ``tree_cover``).
    xy
        South-west corners of the territory's cells (EPSG:3035).
    """
    out = qpv.copy()
    warnings = [""] * len(out)
    trees = inputs.trees
    if inputs.tree_cover is None and trees is not None and len(qpv) and len(xy):
        points = polygons_3035(trees)
        points = points[~pd.isna(points)]
        grid = CellGrid(np.asarray(xy, dtype=np.int64))
        in_cells = len(np.unique(grid.tree.query(points, predicate="intersects")[0]))
        territory_density = in_cells / (grid.n * CELL_AREA_M2 / _HA)
        polygons = polygons_3035(qpv)
        tree_index = shapely.STRtree(points)
        for k, polygon in enumerate(polygons):
            if polygon is None:
                continue
            hits = tree_index.query(polygon, predicate="intersects")
            area_ha = float(shapely.area(polygon)) / _HA
            density = len(hits) / area_ha if area_ha > 0 else 0.0
            warnings[k] = _warning(len(hits), density, territory_density)
    out["canopy_warning"] = pd.Series(warnings, index=out.index, dtype="object")
    return out
