"""The exported roadmap (DOCX read back with python-docx, PDF with pdftotext) carries the
diagnostic's numbers as baselines, and the simulation's results as targets."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from _actions_synthetic import Synthetic
from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.choices import Choice
from quartiers.actions.export import roadmap_docx, roadmap_html, write_roadmap
from quartiers.actions.roadmap import Roadmap, build_roadmap
from quartiers.actions.whatif import complete_choices, run_whatif
from quartiers.demo.pipeline import DemoRun
from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.indicators.registry import REGISTRY

CATALOGUE = default_catalogue()
CHOSEN = ["shade_trees", "cool_room", "drinking_fountains", "desealing", "heatwave_register"]
NUMBER = re.compile(r"−?\d{1,3}(?:[\u202f ]\d{3})*(?:,\d+)?")


def _parse(text: str) -> float:
    """Return the first French number of a text (shares in % become 0–1)."""
    match = NUMBER.search(text)
    assert match, f"pas de nombre dans {text!r}"
    value = float(
        match.group().replace("\u202f", "").replace(" ", "").replace(",", ".").replace("−", "-")
    )
    return value / 100 if "%" in text[match.end() : match.end() + 3] else value


def _plain(text: str) -> str:
    """Return text with its no-break spaces as plain spaces (pdftotext may keep either)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _tolerance(indicator: str) -> float:
    unit = REGISTRY[indicator].unit if indicator in REGISTRY else "0–1"
    if unit.startswith("part"):
        return 0.0005 + 1e-9  # one decimal of a percentage
    if unit == "m":
        return 0.5 + 1e-9
    return 0.005 + 1e-9


def _roadmap(diag: Diagnostic, code: str, **kwargs: object) -> Roadmap:
    choices = complete_choices(diag, code, [Choice(action=a) for a in CHOSEN], CATALOGUE)
    return build_roadmap(diag, code, choices, catalogue=CATALOGUE, today=date(2025, 3, 1), **kwargs)  # type: ignore[arg-type]


def _docx_indicator_rows(data: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(data))
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[:2] == ["Indicateur", "Situation de départ (diagnostic)"]:
            return [[c.text for c in row.cells] for row in table.rows[1:]]
    raise AssertionError("tableau des indicateurs de suivi absent du DOCX")


@pytest.fixture(scope="module")
def stored(demo_run: DemoRun) -> Diagnostic:
    """The demo diagnostic as read back from its output directory."""
    return Diagnostic.load(demo_run.out_dir)


def test_docx_baselines_equal_the_diagnostic(stored: Diagnostic, tmp_path: Path) -> None:
    for code in stored.qpv["code_qp"].astype(str):
        roadmap = _roadmap(stored, code)
        path = write_roadmap(roadmap, tmp_path / f"{code}.docx")
        rows = _docx_indicator_rows(path.read_bytes())
        qpv = stored.qpv.set_index("code_qp").loc[code]
        checked = 0
        for item, row in zip(roadmap.indicators, rows, strict=True):
            assert row[0] == item.label
            if item.indicator is None:
                assert row[1] == "à établir la première année"
                continue
            expected = float(qpv[item.indicator])
            assert math.isfinite(expected)
            assert abs(_parse(row[1]) - expected) <= _tolerance(item.indicator), item.indicator
            assert row[2].startswith("à fixer en atelier")
            checked += 1
        assert checked >= 4  # canopy, two distances, sealing, index


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext absent")
def test_pdf_baselines_equal_the_diagnostic(stored: Diagnostic, tmp_path: Path) -> None:
    code = str(stored.qpv["code_qp"].iloc[0])
    roadmap = _roadmap(stored, code)
    path = write_roadmap(roadmap, tmp_path / "feuille.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    section = text[text.index("6. Indicateurs de suivi") : text.index("7. Méthode et limites")]
    qpv = stored.qpv.set_index("code_qp").loc[code]
    numbers = [_parse(m.group() + section[m.end() : m.end() + 3]) for m in NUMBER.finditer(section)]
    for item in roadmap.indicators:
        if item.indicator is None:
            continue
        expected = float(qpv[item.indicator])
        assert _plain(item.baseline_text) in _plain(section)
        assert any(abs(n - expected) <= _tolerance(item.indicator) for n in numbers), item.indicator
    for heading in ("1. Enjeux", "2. Objectifs", "3. Actions", "4. Calendrier", "5. Budget"):
        assert heading in text
    assert "Ville" in text and "CCAS" in text  # pilots and partners


def test_simulated_targets_are_baseline_plus_change(synthetic: Synthetic) -> None:
    diag = synthetic.before
    code = str(diag.qpv["code_qp"].iloc[0])
    choices = complete_choices(
        diag,
        code,
        [Choice(action="shade_trees", amount=0.2), Choice(action="heatwave_register")],
        CATALOGUE,
    )
    result = run_whatif(
        synthetic.inputs, choices, catalogue=CATALOGUE, method=synthetic.method, horizon="ref",
        access=synthetic.access, before=diag,
    )  # fmt: skip
    roadmap = build_roadmap(diag, code, choices, catalogue=CATALOGUE, whatif=result)
    changes = result.qpv_changes(code).set_index("column")["delta"]
    canopy = next(i for i in roadmap.indicators if i.indicator == "canopy_share")
    baseline = float(diag.qpv.set_index("code_qp").at[code, "canopy_share"])
    assert canopy.baseline == pytest.approx(baseline)
    assert canopy.target == pytest.approx(baseline + changes["canopy_share"])
    assert canopy.target > canopy.baseline
    rows = _docx_indicator_rows(roadmap_docx(roadmap))
    canopy_row = next(r for r in rows if r[0] == canopy.label)
    assert abs(_parse(canopy_row[2]) - canopy.target) <= 0.0005 + 1e-9
    assert "simulation" in canopy_row[3]
    assert roadmap.simulated and any("cible simulée" in o for o in roadmap.objectives)


def test_budget_calendar_and_structure(stored: Diagnostic) -> None:
    code = str(stored.qpv["code_qp"].iloc[0])
    roadmap = _roadmap(stored, code, first_year=2025)
    assert roadmap.years[0] == 2025 and roadmap.years[-1] >= 2030
    assert roadmap.invest_low <= roadmap.invest_high
    assert roadmap.total_high >= roadmap.invest_high + roadmap.running_high
    assert [a.id for a in roadmap.actions] == CHOSEN
    register = next(a for a in roadmap.actions if a.id == "heatwave_register")
    assert register.pilot == "CCAS" and register.invest_high == 0 and register.running_high > 0
    assert "réalisation" in roadmap.calendar(register)
    assert roadmap.horizons and {h.horizon for h in roadmap.horizons} == {
        "ref",
        "2030",
        "2050",
        "2100",
    }
    html = roadmap_html(roadmap)
    assert '<html lang="fr">' in html and "Indicateurs de suivi" in html


def test_unknown_format_is_refused(stored: Diagnostic, tmp_path: Path) -> None:
    roadmap = _roadmap(stored, str(stored.qpv["code_qp"].iloc[0]))
    with pytest.raises(InputError, match="format de sortie inconnu"):
        write_roadmap(roadmap, tmp_path / "feuille.odt")
