"""The hazard and DPE tables compare the QPV with the rest of its EPCI where ``qpv.csv`` has
the figures, and say « EPCI non disponible » otherwise (issue 19, point 3): web QPV page and
sheet, rendered from their own templates."""

from __future__ import annotations

import math
from html import unescape

import pandas as pd

from quartiers.indicators.hazard_registry import HAZARD_POPULATIONS
from quartiers.outputs.hazard_summary import hazard_summary
from quartiers.outputs.housing_summary import HOUSING_ROWS, housing_summary
from quartiers.report.render import render_template
from quartiers.web.templating import ENVIRONMENT


def _row(epci: bool) -> pd.Series:
    values: dict[str, float] = {"population": 1000.0, "households": 400.0, "dpe_coverage": 0.5}
    names = [
        f"{g}_{p}" for g in ("flood", "sea", "clay", "multi_hazard") for p in HAZARD_POPULATIONS
    ]
    for ind in (*names, *HOUSING_ROWS):
        values[ind] = 0.30
        values[f"gap_commune_{ind}"] = 0.10
        values[f"gap_epci_{ind}"] = 0.12 if epci else math.nan
    return pd.Series(values)


def _render(epci: bool) -> tuple[str, str]:
    row = _row(epci)
    context = {"hazards": hazard_summary(row, {}), "housing": housing_summary(row, {})}
    web = ENVIRONMENT.get_template("_aleas.html").render(**context)
    web += ENVIRONMENT.get_template("_logement.html").render(**context)
    sheet = render_template("_aleas.html.j2", **context)
    sheet += render_template("_logement.html.j2", **context)
    return unescape(web).replace("\xa0", " "), unescape(sheet).replace("\xa0", " ")


def test_epci_columns_where_qpv_csv_has_them() -> None:
    web, sheet = _render(epci=True)
    assert web.count('<th scope="col" class="nombre">Reste de l\'EPCI</th>') == 4  # 3 + DPE
    assert web.count('<td class="nombre">18,0 %</td><td class="nombre">+12,0 pt</td>') == 17
    assert "EPCI non disponible" not in web
    assert "écart au reste de l'EPCI" in sheet and "EPCI +12,0 pt" in sheet
    assert '<th class="num">Reste EPCI</th>' in sheet
    assert "EPCI non disponible" not in sheet


def test_epci_not_available_is_said() -> None:
    web, sheet = _render(epci=False)
    assert "Reste de l'EPCI" not in web and web.count("EPCI non disponible") == 2
    assert "Reste EPCI" not in sheet and sheet.count("EPCI non disponible") == 2
