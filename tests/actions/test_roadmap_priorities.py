"""The roadmap's « Priorités exprimées en atelier »: the residents' votes stored in the
contributions database, printed in the DOCX and PDF/HTML roadmaps (CLI and workshop API)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient

from _actions_synthetic import Synthetic
from quartiers.actions.api import router, serve_workshops
from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.choices import Choice
from quartiers.actions.export import roadmap_docx, roadmap_html
from quartiers.actions.roadmap import build_roadmap
from quartiers.actions.whatif import complete_choices
from quartiers.actions.workshop import Workshop
from quartiers.participation import priorities as p
from quartiers.participation.store import ContributionStore
from quartiers.web.errors import install_error_handlers

CATALOGUE = default_catalogue()
HEADING = "Priorités exprimées en atelier"


def _votes(tmp_path: Path, code: str, code_qp: str) -> p.SessionResults:
    store = ContributionStore.open(f"sqlite:///{tmp_path / 'c.sqlite3'}", {})
    try:
        options = [p.Option(a, CATALOGUE.get(a).title) for a in ("cool_room", "pocket_park")]
        number = p.open_session(
            store.db, territory=code, code_qp=code_qp, title="Atelier", points=5, options=options
        )
        p.cast_ballot(store.db, number, "a", {"cool_room": 4, "pocket_park": 1})
        p.cast_ballot(store.db, number, "b", {"cool_room": 1, "pocket_park": 2})
        votes = p.qpv_priorities(store.db, code, code_qp)
    finally:
        store.close()
    assert votes is not None
    return votes


def _section_rows(data: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(data))
    headings = [par.text for par in doc.paragraphs if par.style.name.startswith("Heading")]
    assert HEADING in headings
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Action"
                 and t.rows[0].cells[1].text == "Points")  # fmt: skip
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def test_votes_are_printed_in_the_roadmap(synthetic: Synthetic, tmp_path: Path) -> None:
    diag = synthetic.before
    code_qp = str(diag.qpv["code_qp"].iloc[0])
    code = diag.record.territory.code
    choices = complete_choices(diag, code_qp, [Choice(action="cool_room")], CATALOGUE)
    without = build_roadmap(diag, code_qp, choices, catalogue=CATALOGUE)
    assert without.priorities is None and HEADING not in roadmap_html(without)

    votes = _votes(tmp_path, code, code_qp)
    roadmap = build_roadmap(diag, code_qp, choices, catalogue=CATALOGUE, votes=votes)
    assert roadmap.priorities is not None
    assert roadmap.priorities.summary == (
        "2 participants (1 vote d'atelier) ont réparti 8 points entre les actions proposées."
    )
    rows = _section_rows(roadmap_docx(roadmap))
    assert rows == [
        [CATALOGUE.get("cool_room").title, "5", "62,5\u00a0%", "2", "oui"],
        [CATALOGUE.get("pocket_park").title, "3", "37,5\u00a0%", "2", "non"],
    ]
    html = roadmap_html(roadmap)
    assert f"<h3>{HEADING}</h3>" in html and "62,5" in html


def test_workshop_download_carries_the_votes(synthetic: Synthetic, tmp_path: Path) -> None:
    diag = synthetic.before
    code_qp = str(diag.qpv["code_qp"].iloc[0])
    code = diag.record.territory.code
    votes = _votes(tmp_path, code, code_qp)
    app = FastAPI()
    install_error_handlers(app)
    serve_workshops(app, {code: Workshop(diagnostic=diag)})
    app.include_router(router)
    url = f"/api/territories/{code}/qpv/{code_qp}/feuille-de-route.docx?actions=cool_room"
    with TestClient(app) as client:
        plain = client.get(url)
        assert plain.status_code == 200
        assert HEADING not in [par.text for par in Document(io.BytesIO(plain.content)).paragraphs]
        page = f"/territoires/{code}/qpv/{code_qp}/atelier"
        assert "Priorités des habitants" not in client.get(page).text  # no database
        app.state.votes = lambda t, q: votes if (t, q) == (code, code_qp) else None
        app.state.vote_sessions = lambda t, q: []
        assert "Aucun vote de priorités pour ce quartier" in client.get(page).text
        session = p.SessionInfo(7, code, code_qp, "Atelier du 12 juin", 5, (), False)
        app.state.vote_sessions = lambda t, q: [session]
        assert '<a href="/priorites/7">Atelier du 12 juin</a>' in client.get(page).text
        voted = client.get(url)
    assert _section_rows(voted.content)[0][:2] == [CATALOGUE.get("cool_room").title, "5"]
