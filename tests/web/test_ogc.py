"""OGC API – Features under /ogc: GDAL's OAPIF client against uvicorn, then the spec's rules."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyproj import Transformer
from shapely.geometry import box as make_box

from quartiers.diagnostic import Diagnostic
from quartiers.web import create_app
from quartiers.web.app import app_state
from quartiers.web.ogc import CONFORMANCE
from quartiers.web.ogc_layers import CRS84

from .conftest import web_settings

DEMO = "200000001"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CODES = {"code_qp", "insee_com", "insee_coms", "siren_epci", "zone_id", "code", "idcar_200m"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def uvicorn_url(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``quartiers serve`` (uvicorn) on 127.0.0.1 in its own process.

    GDAL holds the GIL while it reads, so the server cannot run in a thread of the test.
    """
    port = _free_port()
    db = tmp_path_factory.mktemp("ogc") / "contributions.sqlite3"
    env = {**os.environ, "QUARTIERS_DATABASE_URL": f"sqlite:///{db}"}
    cmd = [
        str(Path(sys.executable).with_name("quartiers")),
        "serve",
        str(demo_dir),
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/ogc"
    deadline = time.monotonic() + 300
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/conformance", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"quartiers serve n'a pas démarré : {err[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _read(url: str, layer: str, **options: Any) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(f"OAPIF:{url}", layer=layer, **options)
    assert isinstance(frame, gpd.GeoDataFrame)
    return frame


def _same_values(served: pd.DataFrame, expected: pd.DataFrame, key: str) -> None:
    served = served.set_index(key).sort_index()
    expected = expected.set_index(key).sort_index()
    assert list(served.index) == list(expected.index)
    for column in expected.columns:
        assert column in served.columns, column
        want, got = expected[column], served[column]
        if column in CODES or not pd.api.types.is_numeric_dtype(want):
            assert [None if pd.isna(v) else str(v) for v in got] == [
                None if pd.isna(v) else str(v) for v in want
            ], column
        else:
            np.testing.assert_allclose(
                pd.to_numeric(got).to_numpy(float), want.to_numpy(float), rtol=1e-9, err_msg=column
            )


def test_gdal_lists_the_collections_and_reads_every_layer(uvicorn_url: str, demo_dir: Path) -> None:
    layers = [str(name) for name, _ in pyogrio.list_layers(f"OAPIF:{uvicorn_url}")]
    expected = [f"{DEMO}-{x}" for x in ("qpv", "zones", "cells", "hotspots", "contributions")]
    assert layers == expected
    qpv = _read(uvicorn_url, f"{DEMO}-qpv")
    table = pd.read_csv(demo_dir / "qpv.csv", dtype={c: "string" for c in CODES})
    _same_values(pd.DataFrame(qpv.drop(columns="geometry")), table, "code_qp")
    # GDAL asks for the storage CRS (Part 2) and reads its axis order (northing first)
    assert qpv.crs is not None and qpv.crs.to_epsg() == 3035
    diag = Diagnostic.load(demo_dir)
    stored = diag.qpv.set_index("code_qp").geometry
    for code, geom in zip(qpv["code_qp"], qpv.geometry, strict=True):
        assert geom.hausdorff_distance(stored[code]) < 0.05  # coordinates kept to 1 cm
    for layer, frame, key in (
        ("zones", diag.zones, "zone_id"),
        ("hotspots", diag.hotspots, "idcar_200m"),
    ):
        assert frame is not None
        served = _read(uvicorn_url, f"{DEMO}-{layer}")
        _same_values(
            pd.DataFrame(served.drop(columns="geometry")),
            pd.DataFrame(frame.drop(columns="geometry")).astype(
                {c: "string" for c in CODES if c in frame.columns}
            ),
            key,
        )


def test_gdal_pages_through_the_cells(uvicorn_url: str, demo_dir: Path) -> None:
    cells = Diagnostic.load(demo_dir).cells
    assert len(cells) > 1000
    served = _read(uvicorn_url, f"{DEMO}-cells", PAGE_SIZE=500)  # three pages, next links
    assert len(served) == len(cells)
    assert sorted(served["idcar_200m"]) == sorted(cells["idcar_200m"])
    index = served.set_index("idcar_200m")["index"].reindex(cells["idcar_200m"])
    np.testing.assert_allclose(index.to_numpy(float), cells["index"].to_numpy(float), rtol=1e-9)


# ------------------------------------------------------------------ the rules, in process


@pytest.fixture(scope="module")
def ogc(demo_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(demo_app) as client:
        yield client


def test_landing_conformance_and_openapi(ogc: TestClient) -> None:
    landing = ogc.get("/ogc/")
    assert landing.status_code == 200
    rels = {link["rel"]: link for link in landing.json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert rels["data"]["href"].endswith("/ogc/collections")
    conformance = ogc.get("/ogc/conformance").json()["conformsTo"]
    assert set(CONFORMANCE) == set(conformance)
    api = ogc.get("/ogc/api").json()
    assert api["openapi"].startswith("3.0")
    assert "/collections/{collection_id}/items" in api["paths"]


def test_collection_has_french_title_extent_and_crs(ogc: TestClient, demo_dir: Path) -> None:
    body = ogc.get(f"/ogc/collections/{DEMO}-qpv").json()
    assert body["title"].startswith("Quartiers prioritaires (QPV) — ")
    assert "Ville-Témoin" in body["title"]
    assert body["storageCrs"] == f"{EPSG}3035"
    assert f"{EPSG}2154" in body["crs"] and CRS84 in body["crs"]
    box = body["extent"]["spatial"]["bbox"][0]
    expected = Diagnostic.load(demo_dir).qpv.to_crs("OGC:CRS84").total_bounds
    np.testing.assert_allclose(box, expected, atol=1e-6)
    schema = ogc.get(f"/ogc/collections/{DEMO}-qpv/schema").json()
    assert schema["properties"]["index"]["title"] == (
        "Indice composite de vulnérabilité aux vagues de chaleur"
    )
    assert schema["properties"]["code_qp"]["x-ogc-role"] == "id"


def test_items_bbox_limit_offset_and_next_links(ogc: TestClient, demo_dir: Path) -> None:
    cells = Diagnostic.load(demo_dir).cells.to_crs("OGC:CRS84")
    minx, miny, maxx, maxy = cells.total_bounds
    box = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)
    want = set(cells.loc[cells.intersects(make_box(*box)), "idcar_200m"])
    url = f"/ogc/collections/{DEMO}-cells/items"
    params = {"bbox": ",".join(map(str, box)), "limit": 100, "datetime": "2024-07-01T00:00:00Z"}
    got: set[str] = set()
    page = ogc.get(url, params=params)
    pages = 0
    while True:
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("application/geo+json")
        body = page.json()
        assert body["numberMatched"] == len(want)
        assert body["numberReturned"] == len(body["features"]) <= 100
        got |= {f["id"] for f in body["features"]}
        pages += 1
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not nxt:
            break
        assert "bbox=" in nxt[0]  # the filter is kept in the next link
        page = ogc.get(nxt[0].replace("http://testserver", ""))
    assert got == want and pages == math.ceil(len(want) / 100)
    default = ogc.get(url).json()
    assert default["numberReturned"] == 10 and default["numberMatched"] == len(cells)


def test_one_feature_and_errors_in_french(ogc: TestClient) -> None:
    item = ogc.get(f"/ogc/collections/{DEMO}-qpv/items/QN00001A")
    assert item.status_code == 200 and item.json()["id"] == "QN00001A"
    missing = ogc.get(f"/ogc/collections/{DEMO}-qpv/items/QN99999Z")
    assert missing.status_code == 404 and "objet inconnu" in missing.json()["description"]
    assert ogc.get("/ogc/collections/inconnue").status_code == 404
    unknown = ogc.get(f"/ogc/collections/{DEMO}-qpv/items", params={"filtre": "x"})
    assert unknown.status_code == 400 and "paramètre inconnu" in unknown.json()["description"]
    bad = ogc.get(f"/ogc/collections/{DEMO}-qpv/items", params={"bbox": "1,2,3"})
    assert bad.status_code == 400 and "bbox" in bad.json()["description"]
    limit = ogc.get(f"/ogc/collections/{DEMO}-qpv/items", params={"limit": 0})
    assert limit.status_code == 400 and "limit" in limit.json()["description"]
    crs = ogc.get(f"/ogc/collections/{DEMO}-qpv/items", params={"crs": f"{EPSG}32631"})
    assert crs.status_code == 400 and "non proposé" in crs.json()["description"]


@pytest.mark.parametrize("epsg", [2154, 3035, 4326])
def test_items_in_another_crs(ogc: TestClient, demo_dir: Path, epsg: int) -> None:
    url = f"/ogc/collections/{DEMO}-qpv/items/QN00001A"
    uri = f"{EPSG}{epsg}"
    res = ogc.get(url, params={"crs": uri})
    assert res.headers["content-crs"] == f"<{uri}>"
    x, y = res.json()["geometry"]["coordinates"][0][0][0]
    lon, lat = ogc.get(url).json()["geometry"]["coordinates"][0][0][0]
    # the CRS's own axis order: northing first for EPSG:3035 and latitude first for 4326
    want = Transformer.from_crs("OGC:CRS84", f"EPSG:{epsg}", always_xy=False).transform(lon, lat)
    np.testing.assert_allclose((x, y), want, atol=0.05 if epsg != 4326 else 1e-6)
    if epsg == 2154:
        box = f"{x - 1},{y - 1},{x + 1},{y + 1}"
        found = ogc.get(
            f"/ogc/collections/{DEMO}-qpv/items", params={"bbox": box, "bbox-crs": uri}
        ).json()
        assert "QN00001A" in {f["id"] for f in found["features"]}


def test_published_contributions_collection(demo_dir: Path, tmp_path: Path) -> None:
    app = create_app([demo_dir], settings=web_settings(tmp_path), secure_cookies=False)
    qpv = Diagnostic.load(demo_dir).qpv.to_crs("EPSG:4326").set_index("code_qp")
    point = qpv.geometry["QN00001B"].representative_point()
    with TestClient(app) as c:
        receipt = c.post(
            "/api/contributions",
            json={
                "territory": DEMO,
                "lon": point.x,
                "lat": point.y,
                "category": "trop_chaud",
                "text": "Cour d'école brûlante.",
                "email": "habitant@example.org",
            },
        )
        assert receipt.status_code == 201, receipt.text
        url = f"/ogc/collections/{DEMO}-contributions/items"
        assert c.get(url).json()["numberMatched"] == 0  # pending: not public
        store = app_state(app).contributions.store
        assert store is not None
        from quartiers.participation.vocab import Status

        store.moderate(receipt.json()["id"], Status.PUBLISHED, actor="test", scope=None)
        body = c.get(url).json()
        assert body["numberMatched"] == 1
        feature = body["features"][0]
        assert feature["properties"]["code_qp"] == "QN00001B"
        assert "habitant@example.org" not in str(body)
        np.testing.assert_allclose(
            feature["geometry"]["coordinates"], [point.x, point.y], atol=1e-6
        )
    app_state(app).contributions.close()
