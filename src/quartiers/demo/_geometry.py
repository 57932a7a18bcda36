"""Coordinate frames of the demo territory and small geometry helpers.

Everything is drawn in a *plan frame*: metres east (``u``) and north (``v``) of the town
centre, with streets on a 100 m lattice. A smooth, seeded warp then bends that plan into
Lambert-93 (EPSG:2154) so streets curve gently instead of looking like graph paper. The warp
is a shear ``x = u + f(v)``, ``y = v + g(u)`` with small slopes, so it is one-to-one and keeps
every topological relation of the plan (what is inside a block stays inside it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

__all__ = [
    "ORIGIN_2154",
    "STEP_M",
    "Warp",
    "to_3035",
    "to_wgs84",
    "wobbly_ring",
]

#: Town centre in Lambert-93 metres: inland Vendée, western France (a plausible setting;
#: the town and everything in it are fictitious).
ORIGIN_2154 = (380_000.0, 6_650_000.0)

#: Spacing of the street lattice in the plan frame (m).
STEP_M = 100.0

_TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
_TO_3035 = Transformer.from_crs("EPSG:2154", "EPSG:3035", always_xy=True)


@dataclass(frozen=True)
class Warp:
    """Smooth one-to-one map from the plan frame (m) to Lambert-93 (EPSG:2154, m).

    Parameters
    ----------
    phases
        Four phases (radians) drawn from the seed.
    """

    phases: tuple[float, float, float, float]

    def xy(
        self, u: NDArray[np.float64], v: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return Lambert-93 coordinates of plan points."""
        p = self.phases
        # Slopes stay below 0.2, so the shear never folds the plan.
        fx = 28.0 * np.sin(2 * np.pi * v / 1700.0 + p[0]) + 7.0 * np.sin(
            2 * np.pi * v / 520.0 + p[1]
        )
        fy = 24.0 * np.sin(2 * np.pi * u / 1900.0 + p[2]) + 6.0 * np.sin(
            2 * np.pi * u / 610.0 + p[3]
        )
        return ORIGIN_2154[0] + u + fx, ORIGIN_2154[1] + v + fy

    def geometry(self, geom: shapely.Geometry, *, max_segment: float = 25.0) -> shapely.Geometry:
        """Return ``geom`` (plan frame) bent into Lambert-93, densified first."""
        dense = shapely.segmentize(geom, max_segment) if max_segment > 0 else geom

        def move(coords: NDArray[np.float64]) -> NDArray[np.float64]:
            x, y = self.xy(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(dense, move)

    def geometries(
        self, geoms: NDArray[np.object_], *, max_segment: float = 25.0
    ) -> NDArray[np.object_]:
        """Vectorised :meth:`geometry` for an array of plan-frame geometries."""
        dense = shapely.segmentize(geoms, max_segment) if max_segment > 0 else geoms

        def move(coords: NDArray[np.float64]) -> NDArray[np.float64]:
            x, y = self.xy(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        out: NDArray[np.object_] = shapely.transform(dense, move)
        return out


def to_wgs84(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return (longitude, latitude) in degrees (EPSG:4326) of Lambert-93 points."""
    lon, lat = _TO_WGS84.transform(x, y)
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def to_3035(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return EPSG:3035 (LAEA Europe) metres of Lambert-93 points."""
    ex, ny = _TO_3035.transform(x, y)
    return np.asarray(ex, dtype="float64"), np.asarray(ny, dtype="float64")


def wobbly_ring(
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    *,
    harmonics: tuple[tuple[int, float, float], ...] = (),
    n: int = 96,
) -> shapely.Polygon:
    """Return a closed, star-shaped polygon around (cx, cy) in the plan frame.

    Parameters
    ----------
    cx, cy
        Centre (m).
    rx, ry
        Semi-axes of the underlying ellipse (m).
    harmonics
        ``(k, amplitude, phase)`` terms: the radius is multiplied by
        ``1 + sum(amplitude * sin(k * angle + phase))``; amplitudes sum well below 1 so the
        outline never crosses itself.
    n
        Number of vertices.
    """
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    scale = np.ones_like(t)
    for k, amp, phase in harmonics:
        scale += amp * np.sin(k * t + phase)
    x = cx + rx * scale * np.cos(t)
    y = cy + ry * scale * np.sin(t)
    return shapely.Polygon(np.column_stack([x, y]))
