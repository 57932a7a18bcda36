"""Buildings of the demo territory, drawn square by square on the street lattice.

Each 100 m lattice square gets the buildings of its zone: perimeter blocks of 2–5 storeys in
the old centre, terraced houses in the faubourgs, slabs and towers in the grands ensembles,
detached houses in the suburbs, sheds in the business park, farms in the countryside.
Buildings stay 6 m inside their square, so no street ever crosses one. Residential
buildings carry dwellings, fiscal households, a construction period and a social-housing
flag: the Filosofi cells are summed from them, so people live where the buildings are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator

from quartiers.demo._geometry import STEP_M
from quartiers.demo._layout import Layout, Zone
from quartiers.demo._streets import Lattice

__all__ = ["PERIODS", "Footprint", "build_buildings", "buildable_squares", "parking_lots"]

#: Construction periods, in the order of Filosofi's ``log_*`` columns.
PERIODS = ["log_av45", "log_45_70", "log_70_90", "log_ap90", "log_inc"]

_INSET = 6.0

# Per zone: probabilities of the periods above (unknown is drawn separately), share of
# social housing, occupancy (share of dwellings holding a fiscal household), m² per flat.
_PERIOD_P: dict[int, list[float]] = {
    Zone.CENTRE_ANCIEN: [0.78, 0.08, 0.06, 0.08],
    Zone.CENTRE: [0.45, 0.25, 0.15, 0.15],
    Zone.GRANDS_ENSEMBLES: [0.0, 0.93, 0.05, 0.02],
    Zone.COLLECTIF: [0.02, 0.25, 0.50, 0.23],
    Zone.PAVILLONNAIRE: [0.04, 0.22, 0.36, 0.38],
    Zone.VILLAGE_CENTRE: [0.60, 0.10, 0.10, 0.20],
    Zone.VILLAGE: [0.10, 0.15, 0.30, 0.45],
    Zone.RURAL: [0.50, 0.15, 0.15, 0.20],
}
_SOCIAL_P: dict[int, float] = {
    Zone.CENTRE_ANCIEN: 0.10, Zone.CENTRE: 0.05, Zone.GRANDS_ENSEMBLES: 0.92,
    Zone.COLLECTIF: 0.30, Zone.PAVILLONNAIRE: 0.02, Zone.VILLAGE_CENTRE: 0.05,
    Zone.VILLAGE: 0.03, Zone.RURAL: 0.0,
}  # fmt: skip
_FLAT_M2: dict[int, float] = {
    Zone.CENTRE_ANCIEN: 56.0, Zone.CENTRE: 62.0, Zone.GRANDS_ENSEMBLES: 64.0,
    Zone.COLLECTIF: 64.0, Zone.VILLAGE_CENTRE: 70.0,
}  # fmt: skip

Box = tuple[float, float, float, float, str, int]  # x0, y0, x1, y1 (square-local m), tag, levels


@dataclass(frozen=True)
class Footprint:
    """A facility building that replaces the ordinary buildings of one lattice square."""

    key: str
    width: float
    depth: float
    levels: int
    building: str
    tags: dict[str, str]


def buildable_squares(layout: Layout, lat: Lattice) -> pd.DataFrame:
    """Return lattice squares (south-west node i, j) whose centre zone may hold buildings.

    Squares touching water, a park or a wood, or leaving the territory, get no buildings.
    """
    ii, jj = np.meshgrid(np.arange(lat.imin, lat.imax), np.arange(lat.jmin, lat.jmax))
    i = ii.ravel()
    j = jj.ravel()
    u0 = i.astype(np.float64) * STEP_M
    v0 = j.astype(np.float64) * STEP_M
    zone = layout.zone_at(u0 + STEP_M / 2, v0 + STEP_M / 2)
    keep = np.isin(zone, [int(z) for z in _PERIOD_P] + [int(Zone.INDUSTRIAL)])
    boxes = shapely.box(u0[keep], v0[keep], u0[keep] + STEP_M, v0[keep] + STEP_M)
    blocked = shapely.union_all(
        [layout.water, *[p.polygon for p in layout.parks], *[w.polygon for w in layout.woods]]
    )
    shapely.prepare(blocked)
    shapely.prepare(layout.territory)
    ok = ~shapely.intersects(blocked, boxes) & shapely.contains(layout.territory, boxes)
    idx = np.flatnonzero(keep)[ok]
    return pd.DataFrame({"i": i[idx], "j": j[idx], "zone": zone[idx]})


def build_buildings(
    layout: Layout,
    squares: pd.DataFrame,
    reserved: dict[tuple[int, int], Footprint],
    rng: Generator,
) -> pd.DataFrame:
    """Return one row per building (plan-frame box, OSM tag, storeys, households…).

    Columns: ``x0, y0, x1, y1`` (plan frame, m), ``building``, ``levels``, ``height``,
    ``zone``, ``facility`` (key or ''), ``i, j`` (lattice square), ``residential``,
    ``dwellings``, ``households``, ``period`` (index in :data:`PERIODS`), ``social``,
    ``flat_m2`` (m² per dwelling).
    """
    rows: list[tuple[float, float, float, float, str, int, int, str]] = []
    for i, j, zone in zip(
        squares["i"].tolist(), squares["j"].tolist(), squares["zone"].tolist(), strict=True
    ):
        u0, v0 = float(i * STEP_M), float(j * STEP_M)
        fac = reserved.get((int(i), int(j)))
        if fac is not None:
            w, d = min(fac.width, 86.0), min(fac.depth, 86.0)
            x0 = u0 + (STEP_M - w) / 2
            y0 = v0 + (STEP_M - d) / 2
            rows.append((x0, y0, x0 + w, y0 + d, fac.building, fac.levels, int(zone), fac.key))
            continue
        for bx in _TEMPLATES[int(zone)](rng):
            rows.append(
                (u0 + bx[0], v0 + bx[1], u0 + bx[2], v0 + bx[3], bx[4], bx[5], int(zone), "")
            )
    df = pd.DataFrame(
        rows, columns=["x0", "y0", "x1", "y1", "building", "levels", "zone", "facility"]
    )
    df["i"] = np.floor(df["x0"].to_numpy() / STEP_M).astype(np.int64)
    df["j"] = np.floor(df["y0"].to_numpy() / STEP_M).astype(np.int64)
    return _dwellings(df, rng)


def parking_lots(squares: pd.DataFrame, buildings: pd.DataFrame, rng: Generator) -> pd.DataFrame:
    """Return surface car parks (plan-frame boxes) on empty squares of estates and business parks.

    Grands ensembles and business parks are as much asphalt as buildings: most of their
    squares left without a building become a car park.
    """
    zones = [int(Zone.GRANDS_ENSEMBLES), int(Zone.INDUSTRIAL), int(Zone.COLLECTIF)]
    built = set(zip(buildings["i"].tolist(), buildings["j"].tolist(), strict=True))
    cand = squares[squares["zone"].isin(zones)]
    rows = []
    for i, j in zip(cand["i"].tolist(), cand["j"].tolist(), strict=True):
        if (i, j) in built or rng.random() > 0.7:
            continue
        w, d = float(rng.uniform(40.0, 75.0)), float(rng.uniform(25.0, 60.0))
        x0 = i * STEP_M + float(rng.uniform(_INSET + 2, STEP_M - _INSET - 2 - w))
        y0 = j * STEP_M + float(rng.uniform(_INSET + 2, STEP_M - _INSET - 2 - d))
        rows.append((x0, y0, x0 + w, y0 + d))
    return pd.DataFrame(rows, columns=["x0", "y0", "x1", "y1"])


def _dwellings(df: pd.DataFrame, rng: Generator) -> pd.DataFrame:
    """Add storey heights, dwellings, households, periods and social flags."""
    n = len(df)
    levels = df["levels"].to_numpy()
    area = (df["x1"] - df["x0"]).to_numpy() * (df["y1"] - df["y0"]).to_numpy()
    tag = df["building"].to_numpy()
    zone = df["zone"].to_numpy()
    roof = np.where(np.isin(tag, ["house", "farm_auxiliary"]), rng.uniform(1.0, 3.0, n), 1.0)
    df["height"] = np.round(levels * 2.9 + roof + rng.normal(0, 0.4, n), 1)
    is_fac = df["facility"].to_numpy() != ""
    house = (tag == "house") & ~is_fac
    flats = np.isin(tag, ["apartments", "yes"]) & ~is_fac
    residential = house | flats
    flat_m2 = np.array([_FLAT_M2.get(int(z), 66.0) for z in zone]) * rng.uniform(0.85, 1.15, n)
    share = np.where(tag == "yes", 0.45, 0.85)
    dwellings = np.where(
        flats, np.maximum(1, np.round(area * levels * share / flat_m2)), np.where(house, 1, 0)
    ).astype(np.int64)
    flat_m2 = np.where(house, np.round(area * levels * 0.8, 0), np.round(flat_m2, 1))
    occupancy = np.where(zone == int(Zone.CENTRE_ANCIEN), 0.84, 0.92)
    households = rng.binomial(dwellings, occupancy)
    period = np.zeros(n, dtype=np.int64)
    social = np.zeros(n, dtype=bool)
    for z, probs in _PERIOD_P.items():
        m = zone == int(z)
        period[m] = rng.choice(4, size=int(m.sum()), p=probs)
        social[m] = rng.random(int(m.sum())) < _SOCIAL_P[z]
    period[rng.random(n) < 0.004] = 4
    social &= flats  # social housing here is always collective
    df["residential"] = residential
    df["dwellings"] = dwellings
    df["households"] = np.where(residential, households, 0)
    df["period"] = period
    df["social"] = social
    df["flat_m2"] = np.where(residential, flat_m2, 0.0)
    return df


def _levels(rng: Generator, values: list[int], probs: list[float]) -> int:
    return int(values[int(rng.choice(len(values), p=probs))])


def _pick(rng: Generator, tags: list[str], probs: list[float]) -> str:
    return tags[int(rng.choice(len(tags), p=probs))]


def _perimeter(
    rng: Generator,
    front: tuple[float, float],
    depth: tuple[float, float],
    p_gap: float,
    levels: tuple[list[int], list[float]],
    tags: tuple[list[str], list[float]],
) -> list[Box]:
    """Buildings lining the four sides of the square around a courtyard."""
    lo, hi = _INSET, STEP_M - _INSET
    d = float(rng.uniform(*depth))
    out: list[Box] = []

    def row(start: float, stop: float, place: Callable[[float, float], tuple[float, ...]]) -> None:
        x = start
        while stop - x > 5.0:
            w = min(float(rng.uniform(*front)), stop - x)
            if w >= 5.0 and rng.random() > p_gap:
                x0, y0, x1, y1 = place(x, x + w)
                out.append((x0, y0, x1, y1, _pick(rng, *tags), _levels(rng, *levels)))
            x += w

    row(lo, hi, lambda a, b: (a, lo, b, lo + d))
    row(lo, hi, lambda a, b: (a, hi - d, b, hi))
    row(lo + d, hi - d, lambda a, b: (lo, a, lo + d, b))
    row(lo + d, hi - d, lambda a, b: (hi - d, a, hi, b))
    return out


def _houses(rng: Generator, per_row: list[int], p_row: float) -> list[Box]:
    """Detached houses in two rows facing the south and north streets, with garages."""
    out: list[Box] = []
    for south in (True, False):
        if rng.random() > p_row:
            continue
        n = int(rng.choice(per_row))
        plot = (STEP_M - 2 * _INSET) / n
        for k in range(n):
            w, d = float(rng.uniform(8.0, 12.0)), float(rng.uniform(7.0, 10.0))
            x0 = _INSET + k * plot + float(rng.uniform(1.0, max(1.5, plot - w - 1.0)))
            setback = float(rng.uniform(4.0, 8.0))
            y0 = _INSET + setback if south else STEP_M - _INSET - setback - d
            levels = 1 if rng.random() < 0.6 else 2
            out.append((x0, y0, x0 + w, y0 + d, "house", levels))
            if rng.random() < 0.25 and x0 + w + 6.0 < _INSET + (k + 1) * plot:
                out.append((x0 + w + 0.5, y0, x0 + w + 5.5, y0 + 3.5, "garage", 1))
    return out


def _grands_ensembles(rng: Generator) -> list[Box]:
    """A slab (barre) or a tower standing on open ground, or nothing (car park, lawn)."""
    r = rng.random()
    c = STEP_M / 2
    if r < 0.5:
        length, width = float(rng.uniform(50.0, 72.0)), float(rng.uniform(10.0, 13.0))
        levels = int(rng.integers(4, 11))
        if rng.random() < 0.5:
            return [
                (c - length / 2, c - width / 2, c + length / 2, c + width / 2, "apartments", levels)
            ]
        return [
            (c - width / 2, c - length / 2, c + width / 2, c + length / 2, "apartments", levels)
        ]
    if r < 0.6:
        s = float(rng.uniform(18.0, 24.0))
        return [
            (c - s / 2, c - s / 2, c + s / 2, c + s / 2, "apartments", int(rng.integers(10, 16)))
        ]
    return []


def _collectif(rng: Generator) -> list[Box]:
    """One or two mid-rise residences (1970s–1990s)."""
    if rng.random() < 0.15:
        return []
    out: list[Box] = []
    for y in [32.0, 68.0] if rng.random() < 0.5 else [50.0]:
        length, width = float(rng.uniform(25.0, 40.0)), float(rng.uniform(11.0, 14.0))
        x0 = float(rng.uniform(_INSET + 2, STEP_M - _INSET - 2 - length))
        out.append(
            (x0, y - width / 2, x0 + length, y + width / 2, "apartments", int(rng.integers(3, 6)))
        )
    return out


def _industrial(rng: Generator) -> list[Box]:
    if rng.random() > 0.85:
        return []
    w, d = float(rng.uniform(45.0, 84.0)), float(rng.uniform(30.0, 60.0))
    x0 = float(rng.uniform(_INSET + 1, STEP_M - _INSET - 1 - w))
    y0 = float(rng.uniform(_INSET + 1, STEP_M - _INSET - 1 - d))
    tag = _pick(rng, ["industrial", "warehouse", "retail"], [0.5, 0.3, 0.2])
    return [(x0, y0, x0 + w, y0 + d, tag, 1)]


def _farm(rng: Generator) -> list[Box]:
    if rng.random() > 0.035:
        return []
    hx, hy = float(rng.uniform(15.0, 30.0)), float(rng.uniform(15.0, 30.0))
    house = (hx, hy, hx + 12.0, hy + 9.0, "house", 1 if rng.random() < 0.5 else 2)
    bx = float(rng.uniform(35.0, 55.0))
    barn = (bx, 50.0, bx + float(rng.uniform(20.0, 30.0)), 50.0 + float(rng.uniform(12.0, 18.0)))
    return [house, (*barn, "farm_auxiliary", 1)]


_TEMPLATES: dict[int, Callable[[Generator], list[Box]]] = {
    Zone.CENTRE_ANCIEN: lambda r: _perimeter(
        r, (7.0, 13.0), (10.0, 15.0), 0.15,
        ([2, 3, 4], [0.3, 0.45, 0.25]),
        (["apartments", "yes", "house"], [0.65, 0.2, 0.15]),
    ),
    Zone.CENTRE: lambda r: _perimeter(
        r, (8.0, 14.0), (9.0, 12.0), 0.25,
        ([1, 2, 3], [0.35, 0.45, 0.2]),
        (["house", "apartments", "yes"], [0.6, 0.3, 0.1]),
    ),
    Zone.VILLAGE_CENTRE: lambda r: _perimeter(
        r, (8.0, 15.0), (8.0, 12.0), 0.35,
        ([1, 2], [0.5, 0.5]),
        (["house", "yes"], [0.75, 0.25]),
    ),
    Zone.GRANDS_ENSEMBLES: _grands_ensembles,
    Zone.COLLECTIF: _collectif,
    Zone.PAVILLONNAIRE: lambda r: _houses(r, [3, 4, 5], 0.95),
    Zone.VILLAGE: lambda r: _houses(r, [3, 4, 5], 0.9),
    Zone.INDUSTRIAL: _industrial,
    Zone.RURAL: _farm,
}  # fmt: skip
