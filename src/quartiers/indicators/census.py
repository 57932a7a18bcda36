"""Census counts by IRIS allocated to the 200 m cells by population (pure functions).

An IRIS count (people aged 80+ living alone, people and rooms of main residences) is shared
among the pieces of cells it covers in proportion to their residents: a cell piece holds
``ind × (piece area / cell area)`` residents (Filosofi, residents assumed evenly spread in the
cell), and receives ``count × piece residents / IRIS residents``. A cell sums its pieces.
This keeps every IRIS total (when its cells have residents) and gives a cell straddling two
IRIS a mix weighted by where its residents are likely to live. A cell less than half covered
by IRIS with data gets no value; an IRIS whose cells have no residents cannot be allocated.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from quartiers.indicators.base import CellIndicator, from_counts
from quartiers.spatial.geometry import CELL_AREA_M2, CellGrid, polygons_3035

__all__ = ["MIN_IRIS_COVERAGE", "allocate_by_population", "census_indicators"]

#: Share of a cell that IRIS with data must cover for the cell to get census values.
MIN_IRIS_COVERAGE = 0.5


def allocate_by_population(
    grid: CellGrid,
    population: NDArray[np.float64],
    iris: gpd.GeoDataFrame,
    columns: list[str],
) -> tuple[dict[str, NDArray[np.float64]], NDArray[np.float64]]:
    """Return each IRIS count of ``columns`` allocated to the cells, and the covered share.

    Parameters
    ----------
    grid
        The cells (EPSG:3035).
    population
        Residents of each cell (``ind``; NaN counts as 0).
    iris
        IRIS polygons with the count ``columns`` (:data:`~quartiers.schemas.RP_IRIS_COLUMNS`).
    columns
        Counts to allocate.

    Returns
    -------
    tuple
        ``(counts, covered)``: column → allocated count per cell (NaN where the cell is less
        than :data:`MIN_IRIS_COVERAGE` covered by IRIS holding that count), and the share of
        each cell covered by IRIS contours.
    """
    pop = np.nan_to_num(np.asarray(population, dtype="float64"), nan=0.0)
    feat, cell, piece = grid.pieces(polygons_3035(iris))
    share = shapely.area(piece) / CELL_AREA_M2
    residents = pop[cell] * share
    iris_residents = np.bincount(feat, weights=residents, minlength=len(iris))
    covered = np.minimum(np.bincount(cell, weights=share, minlength=grid.n), 1.0)
    out: dict[str, NDArray[np.float64]] = {}
    for column in columns:
        count = iris[column].to_numpy(dtype="float64", na_value=np.nan)[feat]
        ok = np.isfinite(count) & (iris_residents[feat] > 0)
        part = np.zeros(len(feat))
        part[ok] = count[ok] * residents[ok] / iris_residents[feat][ok]
        total = np.bincount(cell, weights=part, minlength=grid.n)
        known = np.bincount(cell[ok], weights=share[ok], minlength=grid.n)
        out[column] = np.where(known >= MIN_IRIS_COVERAGE, total, np.nan)
    return out, covered


def census_indicators(
    grid: CellGrid, population: NDArray[np.float64], iris: gpd.GeoDataFrame
) -> tuple[dict[str, CellIndicator], dict[str, str], NDArray[np.float64]]:
    """Compute ``share_80p_alone`` and ``persons_per_room`` on the cells.

    Returns
    -------
    tuple
        ``(indicators, missing, covered)``: the indicators the tables allow, French reasons
        for the others (variable absent from every table given), and the IRIS coverage.
    """
    counts, covered = allocate_by_population(
        grid, population, iris, ["pop80p_alone", "rp_persons", "rp_rooms"]
    )
    found: dict[str, CellIndicator] = {}
    missing: dict[str, str] = {}
    if iris["pop80p_alone"].notna().any():
        found["share_80p_alone"] = from_counts(counts["pop80p_alone"], population)
    else:
        missing["share_80p_alone"] = (
            "P21_POP80P_PSEUL absent des tables rp_iris (base couples-familles-ménages)"
        )
    if iris["rp_persons"].notna().any() and iris["rp_rooms"].notna().any():
        found["persons_per_room"] = from_counts(counts["rp_persons"], counts["rp_rooms"])
    else:
        missing["persons_per_room"] = (
            "P21_NPER_RP ou P21_NBPI_RP absent des tables rp_iris (base logement)"
        )
    return found, missing, covered
