"""``quartiers reference build``, then runs on that reference; ``compare`` refuses a mix.

On the demo territory, a reference built from the run's own Filosofi cells gives exactly
the indices of ``reference: run``; the real La Roche-sur-Yon extract is placed on a
reference it belongs to; ``reference: territory`` in a joint run of two territories gives
each territory the indices of its run alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiers.cli import main

# A method whose indicators all come from Filosofi (what a reference file holds).
METHOD = """
name: Sensibilité seule
version: "test"
normalisation: percentile
aggregation: {within: arithmetic, across: arithmetic}
uncertainty:
  draws: 12
  seed: 1
  normalisations: [percentile, minmax, zscore]
  imputed_precision: 0.3
  sobol_samples: 0
hotspots: {permutations: 99, fdr: 0.05, seed: 1}
dimensions:
  sensitivity:
    weight: 1.0
    indicators:
      poverty_rate: 0.4
      share_80p: 0.3
      share_single_person: 0.2
      share_0_3: 0.1
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from quartiers.demo import generate

    return generate(tmp_path_factory.mktemp("demo-ref") / "entrees", seed=2024)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QUARTIERS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QUARTIERS_WORKSPACE_DIR", str(tmp_path / "ws"))
    return tmp_path


def _method(folder: Path, name: str, reference: str | None) -> Path:
    path = folder / name
    extra = f"reference: {reference}\n" if reference else ""
    path.write_text(METHOD + extra, encoding="utf-8")
    return path


def _diagnose(demo: dict[str, Path], out: Path, method: Path) -> int:
    sources = [f"{k}={demo[k]}" for k in ("qpv", "filosofi", "communes")]
    args = ["diagnose", "-t", "200000001", "-o", str(out), "-m", str(method), "--offline"]
    for s in sources:
        args += ["--source", s]
    for skip in ("osm", "bpe", "lcz", "climadiag"):
        args += ["--skip", skip]
    return main(args)


def test_reference_of_the_run_cells_gives_the_run_indices(
    demo: dict[str, Path], isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = isolated / "ref.parquet"
    code = main(["reference", "build", "--source", f"filosofi={demo['filosofi']}", "-o", str(ref)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Référence écrite" in captured.out and "millésime 2021" in captured.out
    assert _diagnose(demo, isolated / "run", _method(isolated, "run.yaml", None)) == 0
    assert _diagnose(demo, isolated / "file", _method(isolated, "file.yaml", "ref.parquet")) == 0
    a = pd.read_csv(isolated / "run" / "qpv.csv")
    b = pd.read_csv(isolated / "file" / "qpv.csv")
    assert a["index"].notna().all()
    for column in ("index", "score_sensitivity", "rank", "rank_low", "rank_high"):
        np.testing.assert_allclose(b[column], a[column], rtol=0, atol=1e-12)
    cells_a = pd.read_parquet(isolated / "run" / "cells.parquet")
    cells_b = pd.read_parquet(isolated / "file" / "cells.parquet")
    np.testing.assert_allclose(cells_b["index"], cells_a["index"], atol=1e-12)
    run = json.loads((isolated / "file" / "run.json").read_text(encoding="utf-8"))
    assert run["reference"]["kind"] == "file" and run["reference"]["vintage"] == "2021"
    assert run["reference"]["path"] == str(ref.resolve())
    assert json.loads((isolated / "run" / "run.json").read_text())["reference"]["kind"] == "run"
    # diagnostics on different references are not set side by side
    code = main(["compare", str(isolated / "run"), str(isolated / "file"), "-o", "c.html"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1 and "références de normalisation différentes" in err
    assert "ref.parquet" in err and not Path("c.html").exists()
    same = isolated / "meme.html"
    code = main(["compare", str(isolated / "file"), str(isolated / "file"), "-o", str(same)])
    assert code == 0, capsys.readouterr().err
    html = " ".join(same.read_text(encoding="utf-8").split())
    assert "même fichier de référence" in html and "Référence de normalisation" in html


def test_compare_accepts_own_scales_and_refuses_two_files() -> None:
    from quartiers.diagnostic import RunRecord
    from quartiers.errors import InputError
    from quartiers.report.reference import check_same_reference

    def run(**extra: object) -> RunRecord:
        base = {"format": "quartiers-diagnostic/1", "territory": {"code": "85191"}}
        return RunRecord.model_validate(base | extra)

    own = [run(), run(reference={"kind": "run"}), run(reference={"kind": "territory"})]
    check_same_reference(own, ["a", "b", "c"])  # each on its own cells: no shared scale claimed
    files = [run(reference={"kind": "file", "sha256": s, "path": f"/r/{s}.parquet"}) for s in "xy"]
    check_same_reference([files[0], files[0]], ["a", "b"])
    with pytest.raises(InputError, match=r"a : fichier x\.parquet.*b : fichier y\.parquet"):
        check_same_reference(files, ["a", "b"])


def test_bad_reference_files_are_refused(
    demo: dict[str, Path], isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    method = _method(isolated, "m.yaml", "absent.parquet")
    assert _diagnose(demo, isolated / "o", method) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "absent.parquet : fichier de référence introuvable" in err
    assert not (isolated / "o").exists()
    ref = isolated / "r2019.parquet"
    args = ["reference", "build", "-s", f"filosofi={demo['filosofi']}", "-o", str(ref)]
    assert main([*args, "--vintage", "2019"]) == 0
    assert _diagnose(demo, isolated / "o", _method(isolated, "m.yaml", ref.name)) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "r2019.parquet : millésime Filosofi 2021 absent" in err
    assert main(args) == 1 and "le fichier existe" in capsys.readouterr().err
    code = main(
        ["reference", "build", "-s", f"qpv={demo['qpv']}", "-o", str(isolated / "q.parquet")]
    )
    assert code == 1 and "filosofi seulement" in " ".join(capsys.readouterr().err.split())


@pytest.mark.shared
def test_real_filosofi_extract(shared_data: Path, isolated: Path) -> None:
    from quartiers.diagnostic.reference_file import read_reference
    from quartiers.indicators.sensitivity import sensitivity_indicators
    from quartiers.method.normalise import Reference, normalise
    from quartiers.sources.filosofi import read_filosofi

    csv = shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv"
    ref = isolated / "lry.parquet"
    assert main(["reference", "build", "-s", f"filosofi={csv}", "-o", str(ref)]) == 0
    stored = read_reference(ref)
    cells = read_filosofi(csv).sort_values("idcar_200m").reset_index(drop=True)
    values, _ = sensitivity_indicators(pd.DataFrame(cells.drop(columns="geometry")))
    assert set(values) == set(stored.rows["indicator"])
    assert stored.rows.groupby("indicator")["cells"].first()["poverty_rate"] <= 530
    ids = ["poverty_rate", "share_65p", "share_social_housing"]
    file_ref = stored.reference_for(ids, "2021")
    x = np.column_stack([values[i].value for i in ids])
    w = np.column_stack([values[i].den for i in ids])
    cell_ref = Reference.build(x, w)
    for kind in ("percentile", "minmax", "zscore"):
        args = {"kinds": [kind] * 3, "directions": np.ones(3), "bounds": [None] * 3}
        np.testing.assert_allclose(
            normalise(x, file_ref, **args), normalise(x, cell_ref, **args), atol=1e-12
        )


def test_reference_of_a_territory_holds_every_indicator_of_the_default_method(
    demo: dict[str, Path], isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = [f"{k}={v}" for k, v in demo.items() if k != "places"]
    ref = isolated / "ville.parquet"
    args = ["reference", "build", "-t", "200000001", "--offline", "-o", str(ref)]
    for s in sources:
        args += ["--source", s]
    code = main([*args, "--places", str(demo["places"])])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0, out
    assert "Référence écrite" in out and "Indicateurs absents de la référence :" in out
    assert "night_heat" in out and "rp_iris" in out  # no night-heat raster, no census tables
    default = Path(__file__).parents[2] / "src" / "quartiers" / "method" / "default.yaml"
    text = default.read_text(encoding="utf-8")
    runs = {}
    for name, reference in (("run", "run"), ("file", ref.name)):
        method = isolated / f"{name}.yaml"
        method.write_text(text + f"\nreference: {reference}\n", encoding="utf-8")
        command = ["diagnose", "-t", "200000001", "-o", str(isolated / name), "-m", str(method)]
        command += ["--offline", "--no-uncertainty", "--places", str(demo["places"])]
        for s in sources:
            command += ["--source", s]
        assert main(command) == 0, capsys.readouterr().err
        runs[name] = pd.read_csv(isolated / name / "qpv.csv")
    scores = ["score_sensitivity", "score_exposure", "score_resources", "index", "rank"]
    assert runs["file"][scores].notna().all().all()
    np.testing.assert_allclose(runs["file"][scores], runs["run"][scores], rtol=0, atol=1e-12)
    run = json.loads((isolated / "file" / "run.json").read_text(encoding="utf-8"))
    assert run["reference"]["kind"] == "file"
    assert [t["code"] for t in run["reference"]["territories"]] == ["200000001"]
