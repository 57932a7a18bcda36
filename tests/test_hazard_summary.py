"""The hazards section of a QPV (issue 19, point 4): shares, gaps, « non renseigné »."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from quartiers.outputs.hazard_summary import NOT_GIVEN, hazard_summary

GOLDEN = Path(__file__).resolve().parent / "golden" / "data"


def _t(text: str) -> str:
    """Return ``text`` with the French thin and non-breaking spaces as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _row(**values: float) -> pd.Series:
    base: dict[str, float] = {"population": 2000.0}
    for group in ("flood", "sea", "clay", "multi_hazard"):
        for pop in ("residents", "poor", "0_3", "65p"):
            base[f"{group}_{pop}"] = math.nan
            base[f"gap_commune_{group}_{pop}"] = math.nan
    base.update(values)
    return pd.Series(base)


def test_shares_gaps_and_rest_of_commune() -> None:
    row = _row(
        flood_residents=0.25,
        gap_commune_flood_residents=0.10,
        flood_poor=0.4,
        gap_commune_flood_poor=0.3,
        clay_residents=0.5,
        gap_commune_clay_residents=-0.2,
        multi_hazard_residents=0.125,
    )
    missing = {"sea_residents": "zones d'aléa absentes (sources tri non fournies)"}
    out = hazard_summary(row, missing)
    assert out is not None
    flood, sea, clay = out.blocks
    assert flood.available and _t(flood.rows[0].qpv) == "25,0 %"
    assert _t(flood.rows[0].rest) == "15,0 %"  # 0.25 − 0.10
    assert _t(flood.rows[0].gap) == "+10,0 pt"
    assert _t(flood.rows[0].compact) == "25,0 % (+10,0 pt)"
    assert [r.label for r in flood.rows] == out.population_labels
    # a hazard without source is « non renseigné », with the run's reason, never 0 %
    assert not sea.available and sea.note.startswith(NOT_GIVEN)
    assert "tri non fournies" in sea.note and not sea.rows
    assert out.present == (flood.title, clay.title)
    # 12.5 % of 2 000 residents live in two or more hazard zones
    assert out.multi_available and _t(out.multi_residents) == "250"
    assert _t(out.multi_share) == "12,5 %"


def test_no_hazard_given_and_no_hazard_column() -> None:
    out = hazard_summary(_row(), {})
    assert out is not None
    assert all(not b.available and b.note == NOT_GIVEN for b in out.blocks)
    assert out.present_text == NOT_GIVEN
    assert not out.multi_available
    # a diagnostic made before the hazards existed has no section at all
    assert hazard_summary(pd.Series({"population": 10.0}), {}) is None


def test_hazards_given_but_none_reaches_residents() -> None:
    row = _row(flood_residents=0.0, gap_commune_flood_residents=-0.05)
    out = hazard_summary(row, {})
    assert out is not None and out.present == ()
    assert out.present_text == "aucun des aléas renseignés"
    assert _t(out.blocks[0].rows[0].qpv) == "0,0 %"
    # one hazard only: the multi-hazard figures are not computable
    assert not out.multi_available


@pytest.mark.parametrize("territory", ["demo", "la-roche-sur-yon"])
def test_golden_qpv_rows(territory: str) -> None:
    """On the recorded outputs: the demo's Centre ancien, La Roche-sur-Yon without sources."""
    import json

    qpv = pd.read_csv(GOLDEN / territory / "qpv.csv", dtype={"code_qp": str})
    run = json.loads((GOLDEN / territory / "run.json").read_text(encoding="utf-8"))
    missing = run.get("missing_indicators", {})
    for _, row in qpv.iterrows():
        out = hazard_summary(row, missing)
        assert out is not None
        if territory == "la-roche-sur-yon":
            assert all(not b.available for b in out.blocks)
            assert all("sources tri, eaip, ppr, argiles non fournies" in b.note for b in out.blocks)
        else:
            assert all(b.available for b in out.blocks)
    if territory == "demo":
        row = qpv[qpv["code_qp"] == "QN00001B"].iloc[0]
        out = hazard_summary(row, missing)
        assert out is not None
        assert _t(out.blocks[0].rows[0].qpv) == "16,1 %"
        assert out.multi_available and _t(out.multi_share) == "16,1 %"
        assert "Submersion marine" not in out.present


def test_hazard_layers_have_fixed_classes() -> None:
    """A hazard share is mapped in fixed classes (0, then quarters), not in quintiles."""
    import numpy as np

    from quartiers.outputs.legends import HAZARD_BREAKS, legend_at
    from quartiers.outputs.quantities import indicator_infos

    registry = pd.DataFrame(
        [{"id": "flood_residents", "label": "Part en zone inondable", "unit": "part (0–1)",
          "dimension": "exposure", "direction": 1}]
    )  # fmt: skip
    infos = indicator_infos(
        registry, climate_ids=[], columns_with_values={"flood_residents"}, dimensions_in_index=[]
    )
    values = np.array([0.0, 0.0, 0.0, 0.1, 0.6, 1.0, np.nan])
    weights = np.ones_like(values)
    legend = legend_at(infos["flood_residents"], values, weights, horizon="ref", climate={})
    assert legend.breaks == HAZARD_BREAKS
    assert legend.labels[0] == "personne en zone (0 %)"
    assert _t(legend.labels[1]) == "plus de 0 % à 25,0 %"
    assert _t(legend.labels[-1]) == "plus de 75,0 %"
    assert len(legend.colours) == 5 and "quarts" in legend.note


def test_multi_hazard_columns_of_the_qpv_table() -> None:
    """``hazards_present`` and ``multi_hazard_population`` (exports and dictionary)."""
    from quartiers.diagnostic._hazard_columns import NONE_PRESENT, add_hazard_columns
    from quartiers.diagnostic.dictionary import describe

    nan = math.nan
    qpv = pd.DataFrame(
        {
            "code_qp": ["A", "B", "C"],
            "population": [1000.0, 500.0, 800.0],
            "flood_residents": [0.2, 0.0, nan],
            "sea_residents": [0.0, 0.0, nan],
            "clay_residents": [0.5, 0.0, nan],
            "multi_hazard_residents": [0.1, 0.0, nan],
        }
    )
    out = add_hazard_columns(qpv)
    assert out["hazards_present"].tolist()[:2] == ["inondation, argiles", NONE_PRESENT]
    assert pd.isna(out["hazards_present"].iloc[2])  # no hazard given: not « aucun »
    assert out["multi_hazard_population"].tolist()[:2] == [100.0, 0.0]
    assert list(out.columns[: len(qpv.columns)]) == list(qpv.columns)
    # a table without hazard indicators is left as it is
    assert add_hazard_columns(qpv[["code_qp", "population"]]).equals(qpv[["code_qp", "population"]])
    for column in ("hazards_present", "multi_hazard_population"):
        label, unit, _, source = describe(column)
        assert label and unit and "BRGM" in source


def test_rest_of_the_epci_where_qpv_csv_has_it() -> None:
    """Issue 19 point 3: the rest of the EPCI and the gap to it, or « EPCI non disponible »."""
    row = _row(
        flood_residents=0.25,
        gap_commune_flood_residents=0.10,
        gap_epci_flood_residents=0.20,
        clay_residents=0.5,
    )
    out = hazard_summary(row, {})
    assert out is not None and out.epci
    flood = out.blocks[0].rows[0]
    assert _t(flood.epci) == "5,0 %" and _t(flood.epci_gap) == "+20,0 pt"  # 0.25 − 0.20
    # no EPCI figure in qpv.csv (an older diagnostic, or no EPCI): the tables say so
    without = hazard_summary(_row(flood_residents=0.25, gap_commune_flood_residents=0.1), {})
    assert without is not None and not without.epci
    assert without.blocks[0].rows[0].epci == "non disponible"
