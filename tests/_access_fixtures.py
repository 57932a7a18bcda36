"""Tiny hand-made street networks, cells and places for the access tests (EPSG:2154)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from quartiers.spatial.grid import cell_boxes, cell_ids

X0, Y0 = 351_000.0, 6_790_000.0  # somewhere in Brittany, Lambert-93 metres


def edges_frame(
    xy: dict[int, tuple[float, float]], pairs: Iterable[tuple[int, int]]
) -> gpd.GeoDataFrame:
    """Walk edges (u, v, length_m, highway, way_id, geometry) from node coordinates."""
    pairs = list(pairs)
    geoms = [shapely.LineString([xy[u], xy[v]]) for u, v in pairs]
    return gpd.GeoDataFrame(
        {
            "u": np.array([u for u, _ in pairs], dtype=np.int64),
            "v": np.array([v for _, v in pairs], dtype=np.int64),
            "length_m": shapely.length(np.asarray(geoms)),
            "highway": "residential",
            "way_id": np.arange(len(pairs), dtype=np.int64),
        },
        geometry=geoms,
        crs="EPSG:2154",
    )


def grid_nodes(
    nx: int, ny: int, spacing: float, *, x0: float = X0, y0: float = Y0, first_id: int = 0
) -> tuple[dict[int, tuple[float, float]], list[tuple[int, int]]]:
    """Nodes and edges of an nx × ny street grid."""
    xy: dict[int, tuple[float, float]] = {}
    pairs: list[tuple[int, int]] = []
    for j in range(ny):
        for i in range(nx):
            node = first_id + j * nx + i
            xy[node] = (x0 + i * spacing, y0 + j * spacing)
            if i:
                pairs.append((node - 1, node))
            if j:
                pairs.append((node - nx, node))
    return xy, pairs


def cells_over(
    bounds: Sequence[float], *, inset: float = 0.0, ind: float = 100.0
) -> gpd.GeoDataFrame:
    """INSEE 200 m cells (EPSG:3035) whose centres fall inside ``bounds`` (EPSG:2154) shrunk
    by ``inset`` metres."""
    xmin, ymin, xmax, ymax = bounds
    to_3035 = Transformer.from_crs("EPSG:2154", "EPSG:3035", always_xy=True)
    x0, y0, x1, y1 = to_3035.transform_bounds(xmin, ymin, xmax, ymax)
    xs = np.arange(np.floor(x0 / 200) * 200, x1, 200)
    ys = np.arange(np.floor(y0 / 200) * 200, y1, 200)
    gx, gy = np.meshgrid(xs, ys)
    corners = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)
    back = Transformer.from_crs("EPSG:3035", "EPSG:2154", always_xy=True)
    cx, cy = back.transform(corners[:, 0] + 100.0, corners[:, 1] + 100.0)
    inside = (
        (cx >= xmin + inset) & (cx <= xmax - inset) & (cy >= ymin + inset) & (cy <= ymax - inset)
    )
    corners = corners[inside]
    return gpd.GeoDataFrame(
        {"idcar_200m": cell_ids(corners), "ind": np.full(len(corners), ind)},
        geometry=cell_boxes(corners),
        crs="EPSG:3035",
    )


def point_places(
    xy: Sequence[tuple[float, float]], category: str = "care", *, prefix: str = "p"
) -> gpd.GeoDataFrame:
    """Point places of one category (PLACE_COLUMNS, EPSG:2154)."""
    return gpd.GeoDataFrame(
        {
            "place_id": [f"{prefix}{i}" for i in range(len(xy))],
            "category": category,
            "kind": "pharmacy" if category == "care" else "",
            "name": "",
            "source": "osm",
        },
        geometry=[shapely.Point(p) for p in xy],
        crs="EPSG:2154",
    )


def osm_xml(
    nodes: Sequence[tuple[int, float, float, dict[str, str]]],
    ways: Sequence[tuple[int, Sequence[int], dict[str, str]]],
    relations: Sequence[tuple[int, Sequence[tuple[str, int, str]], dict[str, str]]] = (),
) -> str:
    """An OSM XML document (lon/lat degrees) from plain tuples."""
    from xml.sax.saxutils import quoteattr

    def tags(items: dict[str, str]) -> str:
        return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in items.items())

    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, lon, lat, node_tags in nodes:
        parts.append(
            f'<node id="{node_id}" lat="{lat:.7f}" lon="{lon:.7f}">{tags(node_tags)}</node>'
        )
    for way_id, refs, way_tags in ways:
        nds = "".join(f'<nd ref="{ref}"/>' for ref in refs)
        parts.append(f'<way id="{way_id}">{nds}{tags(way_tags)}</way>')
    for rel_id, members, rel_tags in relations:
        mem = "".join(f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members)
        parts.append(f'<relation id="{rel_id}">{mem}{tags(rel_tags)}</relation>')
    parts.append("</osm>")
    return "\n".join(parts)


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    """Lambert-93 metres → WGS84 degrees."""
    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(x, y)
    return float(lon), float(lat)
