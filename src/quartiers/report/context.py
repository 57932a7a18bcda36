"""The content of one QPV sheet, built from a diagnostic (pure: no file is read or written).

Numbers are formatted here, in French; a value the diagnostic does not have becomes
« non disponible » with the reason, never 0.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import ACCESS_CATEGORIES, DIMENSIONS, REGISTRY
from quartiers.outputs.formatting import (
    MISSING,
    as_float,
    format_gap,
    format_number,
    format_ratio,
    format_share,
    format_value,
)
from quartiers.report import _common as common
from quartiers.report.charts import Compared, rank_chart, ratio_chart
from quartiers.report.climate import ClimateSection, climate_section
from quartiers.report.maps import qpv_map
from quartiers.report.model import (
    Contributions,
    DimensionBlock,
    Identity,
    IndicatorRow,
    KeyFigure,
    QpvSheet,
)
from quartiers.report.ranks import (
    UNCERTAINTY_COLUMNS,
    index_figures,
    rank_info,
    rank_window,
    ranked_units,
    row_value,
)

__all__ = ["UNCERTAINTY_COLUMNS", "dimension_blocks", "qpv_sheet", "rank_info", "ranked_units"]

_KEY_INDICATORS = (
    "poverty_rate",
    "living_standard",
    "share_65p",
    "share_0_3",
    "share_single_person",
    "share_social_housing",
)


#: Short names of the walking-access categories, for chart labels.
_ACCESS_SHORT = {
    "cool_outdoor": "lieu frais extérieur",
    "cool_indoor": "lieu frais intérieur",
    "care": "lieu de soins",
    "information": "point d'information",
    "drinking_water": "point d'eau potable",
}


def _chart_label(ind_id: str) -> str:
    """Return a label short enough for one line of a chart."""
    if ind_id.startswith("dist_") and ind_id[5:] in _ACCESS_SHORT:
        return f"Distance à pied au plus proche {_ACCESS_SHORT[ind_id[5:]]}"
    return REGISTRY[ind_id].label


def _indicator_row(
    diag: Diagnostic, row: pd.Series, ind_id: str, *, epci: bool, reasons: dict[str, str]
) -> tuple[IndicatorRow, Compared]:
    ind = REGISTRY[ind_id]
    own = row_value(row, ind_id)
    com = common.comparison_value(diag, row, ind_id, "commune")
    epc = common.comparison_value(diag, row, ind_id, "epci") if epci else None
    note = ""
    if ind_id in reasons:
        note = reasons[ind_id]
    elif own is None:
        note = "valeur masquée ou vide pour ce QPV (population trop faible ou sans donnée)"
    shown = ind_id not in reasons
    gap_v = None if own is None or com is None else own - com
    ratio_v = None if own is None or com is None or com == 0 else own / com
    line = IndicatorRow(
        id=ind_id,
        label=ind.label,
        unit=ind.unit,
        direction=ind.direction_label,
        qpv=format_value(own, ind.unit),
        commune=format_value(com, ind.unit) if shown else MISSING,
        epci=format_value(epc, ind.unit) if shown and epci else "",
        gap=format_gap(gap_v, ind.unit),
        ratio=format_ratio(ratio_v),
        available=own is not None,
        note=note,
    )
    values = {"qpv": own, "commune": com}
    if epci:
        values["epci"] = epc
    return line, Compared(
        label=_chart_label(ind_id), unit=ind.unit, values=values, direction=ind.direction
    )


def _dimension_note(state: dict[str, object], missing: list[IndicatorRow], label: str) -> str:
    if state["state"] == "absente":
        reasons = sorted({r.note for r in missing if r.note})
        return (
            f"Dimension « {label} » non disponible pour ce territoire : aucune donnée "
            f"({'; '.join(reasons) or 'sources absentes'}). Elle n'entre pas dans l'indice ; "
            "ce n'est pas une valeur nulle."
        )
    if missing:
        names = ", ".join(r.label.lower() for r in missing)
        return f"Dimension partielle : non disponibles ici — {names}."
    return ""


def dimension_blocks(
    diag: Diagnostic, row: pd.Series, *, epci: bool, charts: bool = True
) -> list[DimensionBlock]:
    """Return one block per dimension: indicators, score, state and comparison chart.

    The resources block also carries the walking-access summaries of the access module
    when the diagnostic has them (median distances, share beyond 300 m).
    """
    reasons = common.missing_reasons(diag)
    weights = common.dimension_weights(diag)
    others = ["commune", *(["epci"] if epci else [])]
    names = {"commune": "Reste de la commune", "epci": "Reste de l'EPCI"}
    blocks = []
    for dim, label in DIMENSIONS.items():
        state = common.dimension_state(diag, dim)
        lines, drawn = [], []
        for ind_id in common.block_indicators(diag, dim):
            line, compared = _indicator_row(diag, row, ind_id, epci=epci, reasons=reasons)
            lines.append(line)
            if ind_id not in reasons:
                drawn.append(compared)
        if dim == "resources":
            lines += _access_rows(diag, row)
        missing = [r for r in lines if not r.available]
        score = row_value(row, f"score_{dim}")
        score_com = common.comparison_value(diag, row, f"score_{dim}", "commune")
        chart = None
        if charts and drawn:
            chart = ratio_chart(
                drawn,
                title=f"{label} : le QPV comparé au reste de sa commune",
                others=others,
                names=names,
            )
        blocks.append(
            DimensionBlock(
                id=dim,
                label=label,
                state=str(state["state"]),
                in_index=bool(state["in_index"]),
                weight=format_share(weights.get(dim, 0.0), 0),
                score=format_number(score, 2),
                score_commune=format_number(score_com, 2),
                rows=lines,
                note=_dimension_note(state, missing, label),
                chart=chart,
            )
        )
    return blocks


def _index_note(row: pd.Series, dims: list[DimensionBlock]) -> str:
    """Return what this QPV's own index is built on, what it lacks and how to add it."""
    labels = {b.id: b.label.lower() for b in dims}
    used = [d.strip() for d in str(row.get("index_dimensions") or "").split(",") if d.strip()]
    words = [labels.get(d, DIMENSIONS.get(d, d).lower()) for d in used]
    text = f"Indice calculé sur : {', '.join(words) or MISSING}."
    label = str(row.get("index_label") or "")
    if label:
        text = f"Ce que mesure l'indice de ce QPV : {label}. {text}"
    detail = str(row.get("status_detail") or "")
    note = str(row.get("index_note") or "")
    if str(row.get("status")) == "incomplet" and detail:
        text += f" {detail[0].upper()}{detail[1:]}"
    elif note:
        text += f" {note}"
    return text


def _identity(diag: Diagnostic, row: pd.Series) -> Identity:
    names = common.commune_names(diag)
    codes = [c.strip() for c in str(row.get("insee_coms") or row["insee_com"]).split(",")]
    communes = ", ".join(f"{names.get(c, c)} ({c})" for c in codes if c)
    imputed = row_value(row, "imputed_population_share")
    status = str(row.get("status") or "")
    detail = str(row.get("status_detail") or "")
    return Identity(
        code=str(row["code_qp"]),
        name=str(row["lib_qp"]),
        communes=communes or MISSING,
        insee=", ".join(codes),
        epci=str(row.get("siren_epci") or MISSING),
        territory=common.territory_label(diag),
        population=format_number(row_value(row, "population")),
        households=format_number(row_value(row, "households")),
        imputed=format_share(imputed, 0),
        status="classé" if status == "ok" else f"{status} — {detail}".strip(" —"),
    )


def _key_figures(diag: Diagnostic, row: pd.Series) -> list[KeyFigure]:
    out = []
    for column, label in (("population", "Habitants"), ("households", "Ménages fiscaux")):
        own = row_value(row, column)
        com = common.comparison_value(diag, row, column, "commune")
        out.append(
            KeyFigure(label=label, qpv=format_number(own), commune=format_number(com), gap="")
        )
    reasons = common.missing_reasons(diag)
    for ind_id in _KEY_INDICATORS:
        ind = REGISTRY[ind_id]
        own = row_value(row, ind_id)
        com = (
            common.comparison_value(diag, row, ind_id, "commune") if ind_id not in reasons else None
        )
        diff = None if own is None or com is None else own - com
        out.append(
            KeyFigure(
                label=ind.label,
                qpv=format_value(own, ind.unit),
                commune=format_value(com, ind.unit),
                gap=format_gap(diff, ind.unit),
            )
        )
    return out


def _access_rows(diag: Diagnostic, row: pd.Series) -> list[IndicatorRow]:
    """Return the access module's per-QPV summaries present in the diagnostic (issue 5).

    ``dist_<category>_m``: resident-weighted median walking distance;
    ``share_beyond_300m_cool_outdoor``: residents beyond 300 m of a cool outdoor place
    (3-30-300 rule); ``share_not_connected``: residents whose homes do not reach the
    street network. Absent columns give no row; empty ones say why.
    """
    reasons = common.missing_reasons(diag)
    columns = [(f"dist_{cat}_m", "m", f"dist_{cat}") for cat in ACCESS_CATEGORIES]
    columns += [
        ("share_beyond_300m_cool_outdoor", "part (0–1)", "dist_cool_outdoor"),
        ("share_not_connected", "part (0–1)", "dist_cool_outdoor"),
        ("share_beyond_500m_fresh_food", "part (0–1)", "dist_fresh_food"),
    ]
    labels = {
        "share_beyond_300m_cool_outdoor": (
            "Habitants à plus de 300 m à pied d'un lieu frais extérieur (règle 3-30-300)"
        ),
        "share_not_connected": "Habitants dont le logement n'est pas relié au réseau piéton",
        "share_beyond_500m_fresh_food": (
            "Habitants à plus de 500 m à pied d'un commerce d'alimentation fraîche ou d'un marché"
        ),
    }
    lines = []
    for column, unit, base in columns:
        if column not in row.index:
            continue
        label = labels.get(column) or f"{REGISTRY[base].label} — médiane des habitants"
        own = row_value(row, column)
        com = common.comparison_value(diag, row, column, "commune")
        diff = None if own is None or com is None else own - com
        note = ""
        if own is None:
            note = reasons.get(base) or "aucun lieu atteignable à pied pour la moitié des habitants"
        lines.append(
            IndicatorRow(
                id=column,
                label=label,
                unit=unit,
                direction="plus élevé = plus vulnérable",
                qpv=format_value(own, unit),
                commune=format_value(com, unit),
                epci="",
                gap=format_gap(diff, unit),
                ratio=format_ratio(None if own is None or not com else own / com),
                available=own is not None,
                note=note,
            )
        )
    return lines


def _extra(row: pd.Series) -> list[KeyFigure]:
    """Return hotspot summaries published per QPV (columns ``hotspot*``), when present."""
    from quartiers.diagnostic.dictionary import describe

    out = []
    for column in row.index:
        if str(column).startswith("hotspot"):
            label, unit, _, _ = describe(str(column))
            value = row[column]
            text = format_value(value, unit) if as_float(value) is not None else str(value)
            out.append(KeyFigure(label=label, qpv=text, commune="", gap=""))
    return out


def qpv_sheet(
    diag: Diagnostic,
    code_qp: str,
    *,
    contributions: Contributions | None = None,
    generated_on: date | None = None,
    climate: ClimateSection | None = None,
) -> QpvSheet:
    """Return the content of the sheet of one QPV.

    Parameters
    ----------
    diag
        The diagnostic.
    code_qp
        Code of the QPV.
    contributions
        Residents' published contributions for this QPV (None: section left out).
    generated_on
        Date printed on the sheet (today when None).
    climate
        Heat horizons of the QPV's commune when already built (shared by its QPV).

    Raises
    ------
    InputError
        The QPV is not in the diagnostic.
    """
    row = common.qpv_row(diag, code_qp)
    epci = common.has_epci_comparison(diag, row)
    dims = dimension_blocks(diag, row, epci=epci)
    index_note = _index_note(row, dims)
    if climate is None:
        climate = climate_section(diag, str(row["insee_com"]))
    units = rank_window(ranked_units(diag), code_qp)
    rank = rank_info(diag, row)
    has_interval = all(c in row.index for c in UNCERTAINTY_COLUMNS)
    return QpvSheet(
        identity=_identity(diag, row),
        map_chart=qpv_map(diag, code_qp),
        key_figures=_key_figures(diag, row),
        index=index_figures(diag, row),
        reading=(
            "Lecture : « reste commune » = la partie de la commune hors de tout QPV ; l'écart "
            "est QPV − reste (en points de pourcentage pour les parts)."
        ),
        dimensions=dims,
        epci_column=epci,
        index_note=index_note,
        climate_commune=climate.commune,
        climate_horizons=climate.horizons,
        climate=climate.rows,
        climate_chart=climate.chart,
        climate_note=climate.note,
        rank=rank,
        rank_chart=rank_chart(
            units,
            highlight=code_qp,
            title=(
                "Rang des QPV et intervalle d'incertitude (5–95 %)"
                if has_interval
                else "Indice composite des QPV du territoire"
            ),
        ),
        extra=_extra(row),
        contributions=contributions,
        sources=common.sources(diag),
        attributions=common.attributions(diag),
        method=common.method_summary(diag),
        provenance=common.provenance(diag, generated_on or date.today()),
    )
