"""Benchmark: a 10 m raster averaged over the 200 m cells of a 20 km × 20 km territory.

Writes a synthetic 10 m GeoTIFF (2,000 × 2,000 pixels, float32, 1 % nodata) twice: in the
grid's own CRS (EPSG:3035) and in Lambert-93 (EPSG:2154, reprojected while averaging), and
times :func:`quartiers.sources.raster.cell_means` over the 10,000 cells it covers. Prints
seconds, cells per second and the cost of reprojection (ratio 2154 / 3035).

Run: ``.venv/bin/python benchmarks/bench_raster_cells.py``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine

from quartiers.sources.raster import cell_means

X0, Y0 = 3_700_000, 2_700_000
SIDE_CELLS = 100
RES = 10.0
PIXELS = int(SIDE_CELLS * 200 / RES)


def _field(n: int) -> np.ndarray:
    """A smooth heat field (°C) with 1 % nodata pixels."""
    yy, xx = np.mgrid[0:n, 0:n] / n
    data = (20 + 4 * np.sin(3 * xx) * np.cos(2 * yy)).astype("float32")
    rng = np.random.default_rng(1)
    data[rng.uniform(size=data.shape) < 0.01] = -9999.0
    return data


def _write(path: Path, crs: str, west: float, north: float, data: np.ndarray) -> Path:
    profile = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": crs,
        "transform": Affine(RES, 0.0, west, 0.0, -RES, north),
        "nodata": -9999.0,
        "tiled": True,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def main() -> None:
    gx, gy = np.meshgrid(np.arange(SIDE_CELLS) * 200 + X0, np.arange(SIDE_CELLS) * 200 + Y0)
    xy = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)
    data = _field(PIXELS + 600)  # margin for the Lambert-93 copy (rotated grid)
    with tempfile.TemporaryDirectory() as tmp:
        own = _write(Path(tmp) / "a.tif", "EPSG:3035", X0, Y0 + SIDE_CELLS * 200, data)
        west, north = Transformer.from_crs(3035, 2154, always_xy=True).transform(
            X0 - 3000, Y0 + SIDE_CELLS * 200 + 3000
        )
        l93 = _write(Path(tmp) / "b.tif", "EPSG:2154", west, north, data)
        times = {}
        means = {}
        for name, path in (("EPSG:3035", own), ("EPSG:2154", l93)):
            start = time.perf_counter()
            means[name], _ = cell_means(path, xy, what="bench")
            times[name] = time.perf_counter() - start
            print(
                f"{name}: {len(xy):,} cells in {times[name]:.2f} s "
                f"({len(xy) / times[name]:,.0f} cells/s); "
                f"cells with a value: {np.isfinite(means[name]).sum():,}"
            )
    print(f"reprojection cost (2154 / 3035): {times['EPSG:2154'] / times['EPSG:3035']:.2f}×")


if __name__ == "__main__":
    main()
