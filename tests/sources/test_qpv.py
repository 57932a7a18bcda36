"""QPV reader: the real ANCT extract and malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.schemas import QPV_COLUMNS
from quartiers.sources.qpv import read_qpv, split_codes

SQUARE = [[[-1.43, 46.67], [-1.42, 46.67], [-1.42, 46.68], [-1.43, 46.68], [-1.43, 46.67]]]


def _feature(code: str = "QN08503I", coms: str = "85191", geometry: object = None) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "fid": 1,
            "code_qp": code,
            "lib_qp": "Liberté - Zola",
            "insee_com": coms,
            "lib_com": "La Roche-sur-Yon",
            "siren_epci": "248500589",
        },
        "geometry": geometry
        if geometry is not None
        else {"type": "MultiPolygon", "coordinates": [SQUARE]},
    }


def _write(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_real_extract_has_17_qpv_in_lambert93(shared_data: Path) -> None:
    qpv = read_qpv(shared_data / "qpv" / "qpv2024_4territories.geojson")
    assert list(qpv.columns) == QPV_COLUMNS
    assert len(qpv) == 17
    assert qpv.crs.to_epsg() == 2154
    assert qpv["code_qp"].is_unique
    assert set(qpv.loc[qpv["insee_com"] == "85191", "code_qp"]) == {
        "QN08501I",
        "QN08502I",
        "QN08503I",
    }
    assert (qpv["siren_epci"].str.len() == 9).all()
    # Lambert-93 metres in mainland France.
    minx, miny, maxx, maxy = qpv.total_bounds
    assert 100_000 < minx < maxx < 1_300_000 and 6_000_000 < miny < maxy < 7_200_000
    assert qpv.geometry.is_valid.all()


def test_lambert93_shapefile_and_uppercase_fields(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "CODE_QP": ["QN08503I"],
            "LIB_QP": ["Liberté - Zola"],
            "INSEE_COM": ["85191"],
            "SIREN_EPCI": ["248500589"],
        },
        geometry=[shapely.box(360_000, 6_627_000, 361_000, 6_628_000)],
        crs="EPSG:2154",
    )
    path = tmp_path / "QP2024_Lambert93.shp"
    frame.to_file(path, encoding="utf-8")
    qpv = read_qpv(path)
    assert qpv.loc[0, "code_qp"] == "QN08503I"
    assert qpv.loc[0, "lib_qp"] == "Liberté - Zola"
    assert qpv.geometry.iloc[0].area == pytest.approx(1_000_000)


def test_multi_commune_qpv(tmp_path: Path) -> None:
    qpv = read_qpv(_write(tmp_path / "q.geojson", [_feature(coms="13055, 13070")]))
    assert qpv.loc[0, "insee_com"] == "13055"
    assert qpv.loc[0, "insee_coms"] == "13055,13070"
    assert split_codes("1053;01054") == ["01053", "01054"]


def test_missing_field_names_file_field_and_expectation(tmp_path: Path) -> None:
    feature = _feature()
    del feature["properties"]["siren_epci"]
    path = _write(tmp_path / "sans_epci.geojson", [feature])
    with pytest.raises(InputError) as err:
        read_qpv(path)
    msg = str(err.value)
    assert "sans_epci.geojson" in msg and "siren_epci" in msg and "manquant" in msg
    assert "code_qp" in msg  # the fields present are listed


def test_wrong_crs_is_refused(tmp_path: Path) -> None:
    # Lambert-93 metres labelled as WGS84 (a frequent export mistake).
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [[360000, 6627000], [361000, 6627000], [361000, 6628000], [360000, 6627000]]
        ],
    }
    path = _write(tmp_path / "mauvais_scr.geojson", [_feature(geometry=geometry)])
    with pytest.raises(
        InputError, match=r"mauvais_scr\.geojson.*SCR.*EPSG:4326 contredit.*Lambert-93"
    ):
        read_qpv(path)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_shapefile_without_crs_is_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"code_qp": ["QN08503I"], "lib_qp": ["x"], "insee_com": ["85191"], "siren_epci": ["1"]},
        geometry=[shapely.box(0, 0, 1, 1)],
    )
    path = tmp_path / "sans_prj.shp"
    frame.to_file(path)
    with pytest.raises(InputError, match=r"sans_prj\.shp : aucun système de coordonnées"):
        read_qpv(path)


def test_unparseable_geometry_names_the_qpv(tmp_path: Path) -> None:
    bad = {"type": "Polygon", "coordinates": [[[1, 2], [3]]]}
    path = _write(tmp_path / "geom.geojson", [_feature(), _feature("QN08502I", geometry=bad)])
    with pytest.raises(InputError) as err:
        read_qpv(path)
    msg = str(err.value)
    assert "geom.geojson" in msg and "QN08502I" in msg and "géométrie" in msg


def test_empty_layer(tmp_path: Path) -> None:
    path = _write(tmp_path / "vide.geojson", [])
    with pytest.raises(InputError, match=r"vide\.geojson : couche vide"):
        read_qpv(path)


def test_bad_code_and_duplicate(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"code QPV 'X12'.*code_qp"):
        read_qpv(_write(tmp_path / "a.geojson", [_feature(code="X12")]))
    with pytest.raises(InputError, match="en double"):
        read_qpv(_write(tmp_path / "b.geojson", [_feature(), _feature()]))


def test_missing_file() -> None:
    with pytest.raises(InputError, match="introuvable"):
        read_qpv(Path("/nonexistent/qpv.geojson"))


def test_self_intersecting_polygon_is_repaired(tmp_path: Path) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[-1.43, 46.67], [-1.42, 46.68], [-1.42, 46.67], [-1.43, 46.68], [-1.43, 46.67]]
        ],
    }
    qpv = read_qpv(_write(tmp_path / "noeud.geojson", [_feature(geometry=bowtie)]))
    assert qpv.geometry.is_valid.all()
    assert qpv.geometry.area.iloc[0] > 0
