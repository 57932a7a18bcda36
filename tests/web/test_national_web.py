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

from quartiers.outputs.formatting import format_value
from quartiers.web import features, payloads

from .conftest import lower_national_thresholds, web_settings


@pytest.fixture(scope="module")
def national(national_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from quartiers.web import create_app

    with pytest.MonkeyPatch.context() as mp:
        lower_national_thresholds(mp)
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


def test_page_sends_the_shown_values_and_the_api_the_others(national: TestClient) -> None:
    td = national.app.state.web.catalog.get("france")  # type: ignore[attr-defined]
    cfg = _config(national.get("/territoires/france").text)
    assert list(cfg["qpv_display"]) == [f"index|{td.horizon}"] and cfg["qpv_values"] == {}
    assert cfg["qpv_values_url"] == "/api/territories/france/qpv-values"
    climate = next(i for i in cfg["indicators"] if i["climate"])
    other = next(h for h in td.climate_horizons() if h != td.horizon)
    answer = national.get(
        cfg["qpv_values_url"], params={"indicator": climate["id"], "horizon": other}
    )
    assert answer.status_code == 200
    body = answer.json()
    expected = td.qpv_values(climate["id"], other)
    assert body["horizon"] == other and list(body["values"]) == td.qpv_codes
    for code, value in zip(td.qpv_codes, expected, strict=True):
        got = body["values"][code]
        assert (got is None) if value != value else abs(got - value) < 1e-12
        assert body["display"][code] == format_value(value, climate["unit"])
    # the page drawn at that quantity shows the same displays and carries them in its map
    html = national.get(
        "/territoires/france", params={"indicateur": climate["id"], "horizon": other}
    ).text
    shown = _config(html)
    assert shown["qpv_display"] == {f"{climate['id']}|{other}": body["display"]}
    assert shown["qpv_values"] == {climate["id"]: {other: body["values"]}}
    # a non-climate quantity is read at the run's horizon whatever the horizon asked
    index = national.get(cfg["qpv_values_url"], params={"indicator": "index", "horizon": other})
    assert index.json()["horizon"] == td.horizon
    unknown = national.get(cfg["qpv_values_url"], params={"indicator": "nope"})
    assert unknown.status_code == 404 and "indicateur inconnu" in unknown.json()["detail"]


def test_tiles_are_cut_ahead_kept_on_disk_and_read_back_after_a_restart(
    national_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from quartiers.web import create_app, tiles

    lower_national_thresholds(monkeypatch)
    settings = web_settings(tmp_path)
    with TestClient(create_app([national_dir], settings=settings)) as first:
        web = first.app.state.web  # type: ignore[attr-defined]
        deadline = time.monotonic() + 120
        while web.tile_cache.get(("france", "index", "ref", "0", "0", "0")) is None:
            assert time.monotonic() < deadline, "zoom 0 non découpé à l'avance"
            time.sleep(0.2)
        cut = first.get("/api/territories/france/tiles/9/259/176.mvt")
        assert cut.status_code == 200
    stored = list((tmp_path / "cache" / "tuiles").glob("france-*/index-ref/9/259/176.mvt"))
    assert len(stored) == 1 and stored[0].read_bytes() == cut.content
    assert list(stored[0].parent.glob("*.tmp")) == []  # written atomically
    assert list(stored[0].parents[3].glob("index-ref/0/0/0.mvt"))  # cut ahead, kept too

    def no_cutting(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("tuile recoupée au lieu d'être relue du disque")

    monkeypatch.setattr(tiles.CellTiles, "tile", no_cutting)
    with TestClient(create_app([national_dir], settings=settings)) as again:
        back = again.get("/api/territories/france/tiles/9/259/176.mvt")
        assert back.status_code == 200 and back.content == cut.content


def test_start_leaves_qpv_details_features_and_ogc_layers_to_their_first_request(
    national_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quartiers.web import create_app
    from quartiers.web.payloads_qpv import qpv_detail
    from quartiers.web.schemas import QpvDetail

    lower_national_thresholds(monkeypatch)
    app = create_app([national_dir], settings=web_settings(tmp_path))
    web = app.state.web
    pay = web.payloads["france"]
    assert pay._made == {}  # no QPV detail, no QPV features, no climate table yet
    ogc = next(r.app for r in app.routes if getattr(r, "path", "") == "/ogc").state.ogc
    assert not ogc.built
    td = web.catalog.get("france")
    code = td.qpv_codes[3]
    with TestClient(app) as client:
        r = client.get(f"/api/territories/france/qpv/{code}")
        assert r.status_code == 200
        expected = QpvDetail.model_validate(qpv_detail(td, 3)).model_dump_json().encode()
        assert r.content == expected and list(pay._made) == [f"qpv:{code}"]
        assert client.get("/api/territories/france/qpv/QN00000X").status_code == 404
        assert client.get("/ogc/collections").status_code == 200 and ogc.built


def test_concurrent_first_tiles_compute_a_level_values_once(
    national: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from quartiers.web.tiles import CellTiles

    td = national.app.state.web.catalog.get("france")  # type: ignore[attr-defined]
    maker = CellTiles(td)
    calls: list[str] = []
    real = type(td).values

    def counted(self: object, indicator: str, horizon: str | None = None) -> object:
        calls.append(indicator)
        return real(self, indicator, horizon)  # type: ignore[arg-type]

    monkeypatch.setattr(type(td), "values", counted)
    start = threading.Barrier(8)

    def first_tile() -> None:
        start.wait()
        maker.values("index", td.horizon, 2)

    threads = [threading.Thread(target=first_tile) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["index"]
