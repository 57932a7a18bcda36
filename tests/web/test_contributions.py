"""Residents' contributions in the web app: form target, QPV page, perceived vs measured."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from quartiers.diagnostic import Diagnostic
from quartiers.participation.vocab import Status
from quartiers.settings import get_settings
from quartiers.web import create_app
from quartiers.web.app import app_state

from .conftest import web_settings

DEMO = "200000001"


@pytest.fixture()
def app(demo_dir: Path, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app([demo_dir], settings=web_settings(tmp_path), secure_cookies=False)
    yield application
    app_state(application).contributions.close()


def _inside(demo_dir: Path, code_qp: str) -> tuple[float, float]:
    qpv = Diagnostic.load(demo_dir).qpv.to_crs("EPSG:4326").set_index("code_qp")
    point = qpv.geometry[code_qp].representative_point()
    return float(point.x), float(point.y)


def _publish(app: FastAPI, contribution_id: int) -> None:
    store = app_state(app).contributions.store
    assert store is not None
    store.moderate(contribution_id, Status.PUBLISHED, actor="test", scope=None)


def test_published_contribution_reaches_the_qpv_page(app: FastAPI, demo_dir: Path) -> None:
    lon, lat = _inside(demo_dir, "QN00001B")
    with TestClient(app) as c:
        overview = c.get(f"/territoires/{DEMO}").text
        assert 'id="form-contribution"' in overview and "Lieu trop chaud" in overview
        receipt = c.post(
            "/api/contributions",
            json={
                "territory": DEMO,
                "lon": lon,
                "lat": lat,
                "category": "trop_chaud",
                "text": "La dalle devant l'école est brûlante <b>l'après-midi</b>.",
            },
        )
        assert receipt.status_code == 201, receipt.text
        body = receipt.json()
        assert body["code_qp"] == "QN00001B"  # inferred from the point by the store
        page = c.get(f"/territoires/{DEMO}/qpv/QN00001B").text
        assert "dalle devant" not in page  # pending: not public
        _publish(app, body["id"])
        page = c.get(f"/territoires/{DEMO}/qpv/QN00001B").text
        assert "&lt;b&gt;l&#39;après-midi&lt;/b&gt;" in page  # shown as text, escaped
        text = unescape(page)
        assert "Lieu trop chaud" in text
        assert "Lieux ressentis trop chauds et vulnérabilité mesurée" in text
        assert any(word in text for word in ("concordant", "intermédiaire", "discordant"))
        other = unescape(c.get(f"/territoires/{DEMO}/qpv/QN00001A").text)
        assert "Aucune contribution publiée pour ce QPV." in other
        geo = c.get("/api/contributions.geojson", params={"territory": DEMO}).json()
        assert len(geo["features"]) == 1


def test_points_outside_the_territory_are_refused(app: FastAPI) -> None:
    with TestClient(app) as c:
        r = c.post(
            "/api/contributions",
            json={
                "territory": DEMO,
                "lon": 2.35,
                "lat": 48.85,
                "category": "frais",
                "text": "Un parc à Paris",
            },
        )
        assert r.status_code == 422
        assert r.json()["detail"][0]["msg"]  # a French message from the store


def test_contributions_can_be_turned_off(demo_dir: Path, tmp_path: Path) -> None:
    application = create_app([demo_dir], settings=web_settings(tmp_path), contributions=False)
    with TestClient(application) as c:
        html = unescape(c.get(f"/territoires/{DEMO}").text)
        assert "Contributions des habitants : non disponibles (contributions désactivées" in html
        assert 'id="form-contribution"' not in html
        assert c.get("/api/contributions").status_code == 404
    assert not (tmp_path / "contributions.sqlite3").exists()


def test_unreachable_database_does_not_stop_the_site(demo_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "un-fichier"
    blocker.write_text("pas un dossier")
    settings = get_settings(database_url=f"sqlite:///{blocker / 'c.db'}")
    application = create_app([demo_dir], settings=settings)
    with TestClient(application) as c:
        html = unescape(c.get(f"/territoires/{DEMO}/qpv/QN00001A").text)
        assert "Contributions des habitants : non disponibles (base des contributions" in html
