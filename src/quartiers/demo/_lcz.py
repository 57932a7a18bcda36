"""Local Climate Zones of the demo territory, shaped like CEREMA's LCZ SPOT 2022 layer.

Blocks (the reference spatial units) are the faces of the road network, cut by water,
parks, woods and the territory's edge. Each block gets its morphology from the buildings
and trees inside it and an LCZ class consistent with its urban form: compact mid-rise (2)
in the old centre, open high-rise (4) or mid-rise (5) in the grands ensembles, open
low-rise (6) in the suburbs, large low-rise (8) in the business park, dense trees (A) in
woods, scattered trees (B) in parks, low plants (D) in fields, water (G).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.demo._layout import Layout, Zone
from quartiers.demo._streets import StreetNet

__all__ = ["LCZ_CODES", "lcz_blocks"]

#: LCZ labels as CEREMA writes them, indexed by ``lcz_int`` − 1.
LCZ_CODES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "A", "B", "C", "D", "E", "F", "G"]

_ROADS = ["trunk", "primary", "secondary", "tertiary", "unclassified", "residential",
          "pedestrian", "service"]  # fmt: skip
# Paved share of a block beyond buildings and roads (yards, car parks, squares), %.
_PAVED = {
    Zone.CENTRE_ANCIEN: 25.0, Zone.CENTRE: 15.0, Zone.GRANDS_ENSEMBLES: 22.0,
    Zone.COLLECTIF: 15.0, Zone.PAVILLONNAIRE: 8.0, Zone.VILLAGE_CENTRE: 12.0,
    Zone.VILLAGE: 8.0, Zone.INDUSTRIAL: 35.0, Zone.RURAL: 1.0, Zone.PARK: 6.0,
}  # fmt: skip


def lcz_blocks(
    layout: Layout, net: StreetNet, buildings: pd.DataFrame, trees: pd.DataFrame
) -> pd.DataFrame:
    """Return LCZ blocks in the plan frame with CEREMA's indicator fields.

    Columns: ``geometry`` (plan frame), ``hre`` (mean building height, m), ``bur``,
    ``ror``, ``bsr``, ``war``, ``ver``, ``vhr`` (building, road, bare soil, water,
    vegetation and high-vegetation shares, %) and ``lcz``/``lcz_int``; ``are`` (m²) is
    computed after warping, by the writer.
    """
    faces, zone = _faces(layout, net)
    area = shapely.area(faces)
    built, hsum, canopy = _cover(faces, buildings, trees)

    bur = np.minimum(100.0 * built / area, 100.0)
    hre = np.where(built > 0, hsum / np.maximum(built, 1e-9), 0.0)
    perimeter = shapely.length(faces)
    urban = ~np.isin(zone, [int(Zone.WATER), int(Zone.WOOD), int(Zone.RURAL), int(Zone.PARK)])
    ror = np.where(
        urban,
        np.minimum(100.0 * perimeter * 4.0 / area, 40.0),
        np.minimum(100.0 * perimeter * 2.5 / area, 5.0),
    )
    war = np.where(zone == int(Zone.WATER), 100.0, 0.0)
    paved = np.array([_PAVED.get(Zone(int(z)), 0.0) if z > 0 else 0.0 for z in zone])
    bsr = np.where(zone == int(Zone.RURAL), 6.0, np.where(zone == int(Zone.INDUSTRIAL), 5.0, 1.0))
    vhr = np.where(zone == int(Zone.WOOD), 92.0, np.minimum(100.0 * canopy / area, 90.0))
    ver = np.clip(100.0 - bur - ror - bsr - war - paved, 0.0, 100.0)
    ver = np.maximum(ver, np.minimum(vhr, 100.0 - war))
    lcz_int = _classify(zone, hre, bur, vhr)
    # Water blocks: only water.
    wet = zone == int(Zone.WATER)
    bur[wet] = ror[wet] = bsr[wet] = ver[wet] = vhr[wet] = hre[wet] = 0.0
    return pd.DataFrame(
        {
            "hre": np.round(hre, 1),
            "bur": np.round(bur, 1),
            "ror": np.round(ror, 1),
            "bsr": np.round(bsr, 1),
            "war": np.round(war, 1),
            "ver": np.round(ver, 1),
            "vhr": np.round(vhr, 1),
            "lcz": [LCZ_CODES[k - 1] for k in lcz_int],
            "lcz_int": lcz_int,
            "zone": zone,
            "geometry": faces,
        }
    )


def _faces(layout: Layout, net: StreetNet) -> tuple[NDArray[np.object_], NDArray[np.int8]]:
    """Return the blocks (faces of the roads cut by water, parks, woods) and their zone."""
    ua, va = net.lattice.uv(net.edge_a)
    ub, vb = net.lattice.uv(net.edge_b)
    road = np.isin(net.edge_class, _ROADS)
    segs = shapely.linestrings(
        np.stack([np.column_stack([ua[road], va[road]]), np.column_stack([ub[road], vb[road]])], 1)
    )
    cuts = [layout.territory, layout.water, layout.industrial]
    cuts += [p.polygon for p in layout.parks] + [w.polygon for w in layout.woods]
    edges = [shapely.boundary(g) for g in cuts]
    noded = shapely.union_all([*segs, *edges])
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    shapely.prepare(layout.territory)
    inside = shapely.contains_xy(
        layout.territory,
        shapely.get_x(shapely.point_on_surface(faces)),
        shapely.get_y(shapely.point_on_surface(faces)),
    )
    faces = faces[inside & (shapely.area(faces) > 1.0)]
    rep = shapely.point_on_surface(faces)
    order = np.lexsort((np.round(shapely.get_x(rep), 1), np.round(shapely.get_y(rep), 1)))
    faces, rep = faces[order], rep[order]
    return faces, layout.zone_at(shapely.get_x(rep), shapely.get_y(rep))


def _cover(
    faces: NDArray[np.object_], buildings: pd.DataFrame, trees: pd.DataFrame
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Return per block the built area, the area-weighted height sum and the tree canopy."""
    tree = shapely.STRtree(faces)
    bx = ((buildings["x0"] + buildings["x1"]) / 2).to_numpy()
    by = ((buildings["y0"] + buildings["y1"]) / 2).to_numpy()
    barea = ((buildings["x1"] - buildings["x0"]) * (buildings["y1"] - buildings["y0"])).to_numpy()
    pts, blk = tree.query(shapely.points(bx, by), predicate="within")
    built = np.bincount(blk, weights=barea[pts], minlength=faces.size)
    hsum = np.bincount(
        blk, weights=barea[pts] * buildings["height"].to_numpy()[pts], minlength=faces.size
    )
    tpts, tblk = tree.query(
        shapely.points(trees["u"].to_numpy(), trees["v"].to_numpy()), predicate="within"
    )
    crown = np.pi * (trees["crown"].to_numpy()[tpts] / 2.0) ** 2
    canopy = np.bincount(tblk, weights=crown, minlength=faces.size)
    return built, hsum, canopy


def _classify(
    zone: NDArray[np.int8],
    hre: NDArray[np.float64],
    bur: NDArray[np.float64],
    vhr: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Return ``lcz_int`` (1–17) of each block from its zone and morphology."""
    out = np.full(zone.size, 14, dtype=np.int64)  # D: low plants
    z = zone.astype(np.int64)
    out[z == Zone.WATER] = 17
    out[z == Zone.WOOD] = 11
    out[z == Zone.PARK] = np.where(vhr[z == Zone.PARK] >= 20.0, 12, 14)
    out[(z == Zone.RURAL) & (bur > 2.0)] = 9
    out[z == Zone.INDUSTRIAL] = 8
    ge = z == Zone.GRANDS_ENSEMBLES
    out[ge] = np.where(hre[ge] >= 20.0, 4, 5)
    ca = z == Zone.CENTRE_ANCIEN
    out[ca] = np.where(hre[ca] >= 9.0, 2, 3)
    ce = (z == Zone.CENTRE) | (z == Zone.VILLAGE_CENTRE)
    out[ce] = np.where(bur[ce] >= 25.0, 3, 6)
    out[z == Zone.COLLECTIF] = 5
    out[(z == Zone.PAVILLONNAIRE) | (z == Zone.VILLAGE)] = 6
    # Urban blocks without buildings (lawns, car parks) read as low plants.
    empty = ~np.isin(z, [Zone.WATER, Zone.WOOD, Zone.PARK, Zone.RURAL]) & (bur < 1.0)
    out[empty] = 14
    return out
