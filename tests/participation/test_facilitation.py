"""The facilitators' form to open and close dot-voting (issue 18, point 5): moderators only,
CSRF and same-origin checked, territories of the moderator's roles only, French errors, plain
HTML forms; on SQLite and on PostgreSQL (``store`` runs on both)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from quartiers.participation import priorities as p
from quartiers.participation.models import AuditEntry
from quartiers.participation.store import ContributionStore

from .helpers import add_moderator, csrf_from, login_pages

PAGE = "/moderation/priorites"


def _form(token: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token,
        "territoire": "85191",
        "qpv": "QN08503I",
        "titre": "Atelier du Pont-Morineau",
        "points": "5",
        "actions": ["shade_trees", "drinking_fountains"],
    }
    data.update(overrides)
    return data


def test_facilitator_opens_and_closes_a_vote(client: TestClient, store: ContributionStore) -> None:
    add_moderator(store, "anim", ["85191"])
    assert client.get(PAGE, follow_redirects=False).headers["location"].endswith("/connexion")
    login_pages(client, "anim")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Ouvrir un vote" in page.text
    assert "Content-Security-Policy" in page.headers and "<script" not in page.text
    # every catalogue action is offered as a check box, the territory is the moderator's one
    assert 'name="actions" value="shade_trees"' in page.text
    assert '<option value="85191">85191</option>' in page.text
    assert 'href="/moderation/priorites"' in page.text  # in the moderation menu
    token = csrf_from(page.text)
    sent = client.post(PAGE + "/ouvrir", data=_form(token), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    number = int(re.search(r"ouvert=(\d+)", sent.headers["location"]).group(1))  # type: ignore[union-attr]
    info = p.get_session(store.db, number)
    assert (info.territory, info.code_qp, info.points, info.closed) == (
        "85191",
        "QN08503I",
        5,
        False,
    )
    assert [o.id for o in info.options] == ["shade_trees", "drinking_fountains"]
    assert info.options[0].label == "Planter des arbres d'ombrage"  # the catalogue's title
    listed = client.get(sent.headers["location"]).text
    assert f"Le vote de priorités n° {number} est ouvert." in listed
    assert f'href="/priorites/{number}"' in listed and "0 participant" in listed
    # residents can vote on it at once
    assert "Répartir vos 5 points" in client.get(f"/priorites/{number}").text

    closed = client.post(
        f"{PAGE}/{number}/clore", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Le vote de priorités n° {number} est clos" in closed.text
    assert p.get_session(store.db, number).closed
    assert "Ce vote est clos" in client.get(f"/priorites/{number}").text
    with store.db.reading() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == str(number))
        ).all()
    assert sorted(actions) == ["priorities_close", "priorities_open"]


def test_bad_forms_are_refused_in_french(client: TestClient, store: ContributionStore) -> None:
    add_moderator(store, "anim", ["85191"])
    login_pages(client, "anim")
    token = csrf_from(client.get(PAGE).text)
    cases = {
        "QPV : « QN99999Z » n'est pas un QPV du territoire 85191": {"qpv": "QN99999Z"},
        "territoire : « 49007 » hors de vos territoires": {
            "territoire": "49007",
            "qpv": "QN04901M",
        },
        "points : un nombre entier de 1 à 20 attendu": {"points": "30"},
        "options : 1 à 20 actions attendues": {"actions": []},
        "titre : 1 à 200 caractères attendus": {"titre": "   "},
    }
    for message, change in cases.items():
        answer = client.post(PAGE + "/ouvrir", data=_form(token, **change))
        assert answer.status_code == 422, message
        assert message in answer.text.replace("&#39;", "'"), answer.text
    # what the facilitator typed is kept in the form
    assert 'value="QN08503I"' in answer.text and 'value="shade_trees" checked' in answer.text
    forged = client.post(PAGE + "/ouvrir", data=_form("faux"))
    assert forged.status_code == 403 and "Jeton de formulaire invalide" in forged.text
    cross = client.post(
        PAGE + "/ouvrir", data=_form(token), headers={"Origin": "https://ailleurs.example"}
    )
    assert cross.status_code == 403
    assert p.scoped_sessions(store.db, None) == []


def test_a_moderator_closes_only_the_votes_of_their_territories(
    client: TestClient, store: ContributionStore
) -> None:
    other = p.open_session(
        store.db,
        territory="49007",
        code_qp="QN04901M",
        title="Atelier d'Angers",
        points=3,
        options=[p.Option("shade_trees", "Planter des arbres d'ombrage")],
    )
    add_moderator(store, "anim", ["85191"])
    login_pages(client, "anim")
    page = client.get(PAGE).text
    assert "Atelier d'Angers" not in page.replace("&#39;", "'")  # not listed
    refused = client.post(f"{PAGE}/{other}/clore", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 403 and "hors de vos territoires" in refused.text
    assert not p.get_session(store.db, other).closed
    missing = client.post(f"{PAGE}/{other + 9}/clore", data={"csrf_token": csrf_from(page)})
    assert missing.status_code == 404
    client.cookies.clear()
    logged_out = client.post(
        f"{PAGE}/{other}/clore", data={"csrf_token": "x"}, follow_redirects=False
    )
    assert logged_out.status_code == 303 and "connexion" in logged_out.headers["location"]
