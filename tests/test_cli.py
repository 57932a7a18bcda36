from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from quartiers.cli import check_output_dir, main
from quartiers.errors import InputError


def test_unknown_option_is_one_french_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--bogus"]) == 1
    err = capsys.readouterr().err
    assert "option inconnue : --bogus" in err
    assert "Traceback" not in err


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nimporte"]) == 1
    assert "commande inconnue" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("quartiers ")


def test_non_empty_output_dir_needs_force(tmp_path: Path) -> None:
    (tmp_path / "ancien.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(InputError, match="--force"):
        check_output_dir(tmp_path, force=False)
    check_output_dir(tmp_path, force=True)
    assert (tmp_path / "ancien.txt").read_text(encoding="utf-8") == "à garder"


def test_console_script_runs_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quartiers.cli", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr


def test_help_pages_are_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Utilisation : quartiers" in out and "Commandes:" in out
    assert "Afficher cette aide et quitter." in out
    assert "Show this message" not in out
    assert main(["diagnose", "--help"]) == 0
    out = capsys.readouterr().out
    assert "[obligatoire]" in out and "[required]" not in out
