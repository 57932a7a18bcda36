"""Several territories in one run, on one scale (issue 13, points 3 and 5).

La Roche-sur-Yon (real extracts of ../shared/data) and a second fictitious territory (the
demo generator with another seed) diagnosed in one run give the same counts as two
separate runs; without climate for La Roche-sur-Yon, its QPV are « incomplet ».
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.errors import InputError
from quartiers.schemas import TerritoryInputs
from quartiers.settings import get_settings
from quartiers.sources.communes import read_commune_table
from quartiers.sources.gather import parse_source_files
from quartiers.sources.load import load_inputs
from quartiers.sources.multi import merge_inputs
from quartiers.sources.territory import select_communes

FAST = RobustnessOptions(uncertainty=False, hotspots=False)
LRY, DEMO = "85191", "200000001"
COUNTS = ["population", "households", "poor_households"]


@pytest.fixture(scope="module")
def files(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    from quartiers.demo import generate

    demo = generate(tmp_path_factory.mktemp("demo7") / "entrees", seed=7)
    real = {
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "climadiag": shared_data / "climate" / "climadiag_tracc_4communes.csv",
    }
    return {k: [real[k], demo[k]] for k in real}


def _load(code: str, files: dict[str, list[Path]], tmp: Path) -> TerritoryInputs:
    settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")
    return load_inputs(
        code, files, settings=settings, skip=["bpe", "osm", "lcz"], use_workspace=False
    )


@pytest.fixture(scope="module")
def runs(
    files: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Diagnostic, Diagnostic, Diagnostic]:
    tmp = tmp_path_factory.mktemp("runs")
    lry, demo = _load(LRY, files, tmp), _load(DEMO, files, tmp)
    joint = run_diagnostic(merge_inputs([lry, demo]), horizon="2030", robustness=FAST)
    alone = [
        run_diagnostic(_load(code, files, tmp), horizon="2030", robustness=FAST)
        for code in (LRY, DEMO)
    ]
    return joint, alone[0], alone[1]


@pytest.mark.shared
def test_joint_run_gives_the_counts_of_separate_runs(
    runs: tuple[Diagnostic, Diagnostic, Diagnostic],
) -> None:
    joint, lry, demo = runs
    separate = pd.concat([lry.qpv_table(), demo.qpv_table()]).set_index("code_qp")
    together = joint.qpv_table().set_index("code_qp")
    assert sorted(together.index) == sorted(separate.index)
    assert len(together) == 5
    for col in COUNTS:
        np.testing.assert_allclose(
            together.loc[separate.index, col], separate[col], rtol=1e-9, err_msg=col
        )
    # rates of summed counts do not depend on the reference either
    np.testing.assert_allclose(
        together.loc[separate.index, "poverty_rate"], separate["poverty_rate"], rtol=1e-9
    )
    assert len(joint.cells) == len(lry.cells) + len(demo.cells)
    assert joint.cells["population"].sum() == pytest.approx(
        lry.cells["population"].sum() + demo.cells["population"].sum()
    )


@pytest.mark.shared
def test_every_layer_says_its_territory(
    runs: tuple[Diagnostic, Diagnostic, Diagnostic], tmp_path: Path
) -> None:
    joint = runs[0]
    for layer in (joint.cells, joint.qpv, joint.zones):
        assert {"territory", "territory_name"} <= set(layer.columns)
        assert set(layer["territory"]) == {LRY, DEMO}
    qpv = joint.qpv_table().set_index("code_qp")
    assert qpv.loc["QN08503I", "territory"] == LRY
    assert qpv.loc["QN00001A", "territory"] == DEMO
    assert [t["code"] for t in joint.run["territories"]] == [LRY, DEMO]
    joint.write(tmp_path)
    csv = pd.read_csv(tmp_path / "qpv.csv", dtype={"territory": str})
    assert set(csv["territory"]) == {LRY, DEMO}
    # a single run has the columns too
    assert set(runs[1].qpv["territory"]) == {LRY}


@pytest.mark.shared
def test_commune_without_climate_makes_its_qpv_incomplete(
    files: dict[str, list[Path]], tmp_path: Path
) -> None:
    no_lry = dict(files)
    no_lry["climadiag"] = [files["climadiag"][1]]  # the demo's only
    parts = [_load(code, no_lry, tmp_path) for code in (LRY, DEMO)]
    # method v1: the climate is an exposure indicator (in v2 it is the hazard level)
    from quartiers.method.spec import packaged_method

    diag = run_diagnostic(
        merge_inputs(parts),
        method=packaged_method("v1"),
        horizon="2030",
        robustness=RobustnessOptions(draws=20, seed=1, hotspots=False),
    )
    q = diag.qpv_table().set_index("code_qp")
    lry = q[q["territory"] == LRY]
    assert (lry["status"] == "incomplet").all()
    assert lry["rank"].isna().all() and lry["rank_low"].isna().all()
    assert lry["p_top_quintile"].isna().all()
    assert lry["status_detail"].str.contains("Roche-sur-Yon \\(85191\\)").all()
    assert lry["status_detail"].str.contains("--source climadiag=").all()
    demo = q[q["territory"] == DEMO]
    assert (demo["status"] == "ok").all()
    assert sorted(demo["rank"].astype(int)) == [1, 2]


def test_overlapping_territories_are_refused() -> None:
    from tests._synthetic import make_territory

    a, b = make_territory(), make_territory(code="99002", name="Autre")
    with pytest.raises(InputError, match="communes en commun"):
        merge_inputs([a, b])


@pytest.mark.shared
def test_departement_region_and_france(shared_data: Path) -> None:
    table = read_commune_table(shared_data / "admin" / "communes_4epci.geojson")
    dep = select_communes("dep:85", table)
    assert dep.kind == "departement" and dep.code == "dep:85"
    assert dep.name == "Vendée (85)"
    assert set(dep.commune_codes) == {c for c in table["insee_com"] if c.startswith("85")}
    reg = select_communes("reg:52", table)
    assert reg.name == "Pays de la Loire (52)"
    assert {c[:2] for c in reg.commune_codes} == {"44", "49", "85"}
    france = select_communes("france", table)
    assert len(france.commune_codes) == len(table)
    with pytest.raises(InputError, match="région 99 inconnue"):
        select_communes("reg:99", table)
    with pytest.raises(InputError, match="dep:CODE"):
        select_communes("dep:13", table)


def test_repeated_sources(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x\n")
    b.write_text("x\n")
    got = parse_source_files([f"climadiag={a}", f"climadiag={b}", f"qpv={a}"])
    assert got == {"climadiag": [a, b], "qpv": [a]}
    assert parse_source_files([f"osm={a}", f"osm={b}"]) == {"osm": [a, b]}
    with pytest.raises(InputError, match="georisques donné deux fois"):
        parse_source_files([f"georisques={a}", f"georisques={b}"])
