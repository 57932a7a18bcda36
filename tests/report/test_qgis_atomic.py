"""``quartiers export --qgis`` writes its project folder atomically, like every output."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from quartiers.cli import main
from quartiers.outputs import qgis_project


def _export(demo_run: Any, out: Path, qgis: Path, *, force: bool = False) -> int:
    args = ["export", str(demo_run.out_dir), "--out", str(out), "--qgis", str(qgis)]
    return main([*args, *(["--force"] if force else [])])


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".partiel-" in p.name]


def test_project_in_the_export_folder_is_built_with_it(demo_run: Any, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert _export(demo_run, out, out) == 0
    names = {p.name for p in out.iterdir()}
    assert "diagnostic.gpkg" in names and any(n.endswith(".qgz") for n in names)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (KeyboardInterrupt(), 130, "Interrompu : rien n'a été modifié dans {qgis}."),
        (OSError(errno.ENOSPC, "No space left on device"), 3, "disque plein"),
    ],
)
def test_failure_while_writing_the_project_keeps_the_previous_one(
    demo_run: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: BaseException,
    code: int,
    message: str,
) -> None:
    out, qgis = tmp_path / "export", tmp_path / "projet"
    assert _export(demo_run, out, qgis) == 0
    before = _tree(qgis)
    assert any(name.endswith(".qgz") for name in before)
    capsys.readouterr()

    def fail(*_args: object, **_kwargs: object) -> str:
        raise failure  # the GeoPackage is already copied into the temporary folder

    monkeypatch.setattr(qgis_project, "project_xml", fail)
    assert _export(demo_run, out, qgis, force=True) == code
    err = capsys.readouterr().err
    assert message.format(qgis=qgis) in err and "Traceback" not in err
    assert _tree(qgis) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("inner", ["export", "projet"])
def test_nested_project_and_export_folders_are_refused_before_writing(
    demo_run: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], inner: str
) -> None:
    outer = tmp_path / "dehors"
    out, qgis = (outer / "export", outer) if inner == "export" else (outer, outer / "projet")
    assert _export(demo_run, out, qgis) == 1
    assert "ne peuvent pas être l'un dans l'autre" in capsys.readouterr().err
    assert not outer.exists()
