from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.cli import main


def test_demo_refuses_a_non_empty_output_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_demo_rejects_an_unknown_horizon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path / "x"), "--horizon", "2070"]) == 1
    assert "horizon « 2070 » inconnu" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
