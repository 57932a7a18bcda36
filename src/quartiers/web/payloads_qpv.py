"""QPV payloads of the API: summaries, details, climate rows and the orders of the list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import format_value
from quartiers.outputs.quantities import (
    ACCESS_EXTRAS,
    HOTSPOT_SHARES,
    INDEX_ID,
    SOBOL_GROUPS,
    score_id,
)
from quartiers.schemas import HORIZONS
from quartiers.web import urls
from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import clean_value
from quartiers.web.payload_values import as_int, num, split_text, text

__all__ = ["climate_rows", "qpv_detail", "qpv_summary"]


def _ranked_of(td: TerritoryData) -> int:
    if "rank" not in td.qpv:
        return 0
    ranks = td.qpv["rank"]
    return int(td.once("ranked_of", lambda: pd.to_numeric(ranks, errors="coerce").notna().sum()))


def _uncertainty(td: TerritoryData, row: dict[str, Any]) -> dict[str, Any] | None:
    if not td.has_uncertainty:
        return None
    robust = clean_value(row.get("robust_top_quintile"))
    return {
        "rank_median": num(row.get("rank_median")),
        "rank_low": num(row.get("rank_low")),
        "rank_high": num(row.get("rank_high")),
        "p_top_quintile": num(row.get("p_top_quintile")),
        "robust_top_quintile": None if robust is None else bool(robust),
        "main_driver": text(row.get("main_driver")) or None,
        "sobol_total": {
            group: num(row.get(f"sobol_total_{group}"))
            for group in SOBOL_GROUPS
            if f"sobol_total_{group}" in td.qpv.columns
        },
    }


def qpv_summary(td: TerritoryData, position: int) -> dict[str, Any]:
    """Return the summary of the QPV at ``position`` (:class:`QpvSummary`)."""
    row = td.qpv.iloc[position].to_dict()
    code_qp = text(row.get("code_qp"))
    coms = split_text(row.get("insee_coms")) or split_text(row.get("insee_com"))
    return {
        "territory": td.code,
        "code_qp": code_qp,
        "lib_qp": text(row.get("lib_qp")) or code_qp,
        "insee_com": text(row.get("insee_com")),
        "insee_coms": coms,
        "communes": td.commune_label(",".join(coms)),
        "population": num(row.get("population")),
        "households": num(row.get("households")),
        "poverty_rate": num(row.get("poverty_rate")),
        "index": num(row.get(INDEX_ID)),
        "rank": as_int(row.get("rank")),
        "ranked_of": _ranked_of(td),
        "quintile": as_int(row.get("quintile")),
        "status": text(row.get("status")),
        "status_detail": text(row.get("status_detail")),
        "index_label": text(row.get("index_label")),
        "index_note": text(row.get("index_note")),
        "uncertainty": _uncertainty(td, row),
        "links": {
            "self": urls.api_qpv(td.code, code_qp),
            "page": urls.page_qpv(td.code, code_qp),
            "territory": urls.api_territory(td.code),
        },
    }


def _comparison(row: dict[str, Any], level: str, column: str) -> dict[str, Any]:
    own, gap = num(row.get(column)), num(row.get(f"gap_{level}_{column}"))
    other = own - gap if own is not None and gap is not None else None
    return {
        "value": None if other is None else float(f"{other:.6g}"),
        "gap": gap,
        "ratio": num(row.get(f"ratio_{level}_{column}")),
    }


def climate_rows(td: TerritoryData, communes: Sequence[str]) -> list[dict[str, Any]]:
    """Return the climate rows of some communes, by commune, indicator and horizon order."""
    climate = td.diagnostic.climate
    if not len(climate) or "insee_com" not in climate:
        return []
    part = climate[climate["insee_com"].astype(str).isin(list(communes))]
    order = {h: i for i, h in enumerate(HORIZONS)}
    rows = [
        {
            "insee_com": text(r.get("insee_com")),
            "nom": text(r.get("nom")) or None,
            "indicator": text(r.get("indicator")),
            "label": text(r.get("label")) or None,
            "horizon": text(r.get("horizon")),
            "horizon_label": text(r.get("horizon_label")) or None,
            "value": num(r.get("value")),
            "low": num(r.get("low")),
            "high": num(r.get("high")),
        }
        for r in part.to_dict(orient="records")
    ]
    rows.sort(key=lambda r: (r["insee_com"], r["indicator"], order.get(str(r["horizon"]), 99)))
    return rows


def qpv_detail(td: TerritoryData, position: int) -> dict[str, Any]:
    """Return the detail of the QPV at ``position`` (:class:`QpvDetail`)."""
    row = td.qpv.iloc[position].to_dict()
    indicators = []
    for info in td.indicators.values():
        if info.kind != "indicator":
            continue
        value = num(row.get(info.id))
        indicators.append(
            {
                "id": info.id,
                "label": info.label,
                "unit": info.unit,
                "dimension": info.dimension or None,
                "direction": info.direction,
                "available": info.available,
                "missing_reason": info.missing_reason or None,
                "value": value,
                "display": format_value(value, info.unit),
                "commune": _comparison(row, "commune", info.id),
                "epci": _comparison(row, "epci", info.id),
            }
        )
    access_cols = [c for c in td.qpv.columns if c.startswith("dist_") and c.endswith("_m")]
    access_cols += [c for c in ACCESS_EXTRAS if c in td.qpv.columns]
    summary = qpv_summary(td, position)
    return {
        **summary,
        "households_poor": num(row.get("poor_households")),
        "imputed_population_share": num(row.get("imputed_population_share")),
        "scores": {dim: num(row.get(score_id(dim))) for dim in DIMENSIONS},
        "index_dimensions": split_text(row.get("index_dimensions")),
        "missing_indicators": split_text(row.get("missing_indicators")),
        "indicators": indicators,
        "access": {c: num(row.get(c)) for c in access_cols},
        "hotspots": {c: num(row.get(c)) for c in HOTSPOT_SHARES if c in td.qpv.columns},
        "climate": climate_rows(td, summary["insee_coms"]),
        "canopy_warning": canopy_warning(td, summary["code_qp"]) or None,
    }


def canopy_warning(td: TerritoryData, code_qp: str) -> str:
    """Return the QPV's warning on the OpenStreetMap tree mapping (empty when none)."""
    qpv = td.diagnostic.qpv
    if "canopy_warning" not in qpv.columns:
        return ""
    found = qpv.loc[qpv["code_qp"].astype(str) == code_qp, "canopy_warning"]
    value = found.iloc[0] if len(found) else ""
    return value if isinstance(value, str) else ""
