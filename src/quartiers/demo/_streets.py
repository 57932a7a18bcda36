"""Street network of the demo territory: a 100 m lattice thinned by land use.

Each zone keeps every k-th lattice line as a street of its class (k = 1 in the old centre,
2 in the suburbs, 6 in the countryside…); a few long axes (main roads, a bypass) override the
zones; the river cuts every line except at five bridges, one of which (the bypass) is closed
to pedestrians. Streets are returned as OSM-like ways over lattice nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.random import Generator
from numpy.typing import NDArray

from quartiers.demo._geometry import STEP_M
from quartiers.demo._layout import Layout, Zone, river_centre_v

__all__ = ["Lattice", "Street", "StreetNet", "build_streets"]


@dataclass(frozen=True)
class Lattice:
    """Index box of the lattice: nodes (i, j) at plan point (i * STEP_M, j * STEP_M)."""

    imin: int
    imax: int
    jmin: int
    jmax: int

    @property
    def ni(self) -> int:
        """Number of lattice columns."""
        return self.imax - self.imin + 1

    def key(self, i: NDArray[np.int64], j: NDArray[np.int64]) -> NDArray[np.int64]:
        """Return the integer key of nodes (i, j)."""
        return (i - self.imin) + (j - self.jmin) * self.ni

    def uv(self, key: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return plan coordinates (m) of node keys."""
        i = key % self.ni + self.imin
        j = key // self.ni + self.jmin
        return i.astype("float64") * STEP_M, j.astype("float64") * STEP_M


@dataclass
class Street:
    """One way: lattice node keys in order and its OSM tags."""

    nodes: list[int]
    tags: dict[str, str]


@dataclass
class StreetNet:
    """The street network (plan frame)."""

    lattice: Lattice
    streets: list[Street] = field(default_factory=list)
    # Edge list, for blocks, trees and tests: node keys and highway class per edge.
    edge_a: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    edge_b: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    edge_class: NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, dtype=object))


# (highway, k, drop probability) rules tried in order for each zone.
_RULES: dict[int, list[tuple[str, int, float]]] = {
    Zone.CENTRE_ANCIEN: [("residential", 1, 0.04)],
    Zone.CENTRE: [("residential", 1, 0.10)],
    Zone.GRANDS_ENSEMBLES: [("residential", 3, 0.0), ("footway", 1, 0.45)],
    Zone.COLLECTIF: [("residential", 2, 0.0), ("footway", 1, 0.5)],
    Zone.PAVILLONNAIRE: [("residential", 2, 0.08)],
    Zone.VILLAGE_CENTRE: [("residential", 1, 0.12)],
    Zone.VILLAGE: [("residential", 2, 0.15)],
    Zone.INDUSTRIAL: [("service", 3, 0.1)],
    Zone.PARK: [("footway", 1, 0.55)],
    Zone.WOOD: [("track", 4, 0.2), ("path", 2, 0.6)],
    Zone.RURAL: [("unclassified", 8, 0.3), ("track", 4, 0.7)],
}

# Long roads: (orientation, line index, low, high (m), highway, name).
_AXES: list[tuple[str, int, float, float, str, str]] = [
    ("v", 0, -7600, 7600, "primary", "Grande Rue"),
    ("h", 8, -9000, 9000, "primary", "Boulevard de l'Essai"),
    ("v", 28, -4200, 3200, "secondary", "Avenue de l'Est"),
    ("h", -21, -4200, 5200, "secondary", "Boulevard du Plateau"),
    ("h", 38, -8000, 0, "secondary", "Route de Saint-Fictif"),
    ("v", -10, -7600, -2500, "secondary", "Route de Val-d'Essai"),
    ("v", 42, -7600, 7600, "trunk", "Rocade Est"),
    ("v", -60, -3200, 5200, "tertiary", "Route de la Garenne"),
    ("h", -45, -8000, 7600, "tertiary", "Route des Essais"),
]

# Bridges: lattice column → name. Column 42 carries the bypass (no pedestrians).
_BRIDGES: dict[int, str] = {
    0: "Pont Vieux",
    28: "Pont de l'Est",
    -22: "Passerelle des Berges",
    42: "Pont de la Rocade",
    -60: "Pont de la Garenne",
}

_STREET_WORDS = [
    "des Tilleuls", "du Moulin", "de la Fontaine", "des Lilas", "du Stade", "des Écoles",
    "de la Gare", "des Acacias", "du Lavoir", "des Vignes", "de la Prairie", "des Peupliers",
    "du Four", "des Jardins", "de l'Étang", "des Chênes", "du Calvaire", "de la Forge",
    "des Mésanges", "du Verger", "des Roses", "de la Croix", "des Saules", "du Pressoir",
    "des Charmes", "de la Source", "des Merisiers", "du Puits", "des Noisetiers", "de l'Abbaye",
]  # fmt: skip
_STREET_KINDS = ["Rue", "Rue", "Rue", "Allée", "Impasse", "Chemin", "Avenue"]


def build_streets(layout: Layout, rng: Generator) -> StreetNet:
    """Return the street network of the territory (plan frame)."""
    minx, miny, maxx, maxy = shapely.bounds(layout.territory)
    lat = Lattice(
        int(np.floor(minx / STEP_M)),
        int(np.ceil(maxx / STEP_M)),
        int(np.floor(miny / STEP_M)),
        int(np.ceil(maxy / STEP_M)),
    )
    edges: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_], NDArray[np.bool_]]]
    edges = []
    names: dict[tuple[str, int], str] = {}
    streets: list[Street] = []
    for orient in ("h", "v"):
        ii, jj = np.meshgrid(
            np.arange(lat.imin, lat.imax + (0 if orient == "h" else 1)),
            np.arange(lat.jmin, lat.jmax + (1 if orient == "h" else 0)),
        )
        i0 = ii.ravel().astype(np.int64)
        j0 = jj.ravel().astype(np.int64)
        i1 = i0 + (1 if orient == "h" else 0)
        j1 = j0 + (0 if orient == "h" else 1)
        cls, bridge = _classify(layout, rng, orient, i0, j0, i1, j1)
        keep = cls != ""
        edges.append(
            (lat.key(i0[keep], j0[keep]), lat.key(i1[keep], j1[keep]), cls[keep], bridge[keep])
        )
        streets.extend(_ways(lat, rng, orient, i0[keep], j0[keep], cls[keep], bridge[keep], names))
    a = np.concatenate([e[0] for e in edges])
    b = np.concatenate([e[1] for e in edges])
    c = np.concatenate([e[2] for e in edges])
    return StreetNet(lattice=lat, streets=streets, edge_a=a, edge_b=b, edge_class=c)


def _classify(
    layout: Layout,
    rng: Generator,
    orient: str,
    i0: NDArray[np.int64],
    j0: NDArray[np.int64],
    i1: NDArray[np.int64],
    j1: NDArray[np.int64],
) -> tuple[NDArray[np.object_], NDArray[np.bool_]]:
    """Return the highway class ('' = no street) and bridge flag of lattice edges."""
    u0, v0 = i0.astype(np.float64) * STEP_M, j0.astype(np.float64) * STEP_M
    u1, v1 = i1.astype(np.float64) * STEP_M, j1.astype(np.float64) * STEP_M
    zone = layout.zone_at((u0 + u1) / 2.0, (v0 + v1) / 2.0)
    line = j0 if orient == "h" else i0
    step = i0 if orient == "h" else j0
    # One draw per lattice node; an edge uses the draw of the start of its block side, so a
    # street is dropped between two crossings at once rather than in 100 m crumbs.
    draws = rng.random((int(j0.max() - j0.min()) + 2, int(i0.max() - i0.min()) + 2))
    cls = np.full(i0.size, "", dtype=object)
    for z, rules in _RULES.items():
        in_zone = zone == z
        taken = np.zeros(i0.size, dtype=bool)
        for highway, k, p_drop in rules:
            hit = in_zone & ~taken & (line % k == 0)
            taken |= hit
            start = (step // k) * k
            bi, bj = (start, line) if orient == "h" else (line, start)
            draw = draws[bj - j0.min(), bi - i0.min()]
            cls[hit & (draw >= p_drop)] = highway
    # Pedestrian streets in the heart of the old centre.
    core = ((u0 + u1) / 2.0 - 100.0) ** 2 + ((v0 + v1) / 2.0 - 500.0) ** 2 < 230.0**2
    cls[core & (cls == "residential")] = "pedestrian"
    pos = (u0 + u1) / 2.0 if orient == "h" else (v0 + v1) / 2.0
    axis = np.zeros(i0.size, dtype=bool)
    for ax_orient, index, low, high, highway, _name in _AXES:
        if ax_orient == orient:
            on = (line == index) & (pos >= low) & (pos <= high) & (zone != Zone.NONE)
            cls[on] = highway
            axis |= on
    inside = shapely.contains_xy(layout.territory, u0, v0) & shapely.contains_xy(
        layout.territory, u1, v1
    )
    cls[~inside] = ""
    # Water cuts every edge except bridges over the river.
    segs = shapely.linestrings(np.stack([np.column_stack([u0, v0]), np.column_stack([u1, v1])], 1))
    water = layout.water
    shapely.prepare(water)
    wet = shapely.intersects(water, segs)
    bridge = np.zeros(i0.size, dtype=bool)
    if orient == "v":
        shapely.prepare(layout.river)
        over_river = wet & shapely.intersects(layout.river, segs)
        near = np.abs((v0 + v1) / 2.0 - river_centre_v(u0)) < 400.0
        for col in _BRIDGES:
            bridge |= over_river & (i0 == col) & inside
            # Approaches to a bridge are never dropped, or the bridge would dangle.
            cls[near & (i0 == col) & inside & ~wet & (cls == "")] = "footway"
        cls[bridge & ~axis] = "footway"
    cls[wet & ~bridge] = ""
    return cls, bridge


def _ways(
    lat: Lattice,
    rng: Generator,
    orient: str,
    i0: NDArray[np.int64],
    j0: NDArray[np.int64],
    cls: NDArray[np.object_],
    bridge: NDArray[np.bool_],
    names: dict[tuple[str, int], str],
) -> list[Street]:
    """Group consecutive edges of a lattice line with the same class into ways."""
    line = j0 if orient == "h" else i0
    step = i0 if orient == "h" else j0
    order = np.lexsort((step, line))
    out: list[Street] = []
    run: list[int] = []
    prev: tuple[int, int, str, bool] | None = None
    for idx in order:
        ln, st, c, br = int(line[idx]), int(step[idx]), str(cls[idx]), bool(bridge[idx])
        a = _node(lat, orient, ln, st)
        b = _node(lat, orient, ln, st + 1)
        contiguous = prev is not None and prev[0] == ln and prev[1] == st - 1
        same = contiguous and prev is not None and prev[2] == c and prev[3] == br
        if same and len(run) < 13:
            run.append(b)
        else:
            if prev is not None and run:
                out.append(Street(run, _tags(rng, orient, prev[0], prev[2], prev[3], names)))
            run = [a, b]
        prev = (ln, st, c, br)
    if prev is not None and run:
        out.append(Street(run, _tags(rng, orient, prev[0], prev[2], prev[3], names)))
    return out


def _node(lat: Lattice, orient: str, line: int, step: int) -> int:
    i, j = (step, line) if orient == "h" else (line, step)
    return int((i - lat.imin) + (j - lat.jmin) * lat.ni)


def _tags(
    rng: Generator,
    orient: str,
    line: int,
    highway: str,
    bridge: bool,
    names: dict[tuple[str, int], str],
) -> dict[str, str]:
    """Return OSM tags of one street way."""
    tags = {"highway": highway}
    axis = next((a for a in _AXES if a[0] == orient and a[1] == line and a[4] == highway), None)
    if axis is not None:
        tags["name"] = axis[5]
        tags["surface"] = "asphalt"
        if highway in ("primary", "secondary"):
            tags["sidewalk"] = "both"
        if highway == "trunk":
            tags.update({"foot": "no", "bicycle": "no", "maxspeed": "90", "lanes": "2"})
    elif highway in ("residential", "pedestrian", "unclassified"):
        key = (orient, line)
        if key not in names:
            kind = _STREET_KINDS[int(rng.integers(len(_STREET_KINDS)))]
            word = _STREET_WORDS[int(rng.integers(len(_STREET_WORDS)))]
            names[key] = f"{kind} {word}"
        tags["name"] = names[key]
        if highway == "pedestrian":
            tags["surface"] = "paving_stones"
    elif highway == "service" and rng.random() < 0.15:
        tags["access"] = "private"
    elif highway in ("footway", "path"):
        tags["surface"] = "gravel" if rng.random() < 0.6 else "asphalt"
    if bridge:
        tags.update({"bridge": "yes", "layer": "1"})
        name = _BRIDGES.get(line)
        if name is not None:
            tags["bridge:name"] = name
            if highway == "footway":
                tags["name"] = name
    return tags
