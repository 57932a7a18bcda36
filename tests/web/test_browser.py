"""Browser tests: Debian Chromium (Playwright) on the demo served by uvicorn on 127.0.0.1.

Screenshots go to ``$QUARTIERS_CAPTURES`` when set (to look at them), else to a temporary
directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from quartiers.diagnostic import Diagnostic

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DEMO = "200000001"
MAP_READY = "#carte[data-etat=prete]"


@pytest.fixture(scope="module")
def captures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("QUARTIERS_CAPTURES")
    path = Path(target) if target else tmp_path_factory.mktemp("captures")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _qpv_points(demo_dir: Path) -> dict[str, tuple[float, float]]:
    qpv = Diagnostic.load(demo_dir).qpv.to_crs("EPSG:4326")
    return {
        str(code): (float(p.x), float(p.y))
        for code, p in zip(qpv["code_qp"], qpv.geometry.representative_point(), strict=True)
    }


def _open(page: Any, url: str, *, map_ready: bool = True) -> None:
    page.goto(url)
    if map_ready:
        page.wait_for_selector(MAP_READY, timeout=60_000)


def _no_problems(page: Any) -> None:
    assert page.problems == [], page.problems


def _table_codes(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#tableau-qpv tbody tr", "rows => rows.map(r => r.dataset.code)"
    )


def _rendered_classes(page: Any, layer: str) -> list[int]:
    return page.evaluate(
        """layer => window.quartiersCarte.queryRenderedFeatures({layers: [layer]})
             .map(f => f.properties._c)""",
        layer,
    )


def test_overview_map_click_sort_switch(
    page: Any, live_server: Any, demo_dir: Path, captures: Path
) -> None:
    _open(page, f"{live_server.url}/territoires/{DEMO}")
    assert page.locator("h1").inner_text().startswith("Communauté d'agglomération de Ville-Témoin")
    assert page.locator("#legende .legende-titre").inner_text() == (
        "Indice de vulnérabilité aux vagues de chaleur"
    )
    classes = _rendered_classes(page, "cells-fill")
    assert len(classes) > 500 and set(classes) <= {-1, 0, 1, 2, 3, 4} and 4 in classes
    page.screenshot(path=str(captures / "territoire.png"), full_page=True)

    # click a QPV on the map: its pop-up opens with a link to its page
    lon, lat = _qpv_points(demo_dir)["QN00001B"]
    page.locator("#carte").scroll_into_view_if_needed()
    box = page.locator("#carte canvas").bounding_box()
    point = page.evaluate("ll => window.quartiersCarte.project(ll)", [lon, lat])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    popup = page.locator(".maplibregl-popup-content")
    popup.wait_for(timeout=10_000)
    assert "Centre ancien (fictif) (QN00001B)" in popup.inner_text()
    assert "Classement dans le territoire : rang 1 sur 2" in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == f"/territoires/{DEMO}/qpv/QN00001B"
    info = page.locator("#carte-info").inner_text()
    assert info == "QPV sélectionné : Centre ancien (fictif) (QN00001B)"
    page.screenshot(path=str(captures / "territoire-clic-qpv.png"))

    # sort the table by index (descending first), then ascending
    header = page.locator("#tableau-qpv th[data-tri=indice]")
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "descending"
    by_index = page.eval_on_selector_all(
        "#tableau-qpv tbody tr", "rows => rows.map(r => Number(r.dataset.indice))"
    )
    assert by_index == sorted(by_index, reverse=True)
    assert page.locator("#tri-etat").inner_text() == "indice (décroissant)"
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _table_codes(page) == ["QN00001A", "QN00001B"]
    assert page.locator("#tableau-qpv th[data-tri=rang]").get_attribute("aria-sort") is None
    assert "tri=indice" in page.url and "ordre=asc" in page.url

    # switch the indicator, then the horizon
    # (the QPV values of another quantity come from the API: the page waits for them)
    page.select_option("#indicateur", "heat_wave_days")
    page.wait_for_function(
        "() => document.querySelector('#carte').dataset.indicateur === 'heat_wave_days'"
    )
    title = page.locator("#legende .legende-titre")
    assert title.inner_text() == (
        "Jours de vague de chaleur (commune, horizon choisi) — Référence 1976–2005"
    )
    assert page.locator("#colonne-indicateur").inner_text().startswith("Jours de vague de chaleur")
    page.wait_for_timeout(500)
    ref_classes = set(_rendered_classes(page, "cells-fill")) - {-1}
    page.select_option("#horizon", "2100")
    page.wait_for_function("() => document.querySelector('#carte').dataset.horizon === '2100'")
    assert title.inner_text().endswith("2100 (+4 °C, TRACC)")
    row = page.locator("#tableau-qpv tbody tr[data-code=QN00001A] .valeur-indicateur")
    assert row.inner_text() == "20,8\u00a0j/an"
    page.wait_for_timeout(500)
    late_classes = set(_rendered_classes(page, "cells-fill")) - {-1}
    assert max(late_classes) > max(ref_classes)  # the map darkens with warming
    assert "indicateur=heat_wave_days" in page.url and "horizon=2100" in page.url
    page.screenshot(path=str(captures / "territoire-2100.png"), full_page=True)
    _no_problems(page)


def test_qpv_page_map_and_charts(page: Any, live_server: Any, captures: Path) -> None:
    _open(page, f"{live_server.url}/territoires/{DEMO}/qpv/QN00001A")
    assert page.locator("h1").inner_text() == "Le Plateau (fictif) QN00001A"
    assert page.locator("#graphique-rapports").is_visible()
    assert page.locator("#graphique-scores").is_visible()
    initial = page.locator("#legende .legende-titre").inner_text()
    assert initial.startswith("Distance à pied")
    classes = _rendered_classes(page, "cells-fill")
    assert len(classes) > 20
    page.select_option("#indicateur", "index")
    assert page.locator("#legende .legende-titre").inner_text() == (
        "Indice de vulnérabilité aux vagues de chaleur"
    )
    page.wait_for_function("document.querySelector('#carte').dataset.indicateur === 'index'")
    focus = page.evaluate(
        "() => window.quartiersCarte.queryRenderedFeatures({layers: ['qpv-focus']}).length"
    )
    assert focus >= 1
    page.screenshot(path=str(captures / "qpv.png"), full_page=True)
    _no_problems(page)


@pytest.mark.parametrize(
    ("path", "heading", "name"),
    [
        ("/", "Territoires et quartiers prioritaires", "accueil"),
        ("/comparaison", "Comparer les territoires", "comparaison"),
        ("/methode", "Méthode du diagnostic", "methode"),
        ("/telechargements", "Téléchargements", "telechargements"),
        ("/documentation-api", "API de données", "api"),
        ("/page-absente", "Page introuvable", "erreur"),
    ],
)
def test_other_pages(
    page: Any, live_server: Any, captures: Path, path: str, heading: str, name: str
) -> None:
    _open(page, live_server.url + path, map_ready=False)
    assert page.locator("h1").inner_text() == heading
    page.screenshot(path=str(captures / f"{name}.png"), full_page=True)
    if name == "erreur":
        page.problems[:] = [p for p in page.problems if "404" not in p]
    _no_problems(page)


def test_keyboard_skip_link_and_visible_focus(page: Any, live_server: Any, captures: Path) -> None:
    _open(page, f"{live_server.url}/territoires/{DEMO}", map_ready=False)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    top = page.evaluate("() => document.activeElement.getBoundingClientRect().top")
    assert top >= 0  # the skip link shows up when focused
    page.screenshot(path=str(captures / "lien-evitement.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#contenu"
    # the sort links are reachable and usable with the keyboard
    page.focus("#tableau-qpv th[data-tri=indice] a")
    page.keyboard.press("Enter")
    sorted_by = page.locator("#tableau-qpv th[data-tri=indice]").get_attribute("aria-sort")
    assert sorted_by == "descending"


def test_uncertainty_and_hotspots(page: Any, live_server: Any, captures: Path) -> None:
    _open(page, f"{live_server.url}/territoires/{DEMO}")
    header = page.locator("#tableau-qpv th[data-tri=intervalle]")
    header.locator("a").click()
    assert header.get_attribute("aria-sort") == "ascending"
    lows = page.eval_on_selector_all(
        "#tableau-qpv tbody tr", "rows => rows.map(r => Number(r.dataset.bas))"
    )
    assert lows == sorted(lows)
    assert page.evaluate("() => !!window.quartiersCarte.getLayer('hotspots-line')")
    _open(page, f"{live_server.url}/territoires/{DEMO}/qpv/QN00001B")
    text = page.locator("#incertitude").inner_text()
    assert re.search(r"Intervalle de rang\s+1er à 2e", text)
    assert page.locator("#graphique-rangs").is_visible()
    page.screenshot(path=str(captures / "qpv-incertitude.png"), full_page=True)
    _no_problems(page)


def test_resident_contributes_moderator_publishes(
    page: Any, live_server: Any, demo_dir: Path, captures: Path
) -> None:
    from quartiers.web.app import app_state

    text = "Cour de la résidence sans ombre, <b>intenable</b> à 15 h"
    _open(page, f"{live_server.url}/territoires/{DEMO}")
    form = page.locator("#form-contribution")
    form.scroll_into_view_if_needed()
    page.locator("#lieu-carte").click()
    assert page.locator("#lieu-carte").get_attribute("aria-pressed") == "true"
    lon, lat = _qpv_points(demo_dir)["QN00001A"]
    page.locator("#carte").scroll_into_view_if_needed()
    box = page.locator("#carte canvas").bounding_box()
    point = page.evaluate("ll => window.quartiersCarte.project(ll)", [lon, lat])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.locator("#lieu-etat").inner_text().startswith("Lieu choisi sur la carte")
    assert page.locator(".maplibregl-popup").count() == 0  # choosing a place opens no pop-up
    page.get_by_label("Catégorie (obligatoire)").select_option("trop_chaud")
    page.get_by_label("Votre message (obligatoire, 3 à 1 000 caractères)").fill(text)
    page.get_by_label("Moment de la journée (facultatif)").select_option("apres_midi")
    page.get_by_role("button", name="Envoyer la contribution").click()
    feedback = page.locator("#contribution-retour")
    feedback.locator("p").first.wait_for()
    assert "Merci" in feedback.inner_text()
    page.screenshot(path=str(captures / "contribution-envoyee.png"), full_page=True)

    store = app_state(live_server.app).contributions.store
    store.accounts.add_moderator("alice", "un-mot-de-passe-solide", territories=[DEMO])
    page.goto(f"{live_server.url}/moderation")
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill("un-mot-de-passe-solide")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/moderation")
    assert "intenable" in page.get_by_role("article").first.inner_text()
    page.get_by_role("button", name=re.compile("Publier la contribution")).first.click()
    page.wait_for_url("**fait=publish**")

    _open(page, f"{live_server.url}/territoires/{DEMO}/qpv/QN00001A")
    section = page.locator("#habitants")
    assert text in section.inner_text()  # as text: the <b> is not markup
    assert section.locator("b").count() == 0
    assert "Lieu trop chaud" in section.inner_text()
    page.wait_for_function("() => !!window.quartiersCarte.getLayer('contributions-point')")
    page.screenshot(path=str(captures / "qpv-contribution.png"), full_page=True)
    _no_problems(page)

    # The same published contribution reaches the QPV's diagnostic sheet.
    from html import unescape

    from quartiers.cli import main

    sheets = demo_dir.parent / f"fiches-{live_server.port}"
    args = ["report", str(demo_dir), "--out", str(sheets), "--qpv", "QN00001A"]
    args += ["--format", "html", "--no-synthesis", "--contributions", store.db.url]
    assert main(args) == 0
    sheet = (sheets / "fiche_QN00001A.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;intenable&lt;/b&gt;" in sheet  # quoted as text, never as markup
    assert text in unescape(sheet)
    assert "Lieux trop chauds signalés et mesure" in sheet
