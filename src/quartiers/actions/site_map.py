"""The workshop page's map: where a participant clicks to place an action's site.

:func:`site_map_config` gives ``atelier.js`` what its map shows: the QPV's outline (inline
GeoJSON, WGS84), the initial extent (about 900 m around the QPV, as on the QPV page) and the
territory's offline background (``fond_de_carte/``, the same bands and files as the
territory page, served by the web API). The longitude and latitude fields of the form stay
the keyboard way of giving a site; the map only fills them.
"""

from __future__ import annotations

from typing import Any

from shapely.geometry import mapping

from quartiers.actions.workshop import Workshop
from quartiers.web.basemap import fond_config

__all__ = ["site_map_config"]

#: Degrees added around the QPV's box (about 900 m east–west, 900 m north–south in France).
_PAD = (0.012, 0.008)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def site_map_config(workshop: Workshop, code: str, code_qp: str) -> dict[str, Any] | None:
    """Return the configuration of the workshop map of a QPV (JSON-ready), or None.

    Parameters
    ----------
    workshop
        The territory's workshop.
    code, code_qp
        Territory and QPV codes.

    Returns
    -------
    dict or None
        ``bbox`` (WGS84 degrees), ``qpv`` (a GeoJSON FeatureCollection of the QPV's
        outline), ``fond`` (the offline background, None without one) and ``basemap``
        (always None: the workshop uses no online tile server). None when the QPV has no
        geometry.
    """
    qpv = workshop.diagnostic.qpv
    row = qpv[qpv["code_qp"].astype(str) == str(code_qp)]
    if row.empty or row.geometry.iloc[0] is None or row.geometry.iloc[0].is_empty:
        return None
    shape = row.to_crs(4326).geometry.iloc[0]
    minx, miny, maxx, maxy = shape.bounds
    bbox = [minx - _PAD[0], miny - _PAD[1], maxx + _PAD[0], maxy + _PAD[1]]
    feature = {
        "type": "Feature",
        "properties": {"code_qp": str(code_qp), "lib_qp": str(row["lib_qp"].iloc[0])},
        "geometry": _rounded(mapping(shape)),
    }
    directory = workshop.directory
    return {
        "bbox": [round(v, 6) for v in bbox],
        "qpv": {"type": "FeatureCollection", "features": [feature]},
        "fond": fond_config(code, directory) if directory is not None else None,
        "basemap": None,
    }
