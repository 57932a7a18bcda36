"""load_inputs with the raster sources (chaleur_nuit, couvert_arbore) on the La Roche extracts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine

from quartiers.checksum import file_sha256
from quartiers.errors import InputError
from quartiers.settings import Settings, get_settings
from quartiers.sources.load import load_inputs
from quartiers.sources.workspace import read_workspace, write_workspace

# La Roche-sur-Yon (85191), Lambert-93: a 16 km square around the town centre
CENTRE_L93 = (363_000.0, 6_627_000.0)


def _settings(tmp_path: Path) -> Settings:
    return get_settings(
        cache_dir=tmp_path / "cache", workspace_dir=tmp_path / "ws", offline=True, http_retries=1
    )


def _tif(path: Path, value: float, *, west: float, north: float, dtype: str = "float32") -> Path:
    data = np.full((160, 160), value, dtype=dtype)
    profile = {
        "driver": "GTiff",
        "width": 160,
        "height": 160,
        "count": 1,
        "dtype": dtype,
        "crs": "EPSG:2154",
        "transform": Affine(100.0, 0.0, west, 0.0, -100.0, north),
        "nodata": 255 if dtype == "uint8" else -9999.0,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def local(shared_data: Path) -> dict[str, Path]:
    return {
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
    }


def test_rasters_are_read_per_cell_with_provenance(tmp_path: Path, local: dict[str, Path]) -> None:
    west, north = CENTRE_L93[0] - 8_000, CENTRE_L93[1] + 8_000
    heat = _tif(tmp_path / "icu_nuit.tif", 3.5, west=west, north=north)
    cover = _tif(tmp_path / "tcd.tif", 40, west=west, north=north, dtype="uint8")
    sources = {**local, "chaleur_nuit": heat, "couvert_arbore": cover}
    inputs = load_inputs("85191", sources, settings=_settings(tmp_path), skip=["bpe", "osm", "lcz"])
    assert inputs.night_heat is not None and len(inputs.night_heat) == len(inputs.cells) == 530
    covered = inputs.night_heat["night_heat_coverage"] >= 0.5
    assert covered.mean() > 0.9
    assert inputs.night_heat.loc[covered, "night_heat"].eq(3.5).all()
    assert inputs.tree_cover is not None
    assert inputs.tree_cover["tree_cover"].dropna().eq(0.4).all()
    provenance = {p.source_id: p for p in inputs.provenance}
    assert provenance["chaleur_nuit"].sha256 == file_sha256(heat)
    assert provenance["chaleur_nuit"].location == str(heat.resolve())
    assert provenance["couvert_arbore"].sha256 == file_sha256(cover)
    assert inputs.notes.layers["night_heat"] == "chaleur_nuit"
    # the workspace keeps the per-cell tables
    write_workspace(inputs, tmp_path / "ws" / "85191")
    back = read_workspace(tmp_path / "ws" / "85191")
    assert back.night_heat is not None
    assert back.night_heat["night_heat"].equals(inputs.night_heat["night_heat"])
    assert back.tree_cover is not None and len(back.tree_cover) == 530


def test_raster_elsewhere_is_refused_naming_the_file(
    tmp_path: Path, local: dict[str, Path]
) -> None:
    # a raster of Strasbourg given for La Roche-sur-Yon
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(7.75, 48.58)
    far = _tif(tmp_path / "strasbourg.tif", 2.0, west=x, north=y)
    with pytest.raises(InputError, match=r"strasbourg\.tif : le raster ne couvre pas"):
        load_inputs(
            "85191",
            {**local, "chaleur_nuit": far},
            settings=_settings(tmp_path),
            skip=["bpe", "osm", "lcz"],
        )
