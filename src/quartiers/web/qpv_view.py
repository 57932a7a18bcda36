"""The page of one QPV: figures, comparisons, charts, uncertainty, climate, sources.

Builds the template context from the cached QPV payload (the same figures as the API) and
the territory; charts are SVG drawn here (:mod:`quartiers.web.charts`).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    format_gap,
    format_number,
    format_ratio,
    format_value,
    ordinal,
)
from quartiers.outputs.hazard_summary import hazard_summary
from quartiers.outputs.housing_summary import housing_summary
from quartiers.outputs.quantities import (
    ACCESS_EXTRAS,
    HOTSPOT_SHARES,
    INDEX_ID,
    SOBOL_GROUPS,
    score_id,
)
from quartiers.schemas import HORIZONS
from quartiers.web.catalog import TerritoryData
from quartiers.web.charts import (
    ClimateBar,
    RankRow,
    RatioRow,
    ScoreRow,
    climate_chart,
    rank_interval_chart,
    ratio_chart,
    score_chart,
)
from quartiers.web.payloads import TerritoryPayloads
from quartiers.web.views import climate_source_text

__all__ = ["qpv_context"]


def _indicator_rows(detail: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for ind in detail["indicators"]:
        unit = ind["unit"]
        rows.append(
            {
                **ind,
                "dimension_label": DIMENSIONS.get(ind["dimension"] or "", ""),
                "commune_value": format_value(ind["commune"]["value"], unit),
                "commune_gap": format_gap(ind["commune"]["gap"], unit),
                "commune_ratio": format_ratio(ind["commune"]["ratio"]),
                "epci_value": format_value(ind["epci"]["value"], unit),
                "epci_gap": format_gap(ind["epci"]["gap"], unit),
                "epci_ratio": format_ratio(ind["epci"]["ratio"]),
                "direction_label": (
                    "plus élevé = plus vulnérable"
                    if ind["direction"] > 0
                    else "plus élevé = moins vulnérable"
                ),
            }
        )
    return rows


def _zone_scores(td: TerritoryData, zone_id: str) -> dict[str, float | None]:
    zones = td.diagnostic.zones
    part = zones[zones["zone_id"].astype(str) == zone_id]
    if not len(part):
        return {}
    row = part.iloc[0]
    out: dict[str, float | None] = {}
    for col in [score_id(d) for d in DIMENSIONS] + [INDEX_ID]:
        value = pd.to_numeric(pd.Series([row.get(col)]), errors="coerce").iloc[0]
        out[col] = None if pd.isna(value) else float(value)
    return out


def _score_chart(td: TerritoryData, detail: dict[str, Any]) -> Any:
    coms = detail["insee_coms"]
    commune = _zone_scores(td, f"commune:{coms[0]}") if len(coms) == 1 else {}
    siren = str(td.qpv.iloc[td.qpv_position(detail["code_qp"])].get("siren_epci", ""))
    epci = _zone_scores(td, f"epci:{siren}")
    rows = []
    for dim, label in [*DIMENSIONS.items(), (None, "Indice")]:
        col = score_id(dim) if dim else INDEX_ID
        own = detail["index"] if dim is None else detail["scores"].get(dim)
        rows.append(
            ScoreRow(
                label=label,
                values=(
                    ("QPV", own),
                    ("reste de la commune", commune.get(col)),
                    ("reste de l'EPCI", epci.get(col)),
                ),
            )
        )
    table = [
        {
            "label": r.label,
            "values": [format_number(v, 2) for _, v in r.values],
        }
        for r in rows
    ]
    chart = score_chart(
        rows,
        chart_id="graphique-scores",
        title=(
            "Scores de dimension et indice du QPV, comparés aux restes de la commune et de l'EPCI"
        ),
        desc=(
            "Barres horizontales sur une échelle de 0 à 1 ; les valeurs sont dans le tableau "
            "qui suit."
        ),
    )
    return chart, table


def _ratio_chart(rows: list[dict[str, Any]]) -> Any:
    shown = [
        RatioRow(label=r["label"], ratio=r["commune"]["ratio"], direction=r["direction"])
        for r in rows
        if r["available"] and r["commune"]["ratio"] is not None
    ]
    return ratio_chart(
        shown,
        chart_id="graphique-rapports",
        title="Rapport de chaque indicateur du QPV à celui du reste de la commune",
        desc=(
            "Barres centrées sur 1 (échelle logarithmique) : orange quand le QPV est plus "
            "vulnérable que le reste de la commune, bleu quand il l'est moins. Les valeurs "
            "sont dans le tableau des indicateurs."
        ),
    )


def _uncertainty(td: TerritoryData, detail: dict[str, Any], pay: TerritoryPayloads) -> Any:
    unc = detail.get("uncertainty")
    if not unc:
        return None
    rows = []
    for item in pay.qpv_summaries:
        u = item.get("uncertainty") or {}
        rows.append(
            RankRow(
                label=item["lib_qp"],
                low=u.get("rank_low"),
                median=u.get("rank_median"),
                high=u.get("rank_high"),
                highlight=item["code_qp"] == detail["code_qp"],
            )
        )
    rows.sort(key=lambda r: (r.median is None, r.median or 0.0))
    n = max(detail["ranked_of"], len(rows))
    chart = rank_interval_chart(
        rows,
        n,
        chart_id="graphique-rangs",
        title="Intervalle de rang de chaque QPV du territoire (analyse d'incertitude)",
        desc=(
            "Pour chaque QPV, un segment va du meilleur au moins bon rang obtenu en faisant "
            "varier la normalisation, les poids et l'agrégation ; le rond marque le rang "
            "médian. Le QPV de cette page est en bleu foncé et en gras."
        ),
    )
    robust = unc.get("robust_top_quintile")
    sobol = [
        {"label": SOBOL_GROUPS.get(group, group), "value": format_number(value, 2)}
        for group, value in sorted(
            unc.get("sobol_total", {}).items(),
            key=lambda item: -(item[1] if item[1] is not None else -1.0),
        )
    ]
    return {
        "median": ordinal(unc.get("rank_median")),
        "low": ordinal(unc.get("rank_low")),
        "high": ordinal(unc.get("rank_high")),
        "p_top": format_value(unc.get("p_top_quintile"), "part (0–1)"),
        "robust": MISSING if robust is None else ("oui" if robust else "non"),
        "driver": unc.get("main_driver") or MISSING,
        "sobol": sobol,
        "chart": chart,
    }


def _climate(detail: dict[str, Any]) -> list[dict[str, Any]]:
    order = list(HORIZONS)
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in detail["climate"]:
        by_key.setdefault((row["insee_com"], row["indicator"]), []).append(row)
    units = {i["id"]: i["unit"] for i in detail["indicators"]}
    out = []
    for n, ((com, ind), rows) in enumerate(sorted(by_key.items())):
        rows.sort(key=lambda r: order.index(r["horizon"]) if r["horizon"] in order else 99)
        unit = units.get(ind, "")
        label = rows[0]["label"] or ind
        bars = [
            ClimateBar(
                label="réf." if r["horizon"] == "ref" else r["horizon"],
                value=r["value"],
                low=r["low"],
                high=r["high"],
            )
            for r in rows
        ]
        out.append(
            {
                "label": label,
                "commune": f"{rows[0]['nom'] or com} ({com})",
                "chart": climate_chart(
                    bars,
                    unit,
                    chart_id=f"graphique-climat-{n}",
                    title=f"{label} — {rows[0]['nom'] or com}, par horizon",
                    desc=(
                        "Barres : moyenne des modèles ; traits : fourchette entre modèles. "
                        "Valeurs dans le tableau qui suit."
                    ),
                ),
                "rows": [
                    {
                        "horizon": r["horizon_label"] or r["horizon"],
                        "value": format_value(r["value"], unit),
                        "range": (
                            f"{format_value(r['low'], unit)} – {format_value(r['high'], unit)}"
                            if r["low"] is not None and r["high"] is not None
                            else MISSING
                        ),
                    }
                    for r in rows
                ],
            }
        )
    return out


def _access(td: TerritoryData, detail: dict[str, Any]) -> list[dict[str, str]]:
    labels = dict(ACCESS_EXTRAS)
    dictionary = td.diagnostic.dictionary()
    names = dict(zip(dictionary["colonne"], dictionary["libelle"], strict=True))
    rows = []
    for col, value in detail["access"].items():
        label, unit = labels.get(col, (str(names.get(col, col)), "m"))
        rows.append({"label": label, "value": format_value(value, unit)})
    return rows


def qpv_context(td: TerritoryData, pay: TerritoryPayloads, code_qp: str) -> dict[str, Any]:
    """Return the template context of a QPV page."""
    detail: dict[str, Any] = json.loads(pay.qpv_detail(code_qp))
    rows = _indicator_rows(detail)
    groups = []
    for dim, label in DIMENSIONS.items():
        members = [r for r in rows if r["dimension"] == dim]
        if members:
            groups.append({"id": dim, "label": label, "rows": members})
    score_svg, score_table = _score_chart(td, detail)
    return {
        "detail": detail,
        "groups": groups,
        "figures": {
            "index": format_number(detail["index"], 2),
            "quintile": detail["quintile"],
            "rank": ordinal(detail["rank"]),
            "ranked_of": detail["ranked_of"],
            "population": format_number(detail["population"], 0),
            "households": format_number(detail["households"], 0),
            "poverty": format_value(detail["poverty_rate"], "part (0–1)"),
            "imputed": format_value(detail["imputed_population_share"], "part (0–1)"),
        },
        "score_chart": score_svg,
        "score_table": score_table,
        "ratio_chart": _ratio_chart(rows),
        "uncertainty": _uncertainty(td, detail, pay),
        "climate": _climate(detail),
        "climate_source": climate_source_text(td),
        "hazards": hazard_summary(
            td.qpv.iloc[td.qpv_position(code_qp)], td.diagnostic.record.missing_indicators
        ),
        "housing": housing_summary(
            td.qpv.iloc[td.qpv_position(code_qp)], td.diagnostic.record.missing_indicators
        ),
        "access": _access(td, detail),
        "hotspots": [
            {"label": HOTSPOT_SHARES[col], "value": format_value(value, "part (0–1)")}
            for col, value in detail["hotspots"].items()
        ],
    }
