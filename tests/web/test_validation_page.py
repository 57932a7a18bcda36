"""The « Validation » section of the method page (allocations, INSEE's QPV figures)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from quartiers.web.validation_view import validation_of


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_validation_of_reads_run_sections() -> None:
    assert validation_of({}) is None
    view = validation_of(
        {
            "allocation": {
                "rule": "area",
                "label": "au prorata de la surface",
                "buildings_computed": True,
                "qpv": [{"code_qp": "Q1", "population_area": 100.0, "population_buildings": 110.0}],
            },
            "validation_insee": {
                "indicators": ["poverty_rate"],
                "rows": [{"code_qp": "Q1", "indicator": "poverty_rate", "comparable": "rang"}],
                "ranks": {"poverty_rate": {"same_order_area": 1.0, "note": "n"}},
            },
        }
    )
    assert view is not None
    assert view["allocation"][0]["gap"] == 0.1
    assert view["insee"][0]["comparable"] == "rangs seulement"
    assert not view["insee"][0]["level"]


def test_method_page_shows_demo_validation(client: TestClient) -> None:
    page = _text(client.get("/methode").text)
    assert "Validation" in page
    # the demo writes its own INSEE-like QPV file: the comparison shows in « make demo »
    assert "nos chiffres et ceux de l'INSEE" in page
    assert "Taux de pauvreté (INSEE : personnes ; nous : ménages)" in page
    assert "rangs seulement" in page
    assert "Au prorata des bâtiments" in page


def test_method_page_shows_simulated_health_example(client: TestClient) -> None:
    html = client.get("/methode").text
    page = _text(html)
    assert "Événements de santé — données SIMULÉES" in page
    assert "Exemple travaillé sur des données simulées" in page
    assert "Rapports de taux pour +0,1 de score" in page
    assert "passages_urgences_SIMULES" in page
    assert 'aria-labelledby="legende-residus-' in html and "Carte des résidus" in page
    assert "<polygon" in html
