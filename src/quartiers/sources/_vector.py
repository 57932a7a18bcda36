"""Shared helpers of the readers for vector layers: read, check CRS and geometries, clip.

GDAL errors become French :class:`~quartiers.errors.InputError` messages naming the file,
the field and what was expected.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer

from quartiers.errors import InputError
from quartiers.library_fr import geos_detail
from quartiers.os_errors import reason
from quartiers.schemas import BBox
from quartiers.sources._crs_guess import guess_crs
from quartiers.sources._text import require_file

__all__ = [
    "L93",
    "BBox",
    "bbox_in_file_crs",
    "check_crs",
    "clip_to_bbox",
    "list_layers",
    "read_vector",
    "repair_geometries",
    "require_geometries",
    "transform_bbox",
]

logger = logging.getLogger(__name__)

L93 = "EPSG:2154"


def list_layers(path: Path) -> list[str]:
    """Return the layer names of a vector file (GeoPackage, shapefile, GeoJSON)."""
    try:
        layers = pyogrio.list_layers(require_file(path))
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise InputError(f"{path} : fichier géographique illisible ({reason(exc)})") from exc
    return [str(name) for name in layers[:, 0]]


def read_vector(
    path: Path,
    *,
    what: str,
    layer: str | None = None,
    columns: Sequence[str] | None = None,
    bbox: BBox | None = None,
    where: str | None = None,
    read_geometry: bool = True,
    encoding: str | None = None,
    allow_empty: bool = False,
) -> gpd.GeoDataFrame:
    """Read one layer of a vector file, turning GDAL errors into French messages.

    Shapefiles whose ``.dbf`` holds UTF-8 without a ``.cpg`` (BD TOPO extracts) are
    read as UTF-8 instead of GDAL's ISO-8859-1 guess, which would garble accents.

    Parameters
    ----------
    path
        GeoPackage, shapefile or GeoJSON.
    what
        French description of the expected content, for messages.
    layer, columns, bbox, where, read_geometry
        Passed to :func:`pyogrio.read_dataframe` (``bbox`` in the layer's CRS).
    encoding
        Force an attribute encoding.
    allow_empty
        Return an empty frame instead of raising when the layer has no feature.
    """
    path = require_file(path)
    if encoding is None and path.suffix.lower() == ".shp" and _dbf_is_utf8(path):
        encoding = "utf-8"
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if columns is not None:
        kwargs["columns"] = list(columns)
    if bbox is not None:
        kwargs["bbox"] = tuple(bbox)
    if where is not None:
        kwargs["where"] = where
    if encoding is not None:
        kwargs["encoding"] = encoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(
                path, read_geometry=read_geometry, use_arrow=False, **kwargs
            )
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FeatureError,
    ) as exc:
        raise InputError(f"{path} : fichier illisible pour {what} ({reason(exc)})") from exc
    except shapely.errors.GEOSException as exc:
        raise InputError(
            f"{path} : géométrie illisible pour {what} ({geos_detail(str(exc))})"
        ) from exc
    except pyogrio.errors.FieldError as exc:
        raise InputError(f"{path} : champ illisible pour {what} ({reason(exc)})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(_encoding_message(path, what, exc)) from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame)
    if frame.empty and not allow_empty and bbox is None and where is None:
        name = f" « {layer} »" if layer else ""
        raise InputError(f"{path} : couche{name} vide — attendu au moins une entité ({what})")
    return frame


def _encoding_message(path: Path, what: str, exc: UnicodeDecodeError) -> str:
    """French line for attributes that are not UTF-8 (Latin-1 GeoJSON, mislabelled .dbf)."""
    text_file = path
    if path.suffix.lower() == ".shp":
        text_file = next(
            (p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), path
        )
    where = f"octet 0x{exc.object[exc.start : exc.start + 1].hex().upper()}"
    if path.suffix.lower() in {".geojson", ".json"}:
        where = _first_bad_byte(path) or where
    fix = "réenregistrez-le en UTF-8, par exemple `iconv -f latin1 -t utf-8`"
    if text_file != path:
        fix = (
            f"indiquez son encodage réel dans le fichier {path.with_suffix('.cpg').name} "
            "(ex. LATIN1) ou réenregistrez la couche en UTF-8"
        )
    return (
        f"{text_file} : encodage non UTF-8 ({where}), probablement Latin-1 ou Windows-1252 — "
        f"attendu du texte UTF-8 pour {what} ; {fix}"
    )


def _first_bad_byte(path: Path) -> str | None:
    """Return « octet 0xE9 ligne L » for the first byte of ``path`` that is not UTF-8."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return f"octet 0x{raw[exc.start : exc.start + 1].hex().upper()} ligne {line}"
    return None


def _dbf_is_utf8(shp: Path) -> bool:
    """Return True when a shapefile has no ``.cpg`` and its ``.dbf`` text decodes as UTF-8."""
    if any(shp.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return False
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return False
    with open(dbf, "rb") as handle:
        head = handle.read(32)
        header_length = int.from_bytes(head[8:10], "little") if len(head) >= 10 else 32
        handle.seek(header_length)
        sample = handle.read(1 << 20)  # records only: the binary header is not text
    if all(b < 0x80 for b in sample):
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4  # only the 1 MiB cut split a character
    return True


def check_crs(
    frame: gpd.GeoDataFrame,
    *,
    path: Path,
    expected: str,
    target: str | None = None,
) -> gpd.GeoDataFrame:
    """Check that a layer declares a CRS its coordinates fit, then reproject it.

    Parameters
    ----------
    frame
        Layer as read.
    path
        File, for messages.
    expected
        French description of the CRS the publisher uses (e.g. ``"EPSG:2154 ou CRS84"``).
    target
        CRS to reproject to (``None`` keeps the file's CRS).

    Raises
    ------
    InputError
        When no CRS is declared, or the coordinates lie outside the declared CRS's area of
        use (typically Lambert-93 metres labelled as WGS84, or the reverse).
    """
    if frame.crs is None:
        raise InputError(
            f"{path} : aucun système de coordonnées (SCR) déclaré — attendu {expected}"
        )
    crs = CRS.from_user_input(frame.crs)
    geoms = frame.geometry.to_numpy()
    valid = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    _refuse_contradicted_crs(valid, crs, path=path, expected=expected)
    if len(valid) and crs.area_of_use is not None:
        minx, miny, maxx, maxy = shapely.total_bounds(valid)
        area = crs.area_of_use
        if crs.is_geographic:
            lon = np.array([minx, maxx])
            lat = np.array([miny, maxy])
        else:
            to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            lon, lat = to_geo.transform(
                np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy])
            )
        margin = 5.0
        outside = (
            not np.all(np.isfinite(lon))
            or not np.all(np.isfinite(lat))
            or np.min(lon) < area.west - margin
            or np.max(lon) > area.east + margin
            or np.min(lat) < area.south - margin
            or np.max(lat) > area.north + margin
        )
        if outside:
            raise InputError(
                f"{path} : coordonnées ({minx:.6g}, {miny:.6g}) – ({maxx:.6g}, {maxy:.6g}) hors "
                f"du domaine du SCR déclaré {crs.to_string()} — attendu {expected} "
                "(le SCR déclaré ne correspond pas aux coordonnées)"
            )
    if target is not None and not crs.equals(CRS.from_user_input(target)):
        frame = frame.to_crs(target)
    return frame


def _refuse_contradicted_crs(
    geoms: np.ndarray[Any, Any], crs: CRS, *, path: Path, expected: str
) -> None:
    """Raise when the features land outside France in ``crs`` but in France in a usual CRS."""
    if not len(geoms):
        return
    sample = geoms[np.linspace(0, len(geoms) - 1, min(len(geoms), 500)).astype(int)]
    bounds = shapely.bounds(sample)
    x = (bounds[:, 0] + bounds[:, 2]) / 2
    y = (bounds[:, 1] + bounds[:, 3]) / 2
    likely = guess_crs(x, y, crs)
    if likely is None:
        return
    name = crs.to_string() if crs.to_epsg() is None else f"EPSG:{crs.to_epsg()}"
    raise InputError(
        f"{path} : le système de coordonnées (SCR) déclaré {name} contredit les coordonnées "
        f"(ex. x={x[0]:.8g}, y={y[0]:.8g}) : lues dans ce SCR, elles tombent hors de France, "
        f"alors qu'elles ressemblent à {likely} — c'est ce fichier qu'il faut corriger "
        f"(SCR déclaré ou ordre des coordonnées) ; attendu {expected}"
    )


def require_geometries(frame: gpd.GeoDataFrame, *, path: Path, id_field: str | None) -> None:
    """Raise when a feature has no readable geometry, naming the first one."""
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        who = f"{id_field}={frame[id_field].iloc[pos]!r}" if id_field else f"n° {pos + 1}"
        raise InputError(
            f"{path} : géométrie absente ou illisible pour l'entité {who} "
            f"({int(missing.sum())} entité(s) concernée(s)) — attendu un polygone valide"
        )


def repair_geometries(frame: gpd.GeoDataFrame, *, path: Path) -> gpd.GeoDataFrame:
    """Return ``frame`` with invalid (self-intersecting) geometries made valid, logging how many."""
    geoms = frame.geometry.to_numpy()
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        logger.warning("%s : %d géométrie(s) invalide(s) réparée(s)", path, int(invalid.sum()))
        fixed = geoms.copy()
        fixed[invalid] = shapely.make_valid(geoms[invalid])
        frame = frame.set_geometry(gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs))
    return frame


def transform_bbox(bbox: BBox, src: str, dst: object) -> BBox:
    """Return ``bbox`` reprojected from ``src`` to ``dst`` (densified edges, so it encloses)."""
    tr = Transformer.from_crs(src, dst, always_xy=True)
    minx, miny, maxx, maxy = tr.transform_bounds(*bbox, densify_pts=21)
    return (float(minx), float(miny), float(maxx), float(maxy))


def bbox_in_file_crs(path: Path, layer: str | None, bbox: BBox | None, crs: str) -> BBox | None:
    """Express a clip box given in ``crs`` in the CRS of a file's layer (GDAL spatial filter)."""
    if bbox is None:
        return None
    try:
        file_crs = pyogrio.read_info(require_file(path), layer=layer)["crs"]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return None  # read_vector reports unreadable files in French
    if file_crs is None or CRS.from_user_input(file_crs).equals(CRS.from_user_input(crs)):
        return bbox
    return transform_bbox(bbox, crs, file_crs)


def clip_to_bbox(frame: gpd.GeoDataFrame, bbox: BBox | None) -> gpd.GeoDataFrame:
    """Keep the features of ``frame`` that intersect ``bbox`` (same CRS), without cutting them."""
    if bbox is None or frame.empty:
        return frame
    hits = frame.sindex.query(shapely.box(*bbox), predicate="intersects")
    return frame.iloc[np.sort(hits)].reset_index(drop=True)
