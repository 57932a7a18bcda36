"""Master plan of the fictitious territory « Ville-Témoin » in the plan frame (metres).

The large-scale layout is fixed (documented in ``docs/demo.md``) so that the story the demo
tells does not depend on the seed: a dense old centre on the north bank of a river, a
grands-ensembles estate on the south bank far from the bridges, suburbs, parks and woods, and
three small neighbouring communes. The seed only moves details (outlines, warp, buildings).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import shapely
from numpy.random import Generator
from numpy.typing import NDArray

from quartiers.demo._geometry import wobbly_ring

__all__ = ["Commune", "Layout", "Zone", "build_layout", "river_centre_v"]


class Zone(IntEnum):
    """Land-use class of a point of the plan (higher values never win over lower ones)."""

    NONE = 0  # outside the territory
    WATER = 1
    WOOD = 2
    PARK = 3
    INDUSTRIAL = 4
    GRANDS_ENSEMBLES = 5
    CENTRE_ANCIEN = 6
    CENTRE = 7
    COLLECTIF = 8
    PAVILLONNAIRE = 9
    VILLAGE_CENTRE = 10
    VILLAGE = 11
    RURAL = 12


#: Zones where people live (buildings with dwellings).
RESIDENTIAL_ZONES = frozenset(
    {
        Zone.GRANDS_ENSEMBLES,
        Zone.CENTRE_ANCIEN,
        Zone.CENTRE,
        Zone.COLLECTIF,
        Zone.PAVILLONNAIRE,
        Zone.VILLAGE_CENTRE,
        Zone.VILLAGE,
        Zone.RURAL,
    }
)


@dataclass(frozen=True)
class Commune:
    """One fictitious commune: INSEE code, name, plan-frame outline, main square (bourg)."""

    code: str
    name: str
    polygon: shapely.Geometry
    bourg: tuple[float, float]


@dataclass(frozen=True)
class Named:
    """A named plan-frame polygon (park, wood, pond, QPV)."""

    name: str
    polygon: shapely.Geometry


@dataclass
class Layout:
    """Every large-scale shape of the territory, in the plan frame (m from the centre)."""

    territory: shapely.Geometry
    communes: list[Commune]
    river_line: shapely.LineString
    river: shapely.Geometry
    ponds: list[Named]
    woods: list[Named]
    parks: list[Named]
    industrial: shapely.Geometry
    grands_ensembles: shapely.Geometry
    qpv: list[tuple[str, Named]]  # (code_qp, name + outline)
    centre_ancien: shapely.Geometry
    centre: shapely.Geometry
    collectif: shapely.Geometry
    urban: shapely.Geometry
    village_centres: shapely.Geometry
    villages: shapely.Geometry

    def zone_at(self, u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.int8]:
        """Return the :class:`Zone` of each plan point (vectorised)."""
        zone = np.full(u.shape, int(Zone.NONE), dtype=np.int8)
        layers: list[tuple[Zone, shapely.Geometry]] = [
            (Zone.RURAL, self.territory),
            (Zone.VILLAGE, self.villages),
            (Zone.VILLAGE_CENTRE, self.village_centres),
            (Zone.PAVILLONNAIRE, self.urban),
            (Zone.CENTRE, self.centre),
            (Zone.COLLECTIF, self.collectif),
            (Zone.CENTRE_ANCIEN, self.centre_ancien),
            (Zone.GRANDS_ENSEMBLES, self.grands_ensembles),
            (Zone.INDUSTRIAL, self.industrial),
            (Zone.PARK, shapely.union_all([p.polygon for p in self.parks])),
            (Zone.WOOD, shapely.union_all([w.polygon for w in self.woods])),
            (Zone.WATER, self.water),
        ]
        for value, geom in layers:
            shapely.prepare(geom)
            inside = shapely.contains_xy(geom, u, v)
            zone[inside] = int(value)
        zone[~shapely.contains_xy(self.territory, u, v)] = int(Zone.NONE)
        return zone

    @property
    def water(self) -> shapely.Geometry:
        """River and ponds (plan frame)."""
        return shapely.union_all([self.river, *[p.polygon for p in self.ponds]])

    def commune_of(self, u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.object_]:
        """Return the INSEE code of the commune of each plan point ('' outside)."""
        out = np.full(u.shape, "", dtype=object)
        for commune in self.communes:
            shapely.prepare(commune.polygon)
            out[shapely.contains_xy(commune.polygon, u, v)] = commune.code
        return out


def river_centre_v(u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the northing (plan frame, m) of the river's centre line at easting ``u``."""
    return (
        -300.0
        + 200.0 * np.sin(2 * np.pi * u / 7000.0)
        + 70.0 * np.sin(2 * np.pi * u / 2300.0 + 1.0)
    )


def _squares(u0: float, v0: float, u1: float, v1: float) -> shapely.Polygon:
    return shapely.box(u0, v0, u1, v1)


def _harmonics(rng: Generator, amp: float) -> tuple[tuple[int, float, float], ...]:
    """Draw a few outline harmonics whose amplitudes add up to about ``amp``."""
    ks = (2, 3, 5, 7)
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    phases = rng.uniform(0, 2 * np.pi, size=len(ks))
    return tuple((k, float(amp * w), float(p)) for k, w, p in zip(ks, weights, phases, strict=True))


def _ray(rng: Generator, angle_deg: float, *, length: float = 14_000.0) -> NDArray[np.float64]:
    """Return a wobbly ray from the centre: the shared border of two outer communes."""
    r = np.arange(0.0, length + 1.0, 500.0)
    a = np.deg2rad(angle_deg)
    wobble = np.where(r > 3000.0, rng.normal(0.0, 180.0, size=r.size), 0.0)
    x = r * np.cos(a) - wobble * np.sin(a)
    y = r * np.sin(a) + wobble * np.cos(a)
    return np.column_stack([x, y])


def _communes(rng: Generator, territory: shapely.Geometry) -> list[Commune]:
    town = shapely.intersection(
        territory, wobbly_ring(200.0, -300.0, 4300.0, 4000.0, harmonics=_harmonics(rng, 0.09))
    )
    # Outer communes are wedges between three wobbly rays, minus the town.
    rays = {a: _ray(rng, a) for a in (75.0, 205.0, 315.0)}
    wedges = {
        ("00003", "Bourg-Modèle", (6000.0, 800.0)): (315.0, 435.0),
        ("00002", "Saint-Fictif", (-5200.0, 3800.0)): (75.0, 205.0),
        ("00004", "Val-d'Essai", (-1000.0, -5800.0)): (205.0, 315.0),
    }
    out = [Commune("00001", "Ville-Témoin", town, (100.0, 500.0))]
    for (code, name, bourg), (a0, a1) in wedges.items():
        start = rays[a0 % 360.0]
        end = rays[a1 % 360.0]
        arc = np.deg2rad(np.linspace(a0, a1, 24))
        far = 20_000.0 * np.column_stack([np.cos(arc), np.sin(arc)])
        ring = np.vstack([start, far, end[::-1]])
        wedge = shapely.make_valid(shapely.Polygon(ring))
        poly = shapely.difference(shapely.intersection(territory, wedge), town)
        out.append(Commune(code, name, poly, bourg))
    return sorted(out, key=lambda c: c.code)


def _strip_along_river(u0: float, u1: float, near: float, far: float) -> shapely.Polygon:
    """Return the band between ``near`` and ``far`` metres north of the river axis."""
    u = np.linspace(u0, u1, 40)
    v = river_centre_v(u)
    ring = np.vstack([np.column_stack([u, v + near]), np.column_stack([u[::-1], v[::-1] + far])])
    return shapely.Polygon(ring)


def build_layout(rng: Generator) -> Layout:
    """Return the master plan; ``rng`` only perturbs outlines, never the arrangement."""
    territory = wobbly_ring(0.0, 0.0, 8600.0, 7600.0, harmonics=_harmonics(rng, 0.07), n=160)
    communes = _communes(rng, territory)
    river_line, river = _river(territory)
    ponds, woods = _ponds_and_woods(rng, territory)
    ge = shapely.union_all([_squares(900, -2100, 2100, -1500), _squares(2100, -1800, 2400, -1500)])
    qpv_a = Named("Le Plateau (fictif)", ge)
    qpv_b = Named(
        "Centre ancien (fictif)",
        shapely.difference(_squares(0, 200, 500, 700), _squares(400, 600, 500, 700)),
    )
    industrial = _squares(2300, 1100, 3500, 1800)
    centre_ancien = shapely.Point(100.0, 500.0).buffer(560.0, 32)
    centre = wobbly_ring(100.0, 300.0, 1150.0, 1100.0, harmonics=_harmonics(rng, 0.06))
    collectif = shapely.union_all(
        [
            _squares(-1700, 150, -1300, 450),
            _squares(750, 2050, 1050, 2350),
            _squares(-750, -1750, -450, -1450),
            _squares(2500, -1300, 2800, -1000),
        ]
    )
    urban = shapely.union_all(
        [
            wobbly_ring(300.0, -200.0, 2650.0, 2450.0, harmonics=_harmonics(rng, 0.08)),
            shapely.buffer(ge, 250.0),
            shapely.buffer(industrial, 150.0),
        ]
    )
    village_centres = shapely.union_all(
        [shapely.Point(c.bourg).buffer(230.0, 16) for c in communes[1:]]
    )
    villages = shapely.union_all(
        [
            wobbly_ring(c.bourg[0], c.bourg[1], 900.0, 800.0, harmonics=_harmonics(rng, 0.12))
            for c in communes[1:]
        ]
    )
    return Layout(
        territory=territory,
        communes=communes,
        river_line=shapely.intersection(river_line, territory),
        river=river,
        ponds=ponds,
        woods=woods,
        parks=_parks(),
        industrial=industrial,
        grands_ensembles=ge,
        qpv=[("QN00001A", qpv_a), ("QN00001B", qpv_b)],
        centre_ancien=centre_ancien,
        centre=centre,
        collectif=collectif,
        urban=urban,
        village_centres=village_centres,
        villages=villages,
    )


def _river(territory: shapely.Geometry) -> tuple[shapely.LineString, shapely.Geometry]:
    """Return the river's axis (whole) and its water surface within ``territory``."""
    u = np.linspace(-9800.0, 9800.0, 400)
    river_line = shapely.LineString(np.column_stack([u, river_centre_v(u)]))
    # Width grows downstream (eastwards) from about 44 m to 64 m.
    river = shapely.intersection(
        shapely.union_all(
            [
                shapely.buffer(
                    shapely.LineString(
                        np.column_stack([u[i : i + 2], river_centre_v(u[i : i + 2])])
                    ),
                    22.0 + 10.0 * (u[i] + 9800.0) / 19_600.0,
                )
                for i in range(u.size - 1)
            ]
        ),
        territory,
    )
    return river_line, river


def _ponds_and_woods(
    rng: Generator, territory: shapely.Geometry
) -> tuple[list[Named], list[Named]]:
    """Return the ponds and the woods (cut to ``territory``)."""
    ponds = [
        Named("Bassin du Jardin des Plantes", wobbly_ring(-560.0, 1180.0, 28.0, 18.0, n=24)),
        Named(
            "Étang des Essais",
            wobbly_ring(4700.0, -3750.0, 190.0, 110.0, harmonics=_harmonics(rng, 0.1), n=48),
        ),
    ]
    woods = [
        Named(
            "Forêt de la Garenne",
            wobbly_ring(-6100.0, 800.0, 1500.0, 1050.0, harmonics=_harmonics(rng, 0.15)),
        ),
        Named(
            "Bois des Essais",
            wobbly_ring(4200.0, -4700.0, 1250.0, 850.0, harmonics=_harmonics(rng, 0.15)),
        ),
        Named(
            "Bois du Calvaire",
            wobbly_ring(-1700.0, 2300.0, 450.0, 330.0, harmonics=_harmonics(rng, 0.1)),
        ),
    ]
    return ponds, [Named(w.name, shapely.intersection(w.polygon, territory)) for w in woods]


def _parks() -> list[Named]:
    """Return the parks and gardens (fixed outlines)."""
    return [
        Named("Jardin des Plantes", _squares(-720, 1080, -420, 1300)),
        Named("Promenade des Berges", _strip_along_river(-1800.0, -300.0, 40.0, 170.0)),
        Named("Parc du Moulin", _squares(150, -820, 450, -580)),
        Named("Square des Tilleuls", _squares(1430, -1740, 1500, -1680)),
        Named("Parc de la Source", _squares(-1900, -900, -1750, -750)),
        Named("Parc des Coteaux", _squares(1100, 1950, 1300, 2100)),
        Named("Jardin de la Butte", _squares(-2300, 1550, -2120, 1690)),
        Named("Square de la Mairie (Saint-Fictif)", _squares(-5150, 3700, -5060, 3770)),
        Named("Pré communal (Bourg-Modèle)", _squares(6060, 860, 6160, 940)),
        Named("Jardin du Lavoir (Val-d'Essai)", _squares(-940, -5760, -860, -5690)),
    ]
