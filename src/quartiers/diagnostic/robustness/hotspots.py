"""Hotspots of a scored run: local Moran's I of the cell index (robustness step).

:func:`find_hotspots` runs :func:`quartiers.method.hotspots.local_moran` on the cells, the
share of each QPV's cells and residents in hotspots, and — when the Monte Carlo ran — how
often each cell is a hotspot across the draws; it returns the ``hotspots`` layer, the new
``qpv`` columns and the ``hotspots`` section of ``run.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic.robustness.columns import HOTSPOT_COLUMNS
from quartiers.diagnostic.robustness.inputs import RobustnessInputs, resident_mean
from quartiers.method.hotspot_draws import hotspot_draw_share
from quartiers.method.hotspots import LocalMoran, local_moran, zone_shares
from quartiers.progress import Progress
from quartiers.spatial.grid import CELL_CRS

__all__ = ["HotspotResult", "empty_hotspots", "find_hotspots"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class HotspotResult:
    """Outcome of the hotspot step.

    Attributes
    ----------
    columns
        New ``qpv`` columns (``hotspot_cell_share``, ``hotspot_population_share`` and,
        after a Monte Carlo, ``hotspot_draw_share``).
    layer
        The ``hotspots`` layer (EPSG:3035).
    record
        The ``hotspots`` section of ``run.json``.
    draw_share
        Per cell, the share of draws where it is a hotspot (NaN without draws).
    """

    columns: dict[str, Any]
    layer: gpd.GeoDataFrame
    record: dict[str, Any]
    draw_share: FloatArray


def find_hotspots(
    cells: gpd.GeoDataFrame,
    data: RobustnessInputs,
    *,
    seed: int,
    draws_cells: FloatArray | None,
    progress: Progress,
) -> HotspotResult:
    """Return the hotspots of the ``cells`` layer's index and each QPV's share in them."""
    settings = data.method.hotspots
    corners = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
    progress.start("Points chauds : I de Moran local des carreaux", total=None)
    try:
        lisa = local_moran(
            cells["index"].to_numpy(dtype="float64"),
            corners,
            permutations=settings.permutations,
            fdr=settings.fdr,
            seed=seed,
        )
    finally:
        progress.finish()
    cell_share, pop_share = zone_shares(data.qpv_matrix, lisa.hotspot, data.cell_population)
    columns: dict[str, Any] = {
        "hotspot_cell_share": cell_share,
        "hotspot_population_share": pop_share,
    }
    draw_share = np.full(len(data.cell_population), np.nan)
    if draws_cells is not None:
        draw_share = hotspot_draw_share(draws_cells, corners, lisa.tested, fdr=settings.fdr)
        columns["hotspot_draw_share"] = resident_mean(
            data.qpv_matrix, draw_share, data.cell_population
        )
    record = {
        "enabled": True,
        **lisa.record(),
        "draws_tested": 0 if draws_cells is None else int(draws_cells.shape[0]),
        "draws_method": "I de Moran local de chaque tirage, loi normale sous "
        "randomisation (Anselin, 1995), Benjamini–Hochberg tirage par tirage",
    }
    return HotspotResult(
        columns=columns,
        layer=_hotspot_layer(cells, lisa, draw_share),
        record=record,
        draw_share=draw_share,
    )


def empty_hotspots() -> gpd.GeoDataFrame:
    """Return an empty ``hotspots`` layer (analysis not run)."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in HOTSPOT_COLUMNS})
    for col in ("idcar_200m", "insee_com", "code_qp"):
        frame[col] = frame[col].astype("string")
    frame["cluster"] = frame["cluster"].astype("int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CELL_CRS), crs=CELL_CRS)


def _hotspot_layer(
    cells: gpd.GeoDataFrame, lisa: LocalMoran, draw_share: FloatArray
) -> gpd.GeoDataFrame:
    """Return the hotspot cells with their statistics (EPSG:3035)."""
    hot = lisa.hotspot
    frame = pd.DataFrame(
        {
            "idcar_200m": cells["idcar_200m"].astype("string").to_numpy()[hot],
            "insee_com": cells["insee_com"].astype("string").to_numpy()[hot],
            "code_qp": cells["code_qp"].astype("string").to_numpy()[hot],
            "population": cells["population"].to_numpy(dtype="float64")[hot],
            "index": cells["index"].to_numpy(dtype="float64")[hot],
            "local_i": lisa.local_i[hot],
            "p_value": lisa.p_value[hot],
            "q_value": lisa.q_value[hot],
            "cluster": lisa.cluster[hot],
            "hotspot_draw_share": draw_share[hot],
        }
    )
    for col in ("idcar_200m", "insee_com", "code_qp"):
        frame[col] = frame[col].astype("string")
    return gpd.GeoDataFrame(frame, geometry=cells.geometry.to_numpy()[hot], crs=CELL_CRS)
