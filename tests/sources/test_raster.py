"""Rasters averaged per 200 m cell (source chaleur_nuit): tiny GeoTIFFs written in the test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine

from quartiers.errors import InputError
from quartiers.sources.raster import cell_means, read_night_heat, read_tree_cover

X0, Y0 = 3_800_000, 2_800_000  # EPSG:3035, multiples of 200 m


def _write(
    path: Path,
    data: np.ndarray,
    *,
    west: float,
    north: float,
    res: float,
    crs: str | None = "EPSG:3035",
    nodata: float | None = None,
) -> Path:
    profile = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": str(data.dtype),
        "transform": Affine(res, 0.0, west, 0.0, -res, north),
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _cells(*corners: tuple[int, int]) -> np.ndarray:
    return np.asarray(corners, dtype=np.int64)


def test_cell_mean_is_the_area_weighted_mean_without_nodata(tmp_path: Path) -> None:
    # 10 m pixels over 2 × 2 cells; the north-west quarter of the north-west cell is nodata
    data = np.arange(40 * 40, dtype="float32").reshape(40, 40)
    data[0:10, 0:10] = -9999
    tif = _write(tmp_path / "n.tif", data, west=X0, north=Y0 + 400, res=10, nodata=-9999)
    xy = _cells((X0, Y0), (X0 + 200, Y0), (X0, Y0 + 200), (X0 + 200, Y0 + 200))
    mean, covered = cell_means(tif, xy, what="test")
    nw = data[0:20, 0:20].astype("float64")
    expected = [
        data[20:, :20].mean(),
        data[20:, 20:].mean(),
        nw[nw != -9999].mean(),
        data[:20, 20:].mean(),
    ]
    np.testing.assert_allclose(mean, expected, rtol=1e-9)
    np.testing.assert_allclose(covered, [1, 1, 0.75, 1])


def test_coarse_pixels_weighted_by_the_area_they_cover(tmp_path: Path) -> None:
    # 300 m pixels: the cell [X0, X0+200) lies in the first; the next cell straddles two
    data = np.array([[10.0, 40.0]], dtype="float32")
    tif = _write(tmp_path / "c.tif", data, west=X0, north=Y0 + 300, res=300)
    xy = _cells((X0, Y0), (X0 + 200, Y0))
    mean, covered = cell_means(tif, xy, what="test")
    # second cell: 100 m at 10 and 100 m at 40 → 25
    np.testing.assert_allclose(mean, [10.0, 25.0])
    np.testing.assert_allclose(covered, [1.0, 1.0])


def test_cell_less_than_half_covered_gets_no_value(tmp_path: Path) -> None:
    data = np.full((20, 40), 3.0, dtype="float32")
    data[:, 8:20] = np.nan  # only 40 % of the first cell has values; the second is full
    tif = _write(tmp_path / "h.tif", data, west=X0, north=Y0 + 200, res=10)
    mean, covered = cell_means(tif, _cells((X0, Y0), (X0 + 200, Y0)), what="test")
    assert np.isnan(mean[0]) and covered[0] == pytest.approx(0.4)
    assert mean[1] == 3.0 and covered[1] == 1.0


def test_raster_in_lambert93_is_reprojected(tmp_path: Path) -> None:
    # a Lambert-93 raster, hotter east of a north-south line through the 3035 cells
    to93 = Transformer.from_crs(3035, 2154, always_xy=True)
    west, north = to93.transform(X0 - 600, Y0 + 1200)
    data = np.full((200, 200), 18.0, dtype="float32")
    tif = _write(tmp_path / "l93.tif", data, west=west, north=north, res=10, crs="EPSG:2154")
    mean, covered = cell_means(tif, _cells((X0, Y0), (X0 + 200, Y0)), what="test")
    np.testing.assert_allclose(mean, [18.0, 18.0])
    np.testing.assert_allclose(covered, [1.0, 1.0])


def test_raster_in_degrees_is_reprojected(tmp_path: Path) -> None:
    to4326 = Transformer.from_crs(3035, 4326, always_xy=True)
    lon, lat = to4326.transform(X0 - 1000, Y0 + 1000)
    data = np.full((100, 100), 300.5, dtype="float32")  # kelvin
    tif = _write(tmp_path / "deg.tif", data, west=lon, north=lat, res=0.0005, crs="EPSG:4326")
    mean, _ = cell_means(tif, _cells((X0, Y0)), what="test")
    assert mean[0] == pytest.approx(300.5)


def test_netcdf_with_one_variable_is_read(tmp_path: Path) -> None:
    import rasterio.shutil

    data = np.full((20, 40), 5.0, dtype="float32")
    data[:, 20:] = 7.0
    tif = _write(tmp_path / "a.tif", data, west=X0, north=Y0 + 200, res=10, nodata=-9999.0)
    nc = tmp_path / "nuit.nc"
    rasterio.shutil.copy(tif, nc, driver="netCDF")
    mean, _ = cell_means(nc, _cells((X0, Y0), (X0 + 200, Y0)), what="test")
    np.testing.assert_allclose(mean, [5.0, 7.0])


def test_raster_not_covering_the_territory_is_refused(tmp_path: Path) -> None:
    data = np.ones((10, 10), dtype="float32")
    tif = _write(tmp_path / "loin.tif", data, west=X0 + 50_000, north=Y0 + 50_000, res=10)
    with pytest.raises(InputError, match=r"loin\.tif : le raster ne couvre pas le territoire"):
        cell_means(tif, _cells((X0, Y0)), what="test")


def test_wrong_crs_reads_as_not_covering(tmp_path: Path) -> None:
    # Lambert-93 coordinates declared as EPSG:3035: far from the cells, named as such
    data = np.ones((10, 10), dtype="float32")
    tif = _write(tmp_path / "scr.tif", data, west=380_000, north=6_650_000, res=10)
    with pytest.raises(InputError, match=r"scr\.tif : .*vérifiez aussi son SCR"):
        cell_means(tif, _cells((X0, Y0)), what="test")


def test_raster_without_crs_is_refused(tmp_path: Path) -> None:
    data = np.ones((20, 20), dtype="float32")
    tif = _write(tmp_path / "nu.tif", data, west=X0, north=Y0 + 200, res=10, crs=None)
    with pytest.raises(InputError, match=r"nu\.tif : raster sans système de coordonnées"):
        cell_means(tif, _cells((X0, Y0)), what="test")


def test_only_nodata_on_the_territory_is_refused(tmp_path: Path) -> None:
    data = np.full((20, 20), 255, dtype="uint8")
    tif = _write(tmp_path / "vide.tif", data, west=X0, north=Y0 + 200, res=10, nodata=255)
    with pytest.raises(InputError, match=r"vide\.tif : aucune valeur valide"):
        cell_means(tif, _cells((X0, Y0)), what="test")


def test_values_outside_the_range_are_nodata(tmp_path: Path) -> None:
    data = np.full((20, 20), 40, dtype="uint8")
    data[:10, :] = 254  # e.g. « unclassifiable » in a 0–100 % product
    tif = _write(tmp_path / "r.tif", data, west=X0, north=Y0 + 200, res=10)
    mean, covered = cell_means(tif, _cells((X0, Y0)), what="test", valid=(0, 100))
    assert mean[0] == pytest.approx(40.0) and covered[0] == pytest.approx(0.5)


def test_several_bands_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rgb.tif"
    profile = {
        "driver": "GTiff",
        "width": 20,
        "height": 20,
        "count": 3,
        "dtype": "uint8",
        "crs": "EPSG:3035",
        "transform": Affine(10.0, 0.0, X0, 0.0, -10.0, Y0 + 200),
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.ones((3, 20, 20), dtype="uint8"))
    with pytest.raises(InputError, match=r"rgb\.tif : raster à 3 bandes — attendu une seule"):
        cell_means(path, _cells((X0, Y0)), what="test")


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "pas_un_raster.tif"
    bad.write_text("bonjour", encoding="utf-8")
    with pytest.raises(InputError, match=r"pas_un_raster\.tif : raster illisible"):
        cell_means(bad, _cells((X0, Y0)), what="test")


def test_read_night_heat_table(tmp_path: Path) -> None:
    data = np.full((20, 40), 2.5, dtype="float32")
    data[:, 20:] = 4.0
    tif = _write(tmp_path / "icu.tif", data, west=X0, north=Y0 + 200, res=10)
    cells = pd.DataFrame(
        {"idcar_200m": ["a", "b", "c"], "x_sw": [X0, X0 + 200, X0 + 400], "y_sw": [Y0] * 3}
    )
    table = read_night_heat(tif, cells)
    assert list(table.columns) == ["idcar_200m", "night_heat", "night_heat_coverage"]
    assert table["night_heat"].tolist()[:2] == [2.5, 4.0]
    assert np.isnan(table["night_heat"].iloc[2]) and table["night_heat_coverage"].iloc[2] == 0


def test_read_tree_cover_as_a_share_with_hrl_nodata_codes(tmp_path: Path) -> None:
    data = np.full((20, 40), 60, dtype="uint8")
    data[:, 20:] = 20
    data[:4, 20:] = 254  # unclassifiable: left out (north fifth of the second cell)
    data[:, 36:] = 255  # outside area, also the declared nodata (east fifth)
    tif = _write(tmp_path / "tcd.tif", data, west=X0, north=Y0 + 200, res=10, nodata=255)
    cells = pd.DataFrame({"idcar_200m": ["a", "b"], "x_sw": [X0, X0 + 200], "y_sw": [Y0] * 2})
    table = read_tree_cover(tif, cells)
    assert list(table.columns) == ["idcar_200m", "tree_cover", "tree_cover_coverage"]
    np.testing.assert_allclose(table["tree_cover"], [0.6, 0.2])
    valid_b = (20 - 4) * 16 / 400  # rows 4–19 of columns 20–35
    np.testing.assert_allclose(table["tree_cover_coverage"], [1.0, valid_b])
