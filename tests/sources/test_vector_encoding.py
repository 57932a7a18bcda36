"""Vector layers whose text is not UTF-8: one French line naming the file (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from quartiers.cli import main
from quartiers.errors import InputError
from quartiers.sources.qpv import read_qpv

RING = [[-1.43, 46.67], [-1.42, 46.67], [-1.42, 46.68], [-1.43, 46.68], [-1.43, 46.67]]
PROPERTIES = {
    "code_qp": "QN08503I",
    "lib_qp": "Liberté - Zola",
    "insee_com": "85191",
    "siren_epci": "248500589",
}


def _latin1_geojson(path: Path) -> Path:
    feature = {
        "type": "Feature",
        "properties": PROPERTIES,
        "geometry": {"type": "Polygon", "coordinates": [RING]},
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)
    path.write_bytes(text.replace(', "features"', ',\n"features"').encode("latin-1"))
    return path


def test_latin1_geojson_is_refused_in_french(tmp_path: Path) -> None:
    path = _latin1_geojson(tmp_path / "QP2024.geojson")
    with pytest.raises(InputError) as caught:
        read_qpv(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : encodage non UTF-8 (octet 0xE9 ligne 2)")
    assert "réenregistrez-le en UTF-8" in message and "\n" not in message


def test_shapefile_whose_cpg_lies_names_the_dbf(tmp_path: Path) -> None:
    path = tmp_path / "qpv.shp"
    gpd.GeoDataFrame(
        {key: [value] for key, value in PROPERTIES.items()},
        geometry=[shapely.box(360_000, 6_627_000, 361_000, 6_628_000)],
        crs="EPSG:2154",
    ).to_file(path, encoding="latin1")
    path.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
    with pytest.raises(InputError, match=r"qpv\.dbf : encodage non UTF-8 .*qpv\.cpg"):
        read_qpv(path)


@pytest.mark.shared
def test_diagnose_with_latin1_qpv_exits_1_and_writes_nothing(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTIERS_WORKSPACE_DIR", str(tmp_path / "ws"))
    path = _latin1_geojson(tmp_path / "QP2024.geojson")
    out = tmp_path / "sortie"
    filosofi = shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv"
    code = main([
        "diagnose", "-t", "85191", "-o", str(out), "--offline", "--skip", "bpe", "--skip", "lcz",
        "--skip", "osm", "--source", f"qpv={path}", "--source", f"filosofi={filosofi}",
        "--source", f"communes={shared_data / 'admin' / 'communes_4epci.geojson'}",
        "--source", f"climadiag={shared_data / 'climate' / 'climadiag_tracc_4communes.csv'}",
    ])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "UnicodeDecodeError" not in err
    assert f"{path} : encodage non UTF-8" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
