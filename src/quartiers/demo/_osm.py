"""Write the demo territory as an OpenStreetMap PBF extract with pyosmium.

Nodes come first in ascending id order, then ways, then relations, as in a Geofabrik
extract; every way references existing nodes; every object has a version, a timestamp, a
changeset and a user. The header names the generator and states that the data are
fictitious.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import shapely
from numpy.random import Generator
from numpy.typing import NDArray
from osmium.osm.mutable import Node, Relation, Way

from quartiers.demo._facilities import Facility
from quartiers.demo._geometry import Warp, to_wgs84
from quartiers.demo._layout import Layout
from quartiers.demo._streets import StreetNet

__all__ = ["OsmScene", "write_osm"]

_USER = "ville_temoin_fictif"
_EPOCH = dt.datetime(2012, 1, 1, tzinfo=dt.UTC)
_SPAN_S = 12 * 365 * 86_400


@dataclass
class OsmScene:
    """Everything that goes into the extract, in the plan frame."""

    layout: Layout
    streets: StreetNet
    buildings: pd.DataFrame
    trees: pd.DataFrame
    facilities: list[Facility]
    in_osm: set[str] = field(default_factory=set)
    parkings: pd.DataFrame | None = None  # x0, y0, x1, y1 (plan frame)
    food: list[Facility] = field(default_factory=list)  # shops, market, gardens (points)


Tags = dict[str, str]


class _Extract:
    """Objects of the extract before writing: node batches (plan frame), ways, relations."""

    def __init__(self) -> None:
        self.nodes: list[tuple[NDArray[np.float64], NDArray[np.float64], list[Tags]]] = []
        self.n_nodes = 0
        self.ways: list[tuple[list[int], Tags]] = []
        self.relations: list[tuple[list[tuple[str, int, str]], Tags]] = []

    def add_nodes(
        self, u: NDArray[np.float64], v: NDArray[np.float64], tags: list[Tags] | None = None
    ) -> int:
        """Queue nodes at plan points and return the id of the first one."""
        first = self.n_nodes + 1
        self.n_nodes += int(u.size)
        self.nodes.append((u, v, tags if tags is not None else [{}] * int(u.size)))
        return first

    def add_way(self, refs: list[int], tags: Tags) -> int:
        """Queue a way and return its id."""
        self.ways.append((refs, tags))
        return len(self.ways)


def _meta(rng: Generator, count: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return versions (1–6) and timestamps (s after 2012-01-01) for ``count`` objects."""
    return rng.integers(1, 7, count), rng.integers(0, _SPAN_S, count)


def _stamp(obj: Node | Way | Relation, oid: int, version: int, seconds: int) -> None:
    """Set id and metadata (version, timestamp, changeset, user) of an object."""
    obj.id = oid
    obj.version = int(version)
    obj.timestamp = _EPOCH + dt.timedelta(seconds=int(seconds))
    obj.changeset = 1_000 + int(seconds) // 86_400
    obj.uid = 1
    obj.user = _USER


def write_osm(scene: OsmScene, warp: Warp, path: Path, rng: Generator) -> dict[str, int]:
    """Write ``scene`` to ``path`` (``.osm.pbf``) and return counts of nodes, ways, relations."""
    ex = _Extract()
    # Street nodes: the lattice nodes used by at least one street.
    keys = np.unique(
        np.concatenate([np.asarray(st.nodes, dtype=np.int64) for st in scene.streets.streets])
    )
    su, sv = scene.streets.lattice.uv(keys)
    first = ex.add_nodes(su, sv)
    for street in scene.streets.streets:
        ex.add_way((np.searchsorted(keys, np.asarray(street.nodes)) + first).tolist(), street.tags)
    _buildings(scene, ex, rng)
    for geom, tags in _areas(scene.layout):
        _polygon(ex, geom, tags)
    if scene.parkings is not None:
        lots = shapely.box(*(scene.parkings[c].to_numpy() for c in ("x0", "y0", "x1", "y1")))
        for lot in lots:
            _polygon(ex, lot, {"amenity": "parking", "parking": "surface", "surface": "asphalt"})
    for line in shapely.get_parts(scene.layout.river_line):
        coords = shapely.get_coordinates(shapely.segmentize(line, 50.0))
        for start in range(0, len(coords) - 1, 400):
            chunk = coords[start : start + 401]
            n0 = ex.add_nodes(chunk[:, 0], chunk[:, 1])
            ex.add_way(
                list(range(n0, n0 + len(chunk))), {"waterway": "river", "name": "La Fictive"}
            )
    _trees(ex, scene.trees, rng)
    _points(ex, scene)
    if scene.food:  # last, so that the other objects keep their ids
        ex.add_nodes(
            np.array([f.u for f in scene.food]),
            np.array([f.v for f in scene.food]),
            [{**(f.osm or {}), "name": f.name} for f in scene.food],
        )

    header = osmium.io.Header()
    header.set("generator", "quartiers demo : Ville-Témoin, territoire fictif (données inventées)")
    header.set("osmosis_replication_timestamp", "2024-01-01T00:00:00Z")
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path), header=header)
    try:
        n_id = 1
        for u, v, tag_list in ex.nodes:
            lon, lat = to_wgs84(*warp.xy(u, v))
            versions, seconds = _meta(rng, u.size)
            for k in range(u.size):
                node = Node(location=(round(float(lon[k]), 7), round(float(lat[k]), 7)))
                node.tags = tag_list[k]
                _stamp(node, n_id, versions[k], seconds[k])
                writer.add_node(node)
                n_id += 1
        versions, seconds = _meta(rng, len(ex.ways))
        for k, (refs, tags) in enumerate(ex.ways):
            way = Way(nodes=refs)
            way.tags = tags
            _stamp(way, k + 1, versions[k], seconds[k])
            writer.add_way(way)
        versions, seconds = _meta(rng, len(ex.relations))
        for k, (members, tags) in enumerate(ex.relations):
            rel = Relation(members=members)
            rel.tags = tags
            _stamp(rel, k + 1, versions[k], seconds[k])
            writer.add_relation(rel)
    finally:
        writer.close()
    return {"nodes": n_id - 1, "ways": len(ex.ways), "relations": len(ex.relations)}


def _buildings(scene: OsmScene, ex: _Extract, rng: Generator) -> None:
    b = scene.buildings
    n = len(b)
    x0, y0, x1, y1 = (b[c].to_numpy() for c in ("x0", "y0", "x1", "y1"))
    u = np.column_stack([x0, x1, x1, x0]).ravel()
    v = np.column_stack([y0, y0, y1, y1]).ravel()
    first = ex.add_nodes(u, v)
    fac_tags = {f.key: f.osm for f in scene.facilities if f.footprint is not None}
    draw = rng.random((n, 3))
    columns = zip(
        b["building"].tolist(),
        b["facility"].tolist(),
        b["levels"].tolist(),
        b["height"].tolist(),
        b["residential"].tolist(),
        b["period"].tolist(),
        strict=True,
    )
    for k, (building, facility, levels, height, residential, period) in enumerate(columns):
        tags = {"building": str(building)}
        if facility:
            osm = fac_tags.get(str(facility))
            if osm is not None and facility in scene.in_osm:
                tags = dict(osm)
        if draw[k, 0] < 0.55:
            tags["building:levels"] = str(int(levels))
        if draw[k, 1] < 0.25:
            tags["height"] = f"{float(height):.1f}"
        if draw[k, 2] < 0.08 and residential:
            tags["start_date"] = str(int(_PERIOD_YEARS[int(period)](draw[k, 2])))
        refs = [
            first + 4 * k,
            first + 4 * k + 1,
            first + 4 * k + 2,
            first + 4 * k + 3,
            first + 4 * k,
        ]
        ex.add_way(refs, tags)


_PERIOD_YEARS = [
    lambda r: 1850 + r * 1000,  # r < 0.08, so 1850–1930
    lambda r: 1950 + r * 230,
    lambda r: 1972 + r * 200,
    lambda r: 1992 + r * 350,
    lambda r: 1990 + r * 100,
]


def _areas(layout: Layout) -> list[tuple[shapely.Geometry, dict[str, str]]]:
    out: list[tuple[shapely.Geometry, dict[str, str]]] = []
    for park in layout.parks:
        out.append((park.polygon, {"leisure": "park", "name": park.name}))
    for wood in layout.woods:
        tags = {"landuse": "forest", "name": wood.name}
        if wood.name == "Bois du Calvaire":
            tags = {"natural": "wood", "name": wood.name}
        out.append((wood.polygon, tags))
    out.append((layout.river, {"natural": "water", "water": "river", "name": "La Fictive"}))
    for pond in layout.ponds:
        out.append((pond.polygon, {"natural": "water", "water": "pond", "name": pond.name}))
    out.append((layout.industrial, {"landuse": "industrial", "name": "ZA des Prototypes"}))
    return out


def _polygon(ex: _Extract, geom: shapely.Geometry, tags: Tags) -> None:
    """Add a polygon as closed ways; a polygon with holes becomes a multipolygon relation."""
    for part in shapely.get_parts(shapely.segmentize(geom, 40.0)):
        rings = [part.exterior, *part.interiors]
        way_ids = []
        for ring in rings:
            coords = np.asarray(ring.coords)[:-1]
            n0 = ex.add_nodes(coords[:, 0], coords[:, 1])
            way_ids.append(
                ex.add_way([*range(n0, n0 + len(coords)), n0], tags if len(rings) == 1 else {})
            )
        if len(rings) > 1:
            members = [("w", way_ids[0], "outer")] + [("w", w, "inner") for w in way_ids[1:]]
            ex.relations.append((members, {"type": "multipolygon", **tags}))


def _trees(ex: _Extract, trees: pd.DataFrame, rng: Generator) -> None:
    n = len(trees)
    draw = rng.random((n, 4))
    genus = rng.integers(0, len(_GENERA), n)
    tags: list[dict[str, str]] = []
    for k, crown in enumerate(trees["crown"].to_numpy()):
        t = {"natural": "tree"}
        if draw[k, 0] < 0.4:
            t["diameter_crown"] = str(round(crown))
        if draw[k, 1] < 0.5:
            t["genus"] = _GENERA[int(genus[k])]
            t["leaf_type"] = "broadleaved"
        if draw[k, 2] < 0.2:
            t["height"] = str(round(crown * 1.4 + 2))
        tags.append(t)
    ex.add_nodes(trees["u"].to_numpy(), trees["v"].to_numpy(), tags)


_GENERA = ["Platanus", "Tilia", "Acer", "Quercus", "Prunus", "Fraxinus", "Carpinus", "Betula"]


def _points(ex: _Extract, scene: OsmScene) -> None:
    pts = [
        f
        for f in scene.facilities
        if f.footprint is None and f.osm is not None and f.key in scene.in_osm
    ]
    places = [
        (
            c.bourg[0],
            c.bourg[1],
            {"place": "town" if c.code == "00001" else "village", "name": c.name},
        )
        for c in scene.layout.communes
    ]
    u = np.array([f.u for f in pts] + [p[0] for p in places])
    v = np.array([f.v for f in pts] + [p[1] for p in places])
    tags = [dict(f.osm or {}) for f in pts] + [p[2] for p in places]
    ex.add_nodes(u, v, tags)
