"""Hazard sources: TRI, EAIP, PPR (COVADIS), clay exposure — real extracts and official layouts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pytest
from _hazard_layouts import clay_layer, tri_layer, zip_folder
from faulty_server import FaultyServer
from shapely.geometry import box

from quartiers.errors import InputError, SourceError
from quartiers.schemas import HAZARD_COLUMNS
from quartiers.settings import Settings, get_settings
from quartiers.sources import catalog
from quartiers.sources.clay import read_clay
from quartiers.sources.flood import read_eaip, read_ppr, read_tri
from quartiers.sources.load import load_inputs
from quartiers.sources.workspace import read_workspace, write_workspace

# La Roche-sur-Yon (85191): the QPV lie within this Lambert-93 box.
_IN = (360_600.0, 6_627_000.0, 362_200.0, 6_629_800.0)
_FAR = (100_000.0, 6_000_000.0, 100_500.0, 6_000_500.0)


def _settings(tmp_path: Path, *, offline: bool = False) -> Settings:
    return get_settings(
        cache_dir=tmp_path / "cache", workspace_dir=tmp_path / "ws", offline=offline, http_retries=1
    )


# -- real extracts -------------------------------------------------------------------------


def test_tri_perigueux_real_layer(shared_data: Path) -> None:
    zones = read_tri(shared_data / "hazards" / "tri_perigueux_024")
    assert list(zones.columns) == HAZARD_COLUMNS and zones.crs.to_epsg() == 2154
    assert len(zones) == 114
    assert set(zones["hazard"]) == {"inondation"} and set(zones["scenario"]) == {"frequent"}
    assert set(zones["ref"]) == {"FRF_TRI_PERI"} and set(zones["source"]) == {"tri"}
    assert zones.area.sum() / 1e6 == pytest.approx(10.6, abs=0.05)


def test_tri_clipped_to_a_box(shared_data: Path) -> None:
    zones = read_tri(
        shared_data / "hazards" / "tri_perigueux_024",
        bbox_2154=(503_800.0, 6_450_000.0, 510_000.0, 6_459_000.0),
    )
    assert 0 < len(zones) < 114


def test_ppr_covadis_real_zonings(shared_data: Path) -> None:
    folder = shared_data / "hazards" / "pprn_covadis_isere_38"
    old = read_ppr(folder / "38DDT20010005")
    # multi-hazard zones (coderisque 9999999) are detailed by N_MULTIALEA: flood ones kept
    assert old.groupby("level").size().to_dict() == {1: 187, 4: 20}
    assert set(old["hazard"]) == {"inondation"} and set(old["scenario"]) == {"ppr"}
    both = read_ppr(folder)
    assert set(both["ref"]) == {"38DDT20010005", "38DDT20200002"} and len(both) == 328


# -- official layouts, hand-made --------------------------------------------------------------


def test_tri_scenarios_and_sea(tmp_path: Path) -> None:
    folder = tmp_path / "tri_2020_sig_di_85"
    tri_layer(folder, "lrsy", "01", "02Moy", "85", [_IN])
    tri_layer(folder, "lrsy", "03", "03Mcc", "85", [_IN, _FAR])
    tri_layer(folder, "lrsy", "01", "04Fai", "85", [_IN])
    zones = read_tri(folder, bbox_2154=(360_000.0, 6_626_000.0, 363_000.0, 6_630_000.0))
    got = sorted(zip(zones["hazard"], zones["scenario"], strict=True))
    assert got == [("inondation", "extreme"), ("inondation", "moyen"), ("submersion", "moyen_cc")]


def test_tri_unknown_scenario_is_named(tmp_path: Path) -> None:
    path = tri_layer(tmp_path, "lrsy", "01", "05Xyz", "85", [_IN])
    with pytest.raises(InputError) as err:
        read_tri(path)
    assert str(path) in str(err.value) and "scenario" in str(err.value)
    assert "01for" in str(err.value)


def test_tri_folder_without_layer(tmp_path: Path) -> None:
    (tmp_path / "vide").mkdir()
    with pytest.raises(InputError, match="n_tri_"):
        read_tri(tmp_path / "vide")


def test_clay_levels_and_bad_value(tmp_path: Path) -> None:
    path = clay_layer(tmp_path / "a", [("85", 1, "Faible", _IN), ("85", 3, "Fort", _IN)])
    zones = read_clay(path)
    assert zones["level"].tolist() == [1, 3] and set(zones["hazard"]) == {"argiles"}
    assert set(zones["ref"]) == {"85"}
    bad = clay_layer(tmp_path / "b", [("85", 7, "Fort", _IN)])
    with pytest.raises(InputError) as err:
        read_clay(bad)
    assert "NIVEAU" in str(err.value) and "'7'" in str(err.value) and str(bad) in str(err.value)


def test_eaip_river_and_sea(tmp_path: Path) -> None:
    for name in ("EAIP_CE_85", "EAIP_SM_85"):
        gpd.GeoDataFrame({"id": [1]}, geometry=[box(*_IN)], crs="EPSG:2154").to_file(
            tmp_path / f"{name}.shp", engine="pyogrio"
        )
    zones = read_eaip(tmp_path)
    assert sorted(zones["hazard"]) == ["inondation", "submersion"]
    assert set(zones["scenario"]) == {"eaip"}


# -- download from 127.0.0.1, offline, workspace ------------------------------------------------


@pytest.fixture
def local(shared_data: Path) -> dict[str, Path]:
    return {
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
    }


@pytest.fixture
def hazard_server(
    server: FaultyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FaultyServer:
    """Serve a TRI département zip and the national clay zip, as Géorisques lays them out."""
    tri = tmp_path / "srv" / "tri"
    tri_layer(tri, "lrsy", "01", "01For", "85", [_IN])
    tri_layer(tri, "lrsy", "01", "04Fai", "85", [_IN, _FAR])
    server.files["/di_2020/tri_2020_sig_di_85.zip"] = zip_folder(tri)
    clay = tmp_path / "srv" / "clay"
    clay_layer(clay, [("85", 2, "Moyen", _IN), ("85", 1, "Faible", _FAR)])
    server.files["/argiles/AleaRG_Fxx_L93.zip"] = zip_folder(clay, "AleaRG_Fxx_L93")
    urls = {
        "tri": server.url("/di_2020/tri_2020_sig_di_{dep}.zip"),
        "argiles": server.url("/argiles/AleaRG_Fxx_L93.zip"),
    }
    patched = [
        dataclasses.replace(s, download=urls[s.id]) if s.id in urls else s for s in catalog.CATALOG
    ]
    monkeypatch.setattr(catalog, "CATALOG", tuple(patched))
    return server


def test_hazards_downloaded_then_offline(
    hazard_server: FaultyServer, local: dict[str, Path], tmp_path: Path
) -> None:
    skip = ["osm", "bpe", "lcz"]
    inputs = load_inputs(
        "85191", local, settings=_settings(tmp_path), skip=skip, include=["tri", "argiles"]
    )
    zones = inputs.hazards
    assert zones is not None and list(zones.columns) == HAZARD_COLUMNS
    got = sorted(zip(zones["source"], zones["scenario"], zones["level"], strict=True))
    assert got == [("argiles", "exposition", 2), ("tri", "extreme", 0), ("tri", "frequent", 0)]
    provenance = {p.source_id: p for p in inputs.provenance}
    assert provenance["tri"].location.endswith("/di_2020/tri_2020_sig_di_85.zip")
    assert provenance["argiles"].sha256
    hits = sum(hazard_server.hits.values())
    again = load_inputs(
        "85191",
        local,
        settings=_settings(tmp_path, offline=True),
        skip=skip,
        include=["tri", "argiles"],
        use_workspace=False,
    )
    assert again.hazards is not None and len(again.hazards) == 3
    assert sum(hazard_server.hits.values()) == hits
    written = write_workspace(inputs, tmp_path / "ws" / "85191")
    assert any(p.name == "hazards.parquet" for p in written)
    stored = read_workspace(tmp_path / "ws" / "85191")
    assert stored.hazards is not None and len(stored.hazards) == 3


def test_hazards_not_downloaded_unless_asked(
    hazard_server: FaultyServer, local: dict[str, Path], tmp_path: Path
) -> None:
    inputs = load_inputs("85191", local, settings=_settings(tmp_path), skip=["osm", "bpe", "lcz"])
    assert inputs.hazards is None and not hazard_server.hits


def test_offline_without_cache_names_the_tri_file(
    hazard_server: FaultyServer, local: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(SourceError) as err:
        load_inputs(
            "85191",
            local,
            settings=_settings(tmp_path, offline=True),
            skip=["osm", "bpe", "lcz"],
            include=["tri"],
        )
    assert "tri_2020_sig_di_85.zip" in str(err.value)
