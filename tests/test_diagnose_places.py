"""``quartiers diagnose --places``: the city's places CSV moves the distances and is traced."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from quartiers.cli import main
from quartiers.demo.pipeline import DemoRun


def _demo_sources(run: DemoRun) -> list[str]:
    args: list[str] = []
    for source_id, path in run.sources.items():
        if source_id != "places":
            args += ["--source", f"{source_id}={path}"]
    return args


@pytest.mark.slow
def test_places_csv_shortens_walks_and_is_recorded(demo_run: DemoRun, tmp_path: Path) -> None:
    sources = _demo_sources(demo_run)
    base = ["diagnose", "--territory", "200000001", "--workspace", str(tmp_path / "ws")]
    assert main([*base, *sources, "--out", str(tmp_path / "sans")]) == 0
    places = tmp_path / "lieux.csv"
    shutil.copy(demo_run.sources["places"], places)
    assert main([*base, *sources, "--places", str(places), "--out", str(tmp_path / "avec")]) == 0
    before = pd.read_csv(tmp_path / "sans" / "qpv.csv", dtype={"code_qp": str})
    after = pd.read_csv(tmp_path / "avec" / "qpv.csv", dtype={"code_qp": str})
    assert (after["dist_cool_indoor_m"] <= before["dist_cool_indoor_m"] + 1e-9).all()
    assert (after["dist_cool_indoor_m"] < before["dist_cool_indoor_m"]).any()
    # Categories the cool rooms are not in do not move.
    assert after["dist_care_m"].tolist() == pytest.approx(before["dist_care_m"].tolist())
    run = json.loads((tmp_path / "avec" / "run.json").read_text(encoding="utf-8"))
    traced = {s["source_id"]: s for s in run["sources"]}
    assert traced["places"]["location"] == str(places.resolve())
    assert len(traced["places"]["sha256"]) == 64
    assert (tmp_path / "avec" / "carte.html").is_file()


def test_places_without_osm_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shared_data: Path
) -> None:
    places = tmp_path / "lieux.csv"
    places.write_text("nom;lon;lat\nSalle fraîche;-1.43;46.67\n", encoding="utf-8")
    code = main(
        [
            "diagnose", "--territory", "85191", "--out", str(tmp_path / "out"),
            "--workspace", str(tmp_path / "ws"),
            "--source", f"qpv={shared_data / 'qpv/qpv2024_4territories.geojson'}",
            "--source",
            f"filosofi={shared_data / 'filosofi/filosofi2021_200m_la_roche_sur_yon_core.csv'}",
            "--source", f"communes={shared_data / 'admin/communes_4epci.geojson'}",
            "--skip", "bpe", "--skip", "osm", "--skip", "lcz", "--skip", "climadiag",
            "--places", str(places),
        ]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "lieux.csv" in err and "OpenStreetMap" in err
