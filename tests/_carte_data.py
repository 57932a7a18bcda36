"""Read the data inlined in a ``carte.html`` as the page's script rebuilds it (``deplier``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_DEPTH = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}


def carte_data(page: Path) -> dict[str, Any]:
    """Return ``DONNEES`` of ``page`` with its packed collections unpacked."""
    html = page.read_text(encoding="utf-8")
    match = re.search(r"const DONNEES = (\{.*?\});\n", html, re.S)
    assert match is not None, "carte.html without DONNEES"
    data: dict[str, Any] = json.loads(match.group(1))
    for key in ("cells", "qpv", "communes"):
        data[key] = unpack(data[key])
    if data.get("fond"):
        fond = data["fond"]
        for band in fond["bands"]:
            band["data"] = unpack(band["data"])
        fond["contours"] = unpack(fond["contours"])
        fond["labels"] = unpack(fond["labels"])
    return data


def unpack(packed: Any) -> Any:
    """Rebuild a GeoJSON FeatureCollection from the page's compact form (as ``deplier``)."""
    if not isinstance(packed, dict) or packed.get("type") != "colonnes":
        return packed
    scale = 10 ** packed["decimals"]

    def level(coords: list[Any], depth: int) -> list[Any]:
        if depth:
            return [level(part, depth - 1) for part in coords]
        out, x, y = [], 0, 0
        for i in range(0, len(coords), 2):
            x, y = x + coords[i], y + coords[i + 1]
            out.append([x / scale, y / scale])
        return out

    features = []
    for i, geometry in enumerate(packed["geometries"]):
        props = {
            col: values[i]
            for col, values in zip(packed["columns"], packed["values"], strict=True)
            if values[i] is not None or not packed["omitNull"]
        }
        if geometry is not None and geometry["type"] in _DEPTH:
            coords = level(geometry["coordinates"], _DEPTH[geometry["type"]])
            geometry = {"type": geometry["type"], "coordinates": coords}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
