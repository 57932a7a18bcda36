"""Workspace on disk: round trip, reuse by load_inputs, a failed fetch changes nothing."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from quartiers.cli import main
from quartiers.errors import InputError
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs
from quartiers.sources.workspace import read_workspace, write_workspace


@pytest.fixture
def local(shared_data: Path) -> dict[str, Path]:
    return {
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
    }


def _args(local: dict[str, Path], ws: Path, *extra: str) -> list[str]:
    args = ["fetch", "-t", "85191", "--offline", "--workspace", str(ws)]
    args += ["--skip", "bpe", "--skip", "osm", "--skip", "lcz"]
    for key, path in local.items():
        args += ["--source", f"{key}={path}"]
    return [*args, *extra]


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))


def test_round_trip(tmp_path: Path, local: dict[str, Path]) -> None:
    settings = get_settings(workspace_dir=tmp_path / "ws", offline=True)
    inputs = load_inputs("85191", local, settings=settings, skip=["bpe", "osm", "lcz"])
    inputs.notes = replace(inputs.notes, catnat=pd.DataFrame({"insee_com": ["85191"], "n": [3]}))
    written = write_workspace(inputs, tmp_path / "ws" / "85191")
    assert {p.name for p in written} >= {"qpv.parquet", "cells.parquet", "provenance.json"}
    back = read_workspace(tmp_path / "ws" / "85191")
    assert (back.code, back.name) == (inputs.code, inputs.name)
    assert back.cells.crs.to_epsg() == 3035 and back.qpv.crs.to_epsg() == 2154
    pd.testing.assert_frame_equal(
        back.cells.drop(columns="geometry"), inputs.cells.drop(columns="geometry")
    )
    assert back.cells.geometry.equals(inputs.cells.geometry)
    assert back.provenance == inputs.provenance
    assert back.notes.territory is not None
    assert back.notes.territory.commune_codes == ("85191",)
    assert back.notes.catnat is not None and back.notes.catnat["n"].tolist() == [3]
    # one writer, one reader: the JSON part reads back to the same JSON, in the same order
    assert json.dumps(back.notes.as_json()) == json.dumps(inputs.notes.as_json())


def test_cli_fetch_writes_workspace(
    tmp_path: Path, local: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert main(_args(local, ws)) == 0
    folder = ws / "85191"
    manifest = json.loads((folder / "territory.json").read_text(encoding="utf-8"))
    assert manifest["code"] == "85191" and "cells.parquet" in manifest["files"]
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert {p["source_id"] for p in provenance} == {"communes", "qpv", "filosofi"}
    assert all(len(p["sha256"]) == 64 and p["retrieved"] for p in provenance)
    out = capsys.readouterr().out
    assert "carreaux Filosofi" in out and "530" in out


def test_failed_fetch_leaves_workspace_untouched(
    tmp_path: Path, local: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert main(_args(local, ws)) == 0
    folder = ws / "85191"
    (folder / "diagnostic.gpkg").write_bytes(b"not ours")  # another command's output
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    broken = tmp_path / "carreaux.csv"
    broken.write_text("idcar_200m;ind\nCRS3035RES200mN1E1;3\n", encoding="utf-8")
    code = main(_args({**local, "filosofi": broken}, ws, "--refresh"))
    assert code == 1
    err = capsys.readouterr().err
    assert "carreaux.csv" in err and "séparateur" in err and "Traceback" not in err
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    assert after == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_refetch_replaces_our_files_only(
    tmp_path: Path, local: dict[str, Path], shared_data: Path
) -> None:
    ws = tmp_path / "ws"
    climadiag = shared_data / "climate" / "climadiag_tracc_4communes.csv"
    assert main(_args({**local, "climadiag": climadiag}, ws)) == 0
    folder = ws / "85191"
    (folder / "notes.txt").write_text("à garder", encoding="utf-8")
    assert (folder / "climate.parquet").exists()
    assert main(_args(local, ws, "--refresh")) == 0
    assert not (folder / "climate.parquet").exists()  # not produced any more: removed
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "à garder"


def test_workspace_reuse_and_override(
    tmp_path: Path, local: dict[str, Path], shared_data: Path
) -> None:
    ws = tmp_path / "ws"
    assert main(_args(local, ws)) == 0
    settings = get_settings(workspace_dir=ws, offline=True)
    # Only the new source is given: everything else comes from the workspace.
    climadiag = shared_data / "climate" / "climadiag_tracc_4communes.csv"
    inputs = load_inputs("85191", {"climadiag": climadiag}, settings=settings)
    assert len(inputs.cells) == 530 and inputs.climate is not None
    assert set(inputs.climate["insee_com"]) == {"85191"}
    assert {p.source_id for p in inputs.provenance} == {"communes", "qpv", "filosofi", "climadiag"}
    # By name too.
    assert load_inputs("Roche-sur-Yon", {}, settings=settings).code == "85191"


def test_read_workspace_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lancez d'abord « quartiers fetch »"):
        read_workspace(tmp_path)
    (tmp_path / "territory.json").write_text('{"format": 99}', encoding="utf-8")
    with pytest.raises(InputError, match="format 99 inconnu"):
        read_workspace(tmp_path)


def test_cli_exit_codes(
    tmp_path: Path, local: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert (
        main(
            [
                "fetch",
                "-t",
                "99999",
                "--workspace",
                str(ws),
                "--offline",
                *[arg for k, v in local.items() for arg in ("--source", f"{k}={v}")],
            ]
        )
        == 1
    )
    assert "territoire '99999' introuvable" in capsys.readouterr().err
    assert main(["fetch", "-t", "85191", "--offline", "--workspace", str(ws)]) == 2
    assert "mode hors ligne" in capsys.readouterr().err
    assert main(["fetch", "-t", "85191", "--source", "qpv"]) == 1
    assert "attendu la forme ID=CHEMIN" in capsys.readouterr().err
    assert not ws.exists() or not any(ws.iterdir())
    assert os.environ["QUARTIERS_CACHE_DIR"].startswith(str(tmp_path))


def test_cli_sources_lists_every_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from quartiers.cli import console
    from quartiers.sources.catalog import CATALOG

    monkeypatch.setattr(console, "width", 400)  # one line per source, whatever the terminal
    assert main(["sources"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for spec in CATALOG:
        assert spec.id in out and spec.vintage in out and spec.licence in out
    assert "Licence Ouverte 2.0" in out and "ODbL 1.0" in out and "Millésime" in out
