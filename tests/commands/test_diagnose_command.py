"""``quartiers diagnose`` end to end on the real La Roche-sur-Yon extracts, and bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from quartiers.cli import main


def _real_sources(shared: Path) -> list[str]:
    filosofi = shared / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv"
    return [
        "--source", f"qpv={shared / 'qpv' / 'qpv2024_4territories.geojson'}",
        "--source", f"filosofi={filosofi}",
        "--source", f"communes={shared / 'admin' / 'communes_4epci.geojson'}",
        "--source", f"climadiag={shared / 'climate' / 'climadiag_tracc_4communes.csv'}",
    ]  # fmt: skip


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep caches and workspaces inside the test folder."""
    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTIERS_WORKSPACE_DIR", str(tmp_path / "ws"))
    return tmp_path


@pytest.mark.shared
def test_diagnose_la_roche_sur_yon(
    shared_data: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = isolated / "sortie"
    args = ["diagnose", "--territory", "85191", "--out", str(out), "--horizon", "2050"]
    code = main(
        [
            *args,
            *_real_sources(shared_data),
            "--offline",
            "--skip",
            "bpe",
            "--skip",
            "osm",
            "--skip",
            "lcz",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "QN08501I" in captured.out and "Pyramides" in captured.out
    assert "dimensions absentes : resources" in " ".join(captured.err.split())
    q = pd.read_csv(out / "qpv.csv", dtype={"insee_com": str})
    assert sorted(q["code_qp"]) == ["QN08501I", "QN08502I", "QN08503I"]
    assert q["heat_wave_days"].tolist() == pytest.approx([11.55] * 3)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["horizon"]["id"] == "2050"
    assert {s["source_id"] for s in run["sources"]} == {"qpv", "filosofi", "communes", "climadiag"}
    # the output directory now exists and is not empty: a rerun needs --force
    again = main(
        [
            *args,
            *_real_sources(shared_data),
            "--offline",
            "--skip",
            "bpe",
            "--skip",
            "osm",
            "--skip",
            "lcz",
        ]
    )
    assert again == 1 and "--force" in capsys.readouterr().err


def test_bad_horizon_and_bad_method(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["diagnose", "-t", "85191", "--out", str(isolated / "o"), "--horizon", "2070"])
    err = capsys.readouterr().err
    assert code == 1 and "horizon inconnu '2070'" in err and "Traceback" not in err
    method = isolated / "m.yaml"
    method.write_text("name: x\nversion: 1\ndimensions: {}\n", encoding="utf-8")
    code = main(["diagnose", "-t", "85191", "--out", str(isolated / "o"), "--method", str(method)])
    err = capsys.readouterr().err
    assert code == 1 and "m.yaml" in err and "au moins une dimension" in err
    assert not (isolated / "o").exists()  # nothing written on bad input


def test_access_computed_when_osm_given(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from _synthetic import access_table, environment_layers, make_territory
    from quartiers.access import WalkAccess
    from quartiers.diagnostic import basemap, pipeline
    from quartiers.indicators.hazard_registry import HAZARD_INDICATORS
    from quartiers.indicators.housing_registry import HOUSING_INDICATORS

    inputs = make_territory(**environment_layers(), osm_path=isolated / "extrait.osm.pbf")
    calls: list[object] = []

    def fake_access(given: object, **kwargs: object) -> WalkAccess:
        calls.append(given)
        return WalkAccess(table=access_table(inputs.cells), network=None)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_inputs", lambda *a, **k: inputs)
    monkeypatch.setattr(pipeline, "walk_access", fake_access)
    # the extract is a name only: the basemap, read from the same file, is not under test here
    monkeypatch.setattr(basemap, "build_basemap", lambda *a, **k: None)
    out = isolated / "sortie"
    assert main(["diagnose", "-t", "99001", "--out", str(out), "--horizon", "2100"]) == 0
    assert calls == [inputs]
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # no night-heat raster (in the index) and no building heights (the published top-floor
    # share, not in the index): the CLI names only the one the index is computed without
    assert run["missing_dimensions"] == []
    # no hazard, DPE or census layer given, and the synthetic access table has no food or
    # green-space columns: all said missing
    not_given = {ind.id for ind in (*HAZARD_INDICATORS, *HOUSING_INDICATORS)} | {
        "dist_fresh_food",
        "dist_shared_garden",
        "dist_green_1ha",
        "green_network_ha",
        "desealable_share",
    }
    census = {"share_80p_alone", "persons_per_room"}
    assert set(run["missing_indicators"]) - not_given == {"night_heat", "top_floor_share", *census}
    assert run["summary"]["access_given"] is True
    absent = [
        line for line in capsys.readouterr().err.splitlines() if "Indicateurs absents" in line
    ]
    assert len(absent) == 1 and "night_heat" in absent[0] and "top_floor" not in absent[0]


@pytest.mark.shared
def test_nom_names_the_territory_everywhere(shared_data: Path, isolated: Path) -> None:
    out = isolated / "sortie"
    args = ["diagnose", "-t", "85191", "-o", str(out), "--nom", "  Ville de  La Roche-sur-Yon "]
    skips = ["--skip", "bpe", "--skip", "osm", "--skip", "lcz"]
    assert main([*args, *_real_sources(shared_data), "--offline", *skips]) == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["territory"] == {"code": "85191", "name": "Ville de La Roche-sur-Yon"}
    assert run["territories"][0]["name"] == "Ville de La Roche-sur-Yon"
    assert "Ville de La Roche-sur-Yon" in (out / "carte.html").read_text(encoding="utf-8")


@pytest.mark.shared
def test_nom_refuses_a_code_and_several_territories(
    shared_data: Path, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [*_real_sources(shared_data), "--offline", "--skip", "bpe", "--skip", "osm"]
    base += ["--skip", "lcz"]
    code = main(["diagnose", "-t", "85191", "-o", str(isolated / "a"), "--nom", "248500589", *base])
    assert (
        code == 1 and "--nom '248500589' : attendu le nom du territoire" in capsys.readouterr().err
    )
    two = ["-t", "85191", "-t", "49007", "-o", str(isolated / "b"), "--nom", "Ouest"]
    assert main(["diagnose", *two, *base]) != 0


@pytest.mark.shared
def test_map_too_large_for_a_page_names_the_output_folder_not_its_temporary_one(
    shared_data: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The map of a national run points to « quartiers serve <folder> »: the folder the
    results end in, not the temporary one they are written to before the rename."""
    import functools

    from quartiers.report import carte_inputs

    small = functools.partial(carte_inputs.write_carte, cell_limit=10)
    monkeypatch.setattr(carte_inputs, "write_carte", small)
    out = isolated / "resultats-ville"
    args = ["diagnose", "-t", "85191", "-o", str(out), "--no-uncertainty"]
    skips = ["--skip", "bpe", "--skip", "osm", "--skip", "lcz"]
    assert main([*args, *_real_sources(shared_data), "--offline", *skips]) == 0
    html = (out / "carte.html").read_text(encoding="utf-8")
    assert "trop pour une page hors ligne" in html
    assert "« quartiers serve resultats-ville » depuis le dossier parent" in html
    assert "partiel" not in html
