"""Compact transport of carte.html's GeoJSON: unpacking gives back exactly what was packed."""

from __future__ import annotations

import json

from _carte_data import unpack
from quartiers.report._carte_pack import pack_collection


def _feature(geometry: dict[str, object], **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_every_geometry_type_comes_back_exactly() -> None:
    ring = [[-1.43251, 46.67012], [-1.43, 46.67012], [-1.43, 46.6712], [-1.43251, 46.67012]]
    hole = [[-1.4312, 46.6702], [-1.4311, 46.6702], [-1.4311, 46.6703], [-1.4312, 46.6702]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature({"type": "Polygon", "coordinates": [ring, hole]}, l="bati", k=None),
            _feature({"type": "MultiPolygon", "coordinates": [[ring], [hole]]}, l="vert", k="parc"),
            _feature({"type": "LineString", "coordinates": ring[:3]}, l="voie", k="locale"),
            _feature({"type": "MultiLineString", "coordinates": [ring[:2], hole[:2]]}, l="eau"),
            _feature({"type": "Point", "coordinates": [-1.4, 46.6]}, n="Rue des Écoles", z=15.5),
        ],
    }
    # The file leaves out empty properties: the page leaves them out too.
    for f in collection["features"]:
        f["properties"] = {k: v for k, v in f["properties"].items() if v is not None}
    packed = pack_collection(collection)
    assert packed["decimals"] == 5 and packed["omitNull"] is True
    assert packed["columns"] == ["l", "k", "n", "z"]
    # First position absolute, then differences: the square's second corner moves east only.
    assert packed["geometries"][0]["coordinates"][0][:4] == [-143251, 4667012, 251, 0]
    assert unpack(json.loads(json.dumps(packed))) == collection


def _square(i: int) -> dict[str, object]:
    x = round(0.1 * i, 4)
    ring = [[x, 45.0], [round(x + 0.0026, 4), 45.0], [round(x + 0.0026, 4), 45.0018], [x, 45.0]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_explicit_nulls_stay_and_the_page_gets_smaller() -> None:
    features = [
        _feature(
            _square(i),
            idcar_200m=f"CRS3035RES200mN2697000E{i}",
            index=None if i % 2 else 0.512345,
            share_65p=0.25,
            _classe_index=-1 if i % 2 else 3,
        )
        for i in range(50)
    ]
    cells = {"type": "FeatureCollection", "features": features}
    packed = pack_collection(cells)
    assert packed["omitNull"] is False and packed["decimals"] == 4
    assert unpack(packed) == cells
    size = len(json.dumps(packed, separators=(",", ":")))
    assert size < 0.6 * len(json.dumps(cells, separators=(",", ":")))
