"""JSON API: schemas, pagination, stable identifiers, French errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box, shape

from quartiers.diagnostic import Diagnostic
from quartiers.web.api import MAX_BBOX_KM2
from quartiers.web.schemas import (
    CellCollection,
    ClimateValue,
    MethodDescription,
    Page,
    QpvDetail,
    QpvSummary,
    TerritoryDetail,
    TerritorySummary,
)

DEMO = "200000001"
BBOX = "-1.25,46.85,-1.20,46.88"


def _french_detail(response: object) -> str:
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    assert isinstance(detail, str) and detail
    return detail


def test_territories_list(client: TestClient) -> None:
    r = client.get("/api/territories")
    assert r.status_code == 200
    page = Page[TerritorySummary].model_validate(r.json())
    assert page.total == 1 and page.items[0].code == DEMO
    item = page.items[0]
    assert item.qpv_count == 2 and item.cells > 1000
    assert item.links["page"] == f"/territoires/{DEMO}"
    assert -1.4 < item.bbox[0] < item.bbox[2] < -1.0


def test_territory_detail(client: TestClient) -> None:
    r = client.get(f"/api/territories/{DEMO}")
    detail = TerritoryDetail.model_validate(r.json())
    assert {s.source_id for s in detail.sources} >= {"qpv", "filosofi", "communes"}
    # no server path is published, only file names
    assert all(s.file is None or "/" not in s.file for s in detail.sources)
    assert "/tmp" not in r.text
    assert [h.id for h in detail.horizons] == ["ref", "2030", "2050", "2100"]
    ids = [i.id for i in detail.indicators]
    assert ids[0] == "index" and "poverty_rate" in ids
    assert detail.has_uncertainty is True
    assert "hotspots" in detail.layers and "places" not in detail.layers


def test_qpv_list_is_paginated_and_sorted(client: TestClient) -> None:
    page = Page[QpvSummary].model_validate(client.get(f"/api/territories/{DEMO}/qpv").json())
    assert page.total == 2
    assert [q.rank for q in page.items] == [1, 2]
    first = client.get(f"/api/territories/{DEMO}/qpv", params={"limit": 1, "offset": 1}).json()
    assert first["total"] == 2 and len(first["items"]) == 1
    assert first["items"][0]["code_qp"] == page.items[1].code_qp
    by_code = client.get(f"/api/territories/{DEMO}/qpv", params={"sort": "code_qp"}).json()
    codes = [q["code_qp"] for q in by_code["items"]]
    assert codes == sorted(codes)
    by_index = client.get(f"/api/territories/{DEMO}/qpv", params={"sort": "index"}).json()
    values = [q["index"] for q in by_index["items"]]
    assert values == sorted(values, reverse=True)
    assert all(q.uncertainty is not None for q in page.items)


def test_qpv_detail_matches_the_diagnostic(client: TestClient, demo_dir: Path) -> None:
    diag = Diagnostic.load(demo_dir)
    row = diag.qpv.set_index("code_qp").loc["QN00001A"]
    detail = QpvDetail.model_validate(client.get(f"/api/territories/{DEMO}/qpv/QN00001A").json())
    assert detail.index == pytest.approx(float(row["index"]), rel=1e-5)
    assert detail.rank == int(row["rank"])
    poverty = next(i for i in detail.indicators if i.id == "poverty_rate")
    assert poverty.value == pytest.approx(float(row["poverty_rate"]), rel=1e-5)
    assert poverty.commune.gap == pytest.approx(float(row["gap_commune_poverty_rate"]), rel=1e-5)
    assert poverty.commune.value == pytest.approx(
        float(row["poverty_rate"] - row["gap_commune_poverty_rate"]), rel=1e-4
    )
    assert poverty.display.endswith("%")
    assert {c.horizon for c in detail.climate} == {"ref", "2030", "2050", "2100"}
    assert detail.links["page"] == f"/territoires/{DEMO}/qpv/QN00001A"


def test_cells_by_bbox(client: TestClient) -> None:
    r = client.get(f"/api/territories/{DEMO}/cells", params={"bbox": BBOX, "limit": 50})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = CellCollection.model_validate(r.json())
    assert fc.total > 50 and len(fc.features) == 50 and fc.next
    window = box(-1.25, 46.85, -1.20, 46.88)
    for feature in fc.features:
        assert shape(feature["geometry"]).intersects(window)
        assert feature["id"].startswith("CRS3035RES200m")
        assert "index" in feature["properties"]
    # following the next links gives every cell once
    seen = {f["id"] for f in fc.features}
    url = fc.next
    while url:
        page = client.get(url).json()
        seen |= {f["id"] for f in page["features"]}
        url = page["next"]
    assert len(seen) == fc.total


def test_cells_outside_the_territory_is_an_empty_page(client: TestClient) -> None:
    fc = client.get(f"/api/territories/{DEMO}/cells", params={"bbox": "5,45,5.01,45.01"}).json()
    assert fc["total"] == 0 and fc["features"] == [] and fc["next"] is None


def test_oversized_bbox_is_400_in_french(client: TestClient) -> None:
    r = client.get(f"/api/territories/{DEMO}/cells", params={"bbox": "-5,40,5,50"})
    assert r.status_code == 400
    detail = _french_detail(r)
    assert detail.startswith("bbox trop grande")
    assert "km² au plus" in detail and "2\u202f500" in detail
    assert MAX_BBOX_KM2 == 2500


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "3,0,1,1"])
def test_bad_bbox_is_400_in_french(client: TestClient, bbox: str) -> None:
    r = client.get(f"/api/territories/{DEMO}/cells", params={"bbox": bbox})
    assert r.status_code == 400
    assert _french_detail(r).startswith("bbox : ")


def test_missing_bbox_and_bad_limit_are_422_in_french(client: TestClient) -> None:
    r = client.get(f"/api/territories/{DEMO}/cells")
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "paramètre obligatoire manquant"
    r = client.get(f"/api/territories/{DEMO}/qpv", params={"limit": 0})
    assert r.json()["detail"][0]["msg"] == "valeur ≥ 1 attendue"
    r = client.get(f"/api/territories/{DEMO}/qpv", params={"sort": "hasard"})
    assert r.status_code == 422 and "valeur attendue parmi" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/territories/99999", "territoire inconnu : 99999"),
        ("/api/territories/99999/qpv", "territoire inconnu"),
        (f"/api/territories/{DEMO}/qpv/QN99999Z", "QPV inconnu dans le territoire"),
        (f"/api/territories/{DEMO}/layers/places.geojson", "couche places non disponible"),
        ("/api/nulle-part", "ressource introuvable : /api/nulle-part"),
    ],
)
def test_unknown_codes_are_404_in_french(client: TestClient, url: str, words: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert words in _french_detail(r)


def test_qpv_geojson_and_climate_and_all_qpv(client: TestClient) -> None:
    fc = client.get(f"/api/territories/{DEMO}/qpv.geojson").json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2
    assert {f["id"] for f in fc["features"]} == {"QN00001A", "QN00001B"}
    rows = client.get(f"/api/territories/{DEMO}/climate").json()
    climate = [ClimateValue.model_validate(c) for c in rows]
    assert {c.insee_com for c in climate} == {"00001", "00002", "00003", "00004"}
    everything = client.get("/api/qpv").json()
    assert everything["total"] == 2


def test_method(client: TestClient) -> None:
    method = MethodDescription.model_validate(client.get("/api/method").json())
    assert [h.id for h in method.horizons] == ["ref", "2030", "2050", "2100"]
    assert method.territories[0].territory == DEMO
    weights = method.territories[0].dimension_weights
    assert sum(weights.values()) == pytest.approx(1.0)
    poverty = next(i for i in method.indicators if i.id == "poverty_rate")
    assert poverty.direction == 1 and poverty.unit == "part (0–1)"


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/territories",
        "/api/territories/{code}",
        "/api/territories/{code}/qpv",
        "/api/territories/{code}/qpv/{code_qp}",
        "/api/territories/{code}/cells",
        "/api/method",
    ):
        assert "get" in paths[path], path
    cells = paths["/api/territories/{code}/cells"]["get"]
    assert {"400", "404"} <= set(cells["responses"])
    assert not any(p.startswith("/territoires") for p in paths)  # pages stay out of the API
    # no CDN-backed documentation UI
    assert client.get("/docs").status_code == 404


def test_uncertainty_hotspots_and_access_are_used(client: TestClient, demo_dir: Path) -> None:
    row = Diagnostic.load(demo_dir).qpv.set_index("code_qp").loc["QN00001B"]
    items = client.get(f"/api/territories/{DEMO}/qpv", params={"sort": "rank_interval"}).json()
    lows = [q["uncertainty"]["rank_low"] for q in items["items"]]
    assert lows == sorted(lows)
    qpv = QpvDetail.model_validate(client.get(f"/api/territories/{DEMO}/qpv/QN00001B").json())
    unc = qpv.uncertainty
    assert unc is not None
    assert unc.rank_low == row["rank_low"] and unc.rank_high == row["rank_high"]
    assert unc.p_top_quintile == pytest.approx(float(row["p_top_quintile"]))
    assert unc.robust_top_quintile is bool(row["robust_top_quintile"])
    assert unc.main_driver == row["main_driver"]
    assert set(unc.sobol_total) == {
        "normalisation",
        "aggregation",
        "weights",
        "dimension_weights",
        "indicators",
        "imputed",
        "allocation",  # the demo has residential buildings (issue 22 point 5)
        "osm_coverage",  # … and a canopy from mapped OpenStreetMap trees
    }
    assert qpv.hotspots["hotspot_population_share"] == pytest.approx(
        float(row["hotspot_population_share"]), rel=1e-5
    )
    assert qpv.access["dist_cool_outdoor_m"] == pytest.approx(
        float(row["dist_cool_outdoor_m"]), rel=1e-5
    )
    hot = client.get(f"/api/territories/{DEMO}/layers/hotspots.geojson").json()
    assert hot["features"] and {"cluster", "q_value"} <= set(hot["features"][0]["properties"])


def test_without_optional_outputs(bare_dir: Path, tmp_path: Path) -> None:
    from quartiers.web import create_app

    from .conftest import web_settings

    app = create_app([bare_dir], settings=web_settings(tmp_path))
    with TestClient(app) as c:
        detail = c.get(f"/api/territories/{DEMO}").json()
        assert detail["has_uncertainty"] is False and "hotspots" not in detail["layers"]
        qpv = c.get(f"/api/territories/{DEMO}/qpv/QN00001B").json()
        assert qpv["uncertainty"] is None
        assert qpv["hotspots"] == {} and qpv["access"] == {}
        r = c.get(f"/api/territories/{DEMO}/layers/hotspots.geojson")
        assert r.status_code == 404 and "couche hotspots non disponible" in r.json()["detail"]


def test_two_territories_share_qpv_codes(multi_client: TestClient) -> None:
    territories = multi_client.get("/api/territories").json()
    assert [t["code"] for t in territories["items"]] == [DEMO, "00001"]
    a = multi_client.get(f"/api/territories/{DEMO}/qpv/QN00001A").json()
    b = multi_client.get("/api/territories/00001/qpv/QN00001A").json()
    assert a["territory"] == DEMO and b["territory"] == "00001"
    # same neighbourhood, same population; the index is relative to each territory
    assert a["population"] == pytest.approx(b["population"], rel=1e-6)
    assert multi_client.get("/api/qpv").json()["total"] == 4


def test_payloads_are_json_without_nan(client: TestClient) -> None:
    for url in (f"/api/territories/{DEMO}", f"/api/territories/{DEMO}/qpv/QN00001B", "/api/method"):
        text = client.get(url).text
        json.loads(text)  # strict JSON
        assert "NaN" not in text and "Infinity" not in text
    values = client.get(
        f"/api/territories/{DEMO}/cells", params={"bbox": BBOX, "limit": 5000}
    ).json()
    props = [f["properties"].get("index") for f in values["features"]]
    assert any(p is None for p in props) and any(isinstance(p, float) for p in props)
    assert np.isfinite([p for p in props if p is not None]).all()
