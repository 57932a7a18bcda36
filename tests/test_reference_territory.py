"""``reference: territory``: in a joint run, each territory on its own scale (issue 13).

La Roche-sur-Yon (real extracts of ../shared/data) and the demo territory (seed 7) in one
run with ``reference: territory`` give every QPV and cell the index of its territory's run
alone (``reference: run``); with ``reference: run`` the joint run puts them on one scale,
which moves the indices. (The draws per territory are tested in tests/method/test_reference.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.method.spec import Method, parse_method
from quartiers.schemas import TerritoryInputs
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs
from quartiers.sources.multi import merge_inputs

LRY, DEMO = "85191", "200000001"
DRAWS = RobustnessOptions(uncertainty=True, hotspots=False, draws=16, seed=3)
METHOD = """
name: Sensibilité et ressources
version: "test"
normalisation: percentile
population_floor: 0
aggregation: {within: arithmetic, across: arithmetic}
uncertainty:
  draws: 16
  seed: 3
  normalisations: [percentile, minmax, zscore]
  imputed_precision: 0.3
  sobol_samples: 0
dimensions:
  sensitivity:
    weight: 1.0
    indicators:
      poverty_rate: 0.5
      share_80p: 0.3
      share_single_person: 0.2
"""


def _method(reference: str) -> Method:
    return parse_method(METHOD + f"reference: {reference}\n", source="m.yaml")


@pytest.fixture(scope="module")
def loaded(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TerritoryInputs, TerritoryInputs]:
    from quartiers.demo import generate

    tmp = tmp_path_factory.mktemp("terr")
    demo = generate(tmp / "entrees", seed=7)
    real = {
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": shared_data / "admin" / "communes_4epci.geojson",
    }
    files = {k: [real[k], demo[k]] for k in real}
    settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")

    def load(code: str) -> TerritoryInputs:
        return load_inputs(
            code, files, settings=settings, skip=["bpe", "osm", "lcz", "climadiag"],
            use_workspace=False,
        )  # fmt: skip

    return load(LRY), load(DEMO)


def _qpv(diag: Diagnostic) -> pd.DataFrame:
    return diag.qpv_table().set_index("code_qp")


@pytest.mark.shared
def test_territory_reference_gives_each_territory_its_own_scale(
    loaded: tuple[TerritoryInputs, TerritoryInputs],
) -> None:
    lry, demo = loaded
    joint = run_diagnostic(merge_inputs([lry, demo]), method=_method("territory"), robustness=DRAWS)
    alone = [run_diagnostic(t, method=_method("run"), robustness=DRAWS) for t in (lry, demo)]
    separate = pd.concat([_qpv(d) for d in alone])
    together = _qpv(joint).loc[separate.index]
    assert len(separate) == 5 and separate["index"].notna().all()
    np.testing.assert_allclose(together["index"], separate["index"], rtol=0, atol=1e-12)
    cells = joint.cells.set_index("idcar_200m")["index"]
    for d in alone:
        c = d.cells.set_index("idcar_200m")["index"]
        np.testing.assert_allclose(cells.loc[c.index], c, atol=1e-12, equal_nan=True)
    assert joint.run["reference"]["kind"] == "territory"
    one_scale = run_diagnostic(merge_inputs([lry, demo]), method=_method("run"), robustness=DRAWS)
    moved = _qpv(one_scale).loc[separate.index, "index"] - separate["index"]
    assert np.abs(moved).max() > 1e-3  # one scale across territories differs
    # Monte Carlo positions are computed: p_top_quintile is a probability for ranked QPV
    p = pd.to_numeric(_qpv(joint)["p_top_quintile"], errors="coerce")
    assert p.notna().any() and ((p >= 0) & (p <= 1)).all()
