from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from _synthetic import (
    X0,
    Y0,
    access_table,
    communes_layer,
    environment_layers,
    make_cells,
    make_territory,
    qpv_layer,
)
from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.diagnostic._cell_indicators import NO_HEIGHTS
from quartiers.errors import InputError
from quartiers.indicators.hazards import no_hazard_reasons
from quartiers.indicators.housing import no_housing_reasons
from quartiers.indicators.registry import REGISTRY
from quartiers.method.spec import default_method, packaged_method, parse_method
from quartiers.schemas import Provenance


@pytest.fixture(scope="module")
def diag() -> Diagnostic:
    return run_diagnostic(make_territory())


@pytest.fixture(scope="module")
def full() -> Diagnostic:
    inputs = make_territory(**environment_layers())
    return run_diagnostic(inputs, horizon="2050", access=access_table(inputs.cells))


def _shares(cells: pd.DataFrame, geom: shapely.Geometry) -> np.ndarray:
    out = []
    for x, y in cells[["x_sw", "y_sw"]].to_numpy():
        out.append(shapely.intersection(shapely.box(x, y, x + 200, y + 200), geom).area / 4e4)
    return np.asarray(out)


def test_qpv_counts_and_rates_by_independent_arithmetic(diag: Diagnostic) -> None:
    cells = make_cells()
    row = diag.qpv.set_index("code_qp").loc["QN99901M"]
    share = _shares(cells, qpv_layer().geometry.iloc[0])
    men = (share * cells["men"]).sum()
    poor = (share * cells["men_pauv"]).sum()
    ind = (share * cells["ind"]).sum()
    assert row["population"] == pytest.approx(ind, rel=1e-12)
    assert row["households"] == pytest.approx(men, rel=1e-12)
    assert row["poor_households"] == pytest.approx(poor, rel=1e-12)
    assert row["poverty_rate"] == pytest.approx(poor / men, rel=1e-12)
    assert row["share_80p"] == pytest.approx((share * cells["ind_80p"]).sum() / ind, rel=1e-12)
    surf = (share * cells["men_surf"]).sum()
    assert row["floor_area_per_person"] == pytest.approx(surf / ind, rel=1e-12)
    imputed = (share * cells["ind"] * cells["imputed"]).sum()
    assert row["imputed_population_share"] == pytest.approx(imputed / ind, rel=1e-12)


def test_poverty_rate_is_poor_over_households(diag: Diagnostic) -> None:
    q = diag.qpv_table()
    floor = REGISTRY["poverty_rate"].min_population
    shown = q["population"] >= floor
    assert shown.any() and (~shown).any()
    np.testing.assert_allclose(
        q.loc[shown, "poverty_rate"], q.loc[shown, "poor_households"] / q.loc[shown, "households"]
    )
    # below the display floor the rate is left empty and the row says why
    assert q.loc[~shown, "poverty_rate"].isna().all()
    assert q.loc[~shown, "status_detail"].str.contains("population trop faible").all()


def test_population_conserved_cells_to_zones(diag: Diagnostic) -> None:
    z = diag.zones
    total = diag.cells["population"].sum()
    commune_partition = z.loc[z["zone_type"].isin(["qpv", "reste_commune"]), "population"].sum()
    epci_partition = z.loc[z["zone_type"].isin(["qpv", "reste_epci"]), "population"].sum()
    assert commune_partition == pytest.approx(total, rel=0.005)
    assert epci_partition == pytest.approx(total, rel=0.005)


def test_comparisons_with_rest_of_commune_and_epci(diag: Diagnostic) -> None:
    q = diag.qpv.set_index("code_qp")
    z = diag.zones.set_index("zone_id")
    for col in ("poverty_rate", "share_65p", "index"):
        rest_c = z.loc["commune:99001", col]
        rest_e = z.loc["epci:200000001", col]
        mine = q.loc["QN99901M", col]
        assert q.loc["QN99901M", f"gap_commune_{col}"] == pytest.approx(mine - rest_c)
        assert q.loc["QN99901M", f"ratio_commune_{col}"] == pytest.approx(mine / rest_c)
        assert q.loc["QN99901M", f"gap_epci_{col}"] == pytest.approx(mine - rest_e)
        assert q.loc["QN99901M", f"ratio_epci_{col}"] == pytest.approx(mine / rest_e)


def test_small_qpv_reported_not_ranked(diag: Diagnostic) -> None:
    q = diag.qpv_table().set_index("code_qp")
    tiny = q.loc["QN99902I"]
    assert tiny["population"] < default_method().population_floor
    assert tiny["status"] == "non significatif"
    assert pd.isna(tiny["rank"])
    assert "seuil" in tiny["status_detail"]
    big = q.loc["QN99901M"]
    assert big["status"] == "ok" and big["rank"] == 1


def test_zero_household_cells_give_no_nan_text(diag: Diagnostic, tmp_path: Path) -> None:
    cells = diag.cells.set_index("idcar_200m")
    empty = make_cells()["idcar_200m"].iloc[3]
    assert cells.loc[empty, "households"] == 0
    assert pd.isna(cells.loc[empty, "poverty_rate"])
    assert cells.loc[empty, "status"] == "non significatif"
    diag.write(tmp_path)
    with (tmp_path / "qpv.csv").open(encoding="utf-8", newline="") as fh:
        fields = {f.strip() for row in csv.reader(fh) for f in row}
    assert not fields & {"nan", "NaN", "inf", "-inf", "<NA>", "None", "NaT"}
    table = pd.read_csv(tmp_path / "qpv.csv", dtype={"insee_com": str})
    # every empty indicator value is explained by a status or detail
    empty_rows = table[REGISTRY.keys()].isna().any(axis=1)
    assert (table.loc[empty_rows, "status_detail"].fillna("") != "").all()


def test_qpv_outside_grid_is_a_clear_error() -> None:
    far = qpv_layer()
    far.loc[0, "geometry"] = shapely.box(X0 + 9000, Y0, X0 + 9500, Y0 + 500)
    with pytest.raises(InputError, match=r"hors de l'emprise.*QN99901M"):
        run_diagnostic(make_territory(qpv=far))


def test_unknown_horizon_is_refused() -> None:
    with pytest.raises(InputError, match="horizon inconnu '2070'"):
        run_diagnostic(make_territory(), horizon="2070")


def test_missing_filosofi_column_names_it() -> None:
    cells = make_cells().drop(columns=["men_pauv"])
    with pytest.raises(InputError, match="men_pauv"):
        run_diagnostic(make_territory(cells=cells))


def test_bad_layers_are_named() -> None:
    q = qpv_layer()
    q.loc[1, "code_qp"] = "QN99901M"
    with pytest.raises(InputError, match="QN99901M en double"):
        run_diagnostic(make_territory(qpv=q))
    with pytest.raises(InputError, match="communes : colonnes manquantes population"):
        run_diagnostic(make_territory(communes=communes_layer().drop(columns="population")))


def test_inputs_in_lambert93_give_same_counts(diag: Diagnostic) -> None:
    other = run_diagnostic(
        make_territory(qpv=qpv_layer("EPSG:2154"), communes=communes_layer("EPSG:2154"))
    )
    a = diag.qpv_table().set_index("code_qp")["population"]
    b = other.qpv_table().set_index("code_qp")["population"]
    np.testing.assert_allclose(a, b, rtol=1e-3)


def _with_weights(poverty: float) -> str:
    text = packaged_method("v1").text
    rest = (1.0 - poverty) / 0.80  # the other sensitivity weights sum to 0.80 in v1
    lines = []
    in_sens = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("sensitivity:"):
            in_sens = True
        elif stripped.startswith("exposure:"):
            in_sens = False
        if in_sens and ":" in stripped and stripped.split(":")[0] in REGISTRY:
            key, value = stripped.split(":")
            weight = poverty if key == "poverty_rate" else float(value) * rest
            line = f"      {key}: {weight!r}"
        lines.append(line)
    return "\n".join(lines)


def test_raising_one_weight_moves_index_in_expected_direction() -> None:
    inputs = make_territory()
    low = run_diagnostic(inputs, method=parse_method(_with_weights(0.1), source="bas.yaml"))
    high = run_diagnostic(inputs, method=parse_method(_with_weights(0.6), source="haut.yaml"))
    lo = low.cells.set_index("idcar_200m")
    hi = high.cells.set_index("idcar_200m")
    # with only the sensitivity dimension present, index = sensitivity score; a cell whose
    # normalised poverty exceeds its other indicators' weighted mean must go up, and down
    # otherwise
    moved = (hi["index"] - lo["index"]).dropna()
    assert (moved > 1e-9).any() and (moved < -1e-9).any()
    pov_high = lo.loc[moved.index, "poverty_rate"] > lo["poverty_rate"].median()
    assert (moved[pov_high] > 0).mean() > 0.7
    q_lo = low.qpv.set_index("code_qp").loc["QN99901M"]
    q_hi = high.qpv.set_index("code_qp").loc["QN99901M"]
    assert q_lo["index"] != pytest.approx(q_hi["index"])


def test_missing_dimensions_are_said(diag: Diagnostic) -> None:
    assert diag.run["missing_dimensions"] == ["exposure", "resources"]
    assert "lcz_heat" in diag.run["missing_indicators"]
    assert "dist_care" in diag.run["missing_indicators"]
    q = diag.qpv_table().set_index("code_qp").loc["QN99901M"]
    assert q["index_dimensions"] == "sensitivity"
    assert "lcz_heat" in q["missing_indicators"]
    assert "non calculés" in q["status_detail"]
    ind = diag.indicators.set_index("id")
    assert not ind.loc["canopy_share", "available"]
    assert ind.loc["canopy_share", "missing_reason"]
    assert ind["index_weight"].sum() == pytest.approx(1.0)


CENSUS = ("share_80p_alone", "persons_per_room")
CENSUS_ABSENT = "tables du recensement par IRIS (--source rp_iris) absentes"
#: Food and nature indicators (issue 21): the synthetic access table and layers have no food
#: places, green spaces of 1 ha or paved squares, so each is said missing with its reason.
TRANSITIONS = (
    "dist_fresh_food",
    "dist_shared_garden",
    "dist_green_1ha",
    "green_network_ha",
    "desealable_share",
)


def test_all_dimensions_with_environment_and_access(full: Diagnostic) -> None:
    assert full.run["missing_dimensions"] == []
    # the synthetic buildings have no heights: the top-floor proxy is left out, and no
    # night-time heat raster is given (tests/test_night_heat.py gives one)
    missing = dict(full.run["missing_indicators"])
    transitions = {i: missing.pop(i) for i in TRANSITIONS if i in missing}
    assert all(transitions.values())
    assert missing == {
        "top_floor_share": NO_HEIGHTS,
        "night_heat": "raster de chaleur nocturne (--source chaleur_nuit) absent",
        "share_80p_alone": CENSUS_ABSENT,  # no census tables (tests/sources/test_rp_iris.py)
        "persons_per_room": CENSUS_ABSENT,
        **no_hazard_reasons(),  # no hazard source given
        **no_housing_reasons(),  # no DPE file given
    }
    assert set(full.run["index"]["dimensions"]) == {"sensitivity", "exposure", "resources"}
    q = full.qpv_table().set_index("code_qp").loc["QN99901M"]
    for ind_id in REGISTRY:
        absent = {
            "top_floor_share",
            "night_heat",
            *CENSUS,
            *no_hazard_reasons(),
            *no_housing_reasons(),
            *transitions,
        }
        assert np.isfinite(q[ind_id]) != (ind_id in absent), ind_id
    assert q["heat_wave_days"] == pytest.approx(11.0)  # 2050 value of commune 99001
    assert 0 <= q["canopy_share"] <= 1 and 0 <= q["impervious_share"] <= 1
    assert q["impervious_share"] >= q["built_share"]
    assert q["green_share"] >= q["canopy_share"]
    cells = full.cells
    assert {"time_care_min", "count_care_300m", "connected", "lcz_coverage"} <= set(cells)
    assert cells["index"].dropna().between(0, 1).all()


def test_horizon_changes_climate_and_hazard_level(full: Diagnostic) -> None:
    inputs = make_territory(**environment_layers())
    ref = run_diagnostic(inputs, horizon="ref", access=access_table(inputs.cells))
    a = ref.qpv.set_index("code_qp").loc["QN99901M"]
    b = full.qpv.set_index("code_qp").loc["QN99901M"]
    assert a["heat_wave_days"] == pytest.approx(1.0)
    # v2: the commune climate is the hazard level beside the index, not a term of it
    assert b["index"] == pytest.approx(a["index"])
    assert b["hazard_level"] > a["hazard_level"] and b["exposure_level"] > a["exposure_level"]
    assert ref.run["horizon"]["id"] == "ref" and full.run["horizon"]["id"] == "2050"
    # v1: fixed climate bounds inside the exposure, a hotter horizon raises the index
    v1 = packaged_method("v1")
    off = RobustnessOptions(uncertainty=False, hotspots=False)
    lo, hi = (
        run_diagnostic(
            inputs, method=v1, horizon=h, access=access_table(inputs.cells), robustness=off
        )
        .qpv.set_index("code_qp")
        .loc["QN99901M", "index"]
        for h in ("ref", "2050")
    )
    assert hi > lo


def test_write_load_round_trip(full: Diagnostic, tmp_path: Path) -> None:
    paths = full.write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "diagnostic.gpkg",
            "cells.parquet",
            "qpv.parquet",
            "zones.parquet",
            "hotspots.parquet",
            "qpv.csv",
            "dictionnaire.csv",
            "run.json",
        ]
    )
    back = Diagnostic.load(tmp_path)
    pd.testing.assert_frame_equal(
        back.qpv_table().reset_index(drop=True),
        full.qpv_table().reset_index(drop=True),
        check_dtype=False,
    )
    assert back.cells.crs.to_epsg() == 3035 and back.zones.crs.to_epsg() == 3035
    assert len(back.climate) == len(full.climate)
    assert list(back.indicators["id"]) == list(REGISTRY)
    run = json.loads(paths["run.json"].read_text(encoding="utf-8"))
    assert set(run["outputs"]) == {p for p in paths if p != "run.json"}
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(paths["diagnostic.gpkg"])}
    assert layers == {"cells", "qpv", "zones", "hotspots"}
    info = pyogrio.read_info(paths["diagnostic.gpkg"], layer="qpv")
    assert "3035" in info["crs"]


def test_dictionary_covers_every_column(full: Diagnostic, tmp_path: Path) -> None:
    full.write(tmp_path)
    d = pd.read_csv(tmp_path / "dictionnaire.csv").set_index("colonne")
    q = pd.read_csv(tmp_path / "qpv.csv", nrows=1)
    columns = set(q.columns) | set(full.cells.columns) | set(full.zones.columns)
    assert columns <= set(d.index)
    assert d["libelle"].notna().all()
    # every label is a French description, not the column name echoed back
    assert (d["libelle"] != d.index).all()
    assert d.loc["poverty_rate", "sens"] == "plus élevé = plus vulnérable"
    assert d.loc["canopy_share", "sens"] == "plus élevé = moins vulnérable"


def test_rerun_gives_identical_files(tmp_path: Path) -> None:
    inputs = make_territory(
        provenance=[Provenance("qpv", "/tmp/qpv.geojson", "2024", "LO 2.0", "ab" * 32, "x")]
    )
    a = run_diagnostic(inputs).write(tmp_path / "a")
    b = run_diagnostic(inputs).write(tmp_path / "b")
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    run = json.loads(a["run.json"].read_text(encoding="utf-8"))
    assert run["method"]["sha256"] == default_method().sha256
    assert "poverty_rate" in run["method"]["content"]
    assert run["sources"][0]["source_id"] == "qpv"
    assert run["code_version"]["quartiers"]


def test_load_refuses_incomplete_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"run\.json"):
        Diagnostic.load(tmp_path)


@pytest.fixture(scope="module")
def la_roche(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Diagnostic:
    from quartiers.settings import get_settings
    from quartiers.sources.load import load_inputs

    tmp = tmp_path_factory.mktemp("lry")
    settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")
    sources = {
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "climadiag": shared_data / "climate" / "climadiag_tracc_4communes.csv",
    }
    inputs = load_inputs(
        "85191", sources, settings=settings, skip=["bpe", "osm", "lcz"], use_workspace=False
    )
    return run_diagnostic(inputs, horizon="2030")


@pytest.mark.shared
def test_la_roche_sur_yon_against_independent_computation(
    la_roche: Diagnostic, shared_data: Path
) -> None:
    import geopandas as gpd

    raw = pd.read_csv(shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv")
    qpv = gpd.read_file(shared_data / "qpv" / "qpv2024_4territories.geojson")
    qpv = qpv[qpv["insee_com"] == "85191"].to_crs("EPSG:3035").set_index("code_qp")
    got = la_roche.qpv_table().set_index("code_qp")
    assert sorted(got.index) == ["QN08501I", "QN08502I", "QN08503I"]
    raw_xy = raw[["x_sw_3035", "y_sw_3035"]].rename(
        columns={"x_sw_3035": "x_sw", "y_sw_3035": "y_sw"}
    )
    for code, geom in qpv.geometry.items():
        share = _shares(raw_xy, geom)
        men, poor = (share * raw["men"]).sum(), (share * raw["men_pauv"]).sum()
        # readers go WGS84 → Lambert-93 → LAEA; this check goes WGS84 → LAEA directly
        assert got.loc[code, "population"] == pytest.approx((share * raw["ind"]).sum(), rel=1e-4)
        assert got.loc[code, "households"] == pytest.approx(men, rel=1e-4)
        assert got.loc[code, "poor_households"] == pytest.approx(poor, rel=1e-4)
        assert got.loc[code, "poverty_rate"] == pytest.approx(poor / men, rel=1e-4)
    np.testing.assert_allclose(got["heat_wave_days"], 6.95)  # La Roche-sur-Yon, 2030 (+2 °C)
    assert got["rank"].notna().all() and got["status"].eq("ok").all()
    assert la_roche.run["missing_dimensions"] == ["resources"]


@pytest.mark.shared
def test_la_roche_sur_yon_readme_figure_is_about_majority_cells(la_roche: Diagnostic) -> None:
    # The data README's "113 poor households of 290" for QN08503I counts the cells lying
    # mostly (≥ 50 %) in the QPV; the diagnostic counts every cell by its exact share.
    cells = la_roche.cells
    mostly = cells[(cells["code_qp"] == "QN08503I") & (cells["qpv_share"] >= 0.5)]
    assert mostly["poor_households"].sum() == pytest.approx(113)
    assert mostly["households"].sum() == pytest.approx(290)
    exact = la_roche.qpv_table().set_index("code_qp").loc["QN08503I"]
    assert exact["households"] > 290 and exact["poor_households"] > 113


@pytest.mark.shared
def test_la_roche_sur_yon_population_conserved(la_roche: Diagnostic) -> None:
    z = la_roche.zones
    in_zones = z.loc[z["zone_type"].isin(["qpv", "reste_commune"]), "population"].sum()
    in_commune = la_roche.run["coverage"][0]["grid_population"]
    assert in_zones == pytest.approx(in_commune, rel=0.005)
    assert in_commune == pytest.approx(la_roche.cells["population"].sum(), rel=0.005)


def test_access_summary_joins_the_qpv_table(full: Diagnostic, diag: Diagnostic) -> None:
    q = full.qpv_table().set_index("code_qp").loc["QN99901M"]
    assert np.isfinite(q["dist_care_m"]) and 0 <= q["share_not_connected"] <= 1
    assert 0 <= q["share_beyond_300m_cool_outdoor"] <= 1
    # the population-weighted mean (index) and the median (information) both describe care
    assert q["dist_care"] > 0
    without = diag.qpv_table()
    assert without["dist_care_m"].isna().all()  # same columns, empty without access
