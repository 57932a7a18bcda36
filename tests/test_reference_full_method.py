"""A reference file for the default method: every indicator, one scale (issue 13, point 3).

A reference built (``quartiers reference build --territory …``) from La Roche-sur-Yon (real
extracts of ../shared/data: Filosofi, QPV, communes, Climadiag) and the demo territory
(seed 7: buildings, trees, LCZ, streets, walking access) places a run of either territory
alone, with the default method and ``reference: ref.parquet``, exactly where the joint run
of both puts it. Indicators absent from the file, or computed with other settings, are
refused. In the joint run, La Roche-sur-Yon — read without street-level layers — has no
value for the indicators those layers feed (not the value of an empty layer).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from quartiers.diagnostic import Diagnostic, RobustnessOptions
from quartiers.diagnostic.pipeline import diagnose, reference_of
from quartiers.diagnostic.reference_file import read_reference, write_reference
from quartiers.errors import InputError
from quartiers.method.spec import Method, default_method, parse_method
from quartiers.schemas import TerritoryInputs
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs
from quartiers.sources.multi import merge_inputs

FAST = RobustnessOptions(uncertainty=False, hotspots=False)
LRY, DEMO = "85191", "200000001"
SCORES = ["score_sensitivity", "score_exposure", "score_resources", "index"]
STREET_LEVEL = ["impervious_share", "canopy_share", "green_share", "dist_cool_indoor"]

pytestmark = pytest.mark.shared


class Runs:
    """The inputs, places, joint run and reference file shared by the tests."""

    def __init__(self, tmp: Path, shared_data: Path) -> None:
        from quartiers.demo import generate

        demo = generate(tmp / "entrees", seed=7)
        real = {
            "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
            "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
            "communes": shared_data / "admin" / "communes_4epci.geojson",
            "climadiag": shared_data / "climate" / "climadiag_tracc_4communes.csv",
        }
        settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")
        self.lry = load_inputs(
            LRY, {k: [real[k], demo[k]] for k in real}, settings=settings,
            use_workspace=False, skip=["bpe", "osm", "lcz", "drias", "bdtopo"],
        )  # fmt: skip
        self.demo = load_inputs(
            DEMO, {k: v for k, v in demo.items() if k != "places"}, settings=settings,
            use_workspace=False,
        )  # fmt: skip
        self.places = demo["places"]
        self.files = {k: [real[k], demo[k]] for k in real} | {"osm": [demo["osm"]]}
        self.settings = settings
        self.tmp = tmp
        self.joint = diagnose(self.both(), places=self.places, robustness=FAST)
        built = reference_of(self.both(), places=self.places)
        self.ref = tmp / "ref.parquet"
        write_reference(built.table, self.ref, sources=built.sources, provenance=built.provenance)

    def both(self) -> TerritoryInputs:
        return merge_inputs([self.lry, self.demo])

    def method(self, reference: Path | str, change: tuple[str, str] = ("", "")) -> Method:
        text = default_method().text
        assert change[0] in text
        text = text.replace(*change) + f"\nreference: {reference}\n"
        return parse_method(text, source=str(self.tmp / "methode.yaml"))

    def alone(self, inputs: TerritoryInputs, method: Method) -> Diagnostic:
        places = self.places if inputs is self.demo else None
        return diagnose(inputs, method=method, places=places, robustness=FAST)


@pytest.fixture(scope="module")
def runs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory.mktemp("ref-full"), shared_data)


def _qpv(diag: Diagnostic) -> pd.DataFrame:
    return diag.qpv_table().set_index("code_qp")


def test_one_territory_is_placed_on_the_reference_scale(runs: Runs) -> None:
    joint = _qpv(runs.joint)
    demo = runs.alone(runs.demo, runs.method(runs.ref))
    mine = _qpv(demo)
    assert mine[SCORES].notna().all().all()  # the three dimensions of the default method
    np.testing.assert_allclose(
        mine[SCORES].to_numpy(float), joint.loc[mine.index, SCORES].to_numpy(float), atol=1e-12
    )
    cells = runs.joint.cells.set_index("idcar_200m")
    own = demo.cells.set_index("idcar_200m")
    np.testing.assert_allclose(
        own["index"].to_numpy(float), cells.loc[own.index, "index"].to_numpy(float), atol=1e-12
    )
    # on its own cells' scale the same QPV read differently: the file did change the scale
    local = _qpv(runs.alone(runs.demo, runs.method("run")))
    assert np.nanmax(np.abs(local[SCORES].to_numpy(float) - mine[SCORES].to_numpy(float))) > 1e-3
    # La Roche-sur-Yon alone (sensitivity only) gets its joint-run sensitivity scores
    lry = _qpv(runs.alone(runs.lry, runs.method(runs.ref)))
    np.testing.assert_allclose(
        lry["score_sensitivity"], joint.loc[lry.index, "score_sensitivity"], atol=1e-12
    )
    record = demo.run["reference"]
    assert record["kind"] == "file" and record["path"] == str(runs.ref.resolve())
    assert [t["code"] for t in record["territories"]] == [LRY, DEMO]


def test_reference_file_says_where_its_cells_come_from(runs: Runs) -> None:
    stored = read_reference(runs.ref)
    held = set(stored.rows["indicator"])
    method = default_method()
    wanted = {i for d in method.dimensions.values() for i in d.choices()} - {
        "night_heat",
        "share_80p_alone",
        "persons_per_room",
    }
    assert wanted <= held
    assert "night_heat" not in held and "night_heat" in stored.meta["missing"]
    cells = stored.rows.groupby("indicator")["cells"].first()
    demo_cells = int((runs.joint.cells["territory"] == DEMO).sum())
    assert cells["impervious_share"] <= demo_cells < cells["poverty_rate"]
    meta = stored.meta
    assert meta["horizon"] == "ref" and meta["method"]["sha256"] == method.sha256
    assert len(meta["method"]["fingerprint"]) == 64
    assert meta["settings"]["dist_care"] == "unreachable=worst"
    assert meta["settings"]["lcz_heat"].startswith("lcz_heat_scores=")
    kinds = {s["source_id"] for s in meta["sources"]}
    assert {"filosofi", "qpv", "communes", "climadiag", "osm", "lcz"} <= kinds
    assert stored.vintages == ["2021"]
    raw = json.loads(pq.read_schema(runs.ref).metadata[b"quartiers_reference"])
    assert raw["territories"][0]["name"]


def test_joint_run_leaves_blank_the_layers_a_territory_lacks(runs: Runs) -> None:
    cells = runs.joint.cells
    lry = cells["territory"] == LRY
    for ind_id in STREET_LEVEL:
        assert cells.loc[lry, ind_id].isna().all(), ind_id
        assert cells.loc[~lry & (cells["population"] > 0), ind_id].notna().any(), ind_id
    qpv = _qpv(runs.joint)
    assert (qpv.loc[qpv["territory"] == LRY, "status"] == "incomplet").all()
    assert qpv.loc[qpv["territory"] == DEMO, "rank"].notna().all()
    notes = " ".join(runs.joint.run["notes"])
    assert "couches absentes pour ce territoire" in notes and "(85191)" in notes


def test_indicators_absent_or_computed_otherwise_are_refused(runs: Runs) -> None:
    built = reference_of(runs.lry)
    social = runs.tmp / "social.parquet"
    write_reference(built.table, social, sources=built.sources, provenance=built.provenance)
    with pytest.raises(InputError) as caught:
        runs.alone(runs.demo, runs.method(social))
    message = str(caught.value)
    assert "social.parquet : indicateur(s) absent(s) du fichier de référence" in message
    for ind_id in ("lcz_heat", "impervious_share", "canopy_share", "dist_cool_indoor"):
        assert ind_id in message
    assert "poverty_rate" not in message.split("Indicateurs présents")[0]
    assert "pas normalisés sur l'échelle locale" in message
    with pytest.raises(InputError, match=r"ref\.parquet : .*dist_care : référence "):
        runs.alone(runs.demo, runs.method(runs.ref, ("unreachable: worst", "unreachable: drop")))
    with pytest.raises(InputError, match=r"ref\.parquet : .*lcz_heat"):
        runs.alone(runs.demo, runs.method(runs.ref, ('"1": 4', '"1": 3')))


def test_an_extract_that_does_not_cover_a_territory_gives_it_no_streets(runs: Runs) -> None:
    from quartiers.sources.multi import territory_record

    # « --source osm=… » given once for both territories, as the command line does
    lry = load_inputs(
        LRY, runs.files, settings=runs.settings, use_workspace=False,
        skip=["bpe", "lcz", "drias", "bdtopo"],
    )  # fmt: skip
    assert lry.osm_path is not None
    assert territory_record(lry).layers == ()
    assert "streets" in territory_record(runs.demo).layers or ()
