"""Local Climate Zones of the large towns of the fictitious France, as CEREMA's LCZ layer.

The largest town of every département (its first) gets square blocks of
:data:`LCZ_BLOCK_M` over :data:`LCZ_RADIUS_M` around its centre: compact mid-rise (2) at the
centre, open high-rise (4) in blocks meeting a QPV, open mid-rise (5) then open low-rise (6)
farther out, scattered trees (B) or low plants (D) at the edge. One GeoPackage layer in
Lambert-93 with ``lcz`` and ``lcz_int``, as :func:`quartiers.sources.lcz.read_lcz` reads the
CEREMA files.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from numpy.random import Generator

from quartiers.demo._geo import _pinned_gpkg_dates
from quartiers.demo.national._files import FICTITIOUS

__all__ = ["LCZ_BLOCK_M", "LCZ_RADIUS_M", "lcz_blocks", "write_lcz"]

#: Side of an LCZ block (m) and half-side of the square covered around a large town (m).
LCZ_BLOCK_M = 500.0
LCZ_RADIUS_M = 4_000.0
_INT = {"2": 2, "4": 4, "5": 5, "6": 6, "B": 12, "D": 14}


def lcz_blocks(
    centre: tuple[float, float], qpv: list[shapely.Geometry], rng: Generator
) -> tuple[list[str], list[shapely.Geometry]]:
    """Return the LCZ codes and square blocks (EPSG:3035) around a large town's centre."""
    x0 = np.floor((centre[0] - LCZ_RADIUS_M) / LCZ_BLOCK_M) * LCZ_BLOCK_M
    y0 = np.floor((centre[1] - LCZ_RADIUS_M) / LCZ_BLOCK_M) * LCZ_BLOCK_M
    n = int(2 * LCZ_RADIUS_M // LCZ_BLOCK_M)
    i, j = np.meshgrid(np.arange(n), np.arange(n))
    bx, by = x0 + i.ravel() * LCZ_BLOCK_M, y0 + j.ravel() * LCZ_BLOCK_M
    blocks = shapely.box(bx, by, bx + LCZ_BLOCK_M, by + LCZ_BLOCK_M)
    dist = np.hypot(bx + LCZ_BLOCK_M / 2 - centre[0], by + LCZ_BLOCK_M / 2 - centre[1])
    dist = dist * rng.uniform(0.85, 1.15, len(dist))
    near_qpv = np.zeros(len(blocks), dtype=bool)
    if qpv:
        tree = shapely.STRtree(qpv)
        near_qpv[np.unique(tree.query(blocks, predicate="intersects")[0])] = True
    codes = np.select(
        [near_qpv, dist < 1_000, dist < 2_200, dist < 3_200, dist < 3_700],
        ["4", "2", "5", "6", "B"],
        "D",
    )
    return [str(c) for c in codes], list(blocks)


def write_lcz(codes: list[str], blocks: list[shapely.Geometry], path: Path) -> None:
    """Write the blocks (EPSG:3035) as a CEREMA-like LCZ GeoPackage layer in Lambert-93."""
    path.unlink(missing_ok=True)
    frame = gpd.GeoDataFrame(
        {"lcz": codes, "lcz_int": [_INT[c] for c in codes]}, geometry=blocks, crs="EPSG:3035"
    ).to_crs("EPSG:2154")
    with _pinned_gpkg_dates():
        frame.to_file(
            path,
            layer="lcz_spot_2022_france_fictive",
            engine="pyogrio",
            layer_options={"DESCRIPTION": FICTITIOUS},
        )
