"""``quartiers export --pcaet`` (issue 21, point 5): the PCAET chapter on the QPV, DOCX + CSV."""

from __future__ import annotations

import io
import math
import re
from datetime import date
from pathlib import Path

import docx
import pandas as pd
import pytest

from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.matching import suggest
from quartiers.actions.pcaet import action_hazards, build_pcaet
from quartiers.actions.pcaet_csv import (
    ACTION_COLUMNS,
    PCAET_FILES,
    VULNERABILITY_COLUMNS,
    write_pcaet,
)
from quartiers.actions.pcaet_model import HAZARDS
from quartiers.cli import main
from quartiers.demo.pipeline import DemoRun
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import unit_style

DAY = date(2026, 12, 7)
HEADINGS_1 = [
    "Cadre réglementaire et lecture",
    "1. Diagnostic : vulnérabilité des QPV aux effets du changement climatique",
    "2. Programme d'actions : actions d'adaptation retenues",
    "3. Dispositif de suivi et d'évaluation",
    "4. Limites et points non vérifiés",
]


def _csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 avec BOM attendu (Excel)"
    assert b"\r\n" in raw
    return pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _number(text: str) -> float:
    return float(text.replace(",", ".")) if text else math.nan


def _styled(document: docx.document.Document, prefix: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith(prefix)]


@pytest.fixture(scope="module")
def demo_pcaet(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pcaet") / "pcaet"
    code = main(["export", str(demo_run.out_dir), "--out", str(out), "--pcaet"])
    assert code == 0
    return out


def test_export_writes_the_docx_and_two_csv(demo_pcaet: Path) -> None:
    assert sorted(p.name for p in demo_pcaet.iterdir()) == sorted(PCAET_FILES)


def test_docx_follows_the_outline_of_the_decree_with_word_styles(demo_pcaet: Path) -> None:
    document = docx.Document(str(demo_pcaet / "chapitre_pcaet.docx"))
    assert _styled(document, "Title")[0].startswith("Chapitre « quartiers » du PCAET")
    assert _styled(document, "Heading 1") == HEADINGS_1
    level2 = _styled(document, "Heading 2")
    assert level2[0] == "1.1 Méthode"
    assert level2[1].startswith("1.2 À l'échelle de l'intercommunalité")
    # one diagnosis section and one action section per QPV, most vulnerable first
    assert level2[2] == "1.3 Centre ancien (fictif) (QN00001B) — Ville-Témoin"
    assert level2[3] == "1.4 Le Plateau (fictif) (QN00001A) — Ville-Témoin"
    assert "Centre ancien (fictif) (QN00001B)" in level2 and "Non vérifié" in level2
    assert all(t.style.name == "Table Grid" for t in document.tables)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "R229-51" in text and "arrêté du 4 août 2016" in text
    assert "les moyens à mettre en œuvre, les publics concernés" in text
    assert "n'a pas été relu sur Légifrance" in text  # what stays unverified is said
    assert "QPV" in text and "zone » remplace" not in text


def test_docx_tables_carry_the_hazards_of_each_qpv(demo_pcaet: Path) -> None:
    document = docx.Document(str(demo_pcaet / "chapitre_pcaet.docx"))
    cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    for hazard in HAZARDS:
        assert hazard.label in cells, hazard.label
    assert "Moyens" in cells and "Publics concernés" in cells and "Partenariats" in cells
    assert "Résultats attendus" in cells
    # the demo has no night-heat raster: said with its reason, never 0
    assert any(c.startswith("non disponible (raster de chaleur nocturne") for c in cells)


def test_vulnerability_csv_values_are_those_of_qpv_csv(demo_run: DemoRun, demo_pcaet: Path) -> None:
    table = _csv(demo_pcaet / "pcaet_vulnerabilite.csv")
    assert list(table.columns) == list(VULNERABILITY_COLUMNS)
    qpv = pd.read_csv(demo_run.out_dir / "qpv.csv", dtype={"code_qp": str}).set_index("code_qp")
    rows = table[table["Échelle"] == "QPV"]
    assert set(rows["Code"]) == set(qpv.index)
    assert {"flood_residents", "clay_65p", "lcz_heat", "share_dpe_fg"} <= set(
        rows["Colonne de qpv.csv"]
    )
    checked = 0
    for _, row in rows.iterrows():
        ind, code = row["Colonne de qpv.csv"], row["Code"]
        style = unit_style(REGISTRY[ind].unit)
        expected = qpv.loc[code, ind]
        if not math.isfinite(expected):
            assert row["Valeur"] == "" and row["Remarque"]
            continue
        tol = 0.51 * 10**-style.decimals
        assert _number(row["Valeur"]) == pytest.approx(expected * style.scale, abs=tol)
        gap = qpv.loc[code, f"gap_commune_{ind}"]
        assert _number(row["Écart au reste de la commune"]) == pytest.approx(
            gap * style.scale, abs=tol
        )
        rest = _number(row["Reste de l'intercommunalité"])
        epci_gap = qpv.loc[code, f"gap_epci_{ind}"]
        assert rest == pytest.approx((expected - epci_gap) * style.scale, abs=tol)
        checked += 1
    assert checked > 40
    # shares are in % and their gaps in points, with a decimal comma
    share = rows[rows["Colonne de qpv.csv"] == "clay_residents"].iloc[0]
    assert (share["Unité"], share["Unité de l'écart"]) == ("%", "pt")
    assert "," in share["Valeur"]


def test_epci_rows_are_the_rest_of_the_epci(demo_run: DemoRun, demo_pcaet: Path) -> None:
    table = _csv(demo_pcaet / "pcaet_vulnerabilite.csv")
    rest = table[table["Échelle"] == "reste de l'intercommunalité (hors QPV)"]
    zones = pd.read_parquet(demo_run.out_dir / "zones.parquet")
    epci = zones[zones["zone_type"] == "reste_epci"].iloc[0]
    assert set(rest["Code"]) == {str(epci["code"])}
    flood = rest[rest["Colonne de qpv.csv"] == "flood_residents"].iloc[0]
    assert _number(flood["Valeur"]) == pytest.approx(epci["flood_residents"] * 100, abs=0.051)


def test_epci_counts_of_exposed_residents(demo_run: DemoRun) -> None:
    diag = Diagnostic.load(demo_run.out_dir)
    chapter = build_pcaet(diag, generated_on=DAY)
    (epci,) = chapter.epcis
    assert epci.name.startswith("Communauté d'agglomération de Ville-Témoin")
    flood = next(e for e in epci.exposures if e.hazard == "flood")
    qpv = diag.qpv
    inside = float((qpv["flood_residents"] * qpv["population"]).sum())
    assert flood.units_residents == pytest.approx(inside)
    rest = diag.zones[diag.zones["zone_type"] == "reste_epci"].iloc[0]
    assert flood.rest_residents == pytest.approx(rest["flood_residents"] * rest["population"])
    assert 0 < flood.units_part < 1


def test_actions_csv_lists_the_first_suggestions(demo_run: DemoRun, demo_pcaet: Path) -> None:
    table = _csv(demo_pcaet / "pcaet_actions.csv")
    assert list(table.columns) == list(ACTION_COLUMNS)
    diag = Diagnostic.load(demo_run.out_dir)
    catalogue = default_catalogue()
    for code in ("QN00001A", "QN00001B"):
        mine = table[table["Code"] == code]
        expected = [s.action.id for s in suggest(diag, code, catalogue) if s.need > 0][:4]
        assert list(mine["Identifiant de l'action"]) == expected
        assert list(mine["Rang"]) == ["1", "2", "3", "4"]
    row = table.iloc[0]
    assert row["Pilote"] and row["Résultats attendus"] and row["Sources"]
    assert int(row["Investissement minimal (€ HT)"]) <= int(row["Investissement maximal (€ HT)"])
    followed = table[table["Colonne de qpv.csv suivie"] != ""]
    assert len(followed)
    qpv = pd.read_csv(demo_run.out_dir / "qpv.csv", dtype={"code_qp": str}).set_index("code_qp")
    for _, item in followed.iterrows():
        value = qpv.loc[item["Code"], item["Colonne de qpv.csv suivie"]]
        number = re.sub(r"[^\d,]", "", item["Situation de départ"]).replace(",", ".")
        style = unit_style(REGISTRY[item["Colonne de qpv.csv suivie"]].unit)
        assert float(number) == pytest.approx(value * style.scale, abs=0.51)


def test_action_hazards_follow_the_targets() -> None:
    actions = {a.id: a for a in default_catalogue().actions}
    assert action_hazards(actions["flood_home_works"]) == ("flood", "sea")
    assert action_hazards(actions["clay_shrinkage_prevention"]) == ("clay",)
    assert "heat" in action_hazards(actions["heatwave_register"])
    assert "indoor_heat" in action_hazards(actions["attic_heat_protection"])


def test_export_pcaet_refuses_qgis_and_the_diagnostic_folder(
    demo_run: DemoRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = demo_run.out_dir
    assert main(["export", str(out), "--out", str(tmp_path / "x"), "--pcaet",
                 "--qgis", str(tmp_path / "q")]) == 1  # fmt: skip
    assert "--pcaet et --qgis" in capsys.readouterr().err
    assert main(["export", str(out), "--out", str(out), "--pcaet"]) == 1
    assert "distinct du diagnostic" in capsys.readouterr().err


@pytest.mark.shared
def test_la_roche_sur_yon_without_hazard_layers(lry_dir: Path, tmp_path: Path) -> None:
    written = write_pcaet(Diagnostic.load(lry_dir), tmp_path / "pcaet", generated_on=DAY)
    table = _csv(written["pcaet_vulnerabilite.csv"])
    qpv = pd.read_csv(lry_dir / "qpv.csv", dtype={"code_qp": str})
    assert set(table.loc[table["Échelle"] == "QPV", "Code"]) == set(qpv["code_qp"])
    flood = table[table["Colonne de qpv.csv"] == "flood_residents"]
    # no hazard layer was given: empty with the reason, never 0 %
    assert (flood["Valeur"] == "").all() and (flood["Remarque"] != "").all()
    poverty = table[(table["Colonne de qpv.csv"] == "poverty_rate") & (table["Échelle"] == "QPV")]
    expected = qpv.set_index("code_qp")["poverty_rate"] * 100
    for _, row in poverty.iterrows():
        assert _number(row["Valeur"]) == pytest.approx(expected[row["Code"]], abs=0.051)
    document = docx.Document(str(written["chapitre_pcaet.docx"]))
    assert _styled(document, "Heading 1") == HEADINGS_1


@pytest.mark.shared
def test_zones_diagnostic_speaks_of_zones(la_roche_zones_run: Path, tmp_path: Path) -> None:
    out = la_roche_zones_run
    assert main(["export", str(out), "--out", str(tmp_path / "pcaet"), "--pcaet"]) == 0
    document = docx.Document(str(tmp_path / "pcaet" / "chapitre_pcaet.docx"))
    headings = _styled(document, "Heading 1")
    assert (
        headings[1] == "1. Diagnostic : vulnérabilité des zones aux effets du changement climatique"
    )
    body = [p.text for p in document.paragraphs if "remplace « QPV »" not in p.text]
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert not [t for t in body + cells if "QPV" in t]
    table = _csv(tmp_path / "pcaet" / "pcaet_vulnerabilite.csv")
    assert set(table["Échelle"]) == {"zone", "reste de l'intercommunalité (hors zones)"}
    assert set(table.loc[table["Échelle"] == "zone", "Code"]) == {
        "LRY-CENTRE", "LRY-NORD", "LRY-SUD-OUEST"
    }  # fmt: skip
    assert io.BytesIO(document.core_properties.title.encode()).getvalue()
