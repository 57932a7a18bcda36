"""Automatic sources served from 127.0.0.1 in the publishers' exact layout.

- IGN ADMIN EXPRESS COG 4.0: a ``.7z`` holding the delivery folders and the GeoPackage
  (layers ``commune`` and ``epci``, geometry column ``geometrie``, WGS84);
- CEREMA LCZ: the data.gouv.fr dataset API, the coverage-per-commune CSV and one zip per
  urban area (``LCZ_SPOT_2022_<Name>.shp`` with a space in the name, a large raster that
  must not be downloaded), read by range requests, or whole when ranges are refused.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from official_server import OfficialServer, start

from quartiers.settings import Settings, get_settings
from quartiers.sources import catalog
from quartiers.sources.lcz_fetch import LCZ_DATASET
from quartiers.sources.load import load_inputs

AE = "ADMIN-EXPRESS-COG_4-0__GPKG_WGS84G_FRA_2026-01-01"
AE_GPKG = (
    f"{AE}/ADMIN-EXPRESS-COG/1_DONNEES_LIVRAISON_2026-01-00001/"
    "ADE-COG_4-0_GPKG_WGS84G_FRA-ED2026-01-01/ADE-COG_4-0_GPKG_WGS84G_FRA-ED2026-01-01.gpkg"
)
LRY_ZIP = (
    "/resources/lcz-spot-2022-la-roche-sur-yon/20250630-101010/lcz-spot-2022-la-roche-sur-yon.zip"
)
RAW_RASTER = 3_000_000  # bytes of the fake 1.5 m raster that must stay on the server


def _settings(tmp_path: Path, *, offline: bool = False) -> Settings:
    return get_settings(
        cache_dir=tmp_path / "cache", workspace_dir=tmp_path / "ws", offline=offline, http_retries=0
    )


def _zip(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _admin_express(shared_data: Path, tmp_path: Path) -> bytes:
    """The IGN .7z: delivery folders, README, checksums and the GeoPackage."""
    import py7zr

    src = gpd.read_file(shared_data / "admin" / "communes_4epci.geojson")
    names = src["nom"].replace({"Roche-sur-Yon": "La Roche-sur-Yon"})
    commune = gpd.GeoDataFrame(
        {
            "code_insee": src["insee_com"],
            "nom_officiel": names,
            "code_insee_du_departement": src["insee_com"].str[:2],
            "codes_siren_des_epci": src["siren_epci"],
            "population": src["population"],
        },
        geometry=src.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    epci_names = {
        "200068120": "Quimper Bretagne Occidentale",
        "244400644": "CA de la Région Nazairienne et de l'Estuaire (CARENE)",
        "244900015": "Angers Loire Métropole",
        "248500589": "La Roche-sur-Yon Agglomération",
    }
    dissolved = commune.dissolve("codes_siren_des_epci").reset_index()
    epci = gpd.GeoDataFrame(
        {
            "code_siren": dissolved["codes_siren_des_epci"],
            "nom_officiel": dissolved["codes_siren_des_epci"].map(epci_names),
            "nature": "CA",
        },
        geometry=dissolved.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    gpkg = tmp_path / "ae.gpkg"
    for layer, frame in (("commune", commune), ("epci", epci)):
        frame.to_file(
            gpkg, layer=layer, driver="GPKG", layer_options={"GEOMETRY_NAME": "geometrie"}
        )
    archive = tmp_path / f"{AE}.7z"
    with py7zr.SevenZipFile(archive, "w") as z:
        z.writestr("Édition 2026".encode("cp1252"), f"{AE}/ADMIN-EXPRESS-COG/LISEZ-MOI.txt")
        z.write(gpkg, AE_GPKG)
        z.writestr(b"0", f"{AE}/ADMIN-EXPRESS-COG/3_SUPPLEMENTS_LIVRAISON_2026-01-00001/x.md5")
    return archive.read_bytes()


def _lcz_zip(tmp_path: Path, area: str) -> bytes:
    """A CEREMA area zip: shapefile named with spaces, raster, style, PDF."""
    xs, ys = np.meshgrid(np.arange(357_000, 366_000, 300), np.arange(6_622_000, 6_632_000, 300))
    boxes = [
        shapely.box(x, y, x + 300, y + 300) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)
    ]
    classes = ["2", "5", "6", "8", "9", "A", "D", "G"]
    lcz = [classes[i % len(classes)] for i in range(len(boxes))]
    frame = gpd.GeoDataFrame(
        {
            "identifier": [f"RSU_{i}" for i in range(len(boxes))],
            "hre": 9.5,
            "are": 120.0,
            "bur": 0.3,
            "ror": 0.2,
            "bsr": 0.1,
            "war": 0.0,
            "ver": 0.2,
            "vhr": 0.1,
            "lcz": lcz,
            "lcz_int": [int(c) if c.isdigit() else 11 + "ABCDEFG".index(c) for c in lcz],
        },
        geometry=boxes,
        crs="EPSG:2154",
    )
    folder = tmp_path / "lcz"
    folder.mkdir(exist_ok=True)
    stem = f"LCZ_SPOT_2022_{area}"
    frame.to_file(folder / f"{stem}.shp", encoding="UTF-8")
    members = {f"{stem}.{p.suffix[1:]}": p.read_bytes() for p in folder.glob(f"{stem}.*")}
    rng = np.random.default_rng(17)
    members[f"{stem}_raster_1m5.tif"] = rng.bytes(RAW_RASTER)  # incompressible, like a raster
    members[f"{stem}.qml"] = b"<qgis/>"
    members["Notice LCZ.pdf"] = b"%PDF-1.4"
    return _zip(members)


def _coverage_csv() -> bytes:
    header = (
        "commune;insee_commune;population;surface_ha;couverture_lcz;detail_couverture_lcz;"
        "epci;siren_epci;departement;insee_departement;region;insee_region\r\n"
    )
    rows = [
        "La Roche-sur-Yon;85191;55 000;8 746;100,00;La Roche-sur-Yon = 100.00 %;"
        "La Roche-sur-Yon Agglomération;248500589;Vendée;85;Pays de la Loire;52",
        "Mouilleron-le-Captif;85155;5 000;2 100;0;;La Roche-sur-Yon Agglomération;248500589;"
        "Vendée;85;Pays de la Loire;52",
        "Angers;49007;157 000;4 270;100,00;Angers = 100.00 %;Angers Loire Métropole;244900015;"
        "Maine-et-Loire;49;Pays de la Loire;52",
    ]
    return (header + "\r\n".join(rows) + "\r\n").encode("cp1252")


@pytest.fixture
def publishers(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OfficialServer]:
    """Serve the official layouts and point the catalogue at the local server."""
    state = OfficialServer()
    httpd = start(state)
    build = tmp_path / "build"
    build.mkdir()
    qpv = (shared_data / "qpv" / "qpv2024_4territories.geojson").read_bytes()
    filosofi = (
        shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv"
    ).read_bytes()
    state.files = {
        "/api/1/datasets/r/942d": _zip(
            {"GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson": qpv}
        ),
        "/insee/Filosofi2021_carreaux_200m_csv.zip": _zip({"carreaux_200m_met.csv": filosofi}),
        f"/telechargement/download/ADMIN-EXPRESS-COG/{AE}/{AE}.7z": _admin_express(
            shared_data, build
        ),
        LRY_ZIP: _lcz_zip(build, "La Roche-sur-Yon"),
        "/resources/couverture-lcz/couverture_lcz_par_commune.csv": _coverage_csv(),
    }
    resources = [
        {
            "title": "LCZ SPOT 2022 - Angers",
            "url": state.url("/resources/lcz-spot-2022-angers.zip"),
        },
        {"title": "LCZ SPOT 2022 - La Roche-sur-Yon", "url": state.url(LRY_ZIP)},
        {
            "title": "Couverture LCZ par commune",
            "url": state.url("/resources/couverture-lcz/couverture_lcz_par_commune.csv"),
        },
    ]
    state.files[f"/api/1/datasets/{LCZ_DATASET}/"] = json.dumps(
        {"id": LCZ_DATASET, "title": "LCZ SPOT 2022 (93 aires urbaines)", "resources": resources}
    ).encode()
    urls = {
        "qpv": state.url("/api/1/datasets/r/942d"),
        "filosofi": state.url("/insee/Filosofi2021_carreaux_200m_csv.zip"),
        "communes": state.url(f"/telechargement/download/ADMIN-EXPRESS-COG/{AE}/{AE}.7z"),
        "lcz": state.url("/api/1/datasets"),
    }
    patched = tuple(
        dataclasses.replace(s, download=urls[s.id]) if s.id in urls else s for s in catalog.CATALOG
    )
    monkeypatch.setattr(catalog, "CATALOG", patched)
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_epci_with_admin_express_7z_and_lcz_by_ranges(
    publishers: OfficialServer, tmp_path: Path
) -> None:
    inputs = load_inputs("248500589", {}, settings=_settings(tmp_path), skip=["bpe", "osm"])
    assert inputs.name == "La Roche-sur-Yon Agglomération"
    names = dict(zip(inputs.communes["insee_com"], inputs.communes["nom"], strict=True))
    assert len(names) == 13 and names["85191"] == "La Roche-sur-Yon"
    assert len(inputs.qpv) == 3 and len(inputs.cells) == 530
    assert inputs.lcz is not None and len(inputs.lcz) > 100
    assert set(inputs.lcz["lcz"]) == {"2", "5", "6", "8", "9", "A", "D", "G"}
    coverage = inputs.notes.lcz_coverage
    assert coverage is not None
    assert coverage["85191"] == 100.0 and coverage["85155"] == 0.0 and coverage["85300"] == 0.0
    # Only the central directory and the shapefile members crossed the wire.
    assert publishers.sent[LRY_ZIP] < RAW_RASTER // 4
    provenance = {p.source_id: p for p in inputs.provenance}
    assert provenance["lcz"].location == publishers.url(LRY_ZIP)
    assert provenance["communes"].location.endswith(f"{AE}.7z")
    # Offline, everything comes from the cache.
    before = sum(publishers.hits.values())
    again = load_inputs(
        "248500589",
        {},
        settings=_settings(tmp_path, offline=True),
        skip=["bpe", "osm"],
        use_workspace=False,
    )
    assert again.lcz is not None and len(again.lcz) == len(inputs.lcz)
    assert sum(publishers.hits.values()) == before


def test_lcz_zip_downloaded_whole_when_ranges_are_refused(
    publishers: OfficialServer, tmp_path: Path
) -> None:
    publishers.ranges = False
    inputs = load_inputs("85191", {}, settings=_settings(tmp_path), skip=["bpe", "osm"])
    assert inputs.name == "La Roche-sur-Yon"
    assert inputs.lcz is not None and len(inputs.lcz) > 100
    assert publishers.hits[LRY_ZIP] == 2  # the refused range (body not read), then the whole


def test_commune_outside_every_lcz_area(publishers: OfficialServer, tmp_path: Path) -> None:
    path = "/resources/couverture-lcz/couverture_lcz_par_commune.csv"
    publishers.files[path] = b"\n".join(
        line for line in publishers.files[path].split(b"\n") if b";85191;" not in line
    )
    inputs = load_inputs("85191", {}, settings=_settings(tmp_path), skip=["bpe", "osm"])
    assert inputs.lcz is None and inputs.notes.lcz_coverage == {"85191": 0.0}
    assert publishers.hits[LRY_ZIP] == 0


def test_fetch_command_names_the_epci_and_the_communes_without_lcz(
    publishers: OfficialServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from quartiers.cli import main

    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    args = ["fetch", "-t", "248500589", "--workspace", str(tmp_path / "ws")]
    code = main([*args, "--skip", "bpe", "--skip", "osm"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "La Roche-sur-Yon Agglomération (248500589)" in out
    assert "Mouilleron-le-Captif (85155) : LCZ non disponible pour cette commune" in err
    assert "La Roche-sur-Yon (85191) : LCZ" not in err
    manifest = json.loads((tmp_path / "ws" / "248500589" / "territory.json").read_text("utf-8"))
    assert manifest["name"] == "La Roche-sur-Yon Agglomération"
    assert manifest["notes"]["lcz_coverage"]["85191"] == 100.0
    # --nom: the name people use, the official one kept beside it.
    again = [*args, "--offline", "--skip", "bpe", "--skip", "osm", "--nom", "Agglo yonnaise"]
    assert main(again) == 0, capsys.readouterr().err
    manifest = json.loads((tmp_path / "ws" / "248500589" / "territory.json").read_text("utf-8"))
    assert manifest["name"] == "Agglo yonnaise"
    assert manifest["notes"]["territory"]["official_name"] == "La Roche-sur-Yon Agglomération"
