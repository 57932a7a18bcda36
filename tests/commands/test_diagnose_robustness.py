"""``quartiers diagnose`` options of the rank-robustness analysis (draws, seed, switch off)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from quartiers.cli import main


@pytest.fixture
def synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Serve the synthetic territory instead of loading sources."""
    from _synthetic import make_territory
    from quartiers.diagnostic import pipeline

    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTIERS_WORKSPACE_DIR", str(tmp_path / "ws"))
    inputs = make_territory()
    monkeypatch.setattr(pipeline, "load_inputs", lambda *a, **k: inputs)
    return tmp_path


def test_draws_and_seed_reach_run_json(synthetic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = synthetic / "sortie"
    code = main(["diagnose", "-t", "99001", "-o", str(out), "--draws", "30", "--seed", "4"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["uncertainty"]["settings"]["draws"] == 30
    assert run["uncertainty"]["settings"]["seed"] == 4
    assert run["hotspots"]["seed"] == 4
    assert "Solidité des rangs (30 variantes" in captured.out
    # One ranked QPV: fewer than 5, so the table gives residents in top-quintile cells instead
    # of a rank interval that would say nothing (method v2, docs/method.md § 12).
    assert run["uncertainty"]["few_ranked"] is True
    assert "Habitants en quintile 5" in captured.out and "Rang 90 %" not in captured.out
    q = pd.read_csv(out / "qpv.csv")
    assert q["rank_median"].notna().any()


def test_switch_off(synthetic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = synthetic / "sortie"
    assert main(["diagnose", "-t", "99001", "-o", str(out), "--no-uncertainty"]) == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["uncertainty"] == {"enabled": False}
    assert run["hotspots"] == {"enabled": False}
    assert pd.read_csv(out / "qpv.csv")["rank_median"].isna().all()


@pytest.mark.parametrize(("option", "value"), [("--draws", "0"), ("--seed", "-1")])
def test_bad_values_are_french_usage_errors(
    synthetic: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    code = main(["diagnose", "-t", "99001", "-o", str(synthetic / "o"), option, value])
    err = capsys.readouterr().err
    assert code != 0 and option in err and "Traceback" not in err
    assert not (synthetic / "o").exists()
