"""The web app serves the diagnostic's offline background map and its maps draw it, with no
request leaving 127.0.0.1."""

from __future__ import annotations

import json
import os
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

DEMO = "200000001"


def test_basemap_files_are_served(client: TestClient, demo_dir: Path) -> None:
    for name in ("fond_z0.geojson", "fond_z15.geojson", "contours.geojson", "etiquettes.geojson"):
        response = client.get(f"/api/territories/{DEMO}/fond/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("application/geo+json")
        assert response.content == (demo_dir / "fond_de_carte" / name).read_bytes()
    missing = client.get(f"/api/territories/{DEMO}/fond/autre.geojson")
    assert missing.status_code == 404 and "fond de carte" in missing.json()["detail"]
    for name in ("fond.json", "..%2Frun.json", "cells.parquet"):
        assert client.get(f"/api/territories/{DEMO}/fond/{name}").status_code in (404, 422)


def test_map_config_lists_the_bands(client: TestClient) -> None:
    html = unescape(client.get(f"/territoires/{DEMO}").text)
    start = html.index('id="config-carte"')
    text = html[html.index(">", start) + 1 : html.index("</script>", start)]
    fond = json.loads(text)["fond"]
    assert [b["minzoom"] for b in fond["bands"]] == [0, 13, 15]
    assert fond["bands"][0]["url"] == f"/api/territories/{DEMO}/fond/fond_z0.geojson"
    assert fond["labels"].endswith("/etiquettes.geojson") and "OpenStreetMap" in fond["attribution"]
    assert 'src="/static/js/fond.js' in html or "js/fond.js" in html


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_web_map_draws_the_basemap_offline(browser: Any, live_server: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(f"{live_server.url}/territoires/{DEMO}")
        page.wait_for_selector("#carte[data-etat=prete]", timeout=60_000)
        page.wait_for_function("document.querySelectorAll('.fond-nom').length > 0")
        ids = page.evaluate("window.quartiersCarte.getStyle().layers.map(l => l.id)")
        expected = (
            "fond-voie-principale-fond_z0",
            "fond-eau-fond_z0",
            "fond-vert-fond_z0",
            "fond-bati-fond_z15",
            "fond-voie-locale-fond_z13",
            "fond-contours-communes",
        )
        for layer in expected:
            assert layer in ids, layer
        # streets are drawn above the cells, water and green areas under them
        assert ids.index("fond-vert-fond_z0") < ids.index("cells-fill")
        assert ids.index("cells-fill") < ids.index("fond-voie-principale-fond_z0")
        assert not any("fond_z15" in u for u in requests)  # the close-up band waits for the zoom
        page.evaluate("window.quartiersCarte.jumpTo({zoom: 16})")
        page.wait_for_function(
            "window.quartiersCarte.querySourceFeatures('fond_fond_z15').length > 0",
            timeout=60_000,
        )
        target = Path(os.environ.get("QUARTIERS_CAPTURES") or tmp_path)
        target.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(target / "territoire-fond-z16.png"))
        assert any("/fond/fond_z15.geojson" in u for u in requests)
        outside = [u for u in requests if not u.startswith((live_server.url, "data:", "blob:"))]
        assert outside == []
    finally:
        context.close()
