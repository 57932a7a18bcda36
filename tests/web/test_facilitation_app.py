"""Facilitators open and close dot-voting from the real application (issue 18, point 5):
``create_app`` over the demo with its SQLite contributions database, a moderator logged in
through the pages, the vote reaching the workshop page and the residents' page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from quartiers.participation.vocab import Role
from quartiers.web import create_app
from quartiers.web.app import app_state

from .conftest import web_settings

DEMO = "200000001"
PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture()
def app(demo_dir: Path, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app([demo_dir], settings=web_settings(tmp_path), secure_cookies=False)
    yield application
    app_state(application).contributions.close()


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def test_facilitator_opens_a_vote_for_the_workshop(app: FastAPI) -> None:
    store = app_state(app).contributions.store
    assert store is not None
    store.accounts.add_moderator("anim", PASSWORD, territories=[DEMO], role=Role("moderator"))
    with TestClient(app) as c:
        atelier = f"/territoires/{DEMO}/qpv/QN00001A/atelier"
        assert 'href="/moderation/priorites"' in c.get(atelier).text  # no vote yet: how to open
        login = c.get("/moderation/connexion").text
        c.post(
            "/moderation/connexion",
            data={"login": "anim", "password": PASSWORD, "csrf_token": _token(login)},
        )
        page = c.get("/moderation/priorites")
        assert page.status_code == 200 and "Ouvrir un vote" in page.text
        sent = c.post(
            "/moderation/priorites/ouvrir",
            data={
                "csrf_token": _token(page.text),
                "territoire": DEMO,
                "qpv": "qn00001a",  # typed in lower case: the code is read in capitals
                "titre": "Atelier du Plateau",
                "points": "4",
                "actions": ["cool_room", "shade_trees"],
            },
        )
        assert sent.status_code == 200 and "est ouvert" in sent.text
        number = int(re.search(r"n° (\d+) est ouvert", sent.text).group(1))  # type: ignore[union-attr]
        workshop = c.get(atelier).text
        assert f'<a href="/priorites/{number}">Atelier du Plateau</a>' in workshop
        assert "Répartir vos 4 points" in c.get(f"/priorites/{number}").text
        unknown = c.post(
            "/moderation/priorites/ouvrir",
            data={
                "csrf_token": _token(page.text),
                "territoire": DEMO,
                "qpv": "QN00009Z",
                "titre": "Atelier",
                "points": "4",
                "actions": ["cool_room"],
            },
        )
        assert unknown.status_code == 422
        assert "n&#39;est pas un QPV du territoire 200000001" in unknown.text
        closed = c.post(
            f"/moderation/priorites/{number}/clore", data={"csrf_token": _token(page.text)}
        )
        assert "est clos" in closed.text
        assert "(vote clos : résultats)" in c.get(atelier).text
