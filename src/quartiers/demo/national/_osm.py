"""One OpenStreetMap extract per région of the fictitious France (issue 16).

Around every QPV (its box plus :data:`OSM_MARGIN_M`) the extract holds a street lattice
(:data:`LATTICE_M` apart, aligned on the EPSG:3035 origin so that the boxes of one town
share their streets); a secondary road joins the towns of a région one after another, so
that a région's streets form one network, as a real région's do. Near each QPV (its box
plus :data:`BUILT_MARGIN_M`) every lattice block holds one residential building (blocks of
flats inside the QPV, houses around) and two trees; each QPV has a park of about 1.2 ha and
the places walking access looks for (pharmacy, doctor, library, place of worship, community
centre, drinking water, greengrocer, marketplace); each town has its town hall and a
``place=town`` node. Nodes, then ways, in ascending id order, with the metadata of
:mod:`quartiers.demo._osm`; the header says that the data are fictitious.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from numpy.random import Generator
from numpy.typing import NDArray
from osmium.osm.mutable import Node, Way
from pyproj import Transformer

from quartiers.demo._osm import _meta, _stamp

__all__ = [
    "BUILT_MARGIN_M",
    "IDS_PER_REGION",
    "LATTICE_M",
    "OSM_MARGIN_M",
    "QpvSite",
    "TownSite",
    "write_region_osm",
]

#: Ids reserved for each région's extract (its nodes, and its ways, start at a multiple).
IDS_PER_REGION = 1_000_000_000
#: Spacing of the street lattice (m, EPSG:3035).
LATTICE_M = 150.0
#: Streets, parks and places are written this far around each QPV's box (m).
OSM_MARGIN_M = 2_000.0
#: Buildings and trees fill the lattice blocks this far around each QPV's box (m).
BUILT_MARGIN_M = 300.0
#: Longest street way (lattice nodes); longer runs are cut into several ways.
_WAY_NODES = 40
#: Spacing of the nodes of the roads joining towns (m).
_ROAD_STEP_M = 400.0
_TO_WGS84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)

Tags = dict[str, str]
Box = tuple[float, float, float, float]

#: Point places written around each QPV: tags, name.
_PLACES: list[tuple[Tags, str]] = [
    ({"amenity": "pharmacy", "healthcare": "pharmacy"}, "Pharmacie fictive"),
    ({"amenity": "doctors", "healthcare": "doctor"}, "Cabinet médical fictif"),
    ({"amenity": "library"}, "Bibliothèque fictive"),
    ({"amenity": "place_of_worship", "religion": "christian"}, "Église fictive"),
    ({"amenity": "community_centre"}, "Maison de quartier fictive"),
    ({"amenity": "drinking_water"}, "Fontaine fictive"),
    ({"shop": "greengrocer"}, "Primeur fictif"),
    ({"amenity": "marketplace"}, "Marché fictif"),
]


@dataclass(frozen=True)
class QpvSite:
    """A QPV of the région: its code, box and whether a point lies inside (EPSG:3035 m)."""

    code: str
    box: Box


@dataclass(frozen=True)
class TownSite:
    """A town of the région that has QPV: its centre (EPSG:3035 m) and name."""

    x: float
    y: float
    name: str


class _Objects:
    """Nodes (EPSG:3035 coordinates, tags) and ways of an extract, ids in creation order."""

    def __init__(self) -> None:
        self.xy: list[NDArray[np.float64]] = []
        self.tags: dict[int, Tags] = {}
        self.n = 0
        self.ways: list[tuple[list[int], Tags]] = []

    def nodes(self, xy: NDArray[np.float64], tags: list[Tags] | None = None) -> int:
        """Add nodes and return the id of the first one."""
        first = self.n + 1
        self.xy.append(np.asarray(xy, dtype=np.float64).reshape(-1, 2))
        if tags is not None:
            self.tags.update({first + k: t for k, t in enumerate(tags) if t})
        self.n += len(self.xy[-1])
        return first


def _lattice(boxes: list[Box]) -> NDArray[np.int64]:
    """Return the lattice indices ``(i, j)`` inside any of the boxes, sorted by ``(j, i)``."""
    parts = []
    for x0, y0, x1, y1 in boxes:
        i = np.arange(np.ceil(x0 / LATTICE_M), np.floor(x1 / LATTICE_M) + 1, dtype=np.int64)
        j = np.arange(np.ceil(y0 / LATTICE_M), np.floor(y1 / LATTICE_M) + 1, dtype=np.int64)
        ii, jj = np.meshgrid(i, j)
        parts.append(np.column_stack([ii.ravel(), jj.ravel()]))
    ij = np.unique(np.concatenate(parts), axis=0)
    return ij[np.lexsort((ij[:, 0], ij[:, 1]))]


def _runs(ij: NDArray[np.int64], axis: int) -> list[NDArray[np.intp]]:
    """Return runs of neighbouring lattice nodes along ``axis`` (0: rows, 1: columns)."""
    along, across = ij[:, axis], ij[:, 1 - axis]
    order = np.lexsort((along, across))
    a, c = along[order], across[order]
    cut = np.flatnonzero((np.diff(a) != 1) | (np.diff(c) != 0)) + 1
    out = []
    for run in np.split(order, cut):
        for start in range(0, len(run) - 1, _WAY_NODES - 1):
            piece = run[start : start + _WAY_NODES]
            if len(piece) >= 2:
                out.append(piece)
    return out


def _streets(obj: _Objects, boxes: list[Box]) -> NDArray[np.float64]:
    """Add the street lattice; return its node coordinates (id order)."""
    ij = _lattice(boxes)
    xy = ij.astype(np.float64) * LATTICE_M
    first = obj.nodes(xy)
    for axis, word in ((0, "Rue"), (1, "Avenue")):
        for run in _runs(ij, axis):
            line = int(ij[run[0], 1 - axis])
            kind = "tertiary" if line % 8 == 0 else "residential"
            tags = {"highway": kind, "name": f"{word} fictive {line}"}
            obj.ways.append(((run + first).tolist(), tags))
    return xy


def _roads(obj: _Objects, lattice_xy: NDArray[np.float64], towns: list[TownSite]) -> None:
    """Join the towns one after another by straight secondary roads (new inner nodes)."""
    ends = [int(np.argmin(np.hypot(*(lattice_xy - (t.x, t.y)).T))) + 1 for t in towns]
    for k, (a, b) in enumerate(itertools.pairwise(ends)):
        pa, pb = lattice_xy[a - 1], lattice_xy[b - 1]
        steps = max(int(np.hypot(*(pb - pa)) // _ROAD_STEP_M), 1)
        t = np.arange(1, steps)[:, None] / steps
        refs = [a]
        if len(t):
            first = obj.nodes(pa + t * (pb - pa))
            refs += list(range(first, first + len(t)))
        refs.append(b)
        obj.ways.append((refs, {"highway": "secondary", "name": f"Route fictive {k + 1}"}))


def _blocks(sites: list[QpvSite]) -> NDArray[np.float64]:
    """Return the south-west corners of the lattice blocks near the QPV (sorted, unique)."""
    grown = [(b[0] - BUILT_MARGIN_M, b[1] - BUILT_MARGIN_M, b[2] + BUILT_MARGIN_M - LATTICE_M,
              b[3] + BUILT_MARGIN_M - LATTICE_M) for b in (s.box for s in sites)]  # fmt: skip
    return _lattice(grown).astype(np.float64) * LATTICE_M


def _buildings(obj: _Objects, sites: list[QpvSite], rng: Generator) -> None:
    """One residential building and two trees per lattice block near the QPV."""
    corner = _blocks(sites)
    n = len(corner)
    inside = np.zeros(n, dtype=bool)
    for s in sites:
        x0, y0, x1, y1 = s.box
        cx, cy = corner[:, 0] + LATTICE_M / 2, corner[:, 1] + LATTICE_M / 2
        inside |= (cx >= x0) & (cx <= x1) & (cy >= y0) & (cy <= y1)
    draw = rng.random((n, 6))
    w = np.where(inside, 30 + 30 * draw[:, 0], 10 + 8 * draw[:, 0])
    d = np.where(inside, 12 + 6 * draw[:, 1], 8 + 5 * draw[:, 1])
    cx = corner[:, 0] + 30 + (LATTICE_M - 60) * draw[:, 2]
    cy = corner[:, 1] + 30 + (LATTICE_M - 60) * draw[:, 3]
    sx, sy = np.array([-1, 1, 1, -1]) / 2, np.array([-1, -1, 1, 1]) / 2
    ring = np.stack([cx[:, None] + w[:, None] * sx, cy[:, None] + d[:, None] * sy], axis=2)
    first = obj.nodes(ring.reshape(-1, 2))
    levels = np.where(inside, 4 + np.floor(draw[:, 4] * 7), 1 + np.floor(draw[:, 4] * 2))
    for k in range(n):
        tags = {"building": "apartments" if inside[k] else "house"}
        if draw[k, 5] < 0.6:
            tags["building:levels"] = str(int(levels[k]))
        refs = [first + 4 * k + v for v in (0, 1, 2, 3, 0)]
        obj.ways.append((refs, tags))
    trees = corner[np.repeat(np.arange(n), 2)] + rng.uniform(5, LATTICE_M - 5, (2 * n, 2))
    crowns = rng.uniform(4, 12, 2 * n)
    obj.nodes(trees, [{"natural": "tree", "diameter_crown": f"{c:.0f}"} for c in crowns])


def _places(obj: _Objects, sites: list[QpvSite], towns: list[TownSite], rng: Generator) -> None:
    """Places around each QPV (points, a park), a town hall and a place node per town."""
    xy: list[tuple[float, float]] = []
    tags: list[Tags] = []
    parks: list[tuple[NDArray[np.float64], Tags]] = []
    for s in sites:
        cx, cy = (s.box[0] + s.box[2]) / 2, (s.box[1] + s.box[3]) / 2
        offsets = rng.uniform(-900.0, 900.0, (len(_PLACES) + 1, 2))
        for (t, name), (dx, dy) in zip(_PLACES, offsets[:-1], strict=True):
            xy.append((cx + dx, cy + dy))
            tags.append({**t, "name": f"{name} {s.code}"})
        px, py = cx + offsets[-1, 0], cy + offsets[-1, 1]
        square = np.array([[px, py], [px + 120, py], [px + 120, py + 100], [px, py + 100]])
        parks.append((square, {"leisure": "park", "name": f"Parc fictif {s.code}"}))
    for town in towns:
        xy += [(town.x + 40.0, town.y + 40.0), (town.x, town.y)]
        tags += [{"amenity": "townhall", "name": f"Mairie de {town.name}"},
                 {"place": "town", "name": town.name}]  # fmt: skip
    obj.nodes(np.array(xy), tags)
    for square, park in parks:
        first = obj.nodes(square)
        obj.ways.append(([first, first + 1, first + 2, first + 3, first], park))


def write_region_osm(
    region: str,
    sites: list[QpvSite],
    towns: list[TownSite],
    path: Path,
    rng: Generator,
    *,
    first_id: int = 1,
) -> dict[str, int]:
    """Write the extract of one région to ``path`` (``.osm.pbf``); return its counts.

    Parameters
    ----------
    region
        Région code (named in the header).
    sites
        The région's QPV (boxes in EPSG:3035).
    towns
        The towns with QPV, in the order the joining roads follow.
    path
        Where to write.
    rng
        Generator of the buildings, trees, places and metadata.
    first_id
        Id of the first node and of the first way: the extracts of a France take ids
        apart (:data:`IDS_PER_REGION` each), so that their ids never collide, as in OSM.
    """
    obj = _Objects()
    grown = [(b[0] - OSM_MARGIN_M, b[1] - OSM_MARGIN_M, b[2] + OSM_MARGIN_M, b[3] + OSM_MARGIN_M)
             for b in (s.box for s in sites)]  # fmt: skip
    lattice = _streets(obj, grown)
    _roads(obj, lattice, towns)
    _buildings(obj, sites, rng)
    _places(obj, sites, towns, rng)
    return _write(obj, region, path, rng, first_id - 1)


def _write(obj: _Objects, region: str, path: Path, rng: Generator, offset: int) -> dict[str, int]:
    xy = np.concatenate(obj.xy)
    lon, lat = _TO_WGS84.transform(xy[:, 0], xy[:, 1])
    lon, lat = np.round(lon, 7), np.round(lat, 7)
    header = osmium.io.Header()
    header.set("generator", f"quartiers demo : France fictive, région {region} (données inventées)")
    header.set("osmosis_replication_timestamp", "2024-01-01T00:00:00Z")
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path), header=header)
    try:
        versions, seconds = _meta(rng, len(xy))
        for k in range(len(xy)):
            node = Node(location=(float(lon[k]), float(lat[k])))
            node.tags = obj.tags.get(k + 1, {})
            _stamp(node, offset + k + 1, versions[k], seconds[k])
            writer.add_node(node)
        versions, seconds = _meta(rng, len(obj.ways))
        for k, (refs, tags) in enumerate(obj.ways):
            way = Way(nodes=[offset + r for r in refs])
            way.tags = tags
            _stamp(way, offset + k + 1, versions[k], seconds[k])
            writer.add_way(way)
    finally:
        writer.close()
    return {"noeuds": len(xy), "voies": len(obj.ways)}
