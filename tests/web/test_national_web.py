"""The web app over a national diagnostic (issue 16, point 4), on the small fictitious France.

The thresholds are lowered so that ``france-essai`` (6,500 cells, 26 QPV, 13 régions) is
served as the national run is: cells as vector tiles, QPV table by pages, région pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from quartiers.demo.national import FILES, generate_france
from quartiers.diagnostic import RobustnessOptions
from quartiers.diagnostic.pipeline import diagnose
from quartiers.settings import get_settings
from quartiers.web import features, payloads, qpv_list, state, views

from .conftest import web_settings

SKIP = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo")


@pytest.fixture(scope="module")
def national_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("national-web")
    generate_france(tmp / "essai", echelle="france-essai")
    settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")
    sources = {k: tmp / "essai" / rel for k, rel in FILES.items()}
    fast = RobustnessOptions(uncertainty=False, hotspots=False)
    diag = diagnose("france", sources=sources, skip=SKIP, settings=settings, robustness=fast)
    diag.write(tmp / "out")
    return tmp / "out"


@pytest.fixture(scope="module")
def national(national_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from quartiers.web import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(views, "TILE_THRESHOLD", 1000)
        mp.setattr(payloads, "TILE_THRESHOLD", 1000)
        mp.setattr(state, "TILE_THRESHOLD", 1000)  # grids of every zoom built at startup
        mp.setattr(qpv_list, "QPV_PAGE", 10)
        app = create_app([national_dir], settings=web_settings(tmp_path_factory.mktemp("app")))
        with TestClient(app) as client:
            yield client


def _config(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="config-carte">(.*?)</script>', html, re.S)
    assert raw
    return json.loads(unescape(raw.group(1)))


def test_territory_page_draws_cells_from_tiles(national: TestClient) -> None:
    html = national.get("/territoires/france").text
    cfg = _config(html)
    assert cfg["tiles"]["url"] == "/api/territories/france/tiles/{z}/{x}/{y}.mvt"
    assert cfg["tiles"]["layer"] == "carreaux" and cfg["climate"] == {}
    assert set(national.app.state.web.tiles["france"]._levels) == set(range(12))  # type: ignore[attr-defined]
    tile = national.get("/api/territories/france/tiles/5/16/11.mvt")
    assert tile.status_code == 200 and tile.content


def test_cells_geojson_is_serialised_on_demand_and_identical(
    national: TestClient, national_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quartiers.web import create_app

    monkeypatch.setattr(payloads, "TILE_THRESHOLD", features.TILE_THRESHOLD)
    lazy = national.get("/api/territories/france/cells", params={"bbox": "2.2,48.7,2.5,49.0"})
    assert lazy.status_code == 200
    with TestClient(create_app([national_dir], settings=web_settings(tmp_path))) as eager:
        same = eager.get("/api/territories/france/cells", params={"bbox": "2.2,48.7,2.5,49.0"})
    assert lazy.content == same.content
    assert isinstance(eager.app.state.web.payloads["france"].cell_features, features.CellFeatures)


def test_qpv_table_is_paginated(national: TestClient) -> None:
    html = unescape(national.get("/territoires/france").text)
    table = html[
        html.index('id="tableau-qpv"') : html.index("</table>", html.index('id="tableau-qpv"'))
    ]
    assert table.count("<tr data-code=") == 10 and 'data-pagine="oui"' in table
    assert "QPV 1 à 10 sur 26" in table
    assert "Page 1 sur 3" in html and 'rel="next"' in html and 'rel="prev"' not in html
    brief = html[html.index('id="tableau-qpv-bref"') :]
    brief = brief[: brief.index("</table>")]
    assert brief.count("<tr data-code=") == 10
    third = unescape(national.get("/territoires/france", params={"page": 3}).text)
    assert "QPV 21 à 26 sur 26" in third and 'rel="prev"' in third
    assert 'rel="next"' not in third


def test_region_page_lists_its_qpv_on_the_national_scale(national: TestClient) -> None:
    home = unescape(national.get("/territoires/france").text)
    assert "Voir une région (13)" in home
    assert 'href="/territoires/france/regions/11">Île-de-France</a> (2 QPV)' in home
    html = unescape(national.get("/territoires/france/regions/11").text)
    assert '<h1 class="titre-territoire">Île-de-France</h1>' in html
    codes = set(re.findall(r'<tr data-code="(QZ[^"]+)" data-nom', html))
    assert codes == {"QZ07501A", "QZ07502A"}
    api = national.get("/api/territories/france/qpv", params={"limit": 500}).json()
    ranks = {q["code_qp"]: q["rank"] for q in api["items"]}
    for code in codes:  # the national ranks, not ranks within the région
        assert (
            f"{ranks[code]}<sup>" in html or f">{ranks[code]}e<" in html or str(ranks[code]) in html
        )
    cfg = _config(html)
    td = national.app.state.web.catalog.get("france")  # type: ignore[attr-defined]
    minx, miny, maxx, maxy = td.qpv[td.qpv["code_qp"].isin(codes)].total_bounds
    box = cfg["bbox"]
    assert box[0] < minx < maxx < box[2] and box[1] < miny < maxy < box[3]
    assert box[2] - box[0] < (td.bbox[2] - td.bbox[0]) / 3  # centred on the région
    missing = national.get("/territoires/france/regions/01")
    assert missing.status_code == 404 and "région 01 sans QPV" in missing.text
    assert national.get("/territoires/france/regions/99").status_code == 404


def test_home_page_counts_communes_instead_of_listing_them(national: TestClient) -> None:
    html = unescape(national.get("/").text)
    assert re.search(r"<dd>\d+ communes</dd>", html)
