"""The national run on the fictitious France (issue 16, points 2 and 5).

``--territory france`` on the small fictitious France (``france-essai``: 13 régions, one
département each) diagnoses every QPV on one scale; ``quartiers reference build --territory
france`` writes the national reference, and a one-commune run that cites it
(``reference: ref.parquet``) gets exactly the national run's scores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quartiers.cli import main
from quartiers.demo.national import FILES
from quartiers.diagnostic import Diagnostic, RobustnessOptions
from quartiers.diagnostic.pipeline import diagnose
from quartiers.method.spec import default_method, parse_method
from quartiers.settings import get_settings

FAST = RobustnessOptions(uncertainty=False, hotspots=False)
SKIP = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo")
SCORES = ["score_sensitivity", "score_exposure", "index"]


@pytest.fixture(scope="module")
def national(essai: Path, tmp_path_factory: pytest.TempPathFactory) -> Diagnostic:
    tmp = tmp_path_factory.mktemp("national-run")
    settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")
    sources = {k: essai / rel for k, rel in FILES.items()}
    return diagnose("france", sources=sources, skip=SKIP, settings=settings, robustness=FAST)


def _sources(essai: Path) -> list[str]:
    return [a for k, rel in FILES.items() for a in ("--source", f"{k}={essai / rel}")]


def test_national_run_covers_every_region(national: Diagnostic) -> None:
    qpv = national.qpv_table()
    assert len(qpv) == 26 and qpv["index"].notna().all()
    assert qpv["code_qp"].str[2:5].nunique() == 13
    cells = national.cells
    assert len(cells) >= 6500 and cells["territory"].eq("france").all()


def test_national_reference_places_one_commune(
    essai: Path, national: Diagnostic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = tmp_path / "ref.parquet"
    args = ["reference", "build", "--territory", "france", "--out", str(ref), "--offline"]
    args += ["--workspace", str(tmp_path / "ws"), *_sources(essai)]
    args += [a for s in SKIP for a in ("--skip", s)]
    assert main(args) == 0
    assert "Référence écrite" in capsys.readouterr().out
    joint = national.qpv_table().set_index("code_qp")
    commune = str(joint.loc[joint.index[0], "insee_com"])
    settings = get_settings(offline=True, cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w")
    sources = {k: essai / rel for k, rel in FILES.items()}
    text = default_method().text + f"\nreference: {ref}\n"
    method = parse_method(text, source=str(tmp_path / "methode.yaml"))
    alone = diagnose(
        commune, sources=sources, skip=SKIP, settings=settings, method=method, robustness=FAST
    )
    mine = alone.qpv_table().set_index("code_qp")
    assert len(mine) >= 1 and mine["index"].notna().all()
    np.testing.assert_allclose(
        mine[SCORES].to_numpy(float), joint.loc[mine.index, SCORES].to_numpy(float), atol=1e-12
    )
    cells = national.cells.set_index("idcar_200m")
    own = alone.cells.set_index("idcar_200m")
    np.testing.assert_allclose(
        own["index"].to_numpy(float), cells.loc[own.index, "index"].to_numpy(float), atol=1e-12
    )
    local = diagnose(commune, sources=sources, skip=SKIP, settings=settings, robustness=FAST)
    differs = local.qpv_table().set_index("code_qp")[SCORES] - mine[SCORES]
    assert float(np.nanmax(np.abs(differs.to_numpy(float)))) > 1e-3
    assert alone.run["reference"]["kind"] == "file"
