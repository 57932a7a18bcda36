"""The actions router: JSON endpoints, French errors, roadmap download, the workshop page."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import quote

import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient

from quartiers.actions.api import router, serve_workshops
from quartiers.actions.workshop import Workshop
from quartiers.web.errors import install_error_handlers


@pytest.fixture(scope="module")
def client(demo_workshop: Workshop) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    serve_workshops(app, {demo_workshop.code: demo_workshop})
    app.include_router(router)
    return TestClient(app)


def _base(w: Workshop) -> str:
    code_qp = str(w.diagnostic.qpv["code_qp"].iloc[0])
    return f"/api/territories/{w.code}/qpv/{code_qp}"


def test_catalogue_lists_every_action(client: TestClient, demo_workshop: Workshop) -> None:
    data = client.get("/api/actions/catalogue").json()
    assert [a["id"] for a in data["items"]] == demo_workshop.catalogue.ids
    first = data["items"][0]
    assert first["type_label"] and first["pillar_labels"] and first["cost_label"].endswith("arbre")


def test_suggestions_for_a_qpv(client: TestClient, demo_workshop: Workshop) -> None:
    data = client.get(_base(demo_workshop) + "/actions").json()
    assert data["total"] == len(demo_workshop.catalogue.actions)
    scores = [i["score"] for i in data["items"]]
    assert scores == sorted(scores, reverse=True)
    assert {h["horizon"] for h in data["horizons"]} == {"ref", "2030", "2050", "2100"}
    needs = [n["need"] for n in data["needs"]]
    assert needs == sorted(needs, reverse=True) and all(0 <= n <= 1 for n in needs)
    trees = next(i for i in data["items"] if i["action"] == "shade_trees")
    assert len(trees["choice"]["cells"]) == 2
    assert data["can_simulate"] is True


def test_unknown_codes_are_404_in_french(client: TestClient, demo_workshop: Workshop) -> None:
    response = client.get(f"/api/territories/{demo_workshop.code}/qpv/QN99999Z/actions")
    assert response.status_code == 404 and "QPV inconnu" in response.json()["detail"]
    response = client.get("/api/territories/00000/qpv/QN99999Z/actions")
    assert response.status_code == 404 and "territoire inconnu" in response.json()["detail"]


def test_bad_choice_is_400_in_french(client: TestClient, demo_workshop: Workshop) -> None:
    url = _base(demo_workshop) + "/actions/whatif"
    response = client.post(url, json={"choices": [{"action": "planter_des_palmiers"}]})
    assert response.status_code == 400
    assert "action inconnue" in response.json()["detail"]
    response = client.get(
        _base(demo_workshop) + "/feuille-de-route.docx?actions=cool_room&part_cool_room=abc"
    )
    assert response.status_code == 400 and "nombre attendu" in response.json()["detail"]


def test_roadmap_download_without_simulation(client: TestClient, demo_workshop: Workshop) -> None:
    url = (
        _base(demo_workshop)
        + "/feuille-de-route.docx?actions=shade_trees,heatwave_register&part_shade_trees=10"
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "feuille-de-route-" in response.headers["content-disposition"]
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Planter des arbres d'ombrage" in text and "Tenir le registre canicule" in text
    choix = quote(json.dumps([{"action": "cool_room"}]))
    response = client.get(_base(demo_workshop) + f"/feuille-de-route.pdf?choix={choix}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_workshop_page_is_french_and_has_no_inline_code(
    client: TestClient, demo_workshop: Workshop
) -> None:
    code_qp = str(demo_workshop.diagnostic.qpv["code_qp"].iloc[0])
    html = client.get(f"/territoires/{demo_workshop.code}/qpv/{code_qp}/atelier").text
    assert '<html lang="fr">' in html
    assert "Atelier « du diagnostic aux solutions »" in html
    # what a simulation leaves out, said on the page (the apostrophe is escaped)
    assert "Simulation sans analyse d&#39;incertitude" in html
    # the map's configuration is a JSON data block (never executed), as on the territory page
    assert re.search(r'<script(?![^>]*\b(?:src=|type="application/json"))', html) is None
    assert '<script type="application/json" id="config-atelier">' in html
    assert "style=" not in html and "<style" not in html, "inline style"
    for box in re.findall(r'<input type="checkbox"[^>]*id="([^"]+)"', html):
        assert f'<label for="{box}">' in html
    for name in ("atelier.js", "atelier-carte.js", "atelier.css"):
        assert client.get(f"/atelier/static/{name}").status_code == 200
    assert client.get("/atelier/static/secret.txt").status_code == 404
