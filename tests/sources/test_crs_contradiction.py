"""A declared CRS that contradicts the coordinates is blamed on the file at fault (issue 15)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from quartiers.cli import main
from quartiers.errors import InputError
from quartiers.sources._crs_guess import guess_crs
from quartiers.sources.communes import read_communes
from quartiers.sources.qpv import read_qpv

# (lon, lat) of a point inside a QPV of each kind of territory
MAINLAND = (-1.425, 46.675)  # La Roche-sur-Yon
REUNION = (55.45, -20.9)  # Saint-Denis
GUADELOUPE = (-61.53, 16.24)  # Pointe-à-Pitre
MAYOTTE = (45.23, -12.78)  # Mamoudzou
GUYANE = (-52.33, 4.93)  # Cayenne


def _qpv_geojson(path: Path, lon: float, lat: float, *, swap: bool = False) -> Path:
    ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
    if swap:
        ring = [[b, a] for a, b in ring]
    feature = {
        "type": "Feature",
        "properties": {
            "code_qp": "QN08503I",
            "lib_qp": "Liberté - Zola",
            "insee_com": "85191",
            "siren_epci": "248500589",
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    doc = {"type": "FeatureCollection", "features": [feature]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", [MAINLAND, REUNION, GUADELOUPE, MAYOTTE, GUYANE])
def test_qpv_in_france_and_overseas_is_accepted(tmp_path: Path, where: tuple[float, float]) -> None:
    qpv = read_qpv(_qpv_geojson(tmp_path / "qpv.geojson", *where))
    assert len(qpv) == 1


@pytest.mark.parametrize("where", [MAINLAND, REUNION, GUADELOUPE, MAYOTTE, GUYANE])
def test_qpv_with_swapped_lon_lat_is_blamed(tmp_path: Path, where: tuple[float, float]) -> None:
    path = _qpv_geojson(tmp_path / "qpv_inverse.geojson", *where, swap=True)
    with pytest.raises(InputError) as caught:
        read_qpv(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : ")
    assert "EPSG:4326 contredit les coordonnées" in message
    assert "latitude et longitude inversées" in message
    assert "attendu CRS84 (GeoJSON) ou EPSG:2154" in message
    assert "\n" not in message


def _communes(path: Path, *, declared: str, actual: str) -> Path:
    """Write two mainland communes whose coordinates are in ``actual`` but labelled ``declared``."""
    frame = gpd.GeoDataFrame(
        {"INSEE_COM": ["85191", "85047"], "NOM": ["La Roche-sur-Yon", "Dompierre"],
         "POPULATION": [54_000, 4_300], "SIREN_EPCI": ["248500589", "248500589"]},
        geometry=[shapely.box(-1.46, 46.64, -1.37, 46.72), shapely.box(-1.40, 46.72, -1.33, 46.78)],
        crs="EPSG:4326",
    ).to_crs(actual)  # fmt: skip
    frame.set_crs(declared, allow_override=True).to_file(path, layer="commune")
    return path


@pytest.mark.parametrize(
    ("declared", "actual", "likely"),
    [
        ("EPSG:2154", "EPSG:4326", "degrés de longitude et latitude"),
        ("EPSG:4326", "EPSG:2154", "Lambert-93 (EPSG:2154)"),
        ("EPSG:2154", "EPSG:27572", "Lambert II étendu (EPSG:27572)"),
    ],
)
def test_communes_with_wrong_crs_are_blamed(
    tmp_path: Path, declared: str, actual: str, likely: str
) -> None:
    path = _communes(tmp_path / "communes.gpkg", declared=declared, actual=actual)
    with pytest.raises(InputError) as caught:
        read_communes(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : le système de coordonnées (SCR) déclaré {declared}")
    assert likely in message
    assert "attendu EPSG:2154 ou EPSG:4326 (ADMIN EXPRESS)" in message


def test_guess_overseas_utm_and_nothing_for_far_layers() -> None:
    cayenne_utm22 = (np.array([353_000.0]), np.array([545_000.0]))
    assert guess_crs(*cayenne_utm22, CRS.from_epsg(2154)) == (
        "des mètres en UTM 22N (EPSG:2972, Guyane)"
    )
    # synthetic layers far from France, in any CRS, are left alone
    assert guess_crs(np.array([5.0]), np.array([5.0]), CRS.from_epsg(2154)) is None
    assert guess_crs(np.array([0.5]), np.array([0.5]), CRS.from_epsg(4326)) is None
    # a layer just off the mainland coast in its own CRS is not contradicted
    assert guess_crs(np.array([0.5]), np.array([6.6e6]), CRS.from_epsg(2154)) is None
    assert guess_crs(np.array([]), np.array([]), CRS.from_epsg(2154)) is None


def _swapped_qpv(shared: Path, folder: Path) -> Path:
    doc = json.loads((shared / "qpv" / "qpv2024_4territories.geojson").read_text("utf-8"))
    for feature in doc["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
        feature["geometry"] = shapely.geometry.mapping(swapped)
    bad = folder / "qpv_inverse.geojson"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    return bad


def _communes_lambert93_labelled_wgs84(shared: Path, folder: Path) -> Path:
    communes = gpd.read_file(shared / "admin" / "communes_4epci.geojson").to_crs("EPSG:2154")
    bad = folder / "communes_mauvais_scr.gpkg"
    communes.set_crs("EPSG:4326", allow_override=True).to_file(bad, layer="commune")
    return bad


@pytest.mark.shared
@pytest.mark.parametrize(
    ("source", "make", "likely"),
    [
        ("qpv", _swapped_qpv, "latitude et longitude inversées"),
        ("communes", _communes_lambert93_labelled_wgs84, "Lambert-93 (EPSG:2154)"),
    ],
)
def test_diagnose_names_the_file_at_fault_not_filosofi(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    source: str,
    make: Callable[[Path, Path], Path],
    likely: str,
) -> None:
    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTIERS_WORKSPACE_DIR", str(tmp_path / "ws"))
    sources = {
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "climadiag": shared_data / "climate" / "climadiag_tracc_4communes.csv",
    }
    bad = sources[source] = make(shared_data, tmp_path)
    out = tmp_path / "sortie"
    args = [
        "diagnose",
        "-t",
        "85191",
        "--out",
        str(out),
        "--offline",
        "--skip",
        "bpe",
        "--skip",
        "lcz",
    ]
    args += ["--skip", "osm", *(x for k, v in sources.items() for x in ("--source", f"{k}={v}"))]
    code = main(args)
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1 and "Traceback" not in err
    assert f"{bad} : le système de coordonnées (SCR) déclaré" in err and likely in err
    assert "Filosofi" not in err and "filosofi" not in err
    assert not out.exists()
