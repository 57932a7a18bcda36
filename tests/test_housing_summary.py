"""The housing section of a QPV (issue 19, point 2): DPE shares, gaps, coverage."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from quartiers.outputs.housing_summary import FEW_DPE, HOUSING_ROWS, housing_summary

GOLDEN = Path(__file__).resolve().parent / "golden" / "data"


def _t(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _row(**values: float) -> pd.Series:
    base: dict[str, float] = {"population": 2000.0, "households": 900.0}
    for ind in (*HOUSING_ROWS, "dpe_coverage"):
        base[ind] = math.nan
        base[f"gap_commune_{ind}"] = math.nan
    base.update(values)
    return pd.Series(base)


def test_shares_gaps_rest_and_coverage() -> None:
    row = _row(
        dpe_coverage=0.2,
        share_dpe_fg=0.25,
        gap_commune_share_dpe_fg=0.1,
        share_summer_comfort_poor=0.4,
        gap_commune_share_summer_comfort_poor=-0.05,
    )
    missing = {"share_heating_fuel_oil": "type_energie_principale_chauffage absent"}
    s = housing_summary(row, missing)
    assert s is not None and s.available and not s.fragile
    fg = s.rows[0]
    assert fg.label.startswith("Logements classés F ou G")
    assert _t(fg.qpv) == "25,0 %" and _t(fg.rest) == "15,0 %" and _t(fg.gap).startswith("+10,0")
    assert _t(s.rows[1].gap).startswith("−5,0") or _t(s.rows[1].gap).startswith("-5,0")
    # a share the DPE file cannot give says why, never 0 %
    fuel = s.rows[3]
    assert fuel.qpv == "non renseigné (type_energie_principale_chauffage absent)"
    assert "180 logements diagnostiqués" in _t(s.coverage_text)
    assert "20,0 %" in _t(s.coverage_text)


def test_few_certificates_are_flagged() -> None:
    s = housing_summary(_row(dpe_coverage=0.02, share_dpe_fg=0.5), {})
    assert s is not None and s.fragile and f"moins de {FEW_DPE}" in s.coverage_text


def test_no_dpe_and_old_diagnostic() -> None:
    reason = "DPE absents (source dpe non fournie)"
    s = housing_summary(_row(), {"dpe_coverage": reason})
    assert s is not None and not s.available and s.note == f"non renseigné : {reason}"
    assert housing_summary(pd.Series({"population": 10.0}), {}) is None


def test_golden_rows() -> None:
    demo = pd.read_csv(GOLDEN / "demo" / "qpv.csv", dtype={"code_qp": str}).set_index("code_qp")
    run = json.loads((GOLDEN / "demo" / "run.json").read_text(encoding="utf-8"))
    for code in demo.index:
        s = housing_summary(demo.loc[code], run["missing_indicators"])
        assert s is not None and s.available and not s.fragile
        assert all("%" in r.qpv for r in s.rows)
    lry = pd.read_csv(GOLDEN / "la-roche-sur-yon" / "qpv.csv", dtype={"code_qp": str})
    run = json.loads((GOLDEN / "la-roche-sur-yon" / "run.json").read_text(encoding="utf-8"))
    s = housing_summary(lry.iloc[0], run["missing_indicators"])
    assert s is not None and not s.available and "source dpe non fournie" in s.note


def test_rest_of_the_epci_where_qpv_csv_has_it() -> None:
    """Issue 19 point 3: the DPE table compares with the rest of the EPCI when it can."""
    row = _row(
        dpe_coverage=0.2,
        share_dpe_fg=0.25,
        gap_commune_share_dpe_fg=0.1,
        gap_epci_share_dpe_fg=0.05,
    )
    s = housing_summary(row, {})
    assert s is not None and s.epci
    assert _t(s.rows[0].epci) == "20,0 %" and _t(s.rows[0].epci_gap).startswith("+5,0")
    plain = housing_summary(_row(dpe_coverage=0.2, share_dpe_fg=0.25), {})
    assert plain is not None and not plain.epci
