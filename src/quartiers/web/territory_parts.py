"""What the territory pages format once per diagnostic and reuse (issue 16, national size).

A national diagnostic has some 1,600 QPV and about thirty quantity-horizons. The territory
page sends its map the displayed value of every QPV for the quantity shown only; when the
menu changes, the map asks ``/api/territories/{code}/qpv-values`` for another one
(:meth:`TerritoryParts.shown`, formatted once per quantity and horizon and kept). The rows
of the QPV table without the shown value, the coverage block and the région of each QPV do
not depend on the query: they are built once and shared by every page.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from quartiers.outputs.formatting import MISSING, format_number, format_value, ordinal
from quartiers.outputs.quantities import INDEX_ID
from quartiers.report.reference import reference_sentence
from quartiers.web import urls
from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import json_bytes
from quartiers.web.qpv_list import qpv_regions, region_choices
from quartiers.web.territory_text import climate_source_text, coverage_block, run_notes_shown

__all__ = ["INCOMPLETE", "ShownValues", "TerritoryParts", "qpv_base_rows", "qpv_rows"]

#: Status of a QPV whose index lacks a dimension the others have (shown apart, unranked).
INCOMPLETE = "incomplet"

_ROW_COLUMNS = (
    "code_qp",
    "lib_qp",
    "insee_coms",
    "insee_com",
    "population",
    INDEX_ID,
    "rank",
    "rank_low",
    "rank_high",
    "p_top_quintile",
    "status",
    "status_detail",
    "index_label",
    "index_note",
)


def _num(value: Any) -> float | None:
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        number = float(value)  # fast path: 1,632 QPV × several columns at national size
        return number if math.isfinite(number) else None
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) and np.isfinite(number) else None


def _status_text(status: str, rank: float | None) -> str:
    """Return the short French status of a QPV for the first-screen table."""
    if status == INCOMPLETE:
        return "indice incomplet, non classé"
    if status == "non significatif":
        return "trop peu d'habitants, non classé"
    return "classé" if rank is not None else "non classé"


def qpv_base_rows(td: TerritoryData) -> list[dict[str, Any]]:
    """Return the rows of the QPV table without the shown quantity (see :func:`qpv_rows`)."""
    columns = [c for c in _ROW_COLUMNS if c in td.qpv.columns]
    rows = []
    for row in pd.DataFrame(td.qpv[columns]).to_dict(orient="records"):
        code_qp = str(row["code_qp"])
        low, high = _num(row.get("rank_low")), _num(row.get("rank_high"))
        p_top = _num(row.get("p_top_quintile"))
        rank = _num(row.get("rank"))
        index = _num(row.get(INDEX_ID))
        rows.append(
            {
                "code_qp": code_qp,
                "lib_qp": str(row.get("lib_qp") or code_qp),
                "url": urls.page_qpv(td.code, code_qp),
                "communes": td.commune_label(str(row.get("insee_coms") or row.get("insee_com"))),
                "population": _num(row.get("population")),
                "population_display": format_number(row.get("population"), 0),
                "index": index,
                "index_display": format_number(index, 2),
                "rank": rank,
                "rank_display": ordinal(rank) if rank is not None else "non classé",
                "rank_low": low,
                "rank_high": high,
                "interval_display": (
                    f"{ordinal(low)} à {ordinal(high)}"
                    if low is not None and high is not None
                    else MISSING
                ),
                "p_top": p_top,
                "p_top_display": format_value(p_top, "part (0–1)"),
                "status_detail": str(row.get("status_detail") or ""),
                "status": str(row.get("status") or ""),
                "status_display": _status_text(str(row.get("status") or ""), rank),
                "index_label": str(row.get("index_label") or ""),
                "index_note": str(row.get("index_note") or ""),
            }
        )
    return rows


@dataclass(frozen=True)
class ShownValues:
    """The value of a quantity at a horizon for every QPV (table order), raw and displayed."""

    indicator: str
    horizon: str
    values: list[float | None]
    display: list[str]
    json: bytes


def shown_values(td: TerritoryData, indicator: str, horizon: str) -> ShownValues:
    """Return the QPV values of a quantity at a horizon, formatted (French) and as JSON."""
    info = td.indicators[indicator]
    raw = td.qpv_values(indicator, horizon)
    values = [float(v) if np.isfinite(v) else None for v in raw.tolist()]
    display = [format_value(v, info.unit) for v in values]
    codes = td.qpv_codes
    body = {
        "territory": td.code,
        "indicator": indicator,
        "horizon": horizon,
        "values": dict(zip(codes, values, strict=True)),
        "display": dict(zip(codes, display, strict=True)),
    }
    return ShownValues(indicator, horizon, values, display, json_bytes(body))


def qpv_rows(td: TerritoryData, *, indicator: str, horizon: str) -> list[dict[str, Any]]:
    """Return the rows of the overview's QPV table (values and their French display)."""
    shown = shown_values(td, indicator, horizon)
    return [
        {**row, "value": v, "value_display": d}
        for row, v, d in zip(qpv_base_rows(td), shown.values, shown.display, strict=True)
    ]


@dataclass
class TerritoryParts:
    """The parts of a territory's pages built once and reused (see module docstring)."""

    td: TerritoryData
    _base: list[dict[str, Any]] | None = None
    _shown: dict[tuple[str, str], ShownValues] = field(default_factory=dict)
    _regions: list[str] | None = None
    _choices: list[tuple[str, str, int]] | None = None
    _memo: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def horizon_of(self, indicator: str, horizon: str) -> str:
        """Return the horizon a quantity is read at (non-climate ones: the run's)."""
        return horizon if self.td.indicators[indicator].climate else self.td.horizon

    def shown(self, indicator: str, horizon: str) -> ShownValues:
        """Return (formatted once) every QPV's value of a quantity at a horizon."""
        key = (indicator, self.horizon_of(indicator, horizon))
        with self._lock:
            if key not in self._shown:
                self._shown[key] = shown_values(self.td, *key)
            return self._shown[key]

    def rows(self, indicator: str, horizon: str) -> list[dict[str, Any]]:
        """Return the QPV table rows with the shown quantity (new dictionaries each call)."""
        shown = self.shown(indicator, horizon)
        with self._lock:
            if self._base is None:
                self._base = qpv_base_rows(self.td)
            base = self._base
        return [
            {**row, "value": v, "value_display": d}
            for row, v, d in zip(base, shown.values, shown.display, strict=True)
        ]

    def regions(self) -> list[str]:
        """Return the région code of each QPV (see :func:`~.qpv_list.qpv_regions`)."""
        with self._lock:
            if self._regions is None:
                self._regions = qpv_regions(self.td)
            return self._regions

    def region_choices(self) -> list[tuple[str, str, int]]:
        """Return the régions of the territory with their QPV count (once)."""
        with self._lock:
            if self._choices is None:
                self._choices = region_choices(self.td)
            return self._choices

    def once(self, name: str, build: Callable[[TerritoryData], Any]) -> Any:
        """Return ``build(td)``, computed at the first call for ``name`` and kept."""
        with self._lock:
            if name not in self._memo:
                self._memo[name] = build(self.td)
            return self._memo[name]

    def texts(self) -> dict[str, Any]:
        """Return the page texts that depend only on the diagnostic (built once)."""
        return self.once(  # type: ignore[no-any-return]
            "texts",
            lambda td: {
                "coverage": coverage_block(td),
                "run_notes": run_notes_shown(td),
                "climate_source": climate_source_text(td),
                "reference": reference_sentence(td.record),
            },
        )

    def warm(self) -> None:
        """Build now what every first page needs (default rows, régions, texts)."""
        self.rows(INDEX_ID, self.td.horizon)
        self.region_choices()
        self.texts()
