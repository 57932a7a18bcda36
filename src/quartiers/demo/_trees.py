"""Single trees of the demo territory: street trees, park trees, garden trees.

Street trees line the main roads and some suburban streets, parks are planted densely,
suburban gardens hold a few trees, and the grands ensembles get very few: the canopy gap
the diagnostic should find there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator

from quartiers.demo._geometry import STEP_M
from quartiers.demo._layout import Layout, Zone
from quartiers.demo._streets import StreetNet

__all__ = ["plant_trees"]

# Probability that a street of a zone is lined with trees.
_STREET_P: dict[int, float] = {
    Zone.CENTRE_ANCIEN: 0.04, Zone.CENTRE: 0.2, Zone.GRANDS_ENSEMBLES: 0.04,
    Zone.COLLECTIF: 0.35, Zone.PAVILLONNAIRE: 0.35, Zone.VILLAGE_CENTRE: 0.1,
    Zone.VILLAGE: 0.15,
}  # fmt: skip
# Trees per hectare of each park.
_PARK_DENSITY = {
    "Jardin des Plantes": 70.0,
    "Promenade des Berges": 45.0,
    "Square des Tilleuls": 12.0,
}
_GENERA = ["Platanus", "Tilia", "Acer", "Quercus", "Prunus", "Fraxinus", "Carpinus", "Betula"]


def plant_trees(
    layout: Layout, net: StreetNet, squares: pd.DataFrame, rng: Generator
) -> pd.DataFrame:
    """Return one row per tree: plan ``u, v`` (m), ``crown`` diameter (m), ``kind``."""
    parts = [_street_trees(layout, net, rng), _park_trees(layout, rng), _garden_trees(squares, rng)]
    trees = pd.concat(parts, ignore_index=True)
    water = layout.water
    shapely.prepare(water)
    dry = ~shapely.contains_xy(water, trees["u"].to_numpy(), trees["v"].to_numpy())
    return pd.DataFrame(trees.loc[dry].reset_index(drop=True))


def _street_trees(layout: Layout, net: StreetNet, rng: Generator) -> pd.DataFrame:
    ua, va = net.lattice.uv(net.edge_a)
    ub, vb = net.lattice.uv(net.edge_b)
    zone = layout.zone_at((ua + ub) / 2, (va + vb) / 2)
    cls = net.edge_class
    main = np.isin(cls, ["primary", "secondary"]) & np.isin(
        zone, [int(z) for z in _STREET_P if z != Zone.GRANDS_ENSEMBLES]
    )
    p = np.array([_STREET_P.get(int(z), 0.0) for z in zone])
    lined = main | ((cls == "residential") & (rng.random(cls.size) < p))
    us, vs = [], []
    for a_u, a_v, b_u, b_v in zip(ua[lined], va[lined], ub[lined], vb[lined], strict=True):
        spacing = float(rng.uniform(10.0, 14.0))
        t = np.arange(spacing / 2, STEP_M, spacing) / STEP_M
        du, dv = b_u - a_u, b_v - a_v
        # Both sidewalks, 5 m off the centre line (perpendicular to the street).
        for side in (-1.0, 1.0):
            us.append(a_u + t * du + side * 5.0 * (-dv) / STEP_M)
            vs.append(a_v + t * dv + side * 5.0 * du / STEP_M)
    u = np.concatenate(us) if us else np.zeros(0)
    v = np.concatenate(vs) if vs else np.zeros(0)
    return pd.DataFrame({"u": u, "v": v, "crown": rng.uniform(4.0, 9.0, u.size), "kind": "street"})


def _park_trees(layout: Layout, rng: Generator) -> pd.DataFrame:
    frames = []
    for park in layout.parks:
        poly = park.polygon
        n = round(shapely.area(poly) / 10_000.0 * _PARK_DENSITY.get(park.name, 40.0))
        minx, miny, maxx, maxy = shapely.bounds(poly)
        u = rng.uniform(minx, maxx, 4 * n + 8)
        v = rng.uniform(miny, maxy, 4 * n + 8)
        inside = shapely.contains_xy(poly, u, v)
        u, v = u[inside][:n], v[inside][:n]
        frames.append(
            pd.DataFrame({"u": u, "v": v, "crown": rng.uniform(5.0, 14.0, u.size), "kind": "park"})
        )
    return pd.concat(frames, ignore_index=True)


def _garden_trees(squares: pd.DataFrame, rng: Generator) -> pd.DataFrame:
    """A few trees in the back gardens (middle band of suburban squares), few in estates."""
    per = {
        int(Zone.PAVILLONNAIRE): 2.2,
        int(Zone.VILLAGE): 2.0,
        int(Zone.COLLECTIF): 3.0,
        int(Zone.GRANDS_ENSEMBLES): 0.3,
        int(Zone.CENTRE): 0.6,
    }
    lam = squares["zone"].map(per).fillna(0.0).to_numpy()
    count = rng.poisson(lam)
    i = np.repeat(squares["i"].to_numpy(), count)
    j = np.repeat(squares["j"].to_numpy(), count)
    zone = np.repeat(squares["zone"].to_numpy(), count)
    ge = zone == int(Zone.GRANDS_ENSEMBLES)
    # Estates: trees along the square's edge, clear of the slabs in the middle.
    lu = np.where(ge, rng.uniform(7.0, 10.0, i.size), rng.uniform(12.0, 88.0, i.size))
    lv = np.where(ge, rng.uniform(10.0, 90.0, i.size), rng.uniform(38.0, 62.0, i.size))
    return pd.DataFrame(
        {
            "u": i * STEP_M + lu,
            "v": j * STEP_M + lv,
            "crown": rng.uniform(3.0, 8.0, i.size),
            "kind": "garden",
        }
    )
