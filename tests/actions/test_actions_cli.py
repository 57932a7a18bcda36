"""Commands ``quartiers actions`` and ``quartiers feuille-de-route``."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from quartiers.actions.catalogue import default_catalogue
from quartiers.cli import main
from quartiers.demo.pipeline import DemoRun


def test_actions_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions"]) == 0
    out = capsys.readouterr().out
    for action_id in default_catalogue().ids:
        assert action_id in out


def test_actions_ranked_for_a_qpv(demo_run: DemoRun, capsys: pytest.CaptureFixture[str]) -> None:
    code = str(demo_run.diagnostic.qpv["code_qp"].iloc[0])
    assert main(["actions", "--diagnostic", str(demo_run.out_dir), "--qpv", code]) == 0
    assert "Actions suggérées pour le QPV" in capsys.readouterr().out
    assert main(["actions", "--qpv", code]) == 1
    assert "vont ensemble" in capsys.readouterr().err


def test_roadmap_command_writes_a_docx(
    demo_run: DemoRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = str(demo_run.diagnostic.qpv["code_qp"].iloc[1])
    out = tmp_path / "feuille.docx"
    args = ["feuille-de-route", str(demo_run.out_dir), "--qpv", code, "--out", str(out)]
    assert main([*args, "--actions", "cool_room,heatwave_register", "--year", "2026"]) == 0
    assert "Feuille de route écrite" in capsys.readouterr().out
    doc = Document(str(out))
    assert doc.core_properties.title.startswith("Feuille de route (projet)")
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "6. Indicateurs de suivi" in headings


def test_roadmap_command_errors_are_french(
    demo_run: DemoRun, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = str(demo_run.out_dir)
    assert main(["feuille-de-route", directory, "--qpv", "QN99999Z", "--out", "x.docx"]) == 1
    assert "QPV inconnu" in capsys.readouterr().err
    assert main(["feuille-de-route", directory, "--qpv", "QN99999Z", "--out", "x.odt"]) == 1
    assert "format de sortie inconnu" in capsys.readouterr().err
    code = str(demo_run.diagnostic.qpv["code_qp"].iloc[0])
    assert main(["feuille-de-route", directory, "--qpv", code, "--actions", "palmiers"]) == 1
    assert "action inconnue « palmiers »" in capsys.readouterr().err
