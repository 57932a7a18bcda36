"""The tile mode in the browser (issue 16, point 4): Chromium on the small fictitious France.

The thresholds are lowered (``lower_national_thresholds``) so that ``france-essai`` is served
as the national run is: the map draws the cells from vector tiles, the QPV table is paginated
and searchable, the QPV values of another quantity come from the API when the menu changes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pytest

from .conftest import LiveServer, lower_national_thresholds, web_settings

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

MAP_READY = "#carte[data-etat=prete]"
MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture(scope="module")
def national_live(national_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from quartiers.web import create_app

    with pytest.MonkeyPatch.context() as mp:
        lower_national_thresholds(mp)
        app = create_app(
            [national_dir],
            settings=web_settings(tmp_path_factory.mktemp("national-live")),
            secure_cookies=False,
        )
        with LiveServer(app) as server:
            yield server


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("QUARTIERS_CAPTURES")
    path = Path(target) if target else tmp_path_factory.mktemp("captures-national")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _drawn_cells(page: Any) -> int:
    return int(
        page.evaluate(
            "() => window.quartiersCarte.queryRenderedFeatures({layers: ['cells-fill']}).length"
        )
    )


def test_map_draws_cells_from_tiles_and_switches_quantity(
    page: Any, national_live: Any, captures: Path
) -> None:
    tiles: list[Any] = []
    values: list[Any] = []
    page.on("response", lambda r: tiles.append(r) if "/tiles/" in r.url else None)
    page.on("response", lambda r: values.append(r) if "/qpv-values" in r.url else None)
    page.goto(f"{national_live.url}/territoires/france")
    page.wait_for_selector(MAP_READY, timeout=120_000)
    assert tiles, "la carte n'a demandé aucune tuile"
    assert all(r.status == 200 and r.headers["content-type"] == MVT for r in tiles)
    decoded = [mapbox_vector_tile.decode(r.body()) for r in tiles]
    assert any(d.get("carreaux", {}).get("features") for d in decoded)
    assert _drawn_cells(page) > 0
    assert page.eval_on_selector("#carte", "c => c.querySelector('canvas') !== null")
    page.screenshot(path=str(captures / "national-territoire.png"))

    # another quantity at another horizon: new tiles, QPV values from the API, table updated
    chosen, horizon = page.evaluate(
        """() => {
          const cfg = JSON.parse(document.getElementById('config-carte').textContent);
          const climate = cfg.indicators.filter(i => i.climate).map(i => i.id);
          const key = Object.keys(cfg.legends).find(
            k => climate.includes(k.split('|')[0]) && k.split('|')[1] !== cfg.run_horizon);
          return key.split('|');
        }"""
    )
    asked = len(tiles)
    page.select_option("#horizon", horizon)
    with page.expect_response(lambda r: "/tiles/" in r.url and chosen in r.url, timeout=60_000):
        page.select_option("#indicateur", chosen)
    page.wait_for_selector(f"#carte[data-indicateur={chosen}]", timeout=60_000)
    page.wait_for_function(
        "() => window.quartiersCarte.loaded() && window.quartiersCarte.areTilesLoaded()",
        timeout=60_000,
    )
    assert values and all(r.status == 200 for r in values)
    body = values[-1].json()
    assert body["indicator"] == chosen
    new = [r for r in tiles[asked:] if f"indicator={chosen}" in r.url]
    assert new and all(r.status == 200 and r.headers["content-type"] == MVT for r in new)
    assert _drawn_cells(page) > 0
    first = page.locator("#tableau-qpv tbody tr").first
    code = first.get_attribute("data-code")
    assert first.locator(".valeur-indicateur").inner_text() == body["display"][code]
    page.screenshot(path=str(captures / "national-territoire-autre.png"))
    assert page.problems == [], page.problems


def test_qpv_list_paginates_and_searches(page: Any, national_live: Any) -> None:
    page.goto(f"{national_live.url}/territoires/france")
    caption = page.locator("#legende-tableau")
    assert "QPV 1 à 10 sur" in caption.inner_text()
    first_page = page.eval_on_selector_all(
        "#tableau-qpv tbody tr", "r => r.map(x => x.dataset.code)"
    )
    page.click("nav.pagination a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert "QPV 11 à 20 sur" in page.locator("#legende-tableau").inner_text()
    second = page.eval_on_selector_all("#tableau-qpv tbody tr", "r => r.map(x => x.dataset.code)")
    assert len(second) == 10 and not set(second) & set(first_page)

    # search by code, typed in lower case
    page.fill("#recherche", second[0].lower())
    page.click("form.recherche-qpv button[type=submit]")
    page.wait_for_url(re.compile(r"recherche="))
    found = page.eval_on_selector_all("#tableau-qpv tbody tr", "r => r.map(x => x.dataset.code)")
    assert found == [second[0]]
    assert page.locator("p[role=status]").inner_text().startswith("1 QPV sur 26 pour")
    assert page.problems == [], page.problems
