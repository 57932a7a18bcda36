"""Browser test: on the workshop page a participant clicks the map to place an action's site;
the longitude/latitude fields (the keyboard way) follow, and the what-if opens the place
there (Playwright + Debian Chromium, over the demo served by uvicorn)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

CODE = "200000001"
QPV = "QN00001A"


def _marker_position(page: Any, action: str) -> str:
    return str(
        page.evaluate(
            """(action) => {
              const p = document.querySelector(`.reglage.lieu[data-action="${action}"]`);
              const rang = p.dataset.rang;
              const m = Array.from(document.querySelectorAll(".repere-action"))
                .find((el) => el.textContent === rang);
              return m ? m.parentElement.style.transform || m.style.transform : "";
            }""",
            action,
        )
    )


def test_click_on_the_map_places_the_site_the_whatif_uses(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("QUARTIERS_SCREENSHOT_DIR", tmp_path))
    page.goto(f"{live_server.url}/territoires/{CODE}/qpv/{QPV}/atelier")
    page.wait_for_selector("#carte-atelier[data-etat=prete]", timeout=60_000)
    for box in page.locator('input[name="actions"]').all():
        box.set_checked(False)
    lon_field = page.locator("#lon-cool_room")
    lat_field = page.locator("#lat-cool_room")
    default = (lon_field.input_value(), lat_field.input_value())

    # pick: the button, then a click on the map (off the default site)
    button = page.locator('.reglage.lieu[data-action="cool_room"] .bouton-placer')
    assert button.inner_text() == "Placer sur la carte"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    page.locator("#carte-atelier").scroll_into_view_if_needed()
    canvas = page.locator("#carte-atelier canvas")
    box = canvas.bounding_box()
    x, y = box["width"] * 0.35, box["height"] * 0.4
    page.mouse.click(box["x"] + x, box["y"] + y)
    lon, lat = float(lon_field.input_value()), float(lat_field.input_value())
    assert (lon_field.input_value(), lat_field.input_value()) != default
    # the site written in the fields is the clicked point (within a pixel or two)
    box = canvas.bounding_box()
    at = page.evaluate("(p) => window.quartiersCarteAtelier.project(p)", [lon, lat])
    assert abs(at["x"] - (box["width"] * 0.35)) < 2.5 and abs(at["y"] - (box["height"] * 0.4)) < 2.5
    assert page.locator("#choix-cool_room").is_checked()  # placing a site ticks its action
    assert button.get_attribute("aria-pressed") == "false"
    assert (
        "Lieu placé pour « Ouvrir une salle rafraîchie"
        in page.locator("#carte-atelier-etat").inner_text()
    )
    page.screenshot(path=str(shots / "atelier-carte-lieu.png"))

    # the what-if opens the place where it was clicked
    with page.expect_response(lambda r: r.url.endswith("/actions/whatif"), timeout=300_000) as info:
        page.get_by_role("button", name="Simuler les actions cochées").click()
    body = json.loads(info.value.request.post_data or "{}")
    assert body["choices"] == [{"action": "cool_room", "points": [[lon, lat]]}]
    data = info.value.json()
    applied = {a["action"]: a for a in data["applied"]}
    assert applied["cool_room"]["choice"]["points"] == [[lon, lat]]
    assert applied["cool_room"]["places"] == 1
    page.wait_for_selector("#etat:text('Simulation terminée.')", timeout=60_000)

    # keyboard fallback: typing the coordinates moves the site's marker on the map
    before = _marker_position(page, "cool_room")
    lon_field.fill(f"{lon + 0.004:.6f}")
    assert _marker_position(page, "cool_room") != before
    assert not page.problems, page.problems


def test_without_map_the_fields_remain(live_server: Any, browser: Any) -> None:
    """Without WebGL the map says so and the fields stay the way to give a site."""
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(f"{live_server.url}/territoires/{CODE}/qpv/{QPV}/atelier")
        assert "indiquez la longitude et la latitude" in pg.locator("#carte-atelier").inner_text()
        assert pg.locator("#lon-cool_room").is_visible()
        assert pg.locator(".bouton-placer").count() == 0
    finally:
        context.close()


def test_residents_vote_on_a_phone(live_server: Any, browser: Any) -> None:
    """The dot-voting page on a phone: no sideways scroll, a vote, the chart in French."""
    from quartiers.participation import priorities as p
    from quartiers.web.app import app_state

    store = app_state(live_server.app).contributions.store
    options = [
        p.Option("cool_room", "Ouvrir une salle rafraîchie"),
        p.Option("shade_trees", "Planter des arbres"),
    ]
    number = p.open_session(
        store.db, territory=CODE, code_qp=QPV, title="Atelier test", points=5, options=options
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        pg = context.new_page()
        pg.goto(f"{live_server.url}/priorites/{number}")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        pg.get_by_label("Ouvrir une salle rafraîchie").fill("3")
        pg.get_by_label("Planter des arbres").fill("2")
        pg.get_by_role("button", name="Envoyer mon vote").click()
        pg.wait_for_url("**fait=1**")
        assert "Merci, votre vote est enregistré" in pg.locator("main").inner_text()
        assert "1 participant, 5 points répartis." in pg.locator("#resultats + p").inner_text()
        assert pg.locator("svg.graphique rect").count() == 2
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        atelier = pg.goto(f"{live_server.url}/territoires/{CODE}/qpv/{QPV}/atelier")
        assert atelier is not None and atelier.status == 200
        assert pg.locator(f'a[href="/priorites/{number}"]').inner_text() == "Atelier test"
    finally:
        context.close()
