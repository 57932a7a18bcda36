"""GeoJSON features of the QPV, serialised once (cells: :mod:`~quartiers.web.features`)."""

from __future__ import annotations

from typing import Any

from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import feature_bytes
from quartiers.web.payloads_qpv import qpv_summary

__all__ = ["qpv_features"]


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
