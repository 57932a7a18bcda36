"""The large-format workshop map (``quartiers report --workshop-map``): A1 or A0 landscape PDF
of a QPV with the background, the index cells, a lettered grid and a legend, in French."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from quartiers.cli import main
from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.report.workshop_map import _grid_step, write_workshop_maps

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler absent")


def _page_size(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Page size:"))
    width, _, height = line.split(":", 1)[1].split()[:3]
    pages = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    assert pages.split()[-1] == "1"
    return float(width), float(height)


def test_a1_and_a0_maps_of_a_qpv(
    demo_diag: Diagnostic, tmp_path: Path, pdf_text: Callable[[Path], str]
) -> None:
    (a1,) = write_workshop_maps(demo_diag, tmp_path, codes=["QN00001A"], paper="a1")
    assert a1.name == "carte_atelier_QN00001A_a1.pdf"
    width, height = _page_size(a1)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (841, 594)
    text = pdf_text(a1)
    assert "Carte d'atelier — Le Plateau (fictif) (QN00001A)" in text
    assert "Quadrillage : carrés de 200 m de côté" in text
    assert "Périmètre du QPV QN00001A" in text and "Indice plus de" in text
    assert "Notes de l'atelier" in text
    assert "Lieux ressources : non fournis" in text  # the demo writes no places.parquet
    (a0,) = write_workshop_maps(demo_diag, tmp_path, codes=["QN00001A"], paper="a0")
    width, height = _page_size(a0)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (1189, 841)


def test_grid_is_lettered_and_sized_for_a_table() -> None:
    assert _grid_step(2400.0) == 200.0  # 12 columns
    assert _grid_step(1200.0) == 100.0
    assert _grid_step(6000.0) == 500.0


def test_bad_requests_are_refused_in_french(demo_diag: Diagnostic, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="QPV inconnu"):
        write_workshop_maps(demo_diag, tmp_path, codes=["QN99999Z"])
    with pytest.raises(InputError, match="a0 ou a1"):
        write_workshop_maps(demo_diag, tmp_path, codes=["QN00001A"], paper="a3")


def test_report_option_writes_the_maps(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cartes"
    argv = ["report", str(demo_run.out_dir), "--workshop-map", "--qpv", "QN00001B"]  # type: ignore[attr-defined]
    assert main([*argv, "--out", str(out), "--paper", "a0"]) == 0
    assert [p.name for p in out.iterdir()] == ["carte_atelier_QN00001B_a0.pdf"]
    assert "1 carte d'atelier écrite" in capsys.readouterr().out
    assert main([*argv, "--out", str(tmp_path / "x"), "--format", "html"]) == 1
    assert "ne convient pas aux cartes d'atelier" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "y"), "--note"]) == 1
