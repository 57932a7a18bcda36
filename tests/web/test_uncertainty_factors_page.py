"""Method page « Solidité des rangs » (issue 22 point 5): every factor, data factors stated."""

from __future__ import annotations

import html as html_lib
import re

from fastapi.testclient import TestClient

from quartiers.web.uncertainty_view import uncertainty_of


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_uncertainty_of_states_data_factors_not_varied() -> None:
    assert uncertainty_of({}) is None
    assert uncertainty_of({"uncertainty": {"enabled": False}}) is None
    view = uncertainty_of(
        {
            "uncertainty": {
                "enabled": True,
                "draws": 200,
                "choices": {"groups": {"weights": "poids des indicateurs"}},
                "data_factors": {
                    "allocation": {"varied": False, "text": "non variée : pas de bâtiments"},
                    "osm_coverage": {"varied": False, "text": "non variée : raster"},
                },
            },
            "sensitivity": {
                "enabled": True,
                "samples": 16,
                "groups": {"weights": "poids des indicateurs"},
                "indices": [
                    {"code_qp": "Q1", "group": "weights", "total": 0.4, "total_conf": 0.1},
                    {"code_qp": "Q2", "group": "weights", "total": None, "total_conf": None},
                ],
            },
        }
    )
    assert view is not None
    assert [(f["group"], f["varied"]) for f in view["factors"]] == [
        ("weights", True),
        ("allocation", False),
        ("osm_coverage", False),
    ]
    assert view["factors"][1]["text"] == "non variée : pas de bâtiments"
    assert view["sobol"]["rows"] == [{"code_qp": "Q1", "cells": [(0.4, 0.1)]}]


def test_method_page_lists_the_demo_factors_and_sobol_margins(client: TestClient) -> None:
    html = client.get("/methode").text
    page = _text(html)
    assert "Solidité des rangs : ce qui varie" in page
    # the demo has OSM buildings and trees: both data factors vary, each has its Sobol column
    assert "Règle d'allocation : variée : chaque tirage répartit les habitants" in page
    assert "Couverture OSM : variée : OpenStreetMap ne cartographie qu'une partie" in page
    table = html[html.index('id="legende-sobol-') :]
    table = _text(table[: table.index("</table>")])
    assert "règle d'allocation" in table and "couverture OSM" in table
    assert re.search(r"\d,\d\d ± \d,\d\d", table)
