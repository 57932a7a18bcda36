"""GeoJSON features of the cells and of the optional layers, serialised to bytes.

A territory of ordinary size has every cell serialised once, at startup; above
:data:`TILE_THRESHOLD` cells (national runs), a cell page of the
``/cells`` endpoint is serialised when asked (the map then draws vector tiles).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from quartiers.outputs.legends import CELL_MAP_LIMIT
from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import feature_bytes

__all__ = ["TILE_THRESHOLD", "CellFeatures", "cell_properties", "optional_features"]

#: Territories with more cells than this draw them from vector tiles instead of GeoJSON
#: (see :mod:`quartiers.web.tiles`), and serialise cell features only when asked.
TILE_THRESHOLD = CELL_MAP_LIMIT

_CELL_BASE = ("idcar_200m", "insee_com", "code_qp", "qpv_share", "population", "households")
_CELL_TAIL = ("imputed", "quintile", "status")


def cell_properties(td: TerritoryData) -> list[str]:
    """Return the cell columns sent as GeoJSON properties (those with values, plus ids)."""
    cells = td.cell_table
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


def _serialise(td: TerritoryData, props: list[str], rows: Sequence[int]) -> list[bytes]:
    part = td.cells.iloc[list(rows)]
    table = pd.DataFrame(part[props])
    ids = [str(v) for v in part["idcar_200m"]]
    records = [{str(k): v for k, v in r.items()} for r in table.to_dict(orient="records")]
    return [
        feature_bytes(geom, record, ids[i])
        for i, (geom, record) in enumerate(zip(part.geometry, records, strict=True))
    ]


class CellFeatures:
    """The cells of a territory as GeoJSON feature bytes, by row.

    Parameters
    ----------
    td
        The territory.
    eager
        Serialise every cell now (small territories: a request only joins bytes); False
        serialises the rows asked for, at each request (national runs).
    """

    def __init__(self, td: TerritoryData, *, eager: bool) -> None:
        self._td = td
        self._props = cell_properties(td)
        self._all = _serialise(td, self._props, range(len(td.cells))) if eager else None

    def __len__(self) -> int:
        return len(self._td.cell_table)

    def rows(self, rows: Sequence[int]) -> list[bytes]:
        """Return the features of some rows, in the order given."""
        if self._all is not None:
            return [self._all[i] for i in rows]
        return _serialise(self._td, self._props, rows) if len(rows) else []


def optional_features(td: TerritoryData, name: str) -> list[bytes]:
    """Return the features of an optional layer (``hotspots``, ``places``), or none."""
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
