"""load_inputs: local files, downloads from a local server, offline mode, bad territories."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from faulty_server import FaultyServer

from quartiers.checksum import file_sha256
from quartiers.errors import InputError, SourceError
from quartiers.settings import Settings, get_settings
from quartiers.sources import catalog
from quartiers.sources.load import load_inputs

BPE_CSV = (
    b"AN;NOMRS;TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y;EPSG;QUALITE_XY\r\n"
    b"2024;PHARMACIE;D307;85191;361000;6627900;2154;A\r\n"
    b"2024;MAIRIE;A129;85191;361500;6628400;2154;A\r\n"
    b"2024;LOIN;A129;49007;430000;6710000;2154;A\r\n"
)


def _settings(tmp_path: Path, *, offline: bool = False) -> Settings:
    return get_settings(
        cache_dir=tmp_path / "cache",
        workspace_dir=tmp_path / "ws",
        offline=offline,
        http_retries=1,
    )


@pytest.fixture
def local(shared_data: Path) -> dict[str, Path]:
    return {
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "climadiag": shared_data / "climate" / "climadiag_tracc_4communes.csv",
        "drias": shared_data / "climate" / "drias2020_departements_all_scenarios.csv",
    }


def test_local_files_la_roche_sur_yon(tmp_path: Path, local: dict[str, Path]) -> None:
    inputs = load_inputs(
        "85191", local, settings=_settings(tmp_path, offline=True), skip=["bpe", "osm", "lcz"]
    )
    assert (inputs.code, len(inputs.qpv), len(inputs.communes)) == ("85191", 3, 1)
    assert len(inputs.cells) == 530
    assert inputs.cells["ind"].sum() == pytest.approx(48_438, abs=0.5)
    assert round(inputs.cells["men_pauv"].sum()) == 3_808
    climate = inputs.climate
    assert climate is not None and set(climate["insee_com"]) == {"85191"}
    s3 = climate[(climate["indicator"] == "S3") & (climate["horizon"] == "2100")]
    assert s3["value"].tolist() == [20.15]
    assert {"climadiag", "drias:RCP8.5"} == set(climate["source"])
    provenance = {p.source_id: p for p in inputs.provenance}
    assert set(provenance) == {"communes", "qpv", "filosofi", "climadiag", "drias"}
    assert provenance["filosofi"].sha256 == file_sha256(local["filosofi"])
    assert provenance["filosofi"].location == str(local["filosofi"].resolve())
    assert provenance["qpv"].licence == "Licence Ouverte 2.0" and provenance["qpv"].vintage
    territory = inputs.notes.territory
    assert territory is not None
    assert territory.kind == "commune" and territory.siren_epci == "248500589"
    assert inputs.bpe is None and inputs.buildings is None


def test_epci_by_name_with_the_epci_table(
    tmp_path: Path, local: dict[str, Path], shared_data: Path
) -> None:
    sources = {**local, "epci": shared_data / "admin" / "epci_2026.csv"}
    inputs = load_inputs(
        "La Roche-sur-Yon Agglomération",
        sources,
        settings=_settings(tmp_path, offline=True),
        skip=["bpe", "osm", "lcz"],
    )
    assert inputs.code == "248500589" and inputs.name == "CA La Roche-sur-Yon - Agglomération"
    assert len(inputs.communes) == 13 and len(inputs.qpv) == 3
    assert inputs.climate is not None and set(inputs.climate["insee_com"]) >= {"85191"}


def test_grid_file_not_covering_the_territory(tmp_path: Path, local: dict[str, Path]) -> None:
    with pytest.raises(
        InputError, match=r"aucun carreau Filosofi dans l'emprise du territoire Angers"
    ):
        load_inputs(
            "49007", local, settings=_settings(tmp_path, offline=True), skip=["bpe", "osm", "lcz"]
        )


def test_territory_without_qpv(tmp_path: Path, local: dict[str, Path]) -> None:
    with pytest.raises(InputError, match=r"\(85008\) : aucun QPV"):
        load_inputs(
            "85008", local, settings=_settings(tmp_path, offline=True), skip=["bpe", "osm", "lcz"]
        )


def test_unknown_territory(tmp_path: Path, local: dict[str, Path]) -> None:
    with pytest.raises(InputError, match=r"territoire '99999' introuvable"):
        load_inputs(
            "99999", local, settings=_settings(tmp_path, offline=True), skip=["bpe", "osm", "lcz"]
        )


def test_bad_options(tmp_path: Path, local: dict[str, Path]) -> None:
    with pytest.raises(InputError, match=r"--skip qpv : source obligatoire"):
        load_inputs("85191", local, settings=_settings(tmp_path), skip=["qpv"])
    with pytest.raises(InputError, match=r"--source : source\(s\) inconnue\(s\) meteo"):
        load_inputs("85191", {"meteo": local["qpv"]}, settings=_settings(tmp_path))


def test_offline_lists_everything_missing(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        load_inputs("85191", {}, settings=_settings(tmp_path, offline=True))
    msg = str(err.value)
    assert "mode hors ligne : 4 source(s) absente(s)" in msg
    for label in ("communes (IGN)", "qpv (ANCT)", "filosofi (INSEE)", "bpe (INSEE)"):
        assert label in msg
    assert "--source ID=CHEMIN" in msg


# -- the download path, against a local server ---------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def official(
    server: FaultyServer, local: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> FaultyServer:
    """Serve zips shaped like the publishers' and point the catalogue at them."""
    server.files["/datagouv/r/942d"] = _zip(
        {"GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson": local["qpv"].read_bytes()}
    )
    server.files["/insee/Filosofi2021_carreaux_200m_csv.zip"] = _zip(
        {"carreaux_200m_met.csv": local["filosofi"].read_bytes(), "carreaux_200m_reun.csv": b""}
    )
    server.files["/ign/communes.zip"] = _zip({"communes.geojson": local["communes"].read_bytes()})
    server.files["/insee/BPE24.zip"] = _zip({"BPE24.csv": BPE_CSV})
    urls = {
        "qpv": (server.url("/datagouv/r/942d"), None),
        "filosofi": (server.url("/insee/Filosofi2021_carreaux_200m_csv.zip"), None),
        "communes": (server.url("/ign/communes.zip"), "*.geojson"),
        "bpe": (server.url("/insee/BPE24.zip"), None),
        "osm": (server.url("/geofabrik/{region}-latest.osm.pbf"), None),
    }
    patched = []
    for spec in catalog.CATALOG:
        if spec.id in urls:
            url, member = urls[spec.id]
            spec = dataclasses.replace(spec, download=url, member=member or spec.member)
        patched.append(spec)
    monkeypatch.setattr(catalog, "CATALOG", tuple(patched))
    return server


def test_download_path_then_offline_from_cache(official: FaultyServer, tmp_path: Path) -> None:
    official.faults["/insee/Filosofi2021_carreaux_200m_csv.zip"] = ["drop"]
    inputs = load_inputs("85191", {}, settings=_settings(tmp_path), skip=["osm", "lcz"])
    assert len(inputs.qpv) == 3 and len(inputs.cells) == 530
    assert inputs.bpe is not None and inputs.bpe["typequ"].tolist() == ["D307", "A129"]
    provenance = {p.source_id: p for p in inputs.provenance}
    filosofi_url = official.url("/insee/Filosofi2021_carreaux_200m_csv.zip")
    assert provenance["filosofi"].location == filosofi_url
    assert provenance["filosofi"].sha256 == file_sha256(
        next((tmp_path / "cache").rglob("Filosofi2021_carreaux_200m_csv.zip"))
    )
    assert official.hits["/insee/Filosofi2021_carreaux_200m_csv.zip"] == 2  # resumed once
    before = sum(official.hits.values())
    again = load_inputs(
        "85191", {}, settings=_settings(tmp_path, offline=True), skip=["osm", "lcz"]
    )
    assert len(again.cells) == 530 and sum(official.hits.values()) == before


def test_unavailable_sources_are_listed_together(
    official: FaultyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    fake = types.ModuleType("quartiers.sources.osm")
    fake.read_osm_layers = lambda path, bbox: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "quartiers.sources.osm", fake)
    del official.files["/insee/BPE24.zip"]  # 404; and no OSM extract is served either
    with pytest.raises(SourceError) as err:
        load_inputs("85191", {}, settings=_settings(tmp_path))
    msg = str(err.value)
    assert "bpe : " in msg and "HTTP 404" in msg
    assert "osm : " in msg and "pays-de-la-loire-latest.osm.pbf" in msg
    assert "--skip ID" in msg


# -- OpenStreetMap wiring (the reader lives in quartiers.sources.osm) ----------------------


def test_osm_layers_are_wired(
    tmp_path: Path, local: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    import geopandas as gpd
    import shapely

    calls: list[tuple[Path, tuple[float, float, float, float], bool]] = []

    def layer(n: int) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame({"n": range(n)}, geometry=[shapely.Point(0, 0)] * n, crs=2154)

    def read_osm_layers(
        path: Path, bbox_2154: tuple[float, float, float, float], *, basemap: bool = False
    ) -> object:
        calls.append((path, bbox_2154, basemap))
        return types.SimpleNamespace(
            buildings=layer(5),
            roads=layer(4),
            vegetation=layer(3),
            trees=layer(2),
            water=layer(1),
            places=layer(6),
            walk_edges=layer(7),
        )

    fake = types.ModuleType("quartiers.sources.osm")
    fake.read_osm_layers = read_osm_layers  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "quartiers.sources.osm", fake)
    pbf = tmp_path / "extrait.osm.pbf"
    pbf.write_bytes(b"\x00")
    inputs = load_inputs(
        "85191",
        {**local, "osm": pbf},
        settings=_settings(tmp_path, offline=True),
        skip=["bpe", "lcz"],
    )
    assert calls and calls[0][0] == pbf
    assert calls[0][1] == getattr(inputs.notes.territory, "bbox_2154", None)
    assert calls[0][2]  # the background map is collected in the same pass
    counts = {k: len(getattr(inputs, k)) for k in ("buildings", "roads", "trees", "places")}
    assert counts == {"buildings": 5, "roads": 4, "trees": 2, "places": 6}
    assert inputs.notes.walk_edges is not None and len(inputs.notes.walk_edges) == 7
    assert inputs.osm_path == pbf
    assert inputs.notes.layers["buildings"] == "osm"


def test_missing_osm_reader_skips_osm(
    tmp_path: Path,
    local: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "quartiers.sources.osm", None)  # import fails
    inputs = load_inputs(
        "85191", local, settings=_settings(tmp_path, offline=True), skip=["bpe", "lcz"]
    )
    assert inputs.buildings is None
    assert "lecteur OpenStreetMap absent" in caplog.text


def test_with_georisques_queries_the_api(
    official: FaultyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    patched = [
        dataclasses.replace(s, download=official.url("/georisques/api/v1"))
        if s.id == "georisques"
        else s
        for s in catalog.CATALOG
    ]
    monkeypatch.setattr(catalog, "CATALOG", tuple(patched))
    decree = {"code_national_catnat": "INTE2300001A", "code_insee": "85191"}
    official.files["/georisques/api/v1/gaspar/catnat"] = json.dumps(
        {"data": [decree], "next": None}
    ).encode()
    official.files["/georisques/api/v1/rga"] = json.dumps(
        {"exposition": "Exposition moyenne", "codeExposition": "2"}
    ).encode()
    inputs = load_inputs(
        "85191",
        {},
        settings=_settings(tmp_path),
        skip=["osm", "bpe", "lcz"],
        include=["georisques"],
    )
    catnat, rga = inputs.notes.catnat, inputs.notes.rga
    assert catnat is not None and rga is not None
    assert catnat["code_national_catnat"].tolist() == ["INTE2300001A"]
    assert rga["key"].tolist() == sorted(inputs.qpv["code_qp"].tolist())
    assert {p.source_id for p in inputs.provenance} >= {"georisques", "qpv", "filosofi"}


def test_bdtopo_folder_replaces_osm_layers(shared_data: Path) -> None:
    import geopandas as gpd

    from quartiers.progress import NullProgress
    from quartiers.schemas import QPV_COLUMNS, TerritoryInputs
    from quartiers.sources._optional import read_optional
    from quartiers.sources.communes import read_communes
    from quartiers.sources.gather import RawInput
    from quartiers.sources.territory import build_territory, select_communes

    towns = read_communes(shared_data / "bdtopo" / "COMMUNE.shp")
    no_qpv = gpd.GeoDataFrame(columns=QPV_COLUMNS, geometry="geometry", crs=2154)
    territory = build_territory(select_communes("Olemps", towns), towns, no_qpv, margin_m=0)
    inputs = TerritoryInputs(territory.code, territory.name, no_qpv, no_qpv, towns)
    inputs.notes.layers["buildings"] = "osm"
    folder = shared_data / "bdtopo"
    raw = {"bdtopo": RawInput("bdtopo", folder, str(folder), "", "")}
    read_optional(inputs, territory, raw, NullProgress(), None, [])  # type: ignore[arg-type]
    assert inputs.buildings is not None and len(inputs.buildings) == 2273
    assert inputs.vegetation is not None and len(inputs.vegetation) == 665
    assert inputs.water is not None and len(inputs.water) == 28
    assert inputs.notes.layers["buildings"] == "bdtopo"


def test_bdtopo_given_twice_is_read_as_one(shared_data: Path, tmp_path: Path) -> None:
    # two deliveries (one per département) cut across a border: the union, each row once
    import geopandas as gpd

    from quartiers.progress import NullProgress
    from quartiers.schemas import QPV_COLUMNS, TerritoryInputs
    from quartiers.sources._optional import read_optional
    from quartiers.sources.communes import read_communes
    from quartiers.sources.gather import RawInput, parse_source_files
    from quartiers.sources.territory import build_territory, select_communes

    folder = shared_data / "bdtopo"
    towns = read_communes(folder / "COMMUNE.shp")
    no_qpv = gpd.GeoDataFrame(columns=QPV_COLUMNS, geometry="geometry", crs=2154)
    territory = build_territory(select_communes("Olemps", towns), towns, no_qpv, margin_m=0)
    west, east = tmp_path / "D012_ouest", tmp_path / "D012_est"
    for name in ("BATIMENT", "ZONE_DE_VEGETATION", "SURFACE_HYDROGRAPHIQUE"):
        layer = gpd.read_file(folder / f"{name}.shp")
        x = layer.geometry.centroid.x
        cut = float(x.median())
        for part, keep in ((west, x <= cut + 50), (east, x >= cut - 50)):  # overlap: 100 m
            part.mkdir(exist_ok=True)
            layer[keep.to_numpy()].to_file(part / f"{name}.shp")
    files = parse_source_files([f"bdtopo={west}", f"bdtopo={east}"])
    assert files == {"bdtopo": [west, east]}

    def read(paths: list[Path]) -> TerritoryInputs:
        inputs = TerritoryInputs(territory.code, territory.name, no_qpv, no_qpv, towns)
        first, *more = (RawInput("bdtopo", p, str(p), "", "") for p in paths)
        raw = {"bdtopo": RawInput("bdtopo", first.path, first.location, "", "", tuple(more))}
        read_optional(inputs, territory, raw, NullProgress(), None, [])  # type: ignore[arg-type]
        return inputs

    whole, both, half = read([folder]), read([west, east]), read([west])
    for layer, count in (("buildings", 2273), ("vegetation", 665), ("water", 28)):
        got = getattr(both, layer)
        assert len(getattr(whole, layer)) == count and len(got) == count, layer
        assert len(getattr(half, layer)) < count
        assert sorted(got.geometry.to_wkb()) == sorted(getattr(whole, layer).geometry.to_wkb())


def test_osm_given_twice_is_read_as_one(shared_data: Path, tmp_path: Path) -> None:
    # two extracts (Redon, Saint-Jean-Brévelay): the union of both readings; the same
    # extract given under two names adds nothing
    import shutil

    from quartiers.progress import NullProgress
    from quartiers.schemas import TerritoryInputs
    from quartiers.sources._optional import OSM_LAYERS, _read_osm
    from quartiers.sources.osm import read_osm_layers

    redon = shared_data / "osm" / "redon_center_2019-09.osm"
    sjb = shared_data / "osm" / "saint_jean_brevelay_2019-09.osm"
    copy = tmp_path / "redon_copie.osm"
    shutil.copy(redon, copy)

    def read(paths: list[Path]) -> TerritoryInputs:
        inputs = TerritoryInputs("x", "x", None, None, None)  # type: ignore[arg-type]
        _read_osm(inputs, paths, None, NullProgress())
        return inputs

    alone = [read_osm_layers(p) for p in (redon, sjb)]
    both, twice = read([redon, sjb]), read([redon, copy])
    assert both.osm_path == redon and both.notes.layers["buildings"] == "osm"
    for name in (*OSM_LAYERS, "walk_edges"):
        got = both.notes.walk_edges if name == "walk_edges" else getattr(both, name)
        again = twice.notes.walk_edges if name == "walk_edges" else getattr(twice, name)
        parts = [getattr(a, name) for a in alone]
        assert len(got) == len(parts[0]) + len(parts[1]), name
        assert len(again) == len(parts[0]), name
    assert len(both.buildings) > len(alone[0].buildings) > 0
