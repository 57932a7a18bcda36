"""Rendered sheets: their text against the diagnostic's numbers, their pages as images."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY


def fr(value: float, digits: int = 1) -> str:
    """Format a number the French way, independently of the code under test."""
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    return text.replace("-", "\u2212")


def pct(value: float) -> str:
    return f"{fr(value * 100)} %"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.captions = 0
        self.drawings: list[dict[str, str | None]] = []  # inline SVG figures (role="img")
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        if tag == "figcaption":
            self.captions += 1
        if tag == "svg" and dict(attrs).get("role") == "img":
            self.drawings.append(dict(attrs))
        if tag in ("link", "script"):
            self.links.append(tag)


def near(text: str, label: str, *values: str, window: int = 260) -> bool:
    """Tell whether ``values`` all lie within ``window`` chars of one occurrence of ``label``.

    PDF text extraction may read a table's cells column by column: the values of a row
    are near its label, not always right after it.
    """
    start = text.find(label)
    while start >= 0:
        chunk = text[max(0, start - window) : start + len(label) + window]
        if all(v in chunk for v in values):
            return True
        start = text.find(label, start + 1)
    return False


def climate_row(lines: list[str], values: list[float]) -> bool:
    """Tell whether the heat-wave row of a sheet has ``values`` in horizon order.

    The row is read from the laid-out text (one table row per line); each value may be
    followed by the models' spread in brackets.
    """
    spread = r"(?: \([^)]*\))?"
    body = " ".join(re.escape(fr(v)) + spread for v in values)
    pattern = re.compile(r"^Jours de vague de chaleur (?:\(j/an\) )?" + body)
    return any(pattern.search(line) for line in lines)


def _climate(diag: Diagnostic, insee: str, indicator: str, horizon: str) -> float:
    table = diag.climate.set_index(["insee_com", "indicator", "horizon"])
    return float(table.loc[(insee, indicator, horizon), "value"])


# ---------------------------------------------------------------- demo territory


def test_demo_files(demo_docs: Path, demo_diag: Diagnostic) -> None:
    names = {p.name for p in demo_docs.iterdir()}
    for code in demo_diag.qpv["code_qp"]:
        assert {f"fiche_{code}.pdf", f"fiche_{code}.html"} <= names
    assert {"synthese_200000001.pdf", "synthese_200000001.html"} <= names


@pytest.mark.parametrize("code", ["QN00001A", "QN00001B"])
def test_demo_sheet_text_matches_the_diagnostic(
    code: str,
    demo_docs: Path,
    demo_diag: Diagnostic,
    pdf_text: Callable[[Path], str],
    pdf_lines: Callable[[Path], list[str]],
) -> None:
    text = pdf_text(demo_docs / f"fiche_{code}.pdf")
    row = demo_diag.qpv.set_index("code_qp").loc[code]
    rest = demo_diag.zones.set_index("zone_id").loc[f"commune:{row['insee_com']}"]
    assert str(row["lib_qp"]) in text
    assert f"Quartier prioritaire {code}" in text
    assert near(text, "Habitants", fr(row["population"], 0), fr(rest["population"], 0))
    label = REGISTRY["poverty_rate"].label
    assert near(text, label, pct(row["poverty_rate"]), pct(rest["poverty_rate"]))
    assert near(text, "Indice composite", fr(row["index"], 2), fr(rest["index"], 2))
    rank = int(row["rank"])
    assert f"Rang : {'1er' if rank == 1 else f'{rank}e'} sur 2 QPV classés" in text
    for dim in ("Sensibilité", "Exposition", "Ressources"):
        assert dim in text
    # Heat horizons of the commune, from Climadiag.
    hwd = [_climate(demo_diag, "00001", "heat_wave_days", h) for h in ("ref", "2030", "2050")]
    assert climate_row(pdf_lines(demo_docs / f"fiche_{code}.pdf"), hwd)
    # Walking distances of the access module: mean (index) and residents' median.
    label = REGISTRY["dist_care"].label
    assert near(text, f"{label} (m)", f"{fr(row['dist_care'], 0)} m")
    assert near(text, f"{label} — médiane des habitants", f"{fr(row['dist_care_m'], 0)} m")
    low, high = int(row["rank_low"]), int(row["rank_high"])
    ordinal = {1: "1er", 2: "2e"}
    assert f"Intervalle des rangs (5–95 %) du {ordinal[low]} au {ordinal[high]} rang" in text
    assert f"fait le plus varier le rang {row['main_driver']}" in text
    # Sources with vintages and licences, method, provenance.
    assert "Filosofi" in text and "Licence Ouverte 2.0" in text and "ODbL 1.0" in text
    assert "contributeurs d'OpenStreetMap" in text
    assert "La méthode en bref" in text and "Ce que disent les habitants" not in text
    assert "Document produit le 15/06/2026" in text


def _rank_line(lines: list[str], rank: int) -> str:
    prefix = "1er " if rank == 1 else f"{rank}e "
    return next(line for line in lines if line.startswith(prefix))


def test_demo_synthesis_lists_every_qpv(
    demo_docs: Path,
    demo_diag: Diagnostic,
    pdf_text: Callable[[Path], str],
    pdf_lines: Callable[[Path], list[str]],
) -> None:
    text = pdf_text(demo_docs / "synthese_200000001.pdf")
    lines = pdf_lines(demo_docs / "synthese_200000001.pdf")
    for _, row in demo_diag.qpv.iterrows():
        assert str(row["lib_qp"]) in text and str(row["code_qp"]) in text
        line = _rank_line(lines, int(row["rank"]))
        assert fr(row["population"], 0) in line
        assert pct(row["poverty_rate"]) in line and fr(row["index"], 2) in line
    assert "Données disponibles" in text
    assert any(line.startswith("Ressources complète") for line in lines)
    # the demo has no night-heat raster (method v2's lead exposure indicator) and no census
    # tables by IRIS (80+ living alone, overcrowding): the synthesis says exposure and
    # sensitivity are partial rather than hiding it
    assert any(line.startswith("Exposition partielle") for line in lines)
    assert any(line.startswith("Sensibilité partielle") for line in lines)
    html = (demo_docs / "synthese_200000001.html").read_text(encoding="utf-8")
    assert 'href="fiche_QN00001A.html"' in html


def test_demo_html_is_accessible_and_self_contained(demo_docs: Path) -> None:
    for path in demo_docs.glob("*.html"):
        parser = _Images()
        html = path.read_text(encoding="utf-8")
        parser.feed(html)
        assert parser.images, path.name
        for img in parser.images:
            assert (img.get("alt") or "").strip(), f"{path.name}: image sans texte alternatif"
            assert str(img.get("src")).startswith("data:image/png;base64,")
        for svg in parser.drawings:
            assert (svg.get("aria-label") or "").strip(), f"{path.name}: figure sans texte"
        assert parser.captions == len(parser.images) + len(parser.drawings)
        assert parser.links == []
        assert '<html lang="fr">' in html
        assert not re.search(r"\b(?:src|href)=\"https?:", html)


def test_demo_pdf_pages_render(demo_docs: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) absent")
    from PIL import Image

    pdf = demo_docs / "fiche_QN00001A.pdf"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    # one-page summary (the note aux élus), then the detail; hazards section since issue 19,
    # housing (DPE) section since issue 19 point 2, validation section since issue 20,
    # transitions panel since issue 21 point 4 (10 pages, each looked at)
    assert 3 <= len(pages) <= 10
    for page in pages:
        with Image.open(page) as im:
            assert im.size[0] < im.size[1]  # A4 portrait
            grey = im.convert("L")
            # Every page has content: not a blank sheet.
            assert grey.getextrema()[0] < 100


# ---------------------------------------------------------------- La Roche-sur-Yon


@pytest.mark.shared
def test_lry_sheets_say_what_is_missing(
    lry_docs: Path,
    lry_diag: Diagnostic,
    pdf_text: Callable[[Path], str],
    pdf_lines: Callable[[Path], list[str]],
) -> None:
    assert len(lry_diag.qpv) == 3
    for _, row in lry_diag.qpv.iterrows():
        code = str(row["code_qp"])
        text = pdf_text(lry_docs / f"fiche_{code}.pdf")
        assert str(row["lib_qp"]) in text
        assert "Roche-sur-Yon (85191)" in text
        rest = lry_diag.zones.set_index("zone_id").loc["commune:85191"]
        label = REGISTRY["poverty_rate"].label
        assert near(text, label, pct(row["poverty_rate"]), pct(rest["poverty_rate"]))
        assert near(text, "Habitants", fr(row["population"], 0))
        # No environmental layer: resources absent, exposure partial — never zeros.
        assert "Dimension « Ressources » non disponible pour ce territoire" in text
        assert "Score ressources non disponible non disponible" in text
        assert "Ressources absente" in text and "Exposition partielle" in text
        assert f"{REGISTRY['canopy_share'].label} (%) + " not in text
        assert "part (0–1)" not in text  # shares are written in %, and so is their unit
        assert "Reste EPCI" not in text  # one commune: the EPCI column would repeat it
        # Climadiag of La Roche-sur-Yon (README figures: 0.8 → 6.95 / 11.55 / 20.15).
        hwd = [
            _climate(lry_diag, "85191", "heat_wave_days", h)
            for h in ("ref", "2030", "2050", "2100")
        ]
        assert hwd == pytest.approx([0.8, 6.95, 11.55, 20.15])
        assert climate_row(pdf_lines(lry_docs / f"fiche_{code}.pdf"), hwd)
        assert "carroyage partiel" in text


@pytest.mark.shared
def test_lry_synthesis(
    lry_docs: Path,
    lry_diag: Diagnostic,
    pdf_text: Callable[[Path], str],
    pdf_lines: Callable[[Path], list[str]],
) -> None:
    text = pdf_text(lry_docs / "synthese_85191.pdf")
    lines = pdf_lines(lry_docs / "synthese_85191.pdf")
    for _, row in lry_diag.qpv.iterrows():
        line = _rank_line(lines, int(row["rank"]))
        assert fr(row["index"], 2) in line and line.endswith("non disponible")
    assert any(line.startswith("Ressources absente hors indice") for line in lines)
    assert "20,1" in text  # heat-wave days at +4 °C


@pytest.mark.shared
def test_comparison_pdf_demo_and_lry(
    demo_diag: Diagnostic,
    lry_diag: Diagnostic,
    tmp_path: Path,
    pdf_text: Callable[[Path], str],
    pdf_lines: Callable[[Path], list[str]],
) -> None:
    from quartiers.report.comparison import pooled_value
    from quartiers.report.render import write_comparison

    path = write_comparison([demo_diag, lry_diag], tmp_path / "comparaison.pdf")
    text = pdf_text(path)
    assert "ne se comparent pas d'un territoire à l'autre" in text
    for diag in (demo_diag, lry_diag):
        rest = diag.zones[diag.zones["zone_type"] == "reste_commune"]
        qpv_rate = pooled_value(diag.qpv, "poverty_rate")
        rest_rate = pooled_value(rest, "poverty_rate")
        assert qpv_rate is not None and rest_rate is not None
        assert f"{pct(qpv_rate)} / {pct(rest_rate)}" in text
        for code in diag.qpv["code_qp"]:
            assert str(code) in text
    hwd = [
        _climate(lry_diag, "85191", "heat_wave_days", h) for h in ("ref", "2030", "2050", "2100")
    ]
    line = next(li for li in pdf_lines(path) if li.startswith("Roche-sur-Yon Roche-sur-"))
    assert line.endswith(" ".join(fr(v) for v in hwd))
