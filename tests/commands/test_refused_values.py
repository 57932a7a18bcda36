"""``fetch`` and ``diagnose`` refuse impossible values: exit 1, one French message, no output.

The real La Roche-sur-Yon extracts are copied into the test folder and one value is made
impossible (issue 13, point 2); the unchanged extracts must still run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from quartiers.cli import main

FILOSOFI = "filosofi/filosofi2021_200m_la_roche_sur_yon_core.csv"
CLIMADIAG = "climate/climadiag_tracc_4communes.csv"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep caches and workspaces inside the test folder."""
    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTIERS_WORKSPACE_DIR", str(tmp_path / "ws"))
    return tmp_path


def _sources(shared: Path, filosofi: Path, climadiag: Path) -> list[str]:
    return [
        "--source", f"qpv={shared / 'qpv' / 'qpv2024_4territories.geojson'}",
        "--source", f"filosofi={filosofi}",
        "--source", f"communes={shared / 'admin' / 'communes_4epci.geojson'}",
        "--source", f"climadiag={climadiag}",
        "--offline", "--skip", "bpe", "--skip", "osm", "--skip", "lcz",
    ]  # fmt: skip


def _broken_filosofi(shared: Path, folder: Path) -> tuple[Path, str]:
    cells = pd.read_csv(shared / FILOSOFI, dtype={"idcar_200m": str})
    first = cells.index[cells["men"] >= 10][0]
    cells.loc[first, "men_pauv"] = cells.loc[first, "men"] + 5  # more poor than households
    path = folder / "filosofi_abime.csv"
    cells.to_csv(path, index=False)
    return path, str(cells.loc[first, "idcar_200m"])


def _one_message(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    joined = " ".join(" ".join(lines).split())
    return joined


@pytest.mark.shared
def test_diagnose_refuses_poor_households_above_households(
    shared_data: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filosofi, cell = _broken_filosofi(shared_data, isolated)
    out = isolated / "sortie"
    code = main(
        [
            "diagnose",
            "--territory",
            "85191",
            "--out",
            str(out),
            *_sources(shared_data, filosofi, shared_data / CLIMADIAG),
        ]
    )
    message = _one_message(capsys.readouterr().err)
    assert code == 1
    assert "filosofi_abime.csv : champ men_pauv — 1 ligne(s)" in message
    assert "(men_pauv > men)" in message and f"première : carreau {cell}" in message
    assert not out.exists()
    assert not (isolated / "ws").exists() or not any((isolated / "ws").rglob("*.parquet"))


@pytest.mark.shared
def test_fetch_refuses_negative_climate_days_and_keeps_the_workspace(
    shared_data: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _sources(shared_data, shared_data / FILOSOFI, shared_data / CLIMADIAG)
    assert main(["fetch", "--territory", "85191", *good]) == 0
    capsys.readouterr()
    workspace = isolated / "ws" / "85191"
    before = {p.name: p.read_bytes() for p in workspace.iterdir() if p.is_file()}
    climate = pd.read_csv(shared_data / CLIMADIAG, dtype={"code_insee": str})
    climate.loc[climate["code_insee"] == "85191", "s3_2050"] = -11.55
    broken = isolated / "climadiag_negatif.csv"
    climate.to_csv(broken, index=False)
    code = main(
        [
            "fetch",
            "--territory",
            "85191",
            "--refresh",
            *_sources(shared_data, shared_data / FILOSOFI, broken),
        ]
    )
    message = _one_message(capsys.readouterr().err)
    assert code == 1
    assert "climadiag_negatif.csv : champ s3_2050 — 1 ligne(s) : valeur négative" in message
    assert "première : commune 85191" in message
    after = {p.name: p.read_bytes() for p in workspace.iterdir() if p.is_file()}
    assert after == before  # nothing rewritten, nothing left behind
    assert json.loads(before["territory.json"])["code"] == "85191"


@pytest.mark.shared
def test_fetch_writes_nothing_for_a_new_territory(
    shared_data: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cells = pd.read_csv(shared_data / FILOSOFI, dtype={"idcar_200m": str})
    cells["ind"] = cells["ind"].astype(object)
    cells.loc[3, "ind"] = "1e308"
    broken = isolated / "filosofi_1e308.csv"
    cells.to_csv(broken, index=False)
    code = main(
        ["fetch", "--territory", "85191", *_sources(shared_data, broken, shared_data / CLIMADIAG)]
    )
    message = _one_message(capsys.readouterr().err)
    assert code == 1
    assert "filosofi_1e308.csv : champ ind — 1 ligne(s) : valeur supérieure à 10" in message
    assert f"carreau {cells.loc[3, 'idcar_200m']}" in message
    assert not (isolated / "ws" / "85191").exists()


@pytest.mark.shared
def test_diagnose_refuses_an_impossible_value_stored_in_a_workspace(
    shared_data: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import geopandas as gpd

    good = _sources(shared_data, shared_data / FILOSOFI, shared_data / CLIMADIAG)
    assert main(["fetch", "--territory", "85191", *good]) == 0
    capsys.readouterr()
    stored = isolated / "ws" / "85191" / "cells.parquet"
    cells = gpd.read_parquet(stored)  # e.g. written by a version that did not check values
    cells.loc[5, "men_pauv"] = -5.0
    cells.to_parquet(stored, index=False)
    out = isolated / "sortie"
    code = main(["diagnose", "--territory", "85191", "--out", str(out), "--offline"])
    message = _one_message(capsys.readouterr().err)
    assert code == 1
    assert "cells.parquet : champ men_pauv — 1 ligne(s) : valeur négative" in message
    assert f"carreau {cells.loc[5, 'idcar_200m']}" in message
    assert "quartiers fetch --refresh" in message
    assert not out.exists()
