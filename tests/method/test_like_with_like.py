"""Like with like: a QPV whose index lacks a dimension is not ranked with the others (issue 13).

Synthetic territory: three QPV, two in Ouestville (99001) and one in Estville (99002);
Climadiag is given for Ouestville only, no LCZ nor OSM, so the exposure dimension of the
Estville QPV (commune-wide climate) is absent.
"""

from __future__ import annotations

from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from tests._synthetic import SIREN, X0, Y0, climate_table, make_territory

from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.diagnostic._index_label import FULL_LABEL, RowState, index_label, index_note
from quartiers.errors import MethodError
from quartiers.method.completeness import (
    draw_range,
    fill_scores,
    missing_dimensions,
    present_dimensions,
    territory_fill,
)
from quartiers.method.spec import parse_method

OPTIONS = RobustnessOptions(draws=60, seed=3, hotspots=False)


def _method(missing: str) -> str:
    # Method v1, where the commune's Climadiag values are an exposure indicator: a commune
    # without them has no exposure at all (the Angers/Trélazé case of issue 13). In v2 the
    # climate is a hazard level beside the index, so this scenario needs the v1 file.
    methods = resources.files("quartiers.method").joinpath("methods")
    text = methods.joinpath("v1.yaml").read_text("utf-8")
    assert "missing_dimension" not in text and "sobol_samples: 64" in text
    text = text.replace("sobol_samples: 64", "sobol_samples: 0")
    return f"{text}\nmissing_dimension: {missing}\n"


def _qpv() -> gpd.GeoDataFrame:
    boxes = [
        shapely.box(X0 + 100, Y0 + 200, X0 + 600, Y0 + 1800),
        shapely.box(X0 + 650, Y0 + 200, X0 + 1200, Y0 + 1800),
        shapely.box(X0 + 1300, Y0 + 200, X0 + 1900, Y0 + 1800),
    ]
    return gpd.GeoDataFrame(
        {
            "code_qp": ["QN99901A", "QN99901B", "QN99902C"],
            "lib_qp": ["Ouest A", "Ouest B", "Est C"],
            "insee_com": ["99001", "99001", "99002"],
            "insee_coms": ["99001", "99001", "99002"],
            "siren_epci": [SIREN] * 3,
        },
        geometry=boxes,
        crs="EPSG:3035",
    )


def _run(missing: str, *, both_climates: bool = False) -> Diagnostic:
    climate = climate_table()
    if not both_climates:
        climate = climate[climate["insee_com"] == "99001"]
    method = parse_method(_method(missing), source="test.yaml")
    inputs = make_territory(qpv=_qpv(), climate=climate)
    return run_diagnostic(inputs, method=method, robustness=OPTIONS)


@pytest.fixture(scope="module")
def excluded() -> Diagnostic:
    return _run("exclude")


@pytest.fixture(scope="module")
def imputed() -> Diagnostic:
    return _run("impute")


def _row(diag: Diagnostic, code: str) -> pd.Series:
    return diag.qpv.set_index("code_qp").loc[code]


def test_qpv_without_climate_is_incomplete_and_not_ranked(excluded: Diagnostic) -> None:
    east = _row(excluded, "QN99902C")
    assert east["status"] == "incomplet"
    for col in ("rank", "rank_median", "rank_low", "rank_high", "quintile"):
        assert pd.isna(east[col]), col
    assert pd.isna(east["p_top_quintile"])
    assert pd.isna(east["robust_top_quintile"])
    assert east["missing_dimensions"] == "exposure"
    detail = str(east["status_detail"])
    assert "exposition" in detail
    assert "Estville (99002)" in detail
    assert "--source climadiag=" in detail
    assert "population trop faible" not in detail
    # its index is what its dimensions give, labelled for what it measures
    assert np.isfinite(east["index"])
    assert east["index_label"].startswith("indice social —")
    assert "exposition" in east["index_label"]


def test_complete_qpv_are_ranked_among_themselves(excluded: Diagnostic) -> None:
    west = excluded.qpv[excluded.qpv["insee_com"] == "99001"]
    assert (west["status"] == "ok").all()
    assert sorted(west["rank"].astype(int)) == [1, 2]
    assert west["rank_high"].max() <= 2
    assert excluded.run["summary"]["qpv_ranked"] == 2
    assert excluded.run["like_with_like"]["qpv"] == {"QN99902C": "exposure"}


def test_incomplete_cells_leave_the_map_and_the_breaks(excluded: Diagnostic) -> None:
    cells = excluded.cells
    east = cells["status"] == "incomplet"
    assert east.any()
    assert cells.loc[east, "index"].isna().all()
    assert cells.loc[east, "quintile"].isna().all()
    assert cells.loc[east, "score_sensitivity"].notna().all()
    assert set(cells.loc[east, "insee_com"]) == {"99002"}


def test_index_label_without_street_level_layers(excluded: Diagnostic) -> None:
    west = _row(excluded, "QN99901A")
    assert west["index_label"] == (
        "indice social et climatique communal — exposition intra-urbaine et ressources non mesurées"
    )
    note = str(west["index_note"])
    assert "zones climatiques locales (LCZ)" in note
    assert "--source lcz=FICHIER" in note
    assert "lcz_heat" not in note


def test_same_dimensions_everywhere_rank_everyone() -> None:
    diag = _run("exclude", both_climates=True)
    assert (diag.qpv["status"] == "ok").all()
    assert diag.qpv["rank"].notna().all()


def test_impute_ranks_with_a_wider_interval(excluded: Diagnostic, imputed: Diagnostic) -> None:
    east = _row(imputed, "QN99902C")
    assert east["status"] == "ok"
    assert pd.notna(east["rank"])
    assert "imputée" in str(east["status_detail"])
    assert "exposition imputée" in str(east["index_label"])
    # the unknown exposure is drawn over its whole scale: wider than with the data given
    known = _row(_run("exclude", both_climates=True), "QN99902C")
    width = int(east["rank_high"]) - int(east["rank_low"])
    assert width >= 1
    assert width >= int(known["rank_high"]) - int(known["rank_low"])
    west = imputed.qpv[imputed.qpv["insee_com"] == "99001"]
    assert west["rank"].notna().all()
    fill = imputed.run["like_with_like"]["imputed_values"]["exposure"]
    assert 0.0 <= fill <= 1.0
    assert "missing" in imputed.run["uncertainty"]["choices"]["groups"]


def test_method_key_is_validated() -> None:
    with pytest.raises(MethodError, match="missing_dimension"):
        parse_method(_method("ignore"), source="m.yaml")


def test_completeness_functions() -> None:
    cells = np.array([[0.2, 0.4], [0.6, np.nan], [np.nan, np.nan]])
    scored = np.array([True, True, False])
    present = present_dimensions(cells, scored)
    assert present.tolist() == [True, True]
    missing = missing_dimensions(cells, present, scored)
    assert missing.tolist() == [[False, False], [False, True], [False, False]]
    fill = territory_fill(cells, np.array([1.0, 3.0, 5.0]))
    assert fill == pytest.approx([0.5, 0.4])
    filled = fill_scores(cells, missing, fill)
    assert filled[1, 1] == pytest.approx(0.4)
    low, high = draw_range(cells, scored, [False, True])
    assert low.tolist() == [0.0, 0.4] and high.tolist() == [1.0, 0.4]


def test_labels() -> None:
    full = RowState(frozenset({"sensitivity", "exposure", "resources"}), frozenset(), False, ())
    assert index_label(full, ("sensitivity", "exposure", "resources")) == FULL_LABEL
    assert index_note(full) == ""
    no_res = RowState(frozenset({"sensitivity", "exposure"}), frozenset(), False, ("access",))
    assert index_label(no_res, ()) == (
        "indice social et d'exposition à la chaleur — ressources non mesurées"
    )
    assert "--source osm=" in index_note(no_res)
