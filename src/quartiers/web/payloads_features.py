"""GeoJSON features of the API, serialised once: cells, QPV and the optional layers."""

from __future__ import annotations

from typing import Any

import pandas as pd

from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import feature_bytes
from quartiers.web.payloads_qpv import qpv_summary

__all__ = ["cell_features", "cell_properties", "optional_features", "qpv_features"]

_CELL_BASE = ("idcar_200m", "insee_com", "code_qp", "qpv_share", "population", "households")
_CELL_TAIL = ("imputed", "quintile", "status")


def cell_properties(td: TerritoryData) -> list[str]:
    """Return the cell columns sent as GeoJSON properties (those with values, plus ids)."""
    cells = td.cells
    mapped = [i for i, info in td.indicators.items() if info.available and i in cells.columns]
    extras = [
        c
        for c in cells.columns
        if (c.startswith(("dist_", "time_", "count_")) or c in ("connected_share", "hotspot"))
        and c not in mapped
        and cells[c].notna().any()
    ]
    base = [c for c in _CELL_BASE if c in cells.columns]
    tail = [c for c in _CELL_TAIL if c in cells.columns]
    return [*base, *mapped, *extras, *tail]


def cell_features(td: TerritoryData) -> list[bytes]:
    """Return one serialised GeoJSON feature per cell, with :func:`cell_properties`."""
    props = cell_properties(td)
    table = pd.DataFrame(td.cells[props])
    ids = [str(v) for v in td.cells["idcar_200m"]]
    records = [{str(k): v for k, v in r.items()} for r in table.to_dict(orient="records")]
    return [
        feature_bytes(geom, record, ids[i])
        for i, (geom, record) in enumerate(zip(td.cells.geometry, records, strict=True))
    ]


def qpv_features(td: TerritoryData) -> list[bytes]:
    """Return one serialised GeoJSON feature per QPV (summary, indicators, uncertainty)."""
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


def optional_features(td: TerritoryData, name: str) -> list[bytes]:
    """Return the serialised features of the optional layer ``name`` (none when absent)."""
    layer = getattr(td, name)
    if layer is None:
        return []
    cols = [c for c in layer.columns if c != "geometry"]
    records = [
        {str(k): v for k, v in r.items()} for r in pd.DataFrame(layer[cols]).to_dict("records")
    ]
    return [
        feature_bytes(geom, rec, f"{name}-{i}")
        for i, (geom, rec) in enumerate(zip(layer.geometry, records, strict=True))
    ]
