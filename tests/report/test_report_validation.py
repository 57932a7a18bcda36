"""The « Validation » section of a QPV sheet, read from run.json."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from quartiers.diagnostic import Diagnostic
from quartiers.report.validation import qpv_validation


def _diag(run: dict[str, Any]) -> Diagnostic:
    return cast(Diagnostic, SimpleNamespace(run=run))


def _row(code: str, indicator: str, insee: float, area: float, build: float) -> dict[str, Any]:
    return {
        "code_qp": code,
        "indicator": indicator,
        "insee": insee,
        "ours_area": area,
        "ours_buildings": build,
    }


def test_nothing_to_show_without_sections() -> None:
    assert qpv_validation(_diag({}), "Q1") is None
    row = {"code_qp": "Q1", "population_area": 10.0, "population_buildings": None}
    assert qpv_validation(_diag({"allocation": {"qpv": [row]}}), "Q1") is None


def test_rows_of_the_qpv_only_and_simulated_reading() -> None:
    run = {
        "allocation": {
            "label": "au prorata de la surface",
            "qpv": [
                {"code_qp": "Q1", "population_area": 6293.3, "population_buildings": 6403.7},
                {"code_qp": "Q2", "population_area": 1.0, "population_buildings": 2.0},
            ],
        },
        "validation_insee": {
            "rows": [
                _row("Q1", "population", 6955.0, 6293.3, 6403.7),
                _row("Q1", "poverty_rate", 0.482, 0.432, 0.433),
                _row("Q2", "population", 1.0, 1.0, 1.0),
            ]
        },
        "validation_sante": {"simulated": True, "outcomes": [{"reading": "Données SIMULÉES x"}]},
    }
    v = qpv_validation(_diag(run), "Q1")
    assert v is not None
    area = v["population"]["area"].replace("\u00a0", " ").replace("\u202f", " ")
    assert area == "6 293"
    assert [r["label"].split(" ")[0] for r in v["insee"]] == ["Population", "Pauvreté"]
    assert v["insee"][1]["insee"].startswith("48,2")
    assert v["simulated"]
    assert v["health"] == ["Données SIMULÉES x"]
