"""Method versions: v1 kept as ``methods/v1.yaml`` reproduces its numbers; v2 is the default.

The golden files of ``tests/method/data`` were written by the code of the v1 era (commit
67dd514, default method v1) on the synthetic territory of ``tests/_synthetic.py``; the
packaged ``v1`` must give the same indicators, index, ranks and rank intervals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _synthetic import access_table, environment_layers, make_territory
from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.errors import MethodError
from quartiers.method.spec import (
    default_method,
    packaged_method,
    packaged_methods,
    parse_method,
)

DATA = Path(__file__).parent / "data"
_OFF = RobustnessOptions(uncertainty=False, hotspots=False)


def _run(method_name: str | None, horizon: str, robustness: RobustnessOptions) -> Diagnostic:
    inputs = make_territory(**environment_layers())
    method = packaged_method(method_name) if method_name else default_method()
    return run_diagnostic(
        inputs,
        method=method,
        horizon=horizon,
        access=access_table(inputs.cells),
        robustness=robustness,
    )


def test_v1_reproduces_the_numbers_of_the_v1_era() -> None:
    diag = _run("v1", "2050", RobustnessOptions(draws=80, seed=2, hotspots=False))
    golden = pd.read_csv(DATA / "v1_golden_qpv.csv", dtype={"code_qp": str})
    # the tiny QPV has no sensitivity (below 50 residents): since issue 13 it is published
    # « incomplet » without quintile, whatever the method; compare the ranked QPV
    golden = golden[golden["code_qp"] == "QN99901M"]
    q = diag.qpv_table().set_index("code_qp").loc[golden["code_qp"]]
    for col in golden.columns.drop("code_qp"):
        np.testing.assert_allclose(
            q[col].astype("float64").to_numpy(),
            golden[col].astype("float64").to_numpy(),
            rtol=1e-10,
            err_msg=col,
        )
    cells = pd.read_csv(DATA / "v1_golden_cells.csv", dtype={"idcar_200m": str})
    mine = diag.cells.set_index("idcar_200m").loc[cells["idcar_200m"]]
    for col in ("index", "quintile", "score_exposure"):
        np.testing.assert_allclose(
            mine[col].astype("float64").to_numpy(),
            cells[col].astype("float64").to_numpy(),
            rtol=1e-10,
            err_msg=col,
        )
    assert "hazard_level" not in diag.qpv.columns  # v1 has no hazard section


def test_packaged_methods_and_unknown_name() -> None:
    assert "v1" in packaged_methods()
    assert packaged_method("v1").version == "1.0"
    with pytest.raises(MethodError, match=r"méthodes fournies : .*v1"):
        packaged_method("v0")


def test_v2_default_choices() -> None:
    method = default_method()
    assert method.version == "2.0"
    assert (method.aggregation.within, method.aggregation.across) == ("arithmetic", "geometric")
    sens = method.dimensions["sensitivity"].indicators
    assert "living_standard" not in sens and "floor_area_per_person" not in sens
    assert {"share_pre1945", "share_1945_1970", "share_80p"} <= set(sens)
    assert max(sens, key=lambda i: sens[i]) == "poverty_rate"  # one income indicator
    exposure = method.dimensions["exposure"].indicators
    assert "built_share" not in exposure
    assert method.hazard is not None
    assert not set(method.hazard.indicators) & set(exposure)
    assert method.uncertainty.sobol_samples >= 1024
    assert method.uncertainty.aggregations_within == ("arithmetic",)


def test_climate_is_a_hazard_level_not_a_rank_term() -> None:
    ref = _run(None, "ref", _OFF)
    hot = _run(None, "2100", _OFF)
    for col in ("index", "rank", "score_exposure"):
        pd.testing.assert_series_equal(ref.qpv[col], hot.qpv[col])
    # the hazard level and the exposure level rise with the horizon, beside the index
    assert (hot.qpv["hazard_level"] > ref.qpv["hazard_level"]).all()
    big = ref.qpv["score_exposure"].notna()
    assert (hot.qpv.loc[big, "exposure_level"] > ref.qpv.loc[big, "exposure_level"]).all()
    levels = [row["hazard_level"] for row in ref.run["hazard"]["by_horizon"]]
    assert levels == sorted(levels) and len(levels) == 4
    # level = mean of the bounded values (S3 / 40, S2 / 60, S1 / 30) of the QPV
    row = hot.qpv.iloc[0]
    expected = np.mean(
        [row["heat_wave_days"] / 40, row["warm_nights"] / 60, row["very_hot_days"] / 30]
    )
    assert row["hazard_level"] == pytest.approx(expected)
    assert row["exposure_level"] == pytest.approx(row["score_exposure"] * expected)


def test_hazard_indicator_cannot_enter_the_index() -> None:
    text = default_method().text.replace(
        "      impervious_share: 0.225",
        "      impervious_share: 0.025\n      warm_nights: {weight: 0.2, normalisation: bounds, "
        "bounds: [0, 60]}",
    )
    with pytest.raises(MethodError, match=r"hazard\.indicators\.warm_nights.*constant"):
        parse_method(text, source="m.yaml")


def test_coherence_audit_in_run_json() -> None:
    diag = _run(None, "ref", _OFF)
    coh = diag.run["coherence"]
    sens = coh["dimensions"]["sensitivity"]
    assert -1.0 <= sens["cronbach_alpha"] <= 1.0
    assert 0.0 < sens["first_component_share"] <= 1.0
    corr = sens["correlations"]
    assert corr["poverty_rate"]["poverty_rate"] == pytest.approx(1.0)
    for pair in sens["negative_pairs"]:
        assert pair["r"] < 0 and corr[pair["a"]][pair["b"]] == pair["r"]
    influences = [i["influence"] for i in coh["indicators"] if i["influence"] is not None]
    assert sum(influences) == pytest.approx(1.0, abs=1e-3)
    nominal = sum(i["nominal_weight"] for i in coh["indicators"])
    assert nominal == pytest.approx(1.0, abs=1e-3)
