"""The fictitious France of ``quartiers demo --echelle`` (issue 16, points 1, 2 and 5).

The small scale (``france-essai``: one département per région, 500 cells each) is generated
in about a second; the national diagnostic (``--territory france``) and the national
reference (``quartiers reference build --territory france``) run on it, and a one-commune
run placed on that reference gets the national run's scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quartiers.cli import main
from quartiers.demo._filosofi import FILOSOFI_2021_COLUMNS
from quartiers.demo.national import FILES, generate_france
from quartiers.demo.national._layout import FRANCE, departements
from quartiers.diagnostic import Diagnostic, RobustnessOptions
from quartiers.diagnostic.pipeline import diagnose
from quartiers.settings import get_settings
from quartiers.sources.communes import read_commune_table
from quartiers.sources.filosofi import read_filosofi
from quartiers.sources.qpv import read_qpv

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


def test_national_scale_meets_the_issue_sizes() -> None:
    deps = departements(FRANCE)
    assert len({d.region for d in deps}) == 13
    assert len(deps) * FRANCE.cells_per_departement >= 2_300_000
    assert len(deps) * FRANCE.qpv_per_departement >= 1_600


def test_small_france_in_the_official_formats(essai: Path) -> None:
    stamp = json.loads((essai / "empreinte.json").read_text(encoding="utf-8"))
    counts = stamp["effectifs"]
    assert counts["regions"] == 13 and counts["qpv"] == 26 and counts["carreaux"] == 6500
    csv = essai / FILES["filosofi"]
    assert csv.read_text(encoding="utf-8").splitlines()[0] == ",".join(FILOSOFI_2021_COLUMNS)
    cells = read_filosofi(csv)  # the reader checks Filosofi's relations between counts
    assert len(cells) == 6500 and cells["idcar_200m"].is_unique
    assert cells["imputed"].any() and (~cells["imputed"]).any()
    qpv = read_qpv(essai / FILES["qpv"])
    assert qpv["code_qp"].str.startswith("QZ").all() and len(qpv) == 26
    assert not qpv.geometry.overlaps(qpv.geometry.union_all()).all()
    communes = read_commune_table(essai / FILES["communes"])
    assert set(qpv["insee_com"]) <= set(communes["insee_com"])
    assert set(cells["lcog_geo"]) <= set(communes["insee_com"])
    lines = (essai / FILES["climadiag"]).read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(x)["identifiant_insee"] for x in lines) == sorted(
        communes["insee_com"]
    )
    readme = (essai / "README.txt").read_text(encoding="utf-8")
    assert "FICTIF" in readme and "INVENTÉES" in readme
    assert "FICTIVES" in (essai / FILES["qpv"]).read_text(encoding="utf-8")[:300]


def test_written_once_then_reused(essai: Path, tmp_path: Path) -> None:
    again = generate_france(essai, echelle="france-essai")
    assert again.reused
    other = generate_france(tmp_path / "autre", echelle="france-essai", seed=3)
    assert not other.reused and other.fingerprint != again.fingerprint
    assert (tmp_path / "autre" / FILES["filosofi"]).read_bytes() != (
        essai / FILES["filosofi"]
    ).read_bytes()


def test_demo_command_writes_the_small_france(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fr"
    assert main(["demo", "--echelle", "france-essai", "--out", str(out)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "France fictive écrite" in said and "--territory france" in said
    assert main(["demo", "--echelle", "france-essai", "--out", str(out)]) == 0
    assert "réutilisée" in capsys.readouterr().out
    assert main(["demo", "--echelle", "monde", "--out", str(out)]) == 1
    assert "échelle « monde » inconnue" in " ".join(capsys.readouterr().err.split())
    (tmp_path / "autre").mkdir()
    (tmp_path / "autre" / "notes.txt").write_text("à garder", encoding="utf-8")
    assert main(["demo", "--echelle", "france-essai", "--out", str(tmp_path / "autre")]) == 1
    assert (tmp_path / "autre" / "notes.txt").is_file()
