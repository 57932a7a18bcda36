"""Plain French (issue 18, point 2): /glossaire, tooltips on technical terms, no English value."""

from __future__ import annotations

import re
from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient

from quartiers.outputs.glossary import GLOSSARY, cell_place, method_value, term, term_id
from quartiers.web.app import app_state
from quartiers.web.pages_qpv import _cell_places

DEMO = "200000001"


def _text(html: str) -> str:
    """Return what a reader sees: no tags, scripts or styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_glossary_page_defines_every_term(client: TestClient) -> None:
    page = client.get("/glossaire")
    assert page.status_code == 200
    for t in GLOSSARY:
        assert f'<div id="{term_id(t.word)}">' in page.text
        assert unescape(page.text).count(t.definition) == 1
    assert 'href="/glossaire" aria-current="page"' in page.text  # in the main menu


def test_terms_link_to_their_definition(client: TestClient) -> None:
    glossary = client.get("/glossaire").text
    pages = (
        "/methode",
        f"/territoires/{DEMO}",
        f"/territoires/{DEMO}/qpv/QN00001A",
        "/comparaison",
    )
    for url in pages:
        html = client.get(url).text
        anchors = re.findall(r'<a class="terme" href="/glossaire#([a-z0-9-]+)"><abbr title="', html)
        assert anchors, url
        for anchor in anchors:
            assert f'id="{anchor}"' in glossary, (url, anchor)
    territory = unescape(client.get(f"/territoires/{DEMO}").text)
    for word in ("Intervalle de rang", "Statut", "Quintile", "Carreau de 200 m", "Rang"):
        assert f'<abbr title="{term(word).definition}">' in territory, word
    method = client.get("/methode").text
    assert f'<abbr title="{term("Monte Carlo").definition}">Monte Carlo</abbr>' in unescape(method)


def test_method_page_shows_no_english_value(client: TestClient) -> None:
    seen = _text(client.get("/methode").text)
    for english in ("percentile", "arithmetic", "geometric", "minmax", "zscore"):
        assert not re.search(rf"\b{english}\b", seen), english
    assert method_value("percentile") in seen
    assert method_value("arithmetic") in seen


def test_cells_are_named_by_their_commune(demo_app: FastAPI) -> None:
    td = next(iter(app_state(demo_app).catalog))
    cells = td.diagnostic.cells
    cell = str(cells.loc[cells["insee_com"].astype(str) == "00001", "idcar_200m"].iloc[0])
    places = _cell_places(td, [cell])
    assert places == {cell: "carreau de 200 m à Ville-Témoin"}
    assert cell_place(None) == "carreau de 200 m"
    assert "CRS3035" not in places[cell]
