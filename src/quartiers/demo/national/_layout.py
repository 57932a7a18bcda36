"""Geography of the fictitious France: départements as square tiles, communes, EPCI, towns, QPV.

Every metropolitan département of the COG (so ``reg:CODE`` and ``dep:CODE`` runs work) is a
square tile of the EPSG:3035 grid, aligned on the INSEE 200 m cells; tiles are laid out row
by row, région after région, on a 10 × 10 board over metropolitan France. A tile is cut into
square communes, grouped in square EPCI; a few towns per département carry the population
and the QPV, rotated rectangles on a lattice around each town centre (never overlapping).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.random import Generator
from numpy.typing import NDArray

from quartiers.sources.territory_codes import DEPARTEMENTS

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = ["ESSAI", "FRANCE", "Departement", "Scale", "Town", "departements", "place_qpv"]

#: South-west corner (EPSG:3035 m) of the board of tiles and its slot size.
_ORIGIN = (3_350_000, 2_200_000)
_SLOT = 100_000
_BOARD = 10
#: Spacing of the lattice of QPV centres around a town (m).
QPV_SPACING_M = 1_300.0


@dataclass(frozen=True)
class Scale:
    """Size parameters of a generated France (part of the cache fingerprint)."""

    name: str
    departements_per_region: int  # 0: every département of the région
    tile_m: int
    communes_per_side: int
    communes_per_epci_side: int
    cells_per_departement: int
    qpv_per_departement: int
    towns_per_departement: int
    town_scale_m: float


#: The national size of issue 16: 96 départements, 2,323,200 cells, 1,632 QPV, 13 régions.
FRANCE = Scale("france", 0, 100_000, 8, 4, 24_200, 17, 6, 3_000.0)
#: A small France for tests: one département per région, a few hundred cells each.
ESSAI = Scale("france-essai", 1, 20_000, 4, 2, 500, 2, 2, 1_200.0)


@dataclass(frozen=True)
class Town:
    """A town centre (EPSG:3035 m), its weight in the density and its number of QPV."""

    x: float
    y: float
    amplitude: float
    n_qpv: int


@dataclass(frozen=True)
class Departement:
    """One département tile with its communes, EPCI and towns."""

    code: str
    name: str
    region: str
    number: int  # a numeric stand-in for the code (2A → 201, 2B → 202), for SIREN
    x0: int
    y0: int
    scale: Scale

    @property
    def commune_side(self) -> int:
        """Side of a commune square (m)."""
        return self.scale.tile_m // self.scale.communes_per_side

    def commune_codes(self) -> list[str]:
        """Return the INSEE codes of the communes, row by row from the south-west."""
        n = self.scale.communes_per_side**2
        return [f"{self.code}{901 + k:03d}" for k in range(n)]

    def commune_index(self, x: NDArray[Any], y: NDArray[Any]) -> NDArray[np.int64]:
        """Return the commune number (row-major) holding points (EPSG:3035 m)."""
        side, n = self.commune_side, self.scale.communes_per_side
        i = np.clip(((x - self.x0) // side).astype(np.int64), 0, n - 1)
        j = np.clip(((y - self.y0) // side).astype(np.int64), 0, n - 1)
        return j * n + i

    def commune_boxes(self) -> list[BBox]:
        """Return each commune's square (EPSG:3035 m), in :meth:`commune_codes` order."""
        side, n = self.commune_side, self.scale.communes_per_side
        return [
            (self.x0 + i * side, self.y0 + j * side, self.x0 + (i + 1) * side,
             self.y0 + (j + 1) * side)
            for j in range(n) for i in range(n)
        ]  # fmt: skip

    def epci_of(self, k: int) -> int:
        """Return the EPCI number (row-major within the tile) of commune ``k``."""
        n, m = self.scale.communes_per_side, self.scale.communes_per_epci_side
        per_row = -(-n // m)
        return (k // n // m) * per_row + (k % n) // m

    def epci_sirens(self) -> list[str]:
        """Return the fictitious SIREN of every EPCI of the tile."""
        n, m = self.scale.communes_per_side, self.scale.communes_per_epci_side
        return [f"29{self.number:03d}{k:04d}" for k in range((-(-n // m)) ** 2)]

    def towns(self, rng: Generator) -> list[Town]:
        """Draw the towns: the first near the tile centre, the others at commune centres."""
        side = self.commune_side
        n = self.scale.communes_per_side
        count = self.scale.towns_per_departement
        inner = [k for k in range(n * n) if 0 < k % n < n - 1 and 0 < k // n < n - 1] or [0]
        centre = (n // 2) * n + n // 2
        others = [k for k in inner if k != centre]
        picked = [centre, *rng.choice(others, size=min(count - 1, len(others)), replace=False)]
        amplitudes = [1.0, *np.round(rng.uniform(0.15, 0.5, len(picked) - 1), 3)]
        total = self.scale.qpv_per_departement
        shares = np.array(amplitudes) / sum(amplitudes)
        n_qpv = np.maximum(np.floor(shares * total).astype(int), 0)
        n_qpv[0] += total - int(n_qpv.sum())
        out = []
        for k, amp, q in zip(picked, amplitudes, n_qpv, strict=True):
            x = self.x0 + (int(k) % n + 0.5) * side + float(rng.uniform(-0.1, 0.1)) * side
            y = self.y0 + (int(k) // n + 0.5) * side + float(rng.uniform(-0.1, 0.1)) * side
            out.append(Town(round(x, 1), round(y, 1), float(amp), int(q)))
        return out


def departements(scale: Scale) -> list[Departement]:
    """Return the metropolitan départements of the scale, placed on the board."""
    metro = sorted(
        ((region, code, name) for code, (name, region) in DEPARTEMENTS.items()
         if len(code) == 2 and region not in {"01", "02", "03", "04", "06"}),
    )  # fmt: skip
    if scale.departements_per_region:
        kept: dict[str, int] = {}
        chosen = []
        for region, code, name in metro:
            if kept.get(region, 0) < scale.departements_per_region:
                kept[region] = kept.get(region, 0) + 1
                chosen.append((region, code, name))
        metro = chosen
    out = []
    for slot, (region, code, name) in enumerate(metro):
        row, col = divmod(slot, _BOARD)
        col = col if row % 2 == 0 else _BOARD - 1 - col  # serpentine: régions stay together
        pad = (_SLOT - scale.tile_m) // 2 // 200 * 200
        number = {"2A": 201, "2B": 202}.get(code) or int(code)
        out.append(
            Departement(
                code, name, region, number,
                _ORIGIN[0] + col * _SLOT + pad, _ORIGIN[1] + row * _SLOT + pad, scale,
            )
        )  # fmt: skip
    return out


def place_qpv(
    dep: Departement, towns: list[Town], rng: Generator
) -> list[tuple[str, shapely.Polygon]]:
    """Return ``(code_qp, rectangle in EPSG:3035)`` of the QPV around each town.

    QPV centres sit on a lattice around the town centre (spacing :data:`QPV_SPACING_M`),
    nearest first; a rectangle's half diagonal stays below half the spacing, so no two
    QPV overlap. Codes are ``QZ`` + département on three characters + number + ``A``:
    the prefix ``QZ`` is used by no real QPV.
    """
    step = QPV_SPACING_M
    ring = sorted(
        ((a, b) for a in range(-3, 4) for b in range(-3, 4) if (a, b) != (0, 0)),
        key=lambda ab: (ab[0] ** 2 + ab[1] ** 2, ab),
    )
    out: list[tuple[str, shapely.Polygon]] = []
    for town in towns:
        for a, b in ring[: town.n_qpv]:
            cx = town.x + a * step + float(rng.uniform(-0.1, 0.1)) * step
            cy = town.y + b * step + float(rng.uniform(-0.1, 0.1)) * step
            w = float(rng.uniform(0.35, 0.55)) * step
            h = float(rng.uniform(0.25, 0.45)) * step
            box = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
            angle = float(rng.uniform(0, np.pi))
            rot = shapely.transform(
                box,
                lambda c, t=angle: c @ np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]]),
            )
            geom = shapely.transform(rot, lambda c, dx=cx, dy=cy: c + np.array([dx, dy]))
            code = f"QZ{dep.code.zfill(3)}{len(out) + 1:02d}A"
            out.append((code, geom))
    return out
