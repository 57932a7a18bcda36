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

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

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
    """Serialised payloads of one territory (see :func:`build_payloads`).

    The QPV details, the QPV features and the climate table are serialised at their first
    request and kept (:meth:`qpv_detail`, :meth:`qpv_features`, :meth:`climate_json_soon`):
    at national size they took a minute of the server's start.
    """

    td: TerritoryData
    summary: dict[str, Any]
    summary_json: bytes
    detail_json: bytes
    qpv_items: list[bytes]
    qpv_summaries: list[dict[str, Any]]
    qpv_orders: dict[str, list[int]]
    qpv_search: list[str]
    cell_features: CellFeatures
    optional_features: dict[str, list[bytes]] = field(default_factory=dict)
    method: dict[str, Any] = field(default_factory=dict)
    _made: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._made:
                self._made[key] = make()
            return self._made[key]

    async def _soon(self, key: str, make: Callable[[], Any]) -> Any:
        """Return a made payload at once, else make it in a worker thread (loop stays free)."""
        found = self._made.get(key)
        return found if found is not None else await run_in_threadpool(self._once, key, make)

    def _detail_maker(self, code_qp: str) -> Callable[[], bytes]:
        position = self.td.qpv_position(code_qp)  # French 404 for an unknown QPV
        return lambda: _dump(QpvDetail, qpv_detail(self.td, position))

    def qpv_detail(self, code_qp: str) -> bytes:
        """Return the serialised detail of a QPV of the territory (:class:`QpvDetail`)."""
        return cast(bytes, self._once(f"qpv:{code_qp}", self._detail_maker(code_qp)))

    async def qpv_detail_soon(self, code_qp: str) -> bytes:
        """Return :meth:`qpv_detail`, made in a worker thread at its first request."""
        return cast(bytes, await self._soon(f"qpv:{code_qp}", self._detail_maker(code_qp)))

    def qpv_features(self) -> list[bytes]:
        """Return one serialised GeoJSON feature per QPV."""
        return cast(list[bytes], self._once("features", lambda: qpv_features(self.td)))

    async def qpv_features_soon(self) -> list[bytes]:
        """Return :meth:`qpv_features`, made in a worker thread at the first request."""
        return cast(list[bytes], await self._soon("features", lambda: qpv_features(self.td)))

    async def climate_json_soon(self) -> bytes:
        """Return the climate table of the territory's communes (JSON array), made once."""
        return cast(bytes, await self._soon("climate", lambda: _climate_json(self.td)))


def _climate_json(td: TerritoryData) -> bytes:
    rows = climate_rows(td, list(td.communes))
    return json_bytes([ClimateValue.model_validate(r).model_dump() for r in rows])


def build_payloads(td: TerritoryData) -> TerritoryPayloads:
    """Build, validate and serialise the payloads of a territory every list needs."""
    summary = territory_summary(td)
    summaries = [qpv_summary(td, i) for i in range(len(td.qpv))]
    method = method_of_territory(td)
    MethodOfTerritory.model_validate(method)
    return TerritoryPayloads(
        td=td,
        summary=summary,
        summary_json=_dump(TerritorySummary, summary),
        detail_json=_dump(TerritoryDetail, territory_detail(td)),
        qpv_items=[_dump(QpvSummary, s) for s in summaries],
        qpv_summaries=summaries,
        qpv_orders={sort: qpv_order(td, sort) for sort in QPV_SORTS},
        qpv_search=search_keys(td),
        cell_features=CellFeatures(td, eager=len(td.cell_table) <= TILE_THRESHOLD),
        optional_features={
            name: optional_features(td, name)
            for name in ("hotspots", "places")
            if getattr(td, name) is not None
        },
        method=method,
    )
