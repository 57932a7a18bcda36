"""JSON payloads of the API, built and validated once per territory, kept as bytes.

Each builder returns a dictionary shaped like a model of :mod:`quartiers.web.schemas`;
:func:`build_payloads` validates them and serialises everything the QPV and cell endpoints
send, so that a request only slices and joins cached bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pandas as pd
from pydantic import BaseModel

from quartiers.diagnostic.record import RunRecord
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
from quartiers.sources.catalog import get_source
from quartiers.web import urls
from quartiers.web.catalog import TerritoryData
from quartiers.web.features import (
    TILE_THRESHOLD,
    CellFeatures,
    cell_properties,
    optional_features,
)
from quartiers.web.geojson import clean_value, feature_bytes, json_bytes
from quartiers.web.method_view import method_of_territory
from quartiers.web.qpv_list import QPV_SORTS, qpv_order, search_keys
from quartiers.web.schemas import (
    ClimateValue,
    MethodOfTerritory,
    QpvDetail,
    QpvSummary,
    TerritoryDetail,
    TerritorySummary,
)

__all__ = [
    "QPV_SORTS",
    "TerritoryPayloads",
    "build_payloads",
    "cell_properties",
    "climate_rows",
    "method_of_territory",
    "qpv_detail",
    "qpv_summary",
    "territory_detail",
    "territory_summary",
]


def _num(value: Any) -> float | None:
    out = clean_value(value)
    return float(out) if isinstance(out, int | float) and not isinstance(out, bool) else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _text(value: Any) -> str:
    out = clean_value(value)
    return "" if out is None else str(out)


def _split(value: Any) -> list[str]:
    return [p.strip() for p in _text(value).split(",") if p.strip()]


# ---------------------------------------------------------------- territory


def _sources(run: RunRecord) -> list[dict[str, Any]]:
    out = []
    for src in run.sources:
        sid = src.source_id
        try:
            spec = get_source(sid)
            title, publisher, url = spec.title, spec.publisher, (spec.urls or (None,))[0]
        except Exception:  # an unknown or future source id: show what run.json says
            title, publisher, url = None, None, None
        location = src.location
        out.append(
            {
                "source_id": sid,
                "title": title,
                "publisher": publisher,
                "vintage": _text(src.vintage) or None,
                "licence": _text(src.licence) or None,
                "retrieved": _text(src.retrieved) or None,
                "sha256": _text(src.sha256) or None,
                # never the server's path: only the file name
                "file": PurePath(location).name if location else None,
                "url": url,
            }
        )
    return out


def territory_summary(td: TerritoryData) -> dict[str, Any]:
    """Return the summary of a territory (:class:`~quartiers.web.schemas.TerritorySummary`)."""
    run = td.record
    method, horizon = run.method, run.horizon
    coverage = {c.insee_com: c for c in run.coverage}
    communes = [
        {
            "insee_com": code,
            "nom": nom,
            "legal_population": _num(getattr(coverage.get(code), "legal_population", None)),
            "grid_share": _num(getattr(coverage.get(code), "grid_share", None)),
        }
        for code, nom in sorted(td.communes.items())
    ]
    pop_qpv = pd.to_numeric(td.qpv["population"], errors="coerce").sum(min_count=1)
    ranks = pd.to_numeric(td.qpv["rank"], errors="coerce") if "rank" in td.qpv else None
    return {
        "code": td.code,
        "name": td.name,
        "communes": communes,
        "qpv_count": len(td.qpv),
        "qpv_ranked": int(ranks.notna().sum()) if ranks is not None else 0,
        "cells": len(td.cells),
        "population_cells": _num(run.summary.population_cells),
        "population_qpv": _num(pop_qpv),
        "horizon": {
            "id": horizon.id if "id" in horizon.model_fields_set else td.horizon,
            "label": horizon.label or HORIZONS.get(td.horizon, td.horizon),
        },
        "method": {"name": method.name, "version": method.version, "sha256": method.sha256},
        "bbox": [round(v, 6) for v in td.bbox],
        "has_uncertainty": td.has_uncertainty,
        "links": {
            "self": urls.api_territory(td.code),
            "qpv": urls.api_qpv_list(td.code),
            "cells": urls.api_cells(td.code),
            "page": urls.page_territory(td.code),
        },
    }


def territory_detail(td: TerritoryData) -> dict[str, Any]:
    """Return the detail of a territory (:class:`~quartiers.web.schemas.TerritoryDetail`)."""
    run = td.record
    layers = ["cells", "qpv", "zones"]
    layers += [name for name in ("hotspots", "places") if getattr(td, name) is not None]
    dims = {
        k: {
            "label": v.label if "label" in v.model_fields_set else k,
            "state": v.state if "state" in v.model_fields_set else "",
            "in_index": v.in_index,
        }
        for k, v in run.dimensions.items()
    }
    return {
        **territory_summary(td),
        "sources": _sources(run),
        "dimensions": dims,
        "notes": list(run.notes),
        "indicators": [info.as_dict() for info in td.indicators.values()],
        "horizons": [{"id": h, "label": HORIZONS[h]} for h in td.climate_horizons()],
        "layers": layers,
        "code_version": dict(run.code_version),
    }


# ---------------------------------------------------------------- QPV


def _ranked_of(td: TerritoryData) -> int:
    if "rank" not in td.qpv:
        return 0
    return int(pd.to_numeric(td.qpv["rank"], errors="coerce").notna().sum())


def _uncertainty(td: TerritoryData, row: dict[str, Any]) -> dict[str, Any] | None:
    if not td.has_uncertainty:
        return None
    robust = clean_value(row.get("robust_top_quintile"))
    return {
        "rank_median": _num(row.get("rank_median")),
        "rank_low": _num(row.get("rank_low")),
        "rank_high": _num(row.get("rank_high")),
        "p_top_quintile": _num(row.get("p_top_quintile")),
        "robust_top_quintile": None if robust is None else bool(robust),
        "main_driver": _text(row.get("main_driver")) or None,
        "sobol_total": {
            group: _num(row.get(f"sobol_total_{group}"))
            for group in SOBOL_GROUPS
            if f"sobol_total_{group}" in td.qpv.columns
        },
    }


def qpv_summary(td: TerritoryData, position: int) -> dict[str, Any]:
    """Return the summary of the QPV at ``position`` (:class:`QpvSummary`)."""
    row = td.qpv.iloc[position].to_dict()
    code_qp = _text(row.get("code_qp"))
    coms = _split(row.get("insee_coms")) or _split(row.get("insee_com"))
    return {
        "territory": td.code,
        "code_qp": code_qp,
        "lib_qp": _text(row.get("lib_qp")) or code_qp,
        "insee_com": _text(row.get("insee_com")),
        "insee_coms": coms,
        "communes": td.commune_label(",".join(coms)),
        "population": _num(row.get("population")),
        "households": _num(row.get("households")),
        "poverty_rate": _num(row.get("poverty_rate")),
        "index": _num(row.get(INDEX_ID)),
        "rank": _int(row.get("rank")),
        "ranked_of": _ranked_of(td),
        "quintile": _int(row.get("quintile")),
        "status": _text(row.get("status")),
        "status_detail": _text(row.get("status_detail")),
        "index_label": _text(row.get("index_label")),
        "index_note": _text(row.get("index_note")),
        "uncertainty": _uncertainty(td, row),
        "links": {
            "self": urls.api_qpv(td.code, code_qp),
            "page": urls.page_qpv(td.code, code_qp),
            "territory": urls.api_territory(td.code),
        },
    }


def _comparison(row: dict[str, Any], level: str, column: str) -> dict[str, Any]:
    own, gap = _num(row.get(column)), _num(row.get(f"gap_{level}_{column}"))
    other = own - gap if own is not None and gap is not None else None
    return {
        "value": None if other is None else float(f"{other:.6g}"),
        "gap": gap,
        "ratio": _num(row.get(f"ratio_{level}_{column}")),
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
            "insee_com": _text(r.get("insee_com")),
            "nom": _text(r.get("nom")) or None,
            "indicator": _text(r.get("indicator")),
            "label": _text(r.get("label")) or None,
            "horizon": _text(r.get("horizon")),
            "horizon_label": _text(r.get("horizon_label")) or None,
            "value": _num(r.get("value")),
            "low": _num(r.get("low")),
            "high": _num(r.get("high")),
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
        value = _num(row.get(info.id))
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
        "households_poor": _num(row.get("poor_households")),
        "imputed_population_share": _num(row.get("imputed_population_share")),
        "scores": {dim: _num(row.get(score_id(dim))) for dim in DIMENSIONS},
        "index_dimensions": _split(row.get("index_dimensions")),
        "missing_indicators": _split(row.get("missing_indicators")),
        "indicators": indicators,
        "access": {c: _num(row.get(c)) for c in access_cols},
        "hotspots": {c: _num(row.get(c)) for c in HOTSPOT_SHARES if c in td.qpv.columns},
        "climate": climate_rows(td, summary["insee_coms"]),
    }


# ---------------------------------------------------------------- features


def _qpv_features(td: TerritoryData) -> list[bytes]:
    out = []
    for i, geom in enumerate(td.qpv.geometry):
        summary = qpv_summary(td, i)
        row = td.qpv.iloc[i]
        props: dict[str, Any] = {
            "code_qp": summary["code_qp"],
            "lib_qp": summary["lib_qp"],
            "communes": summary["communes"],
            "insee_coms": ",".join(summary["insee_coms"]),
            "population": summary["population"],
            "rank": summary["rank"],
            "ranked_of": summary["ranked_of"],
            "status": summary["status"],
            "url": summary["links"]["page"],
        }
        for ind, info in td.indicators.items():
            if info.available and ind in td.qpv.columns:
                props[ind] = row[ind]
        for col in td.uncertainty_columns:
            props[col] = row[col]
        out.append(feature_bytes(geom, props, summary["code_qp"]))
    return out


# ---------------------------------------------------------------- cache


def _dump(model: type[BaseModel], data: dict[str, Any]) -> bytes:
    return model.model_validate(data).model_dump_json().encode("utf-8")


@dataclass
class TerritoryPayloads:
    """Serialised payloads of one territory (see :func:`build_payloads`)."""

    summary: dict[str, Any]
    summary_json: bytes
    detail_json: bytes
    qpv_items: list[bytes]
    qpv_summaries: list[dict[str, Any]]
    qpv_details: dict[str, bytes]
    qpv_orders: dict[str, list[int]]
    qpv_search: list[str]
    cell_features: CellFeatures
    qpv_features: list[bytes]
    climate_json: bytes
    optional_features: dict[str, list[bytes]] = field(default_factory=dict)
    method: dict[str, Any] = field(default_factory=dict)


def build_payloads(td: TerritoryData) -> TerritoryPayloads:
    """Build, validate and serialise every payload of a territory."""
    summary = territory_summary(td)
    summaries = [qpv_summary(td, i) for i in range(len(td.qpv))]
    details = {s["code_qp"]: _dump(QpvDetail, qpv_detail(td, i)) for i, s in enumerate(summaries)}
    method = method_of_territory(td)
    MethodOfTerritory.model_validate(method)
    return TerritoryPayloads(
        summary=summary,
        summary_json=_dump(TerritorySummary, summary),
        detail_json=_dump(TerritoryDetail, territory_detail(td)),
        qpv_items=[_dump(QpvSummary, s) for s in summaries],
        qpv_summaries=summaries,
        qpv_details=details,
        qpv_orders={sort: qpv_order(td, sort) for sort in QPV_SORTS},
        qpv_search=search_keys(td),
        cell_features=CellFeatures(td, eager=len(td.cells) <= TILE_THRESHOLD),
        qpv_features=_qpv_features(td),
        climate_json=json_bytes(
            [
                ClimateValue.model_validate(r).model_dump()
                for r in climate_rows(td, list(td.communes))
            ]
        ),
        optional_features={
            name: optional_features(td, name)
            for name in ("hotspots", "places")
            if getattr(td, name) is not None
        },
        method=method,
    )
