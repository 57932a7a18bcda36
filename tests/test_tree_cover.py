"""Tree cover raster (source couvert_arbore): canopy_share from the raster instead of OSM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import Affine

from _synthetic import X0, Y0, environment_layers, make_territory
from quartiers.diagnostic import RobustnessOptions, run_diagnostic
from quartiers.sources.raster import read_tree_cover

_FAST = RobustnessOptions(uncertainty=False, hotspots=False)


def _raster(path: Path) -> Path:
    """A 10 m tree cover density GeoTIFF over the synthetic block: 80 % west, 10 % east."""
    data = np.full((200, 200), 10, dtype="uint8")
    data[:, :100] = 80
    profile = {
        "driver": "GTiff",
        "width": 200,
        "height": 200,
        "count": 1,
        "dtype": "uint8",
        "crs": "EPSG:3035",
        "transform": Affine(10.0, 0.0, X0, 0.0, -10.0, Y0 + 2000),
        "nodata": 255,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def test_canopy_comes_from_the_raster_when_given(tmp_path: Path) -> None:
    inputs = make_territory(**environment_layers())
    osm = run_diagnostic(inputs, robustness=_FAST)
    inputs.tree_cover = read_tree_cover(_raster(tmp_path / "tcd.tif"), inputs.cells)
    diag = run_diagnostic(inputs, robustness=_FAST)
    cells = diag.cells
    west = cells["x_sw"] < X0 + 1000
    assert cells.loc[west, "canopy_share"].eq(0.8).all()
    assert cells.loc[~west, "canopy_share"].eq(0.1).all()
    # green spaces still come from the vector layers, unchanged
    np.testing.assert_allclose(cells["green_share"], osm.cells["green_share"])
    assert not np.allclose(cells["canopy_share"], osm.cells["canopy_share"])
    assert any("couvert_arbore" in note for note in diag.run["notes"])


def test_raster_alone_gives_canopy_and_leaves_green_missing(tmp_path: Path) -> None:
    inputs = make_territory()
    inputs.tree_cover = read_tree_cover(_raster(tmp_path / "tcd.tif"), inputs.cells)
    diag = run_diagnostic(inputs, robustness=_FAST)
    assert "canopy_share" not in diag.run["missing_indicators"]
    assert "green_share" in diag.run["missing_indicators"]
    q = diag.qpv_table().set_index("code_qp").loc["QN99901M"]
    assert 0.1 <= q["canopy_share"] <= 0.8
