from __future__ import annotations

import json
import shutil
from html import unescape
from pathlib import Path

import pytest

from quartiers.cli import main
from quartiers.outputs.glossary import term
from quartiers.report import contributions as contrib


@pytest.fixture(scope="module")
def other_territory(demo_run: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the demo output presented as another territory."""
    out = tmp_path_factory.mktemp("autre") / "diagnostic"
    src = demo_run.out_dir  # type: ignore[attr-defined]
    out.mkdir()
    for path in src.iterdir():
        if path.is_file():
            shutil.copy2(path, out / path.name)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    run["territory"] = {"code": "200000002", "name": "Territoire jumeau (copie)"}
    (out / "run.json").write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
    return out


def test_report_one_qpv_html(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fiches"
    code = main(
        [
            "report",
            str(demo_run.out_dir),  # type: ignore[attr-defined]
            "--out",
            str(out),
            "--qpv",
            "QN00001B",
            "--format",
            "html",
            "--no-synthesis",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["fiche_QN00001B.html"]
    assert "1 document écrit dans" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--qpv", "QN99999Z"], "QPV inconnu(s) dans ce diagnostic : QN99999Z"),
        (["--format", "docx"], "--format : « docx » inconnu"),
    ],
)
def test_report_bad_options_are_french_errors(
    demo_run: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code = main(["report", str(demo_run.out_dir), "--out", str(tmp_path / "f"), *args])  # type: ignore[attr-defined]
    err = capsys.readouterr().err
    assert code == 1
    assert message in " ".join(err.split())
    assert "Traceback" not in err


def test_report_refuses_what_is_not_a_diagnostic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "absent")]) == 1
    assert "dossier de diagnostic introuvable" in capsys.readouterr().err
    (tmp_path / "vide").mkdir()
    assert main(["report", str(tmp_path / "vide"), "--out", str(tmp_path / "f")]) == 1
    assert "fichiers manquants" in " ".join(capsys.readouterr().err.split())


def test_report_keeps_a_non_empty_folder(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "garder.txt").write_text("à garder", encoding="utf-8")
    assert main(["report", str(demo_run.out_dir), "--out", str(tmp_path)]) == 1  # type: ignore[attr-defined]
    assert "--force" in capsys.readouterr().err


def test_report_without_participation_module_omits_the_section(
    demo_run: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contrib, "participation_available", lambda: False)
    out = tmp_path / "f"
    args = ["--qpv", "QN00001A", "--format", "html", "--no-synthesis"]
    code = main(
        ["report", str(demo_run.out_dir), "--out", str(out), "--contributions", "x.sqlite3", *args]  # type: ignore[attr-defined]
    )
    assert code == 0
    assert "section « Ce que disent les habitants » est omise" in capsys.readouterr().err
    html = (out / "fiche_QN00001A.html").read_text(encoding="utf-8")
    assert "Ce que disent les habitants" not in html


def test_compare_two_territories(
    demo_run: object, other_territory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "comparaison.html"
    code = main(["compare", str(demo_run.out_dir), str(other_territory), "--out", str(out)])  # type: ignore[attr-defined]
    assert code == 0
    html = unescape(out.read_text(encoding="utf-8"))
    assert "Territoire jumeau (copie) (200000002)" in html
    assert "ne se comparent pas d'un territoire à l'autre" in html
    # plain French (issue 18 point 2): folded definitions worded as /glossaire, not printed
    for word in ("Horizon climatique", "Indice de vulnérabilité", "Rang", "Normalisation"):
        assert f"<summary>{word} : définition</summary><p>{term(word).definition}</p>" in html
    assert "@media print { details.definition { display: none; } }" in html
    assert "Comparaison de 2 territoires écrite" in capsys.readouterr().out
    assert main(["compare", str(demo_run.out_dir), str(other_territory), "--out", str(out)]) == 1  # type: ignore[attr-defined]
    assert "--force" in capsys.readouterr().err


def test_compare_needs_two_and_a_known_suffix(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(demo_run.out_dir)  # type: ignore[attr-defined]
    assert main(["compare", d, "--out", str(tmp_path / "c.pdf")]) == 1
    assert "au moins deux dossiers" in capsys.readouterr().err
    assert main(["compare", d, d, "--out", str(tmp_path / "c.docx")]) == 1
    assert "extension .pdf ou .html attendue" in capsys.readouterr().err


def test_export_command(
    demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = demo_run.out_dir  # type: ignore[attr-defined]
    assert main(["export", str(d), "--out", str(tmp_path / "export")]) == 0
    assert (tmp_path / "export" / "qpv_libelles.csv").is_file()
    assert "fichiers exportés" in capsys.readouterr().out
    assert main(["export", str(d), "--out", str(d)]) == 1
    assert "distinct du diagnostic" in capsys.readouterr().err
