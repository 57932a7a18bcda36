"""Loading diagnostics for the web: reprojection, lookups, horizons, optional layers."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from quartiers.errors import InputError, NotFoundError
from quartiers.web.catalog import Catalog, load_territory


def test_load_reprojects_to_wgs84(demo_dir: Path, bare_dir: Path) -> None:
    td = load_territory(demo_dir)
    assert td.code == "200000001" and "Ville-Témoin" in td.name
    assert td.cells.crs.to_epsg() == 4326 and td.qpv.crs.to_epsg() == 4326
    assert len(td.cells) == len(td.diagnostic.cells)
    b = td.cell_bounds
    assert (b[:, 0] < b[:, 2]).all() and (b[:, 1] < b[:, 3]).all()
    min_lon, min_lat, max_lon, max_lat = td.bbox
    assert min_lon <= b[:, 0].min() and max_lat >= b[:, 3].max()
    assert min_lat <= b[:, 1].min() and max_lon >= b[:, 2].max()
    assert td.communes["00001"] == "Ville-Témoin"
    assert td.horizon == "ref" and td.climate_horizons() == ["ref", "2030", "2050", "2100"]
    assert td.has_uncertainty and td.hotspots is not None
    bare = load_territory(bare_dir)
    assert not bare.has_uncertainty and bare.hotspots is None and bare.uncertainty_columns == []


def test_values_change_with_the_horizon_only_for_climate(demo_dir: Path) -> None:
    td = load_territory(demo_dir)
    ref_cells, ref_qpv = td.values("heat_wave_days", "ref")
    late_cells, late_qpv = td.values("heat_wave_days", "2100")
    published = td.cells["heat_wave_days"].to_numpy(dtype="float64")
    ok = np.isfinite(published)
    assert np.allclose(ref_cells[ok], published[ok])
    assert (late_cells[ok] > ref_cells[ok]).all()
    assert (late_qpv > ref_qpv).all()
    assert td.climate_value("heat_wave_days", "2100", "00001") == pytest.approx(20.78)
    a, _ = td.values("poverty_rate", "ref")
    b, _ = td.values("poverty_rate", "2100")
    assert np.array_equal(a, b, equal_nan=True)
    with pytest.raises(NotFoundError, match="indicateur inconnu"):
        td.values("rien")


def test_lookups_raise_french_not_found(demo_dir: Path) -> None:
    catalog = Catalog.load([demo_dir])
    td = catalog.get("200000001")
    assert td.qpv_position("QN00001B") in (0, 1)
    with pytest.raises(NotFoundError, match=r"territoire inconnu : 123 \(territoires chargés"):
        catalog.get("123")
    with pytest.raises(NotFoundError, match="QPV inconnu dans le territoire 200000001"):
        td.qpv_position("QN1")


def test_bad_directories_are_refused(demo_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="dossier de diagnostic complet"):
        Catalog.load([tmp_path])
    with pytest.raises(InputError, match="déjà chargé"):
        Catalog.load([demo_dir, demo_dir])
    with pytest.raises(InputError, match="aucun dossier"):
        Catalog.load([])


def test_unreadable_optional_layer_is_ignored(demo_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "diag"
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("entrees", ".espace"))
    (copy / "places.parquet").write_bytes(b"pas un parquet")
    td = load_territory(copy)
    assert td.places is None


def test_optional_layers_are_used(demo_dir: Path) -> None:
    td = load_territory(demo_dir)
    assert td.has_uncertainty
    assert td.uncertainty_columns == [
        "rank_median",
        "rank_low",
        "rank_high",
        "p_top_quintile",
        "robust_top_quintile",
    ]
    assert td.hotspots is not None and td.hotspots.crs.to_epsg() == 4326
