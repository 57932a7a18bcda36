from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.indicators.registry import ACCESS_CATEGORIES, REGISTRY, indicator_ids
from quartiers.outputs.formatting import MISSING, format_number, format_share
from quartiers.report import _common as common
from quartiers.report.climate import climate_section
from quartiers.report.comparison import pooled_value
from quartiers.report.context import dimension_blocks, qpv_sheet, rank_info

CODE = "QN00001A"


def _copy(diag: Diagnostic) -> Diagnostic:
    return dataclasses.replace(
        diag, qpv=diag.qpv.copy(), zones=diag.zones.copy(), run=copy.deepcopy(diag.run)
    )


def _row(diag: Diagnostic, code: str = CODE) -> pd.Series:
    return common.qpv_row(diag, code)


ACCESS_SUMMARY = [
    *(f"dist_{cat}_m" for cat in ACCESS_CATEGORIES),
    "share_beyond_300m_cool_outdoor",
    "share_not_connected",
    "share_beyond_500m_fresh_food",
]


def _without_resources(diag: Diagnostic) -> Diagnostic:
    """Return the demo diagnostic as if no resource layer had been given."""
    out = _copy(diag)
    ids = indicator_ids("resources")
    for frame in (out.qpv, out.zones):
        frame[ids] = np.nan
        frame[[c for c in ACCESS_SUMMARY if c in frame.columns]] = np.nan
        frame["score_resources"] = np.nan
    out.run["dimensions"]["resources"]["state"] = "absente"
    out.run["dimensions"]["resources"]["in_index"] = False
    out.run["missing_indicators"].update(dict.fromkeys(ids, "végétation absente (test)"))
    return out


def test_key_figures_are_the_diagnostics(demo_diag: Diagnostic) -> None:
    row = _row(demo_diag)
    sheet = qpv_sheet(demo_diag, CODE)
    figures = {k.label: k for k in sheet.key_figures}
    assert figures["Habitants"].qpv == format_number(row["population"])
    rest = demo_diag.zones.set_index("zone_id").loc[f"commune:{row['insee_com']}"]
    assert figures["Habitants"].commune == format_number(rest["population"])
    poverty = figures[REGISTRY["poverty_rate"].label]
    assert poverty.qpv == format_share(row["poverty_rate"])
    assert poverty.commune == format_share(rest["poverty_rate"])
    assert sheet.identity.code == CODE
    assert sheet.map_chart.alt and sheet.map_chart.data_uri.startswith("data:image/png;base64,")
    assert sheet.contributions is None


def test_rest_of_commune_is_the_zone_row_or_the_published_gap(demo_diag: Diagnostic) -> None:
    row = _row(demo_diag)
    zone = demo_diag.zones.set_index("zone_id").loc[f"commune:{row['insee_com']}"]
    value = common.comparison_value(demo_diag, row, "share_65p", "commune")
    assert value == pytest.approx(zone["share_65p"])
    # A QPV over two communes is compared through its published gap.
    two = row.copy()
    two["insee_coms"] = "00001,00002"
    expected = row["share_65p"] - row["gap_commune_share_65p"]
    assert common.comparison_value(demo_diag, two, "share_65p", "commune") == pytest.approx(
        expected
    )


def test_missing_dimension_says_so_instead_of_zero(demo_diag: Diagnostic) -> None:
    diag = _without_resources(demo_diag)
    blocks = {b.id: b for b in dimension_blocks(diag, _row(diag), epci=True, charts=False)}
    resources = blocks["resources"]
    assert resources.state == "absente"
    assert "non disponible" in resources.note
    assert "végétation absente (test)" in resources.note
    assert resources.score == MISSING
    assert all(r.qpv == MISSING and not r.available for r in resources.rows)
    assert all("0,0" not in r.qpv for r in resources.rows)
    # the demo has no census tables by IRIS: sensitivity is partial and says so
    assert blocks["sensitivity"].state == "partielle"
    assert REGISTRY["share_80p_alone"].label.lower() in blocks["sensitivity"].note.lower()


def test_partial_dimension_names_what_is_missing(demo_diag: Diagnostic) -> None:
    diag = _copy(demo_diag)
    reason = "distances à pied non calculées (test)"
    for frame in (diag.qpv, diag.zones):
        frame[["dist_care", "dist_care_m"]] = np.nan
    diag.run["dimensions"]["resources"]["state"] = "partielle"
    diag.run["missing_indicators"]["dist_care"] = reason
    blocks = {b.id: b for b in dimension_blocks(diag, _row(diag), epci=True, charts=False)}
    assert blocks["resources"].state == "partielle"
    assert REGISTRY["dist_care"].label.lower() in blocks["resources"].note
    rows = {r.id: r for r in blocks["resources"].rows}
    for column in ("dist_care", "dist_care_m"):
        assert rows[column].qpv == MISSING and rows[column].note == reason
    assert rows["dist_cool_indoor"].available


def test_access_summaries_are_used_when_present(demo_diag: Diagnostic) -> None:
    row = _row(demo_diag)
    zone = demo_diag.zones.set_index("zone_id").loc[f"commune:{row['insee_com']}"]
    blocks = {b.id: b for b in dimension_blocks(demo_diag, row, epci=False, charts=False)}
    rows = {r.id: r for r in blocks["resources"].rows}
    median = rows["dist_care_m"]
    assert median.qpv == f"{round(row['dist_care_m']):,}\u00a0m".replace(",", "\u202f")
    assert median.commune == f"{round(zone['dist_care_m']):,}\u00a0m".replace(",", "\u202f")
    assert "médiane des habitants" in median.label
    assert rows["share_beyond_300m_cool_outdoor"].qpv == format_share(
        row["share_beyond_300m_cool_outdoor"]
    )
    assert "share_not_connected" in rows
    # Without the access module's columns, no such row.
    bare = _copy(demo_diag)
    bare.qpv = bare.qpv.drop(columns=ACCESS_SUMMARY)
    blocks = {b.id: b for b in dimension_blocks(bare, _row(bare), epci=False, charts=False)}
    assert not {r.id for r in blocks["resources"].rows} & set(ACCESS_SUMMARY)


UNCERTAINTY = [
    "rank_median",
    "rank_low",
    "rank_high",
    "p_top_quintile",
    "robust_top_quintile",
    "main_driver",
]


def test_rank_without_uncertainty_is_not_available(demo_diag: Diagnostic) -> None:
    diag = _copy(demo_diag)
    sobol = [c for c in diag.qpv.columns if c.startswith("sobol_total_")]
    diag.qpv = diag.qpv.drop(columns=[c for c in [*UNCERTAINTY, *sobol] if c in diag.qpv])
    info = rank_info(diag, _row(diag))
    rank = int(_row(demo_diag)["rank"])
    assert info.text.startswith("1er" if rank == 1 else f"{rank}e")
    assert "sur 2 QPV classés" in info.text
    assert info.interval == MISSING
    assert info.driver == MISSING and info.sensitivity == []
    assert "non disponible" in info.note
    assert "incertitude" not in qpv_sheet(diag, CODE).rank_chart.title


def test_rank_with_the_demos_uncertainty(demo_diag: Diagnostic) -> None:
    row = _row(demo_diag)
    info = rank_info(demo_diag, row)
    low, high = int(row["rank_low"]), int(row["rank_high"])
    ordinal = {1: "1er", 2: "2e"}
    assert info.interval.startswith(f"du {ordinal[low]} au {ordinal[high]} rang")
    assert info.p_top_quintile == format_share(row["p_top_quintile"], 0)
    assert info.robust == ("oui" if bool(row["robust_top_quintile"]) else "non")
    assert info.driver == row["main_driver"]
    values = [float(v.split("\u00a0")[0].replace(",", ".")) for _, v in info.sensitivity]
    assert values == sorted(values, reverse=True)
    assert {name for name, _ in info.sensitivity} >= {"poids des indicateurs", "agrégation"}


def test_rank_with_uncertainty_columns(demo_diag: Diagnostic) -> None:
    diag = _copy(demo_diag)
    diag.qpv["rank_median"] = [1.0, 2.0]
    diag.qpv["rank_low"] = [1.0, 1.0]
    diag.qpv["rank_high"] = [2.0, 2.0]
    diag.qpv["p_top_quintile"] = [0.8, 0.35]
    diag.qpv["robust_top_quintile"] = [False, False]
    first = diag.qpv.iloc[0]
    info = rank_info(diag, first)
    assert info.interval == "du 1er au 2e rang (rang médian 1,0)"
    assert info.p_top_quintile == "80\u00a0%"
    assert info.robust == "non"
    sheet = qpv_sheet(diag, str(first["code_qp"]))
    assert "incertitude" in sheet.rank_chart.title


def test_hotspot_summaries_are_shown(demo_diag: Diagnostic) -> None:
    from quartiers.diagnostic.dictionary import describe

    row = _row(demo_diag)
    sheet = qpv_sheet(demo_diag, CODE)
    shown = {k.label: k.qpv for k in sheet.extra}
    for column in ("hotspot_cell_share", "hotspot_population_share"):
        assert shown[describe(column)[0]] == format_share(row[column])
    assert demo_diag.hotspots is not None and len(demo_diag.hotspots)


def test_unknown_qpv_is_a_french_input_error(demo_diag: Diagnostic) -> None:
    with pytest.raises(InputError, match="QPV QN99999Z absent du diagnostic"):
        qpv_sheet(demo_diag, "QN99999Z")


def test_climate_section_matches_the_climate_table(demo_diag: Diagnostic) -> None:
    section = climate_section(demo_diag, "00001", chart=False)
    table = demo_diag.climate.set_index(["insee_com", "indicator", "horizon"])
    value = table.loc[("00001", "heat_wave_days", "2050"), "value"]
    row = next(r for r in section.rows if r.label.startswith("Jours de vague"))
    assert row.values[2].startswith(f"{value:.1f}".replace(".", ","))
    missing = climate_section(demo_diag, "99999", chart=False)
    assert missing.rows == [] and "non disponibles" in missing.note


def test_climate_section_names_drias_when_it_stands_in(demo_diag: Diagnostic) -> None:
    """Issue 17: without Climadiag, the DRIAS 2020 values are labelled as such on the sheet."""
    own = climate_section(demo_diag, "00001", chart=True)
    assert "Climadiag Commune" in own.note and "DRIAS" not in own.note
    assert own.chart is not None and own.chart.title.endswith("(Climadiag)")
    diag = _copy(demo_diag)
    diag.climate = diag.climate.assign(source="drias:RCP8.5")
    fallback = climate_section(diag, "00001", chart=True)
    assert fallback.rows and fallback.chart is not None
    assert fallback.chart.title.endswith("(DRIAS 2020)")
    assert fallback.note.startswith("Météo-France, DRIAS 2020 (scénario RCP 8.5), valeur du point")
    assert "faute de données Climadiag Commune" in fallback.note
    assert "2021–2050, 2041–2070 et 2071–2100" in fallback.note
    assert "Climadiag Commune) : moyenne" not in fallback.note
    mixed = _copy(demo_diag)
    hot = mixed.climate["indicator"] == "very_hot_days"
    mixed.climate = mixed.climate.assign(source=mixed.climate["source"].where(~hot, "drias:RCP8.5"))
    both = climate_section(mixed, "00001", chart=False)
    assert "Climadiag Commune" in both.note and "À défaut : Météo-France, DRIAS 2020" in both.note


def test_pooled_rates_are_ratios_of_sums(demo_diag: Diagnostic) -> None:
    qpv = demo_diag.qpv
    expected = qpv["poor_households"].sum() / qpv["households"].sum()
    assert pooled_value(qpv, "poverty_rate") == pytest.approx(expected, rel=1e-9)
    assert pooled_value(qpv.assign(poverty_rate=np.nan), "poverty_rate") is None


def test_epci_column_only_when_it_differs(demo_diag: Diagnostic) -> None:
    row = _row(demo_diag)
    assert common.has_epci_comparison(demo_diag, row)
    one = _copy(demo_diag)
    commune = one.zones["zone_id"] == f"commune:{row['insee_com']}"
    epci = one.zones["zone_type"] == "reste_epci"
    one.zones.loc[epci, "population"] = float(one.zones.loc[commune, "population"].iloc[0])
    assert not common.has_epci_comparison(one, row)


def test_degraded_diagnostic_renders_without_crashing(demo_diag: Diagnostic) -> None:
    from quartiers.report.comparison import comparison
    from quartiers.report.render import render_template
    from quartiers.report.synthesis import territory_synthesis

    diag = _copy(demo_diag)
    diag.climate = diag.climate.iloc[0:0]
    second = diag.qpv.index[1]
    diag.qpv.loc[second, ["index", "rank", "quintile", "score_exposure"]] = np.nan
    diag.qpv.loc[second, "status"] = "non significatif"
    diag.qpv.loc[second, "status_detail"] = "population carroyée 120 < seuil 500"
    code = str(diag.qpv.loc[second, "code_qp"])
    sheet = qpv_sheet(diag, code)
    assert sheet.rank.text.startswith("Non classé : population carroyée sous le seuil de 500")
    assert sheet.climate == [] and "non disponibles" in sheet.climate_note
    assert {k.label: k.qpv for k in sheet.index}["Indice composite"] == MISSING
    html = render_template("fiche.html.j2", sheet=sheet)
    assert "Horizons de chaleur non disponibles" in html
    synthesis = render_template("synthese.html.j2", doc=territory_synthesis(diag))
    assert "non classé" in synthesis
    both = comparison([diag, demo_diag])
    assert any(cells[0] == MISSING for _, _, cells in both.climate_rows)
