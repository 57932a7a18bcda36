"""The QPV page shows the QPV's warning on the OpenStreetMap tree mapping (issue 22)."""

from __future__ import annotations

import shutil
from html import unescape
from pathlib import Path

import geopandas as gpd
from fastapi.testclient import TestClient

from .conftest import web_settings

DEMO = "200000001"
WARNING = "aucun arbre isolé cartographié dans OpenStreetMap sur le QPV : à vérifier"


def test_qpv_page_shows_the_canopy_warning(demo_dir: Path, tmp_path: Path) -> None:
    from quartiers.web import create_app

    copy = tmp_path / "diag"
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("entrees", ".espace"))
    qpv = gpd.read_parquet(copy / "qpv.parquet")
    qpv["canopy_warning"] = qpv["code_qp"].map({"QN00001A": WARNING}).fillna("")
    qpv.to_parquet(copy / "qpv.parquet")
    with TestClient(create_app([copy], settings=web_settings(tmp_path))) as client:
        flagged = unescape(client.get(f"/territoires/{DEMO}/qpv/QN00001A").text)
        other = unescape(client.get(f"/territoires/{DEMO}/qpv/QN00001B").text)
    section = flagged[flagged.index('id="titre-ressources"') :]
    assert f"Canopée : {WARNING}." in section
    assert "Canopée : " not in other
