"""Territories a contribution may belong to: perimeter and QPV shapes in WGS84 (EPSG:4326).

The store never reads diagnostics itself: its caller passes a mapping ``code → area`` or a
callback, where an area is a :class:`Territory`, a bounding box ``(min_lon, min_lat, max_lon,
max_lat)`` in degrees, or a shapely geometry in lon/lat. :func:`load_territory` builds a
:class:`Territory` from vector files for the command line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from quartiers.errors import InputError
from quartiers.os_errors import reason
from quartiers.schemas import BBox

__all__ = [
    "BBox",
    "Territory",
    "TerritoryLookup",
    "TerritorySource",
    "load_territory",
    "territory_lookup",
]

logger = logging.getLogger(__name__)

"""``(min_lon, min_lat, max_lon, max_lat)`` in degrees (WGS84)."""

# Columns of a perimeter file that may carry the territory code (commune, EPCI, generic).
_CODE_COLUMNS = ("insee_com", "siren_epci", "code_insee", "code")


@dataclass(frozen=True)
class Territory:
    """A territory perimeter and, optionally, its QPV, all in WGS84 lon/lat.

    Parameters
    ----------
    code
        Territory code (INSEE commune code, EPCI SIREN or any stable code of the diagnostic).
    area
        Perimeter in lon/lat degrees; a point on its boundary counts as inside.
    qpv
        QPV perimeters by ``code_qp`` (lon/lat). Empty when unknown: then any ``code_qp`` is
        accepted as given and none is inferred.
    name
        French name shown to users.
    """

    code: str
    area: BaseGeometry
    qpv: Mapping[str, BaseGeometry] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        # Prepare now, and query once so that GEOS builds its lazy index here rather than
        # concurrently in the first request threads.
        for shape in (self.area, *self.qpv.values()):
            shapely.prepare(shape)
            shapely.intersects_xy(shape, 0.0, 0.0)

    @classmethod
    def from_bbox(
        cls, code: str, bbox: BBox, *, qpv: Mapping[str, BaseGeometry] | None = None
    ) -> Territory:
        """Build a territory whose perimeter is a lon/lat bounding box."""
        min_lon, min_lat, max_lon, max_lat = bbox
        if not (min_lon <= max_lon and min_lat <= max_lat):
            raise ValueError(f"emprise invalide pour le territoire {code} : {bbox}")
        return cls(code=code, area=box(min_lon, min_lat, max_lon, max_lat), qpv=dict(qpv or {}))

    def contains(self, lon: float, lat: float) -> bool:
        """Tell whether the point (degrees) lies inside the perimeter or on its boundary."""
        return bool(shapely.intersects_xy(self.area, lon, lat))

    def qpv_at(self, lon: float, lat: float) -> str | None:
        """Return the ``code_qp`` of the QPV containing the point, or None."""
        for code_qp in sorted(self.qpv):
            if shapely.intersects_xy(self.qpv[code_qp], lon, lat):
                return code_qp
        return None

    def qpv_point(self, code_qp: str) -> tuple[float, float] | None:
        """Return the representative point (lon, lat) of a QPV, always inside it, or None."""
        shape = self.qpv.get(code_qp)
        if shape is None or shape.is_empty:
            return None
        point = shape.representative_point()
        return (round(float(point.x), 7), round(float(point.y), 7))


TerritoryLookup = Callable[[str], Territory | None]
TerritorySource = (
    Mapping[str, Territory | BBox | BaseGeometry]
    | Callable[[str], Territory | BBox | BaseGeometry | None]
)


def _as_territory(code: str, value: Territory | BBox | BaseGeometry | None) -> Territory | None:
    if value is None or isinstance(value, Territory):
        return value
    if isinstance(value, BaseGeometry):
        return Territory(code=code, area=value)
    if isinstance(value, tuple) and len(value) == 4:
        return Territory.from_bbox(code, (value[0], value[1], value[2], value[3]))
    raise TypeError(f"territoire {code} : emprise de type inattendu {type(value).__name__}")


def territory_lookup(source: TerritorySource) -> TerritoryLookup:
    """Normalise a mapping or a callback into a function ``code → Territory | None``."""
    if isinstance(source, Mapping):
        table = {code: _as_territory(code, value) for code, value in source.items()}
        return table.get
    callback = source

    def lookup(code: str) -> Territory | None:
        return _as_territory(code, callback(code))

    return lookup


def _read_wgs84(path: Path, layer: str | None) -> Any:
    import geopandas as gpd

    if not path.is_file():
        raise InputError(f"{path} : fichier introuvable")
    try:
        frame = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"{path} : fichier géographique illisible ({reason(exc)})") from exc
    if frame.crs is None:
        raise InputError(f"{path} : système de coordonnées absent (attendu : un CRS déclaré)")
    return frame.to_crs(4326)


def load_territory(
    code: str,
    perimeter: Path,
    *,
    qpv: Path | None = None,
    layer: str | None = None,
    qpv_layer: str | None = None,
) -> Territory:
    """Build a territory from a perimeter file and an optional QPV file (any CRS, any format).

    When the perimeter file has a column ``insee_com``, ``siren_epci``, ``code_insee`` or
    ``code``, only the features whose value equals ``code`` are kept (a commune file of a whole
    EPCI serves both the EPCI and each commune); otherwise every feature is. QPV are kept when
    they intersect the perimeter and need a ``code_qp`` column.
    """
    frame = _read_wgs84(perimeter, layer)
    columns = [name for name in _CODE_COLUMNS if name in frame.columns]
    if columns:
        keep = frame[columns].astype(str).eq(code).any(axis=1)
        if not keep.any():
            raise InputError(
                f"{perimeter} : aucune entité dont {' / '.join(columns)} vaut « {code} » "
                "(attendu : le code du territoire)"
            )
        frame = frame[keep]
    area = shapely.union_all(frame.geometry.values)
    if area.is_empty:
        raise InputError(f"{perimeter} : périmètre vide pour le territoire {code}")
    shapes: dict[str, BaseGeometry] = {}
    if qpv is not None:
        qframe = _read_wgs84(qpv, qpv_layer)
        if "code_qp" not in qframe.columns:
            raise InputError(f"{qpv} : colonne « code_qp » absente (attendu : code du QPV)")
        for code_qp, shape in zip(qframe["code_qp"].astype(str), qframe.geometry, strict=True):
            if shape is not None and not shape.is_empty and shape.intersects(area):
                shapes[code_qp] = shape
        logger.info("territoire %s : %d QPV lus dans %s", code, len(shapes), qpv)
    return Territory(code=code, area=area, qpv=shapes)
