"""Shared helpers of the readers: open files, match columns, check CRS and geometries.

Every reader goes through these so that bad input always raises the same kind of French
message: the file, the field and what was expected.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer

from quartiers.errors import InputError

__all__ = [
    "L93",
    "bbox_in_file_crs",
    "check_crs",
    "clean_code",
    "clip_to_bbox",
    "column_map",
    "fold",
    "iter_text_table",
    "list_layers",
    "parse_numbers",
    "read_text_table",
    "read_vector",
    "repair_geometries",
    "require_file",
    "require_geometries",
    "sniff_text",
    "text_column",
    "transform_bbox",
]

BBox = tuple[float, float, float, float]

logger = logging.getLogger(__name__)

L93 = "EPSG:2154"
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def require_file(path: Path) -> Path:
    """Return ``path`` if it is a readable file, else raise :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} : fichier introuvable")
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise InputError(f"{path} : c'est un dossier, attendu un fichier")
    return path


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents, hyphens or apostrophes (for name matching)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = re.sub(r"[-'’_.,/]", " ", bare.casefold())
    return " ".join(bare.split())


def column_map(
    columns: Iterable[str],
    wanted: Mapping[str, Sequence[str]],
    *,
    path: Path,
    what: str,
    optional: Iterable[str] = (),
) -> dict[str, str]:
    """Map each canonical name to the actual column of a file, ignoring case.

    Parameters
    ----------
    columns
        Column names found in the file.
    wanted
        Canonical name → accepted spellings (first match wins, case-insensitive).
    path, what
        File and a French description of its format, for the error message.
    optional
        Canonical names that may be missing (absent from the result then).

    Returns
    -------
    dict
        Canonical name → column name in the file.
    """
    by_lower: dict[str, str] = {}
    for col in columns:
        by_lower.setdefault(str(col).strip().lstrip("\ufeff").lower(), str(col))
    found: dict[str, str] = {}
    missing: list[str] = []
    optional = set(optional)
    for name, spellings in wanted.items():
        for spelling in spellings:
            actual = by_lower.get(spelling.lower())
            if actual is not None:
                found[name] = actual
                break
        else:
            if name not in optional:
                missing.append(" ou ".join(dict.fromkeys(spellings)))
    if missing:
        shown = ", ".join(list(by_lower.values())[:30])
        raise InputError(
            f"{path} : champ(s) manquant(s) {', '.join(missing)} — attendu pour {what} "
            f"(champs présents : {shown or 'aucun'})"
        )
    return found


def sniff_text(path: Path, *, encodings: Sequence[str], what: str) -> tuple[str, str]:
    """Return the encoding and the first line of a text file, trying ``encodings`` in order.

    A UTF-8 byte-order mark is accepted and removed. Raises :class:`InputError` naming
    the first undecodable byte when no encoding fits.
    """
    raw = require_file(path).read_bytes()[: 1 << 20]
    first_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding
        try:
            # A truncated multi-byte sequence at the 1 MiB cut is not an error.
            text = raw.decode(codec) if len(raw) < 1 << 20 else _decode_prefix(raw, codec)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        first = text.splitlines()[0] if text else ""
        return codec, first
    assert first_error is not None
    line = raw[: first_error.start].count(b"\n") + 1
    byte = raw[first_error.start : first_error.start + 1].hex().upper()
    raise InputError(
        f"{path} : encodage illisible (octet 0x{byte} ligne {line}) — attendu "
        f"{' ou '.join(encodings)} pour {what} ; réenregistrez le fichier en UTF-8"
    )


def _decode_prefix(raw: bytes, codec: str) -> str:
    for cut in range(4):
        try:
            return raw[: len(raw) - cut].decode(codec)
        except UnicodeDecodeError as exc:
            if exc.start < len(raw) - 4:
                raise
    return raw.decode(codec)


def read_text_table(
    path: Path,
    *,
    sep: str,
    encodings: Sequence[str] = ("utf-8",),
    what: str,
    header_hint: str,
    comment: str | None = None,
) -> pd.DataFrame:
    """Read a delimited text table with every column as text.

    Parameters
    ----------
    path
        The CSV file.
    sep
        Expected separator (``,`` or ``;``); a file whose header uses the other one is
        refused with a message saying so.
    encodings
        Accepted encodings, tried in order (a UTF-8 byte-order mark is accepted).
    what
        French description of the format, for messages.
    header_hint
        A column name that must appear in the header (case-insensitive).
    comment
        Lines starting with this character are skipped (DRIAS ``#`` headers).
    """
    encoding = _check_header(path, sep, encodings, what, header_hint, comment)
    try:
        table: pd.DataFrame = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            comment=comment,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path} : tableau illisible ({exc}) — attendu {what}") from exc
    return table


def iter_text_table(
    path: Path,
    *,
    sep: str,
    encodings: Sequence[str] = ("utf-8",),
    what: str,
    header_hint: str,
    chunksize: int,
) -> Iterator[pd.DataFrame]:
    """Yield a delimited text table in chunks of ``chunksize`` rows, every column as text."""
    encoding = _check_header(path, sep, encodings, what, header_hint, None)
    try:
        with pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            chunksize=chunksize,
        ) as reader:
            yield from reader
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path} : tableau illisible ({exc}) — attendu {what}") from exc


def _check_header(
    path: Path,
    sep: str,
    encodings: Sequence[str],
    what: str,
    header_hint: str,
    comment: str | None,
) -> str:
    """Return the file's encoding after checking its header holds ``header_hint`` and ``sep``."""
    encoding, first = sniff_text(path, encodings=encodings, what=what)
    if comment is not None:
        with open(path, encoding=encoding, errors="replace") as handle:
            for line in handle:
                if line.strip() and not line.startswith(comment):
                    first = line
                    break
    header = first.lower()
    other = ";" if sep == "," else ","
    if sep not in header and other in header:
        raise InputError(
            f"{path} : séparateur « {other} » trouvé dans l'en-tête, attendu « {sep} » pour {what}"
        )
    if header_hint.lower() not in header:
        raise InputError(
            f"{path} : en-tête sans le champ {header_hint} — attendu pour {what} "
            f"(première ligne : {first[:120]!r})"
        )
    return encoding


def parse_numbers(values: pd.Series, *, path: Path, field: str) -> pd.Series:
    """Return ``values`` (text) as floats; accept thousands spaces and a decimal comma.

    Empty cells become NaN; anything else that is not a number raises
    :class:`InputError` naming the field and the first bad value.
    """
    text = values.astype("string").str.strip()
    text = text.str.replace(_SPACES, "", regex=True)
    text = text.where(~text.str.fullmatch(r"-?\d+,\d+").fillna(False), text.str.replace(",", "."))
    text = text.replace({"": pd.NA, "NA": pd.NA, "nan": pd.NA, "NaN": pd.NA})
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any():
        example = values[bad].iloc[0]
        raise InputError(
            f"{path} : valeur non numérique {example!r} dans le champ {field} "
            f"(ligne {int(np.flatnonzero(bad.to_numpy())[0]) + 2}) — attendu un nombre"
        )
    return numbers.astype("float64")


def clean_code(values: pd.Series, *, width: int) -> pd.Series:
    """Return codes as text, stripped, left-padded with zeros when purely numeric.

    Files that stored INSEE codes or SIREN as integers lose leading zeros (``1053`` for
    ``01053``); Corsica codes (``2A004``) are kept as they are.
    """
    text = values.astype("string").fillna("").str.strip()
    text = text.str.replace(r"\.0$", "", regex=True)
    numeric = text.str.fullmatch(r"\d+").fillna(False)
    padded = text.where(~numeric, text.str.zfill(width))
    return padded.astype(str)


def list_layers(path: Path) -> list[str]:
    """Return the layer names of a vector file (GeoPackage, shapefile, GeoJSON)."""
    try:
        layers = pyogrio.list_layers(require_file(path))
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise InputError(f"{path} : fichier géographique illisible ({exc})") from exc
    return [str(name) for name in layers[:, 0]]


def read_vector(
    path: Path,
    *,
    what: str,
    layer: str | None = None,
    columns: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
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
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputError(f"{path} : fichier illisible pour {what} ({exc})") from exc
    except pyogrio.errors.FieldError as exc:
        raise InputError(f"{path} : champ illisible pour {what} ({exc})") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame)
    if frame.empty and not allow_empty and bbox is None and where is None:
        name = f" « {layer} »" if layer else ""
        raise InputError(f"{path} : couche{name} vide — attendu au moins une entité ({what})")
    return frame


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


def text_column(values: pd.Series) -> pd.Series:
    """Return ``values`` as text (pandas ``str``) with missing values as ``''``."""
    return values.astype("string").fillna("").str.strip().astype(str)


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
