"""Tell when a layer's declared CRS contradicts its coordinates, and which CRS they fit.

The toolkit only handles French territories: mainland France with Corsica, and the overseas
départements and collectivities that hold QPV (Guadeloupe, Martinique, Guyane, La Réunion,
Mayotte, Saint-Martin). A layer whose features, read in the CRS it declares, all land
outside France while they land in France under another usual CRS (longitude and latitude
swapped, Lambert-93 metres labelled as degrees, degrees labelled as metres, Web Mercator,
Lambert II étendu, the overseas UTM zones) is a file with a wrong CRS: the reader says so,
naming that file, instead of letting a later step blame another source (no Filosofi cell,
no commune under a QPV).

Pure functions: coordinates in, French description of the likely CRS out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS, Transformer

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = ["SWAPPED", "guess_crs", "in_france"]

FloatArray = NDArray[np.float64]

# (west, south, east, north) in degrees, with a margin of about half a degree.
_FRANCE: Final[tuple[BBox, ...]] = (
    (-5.8, 41.0, 10.0, 51.6),  # mainland France and Corsica
    (-63.3, 14.2, -60.7, 18.3),  # Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
    (-54.8, 1.9, -51.3, 6.0),  # Guyane
    (54.9, -21.7, 56.1, -20.6),  # La Réunion
    (44.8, -13.3, 45.6, -12.3),  # Mayotte
    (-56.6, 46.6, -56.0, 47.3),  # Saint-Pierre-et-Miquelon
)

SWAPPED: Final = "swapped"
"""Key of :data:`_CANDIDATES` for degrees with latitude first (``y, x`` read as ``lon, lat``)."""

# Usual CRS of French files, tried in this order; SWAPPED means EPSG:4326 with x and y swapped.
_CANDIDATES: Final[tuple[tuple[str, str], ...]] = (
    (SWAPPED, "des degrés avec latitude et longitude inversées (latitude en premier)"),
    ("EPSG:4326", "des degrés de longitude et latitude (EPSG:4326 / CRS84)"),
    ("EPSG:2154", "des mètres en Lambert-93 (EPSG:2154)"),
    ("EPSG:3857", "des mètres en Web Mercator (EPSG:3857)"),
    ("EPSG:27572", "des mètres en Lambert II étendu (EPSG:27572)"),
    ("EPSG:3035", "des mètres en LAEA Europe (EPSG:3035)"),
    ("EPSG:5490", "des mètres en UTM 20N (EPSG:5490, Antilles)"),
    ("EPSG:2972", "des mètres en UTM 22N (EPSG:2972, Guyane)"),
    ("EPSG:2975", "des mètres en UTM 40S (EPSG:2975, La Réunion)"),
    ("EPSG:4471", "des mètres en UTM 38S (EPSG:4471, Mayotte)"),
)


_NEAR: Final = 3.0
"""Margin in degrees: points this close to France in the declared CRS are not contradicted."""


def in_france(lon: FloatArray, lat: FloatArray, margin: float = 0.0) -> NDArray[np.bool_]:
    """Return, for each point in degrees, whether it lies in (or ``margin`` degrees around)
    a French territory holding QPV."""
    inside = np.zeros(len(lon), dtype=bool)
    for west, south, east, north in _FRANCE:
        inside |= (
            (lon >= west - margin)
            & (lon <= east + margin)
            & (lat >= south - margin)
            & (lat <= north + margin)
        )
    return inside


def _to_degrees(x: FloatArray, y: FloatArray, crs: CRS) -> tuple[FloatArray, FloatArray]:
    """Return ``(lon, lat)`` of points given in ``crs`` (non-finite where it cannot project)."""
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    with np.errstate(all="ignore"):
        lon, lat = to_geo.transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _share_in_france(x: FloatArray, y: FloatArray, crs: CRS, margin: float = 0.0) -> float:
    lon, lat = _to_degrees(x, y, crs)
    finite = np.isfinite(lon) & np.isfinite(lat)
    return float(np.mean(finite & in_france(lon, lat, margin))) if len(lon) else 0.0


def guess_crs(x: FloatArray, y: FloatArray, declared: CRS) -> str | None:
    """Return the French description of the CRS that places the points in France, or None.

    ``None`` when at least half the points (centres of the features) already lie in France,
    or within :data:`_NEAR` degrees of it, in the declared CRS (a file just off the coast is
    not contradicted), or when no usual CRS places most of them in France (a synthetic or
    foreign layer is then left to the other checks).
    """
    if len(x) == 0 or _share_in_france(x, y, declared, _NEAR) >= 0.5:
        return None
    for key, label in _CANDIDATES:
        if key == SWAPPED:
            if _share_in_france(y, x, CRS.from_epsg(4326)) >= 0.5:
                return label
            continue
        crs = CRS.from_user_input(key)
        if crs.equals(declared, ignore_axis_order=True):
            continue
        if _share_in_france(x, y, crs) >= 0.5:
            return label
    return None
