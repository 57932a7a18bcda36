"""Rasters averaged on the INSEE 200 m cells: night heat (``chaleur_nuit``), tree cover.

Any single-band raster GDAL reads through rasterio (GeoTIFF; a NetCDF file holding one variable
at one time also opens), in any declared CRS.

Averaging (documented in ``docs/sources.md``): each 200 m cell (EPSG:3035) is split into
:data:`SUB` × :data:`SUB` sub-squares of 20 m; the raster is reprojected onto these
sub-squares with GDAL's ``average`` resampling (mean of the source pixels each sub-square
overlaps, weighted by overlap area), and the cell value is the mean of its valid
sub-squares: the raster's area-weighted mean over the cell, to 1/100 of the cell. Nodata
pixels (the file's nodata value, NaN, values outside the accepted range) are left out; a
cell with less than :data:`MIN_COVERAGE` of its area valid gets no value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.errors import InputError

__all__ = [
    "CELL_M",
    "MIN_COVERAGE",
    "SUB",
    "TREE_COVER_RANGE",
    "cell_means",
    "read_night_heat",
    "read_tree_cover",
]

#: Side of an INSEE cell (m, EPSG:3035).
CELL_M = 200
#: Sub-squares per cell side (20 m sub-squares).
SUB = 10
#: Share of a cell that must hold valid pixels for the cell to get a value.
MIN_COVERAGE = 0.5
#: Accepted tree cover density values (%): Copernicus HRL codes 254 (unclassifiable) and 255
#: (outside area) fall outside and are read as nodata.
TREE_COVER_RANGE = (0.0, 100.0)
#: Cells per tile side read at once (limits memory to ~12 MB of float64 per tile).
_TILE = 125
_GRID_CRS = "EPSG:3035"


def _open(path: Path, what: str) -> Any:
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise InputError(
            f"{path} : raster illisible ({exc}) — attendu un GeoTIFF (ou NetCDF lisible par "
            f"GDAL) donnant {what}"
        ) from None


def cell_means(
    path: Path,
    xy: NDArray[np.int64],
    *,
    what: str,
    valid: tuple[float, float] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the mean of a raster over each 200 m cell and the share of the cell it covers.

    Parameters
    ----------
    path
        The raster (band 1 is read).
    xy
        South-west corners of the cells (EPSG:3035, metres), shape (n, 2).
    what
        What the raster gives (French), for messages.
    valid
        Accepted value range (inclusive); values outside are treated as nodata.

    Raises
    ------
    InputError
        Unreadable file, raster without CRS, raster that does not reach the territory or
        without a single valid value on it (French message naming the file).
    """
    from rasterio.warp import transform_bounds

    path = Path(path)
    src = _open(path, what)
    with src as ds:
        if ds.crs is None:
            raise InputError(
                f"{path} : raster sans système de coordonnées (SCR) — attendu un raster "
                f"géoréférencé donnant {what} (EPSG:2154, EPSG:3035 ou tout SCR déclaré)"
            )
        if ds.count != 1:
            raise InputError(
                f"{path} : raster à {ds.count} bandes — attendu une seule bande donnant {what} "
                "(extrayez-la d'abord, par ex. « gdal_translate -b N », ou moyennez les heures "
                "de nuit d'un NetCDF horaire)"
            )
        box = (
            float(xy[:, 0].min()),
            float(xy[:, 1].min()),
            float(xy[:, 0].max()) + CELL_M,
            float(xy[:, 1].max()) + CELL_M,
        )
        try:
            r = transform_bounds(ds.crs, _GRID_CRS, *ds.bounds)
        except Exception as exc:  # GDAL/PROJ errors on a wrong CRS
            raise InputError(
                f"{path} : SCR du raster ({ds.crs}) inutilisable ({exc}) — attendu un SCR "
                "déclaré correspondant aux coordonnées du fichier"
            ) from None
        if not all(math.isfinite(v) for v in r) or not (
            r[0] < box[2] and r[2] > box[0] and r[1] < box[3] and r[3] > box[1]
        ):
            raise InputError(
                f"{path} : le raster ne couvre pas le territoire (emprise du raster en "
                f"EPSG:3035 {tuple(round(v) for v in r) if all(map(math.isfinite, r)) else r}, "
                f"territoire {tuple(round(v) for v in box)}) — attendu un raster de {what} "
                f"couvrant le territoire ; vérifiez aussi son SCR déclaré ({ds.crs})"
            )
        mean, covered = _average(ds, xy, valid)
    if not np.isfinite(mean).any():
        raise InputError(
            f"{path} : aucune valeur valide du raster sur les carreaux du territoire (pixels "
            f"nodata ou hors de la plage attendue{_range(valid)}) — attendu {what} couvrant "
            "le territoire"
        )
    return mean, covered


def _range(valid: tuple[float, float] | None) -> str:
    if valid is None:
        return ""
    return f" {valid[0]:g}–{valid[1]:g}".replace(".", ",")


def _average(
    ds: Any, xy: NDArray[np.int64], valid: tuple[float, float] | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Average the raster over the cells, tile by tile of :data:`_TILE` cells."""
    n = len(xy)
    mean = np.full(n, np.nan)
    covered = np.zeros(n)
    col = (xy[:, 0] // CELL_M).astype(np.int64)
    row = (xy[:, 1] // CELL_M).astype(np.int64)
    tiles = pd.DataFrame({"tx": col // _TILE, "ty": row // _TILE})
    for members in tiles.groupby(["tx", "ty"]).groups.values():
        idx = np.asarray(members, dtype=np.int64)
        c0, r0 = int(col[idx].min()), int(row[idx].min())
        c1, r1 = int(col[idx].max()) + 1, int(row[idx].max()) + 1
        sub = _warp(ds, c0, r0, c1, r1)  # rows from north to south
        if valid is not None:
            sub[(sub < valid[0]) | (sub > valid[1])] = np.nan
        h, w = r1 - r0, c1 - c0
        blocks = sub.reshape(h, SUB, w, SUB)
        ok = np.isfinite(blocks)
        count = ok.sum(axis=(1, 3))
        total = np.where(ok, blocks, 0.0).sum(axis=(1, 3), dtype="float64")
        i = (r1 - 1 - row[idx]).astype(np.int64)
        j = (col[idx] - c0).astype(np.int64)
        share = count[i, j] / (SUB * SUB)
        covered[idx] = share
        with np.errstate(invalid="ignore", divide="ignore"):
            values = total[i, j] / count[i, j]
        mean[idx] = np.where(share >= MIN_COVERAGE, values, np.nan)
    return mean, covered


def _warp(ds: Any, c0: int, r0: int, c1: int, r1: int) -> NDArray[np.float64]:
    """Return band 1 reprojected onto the 20 m sub-squares of cells ``[c0, c1) × [r0, r1)``."""
    import rasterio
    from rasterio.transform import Affine
    from rasterio.warp import Resampling, reproject

    step = CELL_M / SUB
    out = np.full(((r1 - r0) * SUB, (c1 - c0) * SUB), np.nan, dtype="float64")
    reproject(
        source=rasterio.band(ds, 1),
        destination=out,
        src_nodata=ds.nodata,
        dst_transform=Affine(step, 0.0, c0 * CELL_M, 0.0, -step, r1 * CELL_M),
        dst_crs=_GRID_CRS,
        dst_nodata=np.nan,
        resampling=Resampling.average,
    )
    return out


def read_night_heat(path: Path, cells: pd.DataFrame) -> pd.DataFrame:
    """Read a night-time heat raster and average it per 200 m cell.

    Parameters
    ----------
    path
        Raster of urban heat-island intensity or night land-surface temperature (°C or K:
        the indicator is a within-territory rank, so the unit does not change it).
    cells
        Filosofi cells with ``idcar_200m``, ``x_sw``, ``y_sw`` (EPSG:3035).

    Returns
    -------
    pandas.DataFrame
        ``idcar_200m``, ``night_heat`` (cell mean, NaN when less than half covered) and
        ``night_heat_coverage`` (share of the cell with valid pixels).
    """
    xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
    mean, covered = cell_means(
        path, xy, what="la chaleur nocturne (îlot de chaleur ou température de surface)"
    )
    return pd.DataFrame(
        {
            "idcar_200m": cells["idcar_200m"].astype(str).to_numpy(),
            "night_heat": mean,
            "night_heat_coverage": covered,
        }
    )


def read_tree_cover(path: Path, cells: pd.DataFrame) -> pd.DataFrame:
    """Read a tree cover density raster (0–100 %) and average it per 200 m cell.

    Parameters
    ----------
    path
        Raster of tree cover density in percent (e.g. Copernicus HRL Tree Cover Density);
        values outside 0–100 (HRL 254, 255) are nodata.
    cells
        Filosofi cells with ``idcar_200m``, ``x_sw``, ``y_sw`` (EPSG:3035).

    Returns
    -------
    pandas.DataFrame
        ``idcar_200m``, ``tree_cover`` (share of the cell under tree cover, 0–1; NaN when less
        than half covered) and ``tree_cover_coverage`` (share of the cell with valid pixels).
    """
    xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
    mean, covered = cell_means(
        path, xy, what="le couvert arboré (densité, 0 à 100 %)", valid=TREE_COVER_RANGE
    )
    return pd.DataFrame(
        {
            "idcar_200m": cells["idcar_200m"].astype(str).to_numpy(),
            "tree_cover": mean / 100.0,
            "tree_cover_coverage": covered,
        }
    )
