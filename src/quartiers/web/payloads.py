"""JSON payloads of the API, built and validated once per territory, kept as bytes.

Each builder returns a dictionary shaped like a model of :mod:`quartiers.web.schemas`;
:func:`build_payloads` validates them and serialises everything the QPV and cell endpoints
send, so that a request only slices and joins cached bytes. The builders live by concern:
:mod:`~quartiers.web.payloads_territory` (territory summary and detail),
:mod:`~quartiers.web.method_view` (method settings), :mod:`~quartiers.web.payloads_qpv`
(QPV summaries, details, climate rows), :mod:`~quartiers.web.qpv_list` (list orders,
search, pages), :mod:`~quartiers.web.payloads_features` (QPV features) and
:mod:`~quartiers.web.features` (cell and optional-layer features, eager or by page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from quartiers.web.catalog import TerritoryData
from quartiers.web.features import (
    TILE_THRESHOLD,
    CellFeatures,
    cell_properties,
    optional_features,
)
from quartiers.web.geojson import json_bytes
from quartiers.web.method_view import method_of_territory
from quartiers.web.payloads_features import qpv_features
from quartiers.web.payloads_qpv import climate_rows, qpv_detail, qpv_summary
from quartiers.web.payloads_territory import territory_detail, territory_summary
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
        qpv_features=qpv_features(td),
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
