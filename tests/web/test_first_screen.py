"""Territory page, first screen: the map and the QPV in brief above the fold at 1366×768;
communes and grid coverage in a block below, with what a 0 % coverage means."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quartiers.diagnostic.record import COVERAGE_NOTE_PREFIX
from quartiers.web.views import ZERO_COVERAGE_TEXT

from .conftest import web_settings

DEMO = "200000001"


def _with_uncovered_commune(demo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the demo whose run says one more commune has no grid cell at all."""
    copy = tmp_path / "diag"
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("entrees", ".espace"))
    run = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    run["coverage"].append(
        {
            "insee_com": "00199",
            "nom": "Hameau-Témoin",
            "legal_population": 850.0,
            "grid_population": 0.0,
            "grid_share": 0.0,
        }
    )
    note = COVERAGE_NOTE_PREFIX + "Hameau-Témoin (00199) 0 % ; les comparaisons portent sur…"
    run["notes"] = [*run.get("notes", []), note]
    (copy / "run.json").write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
    return copy


def test_communes_block_explains_zero_coverage(demo_dir: Path, tmp_path: Path) -> None:
    from quartiers.web import create_app

    copy = _with_uncovered_commune(demo_dir, tmp_path)
    with TestClient(create_app([copy], settings=web_settings(tmp_path))) as client:
        html = unescape(client.get(f"/territoires/{DEMO}").text)
    communes = html.index('id="titre-communes"')
    assert html.index('id="carte"') < html.index('id="tableau-qpv-bref"') < communes
    block = html[communes:]
    assert '<details class="details-communes" open>' in block
    assert "1 couverte en partie ou pas du tout par la grille INSEE" in block
    assert ZERO_COVERAGE_TEXT in block
    row = '<th scope="row">Hameau-Témoin</th><td>00199</td><td class="nombre">0\u00a0%</td>'
    assert row in block
    # the coverage note is not repeated as an alert above the map
    assert COVERAGE_NOTE_PREFIX not in html[:communes]


def test_fully_covered_territory_keeps_the_block_closed(client: TestClient) -> None:
    html = unescape(client.get(f"/territoires/{DEMO}").text)
    assert '<details class="details-communes">' in html
    assert ZERO_COVERAGE_TEXT not in html
    brief = html[
        html.index('id="tableau-qpv-bref"') : html.index(
            "</table>", html.index('id="tableau-qpv-bref"')
        )
    ]
    for header in ("QPV", "Indice", "Intervalle de rang", "Statut"):
        # a header may link to its glossary definition (issue 18)
        assert re.search(rf"<th[^>]*>(?:<[^>]+>)*{header}(?:</[^>]+>)*</th>", brief), header
    assert brief.count("<tr data-code=") == 2 and "classé" in brief


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_map_and_qpv_table_above_the_fold_at_1366x768(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    import os

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/territoires/{DEMO}")
        page.wait_for_selector("#carte[data-etat=prete]", timeout=60_000)
        target = Path(os.environ.get("QUARTIERS_CAPTURES") or tmp_path)
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / "territoire-premier-ecran.png"))
        carte = page.locator("#carte").bounding_box()
        bref = page.locator("#tableau-qpv-bref").bounding_box()
        communes = page.locator("#titre-communes").bounding_box()
        assert carte["y"] < 360 and carte["y"] + carte["height"] <= 768, carte
        assert carte["height"] >= 300 and carte["width"] >= 700, carte
        assert bref["y"] + bref["height"] <= 768 and bref["x"] > carte["x"] + carte["width"], bref
        assert communes["y"] > 768  # the commune list is below the fold
        assert page.evaluate("window.scrollY") == 0
    finally:
        context.close()


def test_drias_fallback_is_named_on_the_page(demo_dir: Path, tmp_path: Path) -> None:
    from quartiers.web import create_app

    copy = tmp_path / "diag"
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("entrees", ".espace"))
    run = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    assert run["climate"] and {r["source"] for r in run["climate"]} == {"climadiag"}
    for row in run["climate"]:
        row["source"] = "drias:RCP8.5"
    (copy / "run.json").write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
    with TestClient(create_app([copy], settings=web_settings(tmp_path))) as client:
        html = unescape(client.get(f"/territoires/{DEMO}").text)
    assert (
        "(Météo-France, DRIAS 2020, scénario RCP 8.5, valeur du point de la grille SAFRAN le "
        "plus proche de chaque commune, faute de données Climadiag Commune)"
    ) in " ".join(html.split())


def test_climadiag_is_named_when_used(client: TestClient) -> None:
    html = unescape(client.get(f"/territoires/{DEMO}").text)
    assert "(Météo-France, Climadiag Commune)" in " ".join(html.split())
