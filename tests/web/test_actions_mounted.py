"""The web app serves the actions workshop of every territory it loads (issue 10 in issue 7)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from quartiers.demo.pipeline import DemoRun
from quartiers.settings import get_settings
from quartiers.web.app import create_app


def test_qpv_page_links_to_the_workshop_and_it_answers(demo_run: DemoRun) -> None:
    app = create_app([demo_run.out_dir], settings=get_settings(), contributions=False)
    code = str(demo_run.diagnostic.run["territory"]["code"])
    with TestClient(app) as client:
        page = client.get(f"/territoires/{code}/qpv/QN00001A")
        assert page.status_code == 200
        workshop = f"/territoires/{code}/qpv/QN00001A/atelier"
        assert f'href="{workshop}"' in page.text
        answer = client.get(workshop)
        assert answer.status_code == 200
        assert "Le Plateau" in answer.text
        suggestions = client.get(f"/api/territories/{code}/qpv/QN00001A/actions")
        assert suggestions.status_code == 200
        assert client.get("/api/actions/catalogue").status_code == 200
        missing = client.get(f"/api/territories/{code}/qpv/QN99999Z/actions")
        assert missing.status_code == 404
        assert "QPV inconnu" in missing.json()["detail"]
