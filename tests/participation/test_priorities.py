"""Dot-voting priorities of a workshop: storage (SQLite and PostgreSQL), one ballot per
participant, the vote page and its results chart, the migration of an existing database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from quartiers.errors import FieldError, NotFoundError
from quartiers.participation import priorities as p
from quartiers.participation.db import Database
from quartiers.participation.models import Contribution, PriorityBallot
from quartiers.participation.schemas import ContributionCreate
from quartiers.participation.store import ContributionStore

from .helpers import INSIDE_QPV, TERRITORIES, cheap_passwords, csrf_from

OPTIONS = [
    p.Option("shade_trees", "Planter des arbres d'ombrage"),
    p.Option("cool_room", "Ouvrir une salle rafraîchie pendant les vigilances canicule"),
    p.Option("drinking_fountains", "Installer des fontaines à boire"),
]


def _open(store: ContributionStore, points: int = 5, code_qp: str = "QN08503I") -> int:
    return p.open_session(
        store.db,
        territory="85191",
        code_qp=code_qp,
        title="Atelier du Pont-Morineau",
        points=points,
        options=OPTIONS,
    )


def test_ballots_add_up_and_a_revote_replaces(store: ContributionStore) -> None:
    number = _open(store)
    p.cast_ballot(store.db, number, "alice", {"cool_room": 3, "shade_trees": 2})
    p.cast_ballot(store.db, number, "bruno", {"shade_trees": 1, "drinking_fountains": 0})
    p.cast_ballot(store.db, number, "alice", {"cool_room": 5})  # alice changes her mind
    results = p.session_results(store.db, number)
    assert results.participants == 2
    assert [(r.id, r.points, r.voters) for r in results.options] == [
        ("cool_room", 5, 1),
        ("shade_trees", 1, 1),
        ("drinking_fountains", 0, 0),
    ]
    assert results.points_cast == 6


def test_ballots_are_checked_in_french(store: ContributionStore) -> None:
    number = _open(store, points=3)
    with pytest.raises(FieldError, match="4 points répartis : 3 au plus"):
        p.cast_ballot(store.db, number, "x", {"cool_room": 2, "shade_trees": 2})
    with pytest.raises(FieldError, match="pas proposée dans ce vote"):
        p.cast_ballot(store.db, number, "x", {"cour_oasis": 1})
    with pytest.raises(FieldError, match="au moins un point"):
        p.cast_ballot(store.db, number, "x", {"cool_room": 0})
    with pytest.raises(FieldError, match="nombre entier"):
        p.cast_ballot(store.db, number, "x", {"cool_room": -1})
    with pytest.raises(NotFoundError, match="introuvable"):
        p.cast_ballot(store.db, number + 99, "x", {"cool_room": 1})
    p.close_session(store.db, number)
    with pytest.raises(FieldError, match="clos"):
        p.cast_ballot(store.db, number, "x", {"cool_room": 1})
    assert p.session_results(store.db, number).participants == 0
    with pytest.raises(FieldError, match="1 à 20"):
        p.open_session(
            store.db, territory="85191", code_qp="Q", title="t", points=0, options=OPTIONS
        )
    with pytest.raises(FieldError, match="deux fois"):
        p.open_session(
            store.db,
            territory="85191",
            code_qp="Q",
            title="t",
            points=3,
            options=[OPTIONS[0], OPTIONS[0]],
        )


def test_qpv_priorities_add_every_session_of_the_qpv(store: ContributionStore) -> None:
    assert p.qpv_priorities(store.db, "85191", "QN08503I") is None
    first, second, other = _open(store), _open(store), _open(store, code_qp="QN08501I")
    assert p.qpv_priorities(store.db, "85191", "QN08503I") is None  # sessions, no ballot
    p.cast_ballot(store.db, first, "a", {"shade_trees": 4})
    p.cast_ballot(store.db, second, "a", {"shade_trees": 1, "cool_room": 2})
    p.cast_ballot(store.db, other, "b", {"cool_room": 5})
    total = p.qpv_priorities(store.db, "85191", "QN08503I")
    assert total is not None
    assert (total.sessions, total.participants, total.points_cast) == (2, 2, 7)
    assert [(r.id, r.points) for r in total.options][:2] == [("shade_trees", 5), ("cool_room", 2)]
    assert [s.id for s in p.qpv_sessions(store.db, "85191", "QN08503I")] == [second, first]


def test_only_the_token_hash_is_stored(store: ContributionStore) -> None:
    number = _open(store)
    p.cast_ballot(store.db, number, "jeton-secret", {"cool_room": 1})
    with store.db.reading() as session:
        rows = session.query(PriorityBallot).all()
    assert [r.voter_hash for r in rows] == [p.voter_hash("jeton-secret")]
    assert "jeton-secret" not in rows[0].voter_hash


def _points(html: str) -> dict[str, int]:
    table = html.split("<caption>Points reçus par action</caption>", 1)[1]
    return {
        label: int(points)
        for label, points in re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', table)
    }


def test_vote_page_one_ballot_per_participant(client: TestClient, store: ContributionStore) -> None:
    number = _open(store)
    page = client.get(f"/priorites/{number}")
    assert page.status_code == 200
    assert "Répartir vos 5 points" in page.text and "Aucun vote pour l'instant." in page.text
    assert "qt_votant" in page.headers["set-cookie"]
    token = csrf_from(page.text)
    sent = client.post(
        f"/priorites/{number}",
        data={"csrf_token": token, "points_cool_room": "3", "points_shade_trees": "2"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?fait=1#resultats")
    again = client.post(
        f"/priorites/{number}",
        data={"csrf_token": token, "points_drinking_fountains": "4"},
        follow_redirects=True,
    )
    assert "Merci, votre vote est enregistré" in again.text
    assert "1 participant, 4 points répartis." in again.text  # replaced, not added
    assert _points(again.text)["Installer des fontaines à boire"] == 4
    assert '<svg class="graphique" role="img"' in again.text and "4 points</text>" in again.text

    too_many = client.post(
        f"/priorites/{number}", data={"csrf_token": token, "points_cool_room": "9"}
    )
    assert too_many.status_code == 422
    assert "9 points répartis : 5 au plus par participant" in too_many.text

    client.cookies.clear()  # another participant (another phone)
    other = client.get(f"/priorites/{number}")
    client.post(
        f"/priorites/{number}",
        data={"csrf_token": csrf_from(other.text), "points_cool_room": "5"},
    )
    final = client.get(f"/priorites/{number}").text
    assert "2 participants, 9 points répartis." in final
    assert _points(final)["Ouvrir une salle rafraîchie pendant les vigilances canicule"] == 5


def test_vote_without_its_cookie_or_from_another_site_is_refused(
    client: TestClient, store: ContributionStore
) -> None:
    number = _open(store)
    token = csrf_from(client.get(f"/priorites/{number}").text)
    cross = client.post(
        f"/priorites/{number}",
        data={"csrf_token": token, "points_cool_room": "1"},
        headers={"Origin": "https://ailleurs.example"},
    )
    assert cross.status_code == 403 and "Formulaire expiré" in cross.text
    client.cookies.clear()
    stale = client.post(f"/priorites/{number}", data={"csrf_token": token, "points_cool_room": "1"})
    assert stale.status_code == 403
    assert p.session_results(store.db, number).participants == 0
    assert client.get(f"/priorites/{number + 50}").status_code == 404


def test_migration_keeps_existing_contributions(db_url: str) -> None:
    """An existing database (schema 0002, with a contribution) gets the priorities tables."""
    db = Database(db_url, migrate=False)
    db.upgrade("0002")
    store = ContributionStore(db, TERRITORIES, passwords=cheap_passwords())
    receipt = store.create(
        ContributionCreate(
            territory="85191", category="trop_chaud", text="Dalle brûlante", lon=INSIDE_QPV[0],
            lat=INSIDE_QPV[1],
        )
    )  # fmt: skip
    with db.engine.connect() as connection:
        assert "priority_sessions" not in inspect(connection).get_table_names()
    db.close()
    reopened = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        assert reopened.db.current_revision() == "0004"
        with reopened.db.reading() as session:
            kept = session.get(Contribution, receipt.id)
            assert kept is not None and kept.text == "Dalle brûlante"
        number = _open(reopened)
        p.cast_ballot(reopened.db, number, "a", {"cool_room": 1})
        assert p.session_results(reopened.db, number).participants == 1
    finally:
        reopened.close()


def test_read_votes_opens_a_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    store = ContributionStore.open(url, TERRITORIES, passwords=cheap_passwords())
    number = _open(store)
    p.cast_ballot(store.db, number, "a", {"cool_room": 2})
    store.close()
    votes = p.read_votes(url, "85191", "QN08503I")
    assert votes is not None and votes.options[0].id == "cool_room"
