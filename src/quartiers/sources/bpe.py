"""INSEE BPE (base permanente des équipements), geolocated detail file (CSV, ``;``).

The 2023+ file (``BPE24.csv``) has one row per facility with ``TYPEQU, DEPCOM, NOMRS,
LAMBERT_X, LAMBERT_Y, EPSG, QUALITE_XY`` (and ``AN``, the vintage); projected coordinates
are in the CRS named per row by ``EPSG`` (Lambert-93 in metropolitan France, UTM overseas).
Files up to 2021 (``bpe21_ensemble_xy.csv``) lack ``EPSG`` and ``NOMRS`` and use the older
equipment nomenclature; the CRS then follows the département.

Each equipment type code is mapped to one of our resource categories (see
:data:`CATEGORIES`); types we do not use keep an empty category.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from quartiers.errors import InputError
from quartiers.schemas import BPE_COLUMNS, BBox
from quartiers.sources import validation as v
from quartiers.sources._food_tags import FOOD_BPE_TYPEQU
from quartiers.sources._text import (
    clean_code,
    column_map,
    iter_csv_tables,
    parse_numbers,
    text_column,
)
from quartiers.sources._vector import L93

__all__ = ["CATEGORIES", "CATEGORIES_BEFORE_2023", "category_of", "read_bpe"]

logger = logging.getLogger(__name__)


#: TYPEQU → resource category, nomenclature of 2023 onwards (BPE 2023, BPE 2024).
CATEGORIES: dict[str, str] = {
    # care: pharmacy, GP, nurse, acute hospital, emergency, health centre, health house
    "D307": "care",
    "D265": "care",
    "D281": "care",
    "D101": "care",
    "D106": "care",
    "D108": "care",
    "D113": "care",
    # cool indoor places open to the public
    "F307": "cool_indoor",  # library
    "F303": "cool_indoor",  # cinema
    "F312": "cool_indoor",  # exhibition and cultural mediation (museums)
    "F101": "cool_indoor",  # swimming pool
    # information points
    "A129": "information",  # town hall
    "A128": "information",  # France Services
    # fresh food (codes and their check in quartiers.sources._food_tags)
    **{code: category for code, (category, _) in FOOD_BPE_TYPEQU.items()},
}

#: TYPEQU → resource category for files up to 2022 (older nomenclature, SOURCES.md §3).
CATEGORIES_BEFORE_2023: dict[str, str] = {
    "D301": "care",  # pharmacy
    "D201": "care",  # general practitioner
    "D101": "care",
    "D106": "care",
    "F303": "cool_indoor",
    "F101": "cool_indoor",
}

#: Projected CRS by overseas département when a file has no ``EPSG`` column (≤ 2021).
_OVERSEAS_EPSG = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
_WHAT = "la BPE géolocalisée de l'INSEE (TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y;…)"
_FIELDS = {
    "typequ": ("TYPEQU",),
    "depcom": ("DEPCOM",),
    "nomrs": ("NOMRS",),
    "x": ("LAMBERT_X",),
    "y": ("LAMBERT_Y",),
    "epsg": ("EPSG",),
    "qualite_xy": ("QUALITE_XY",),
    "an": ("AN",),
}
_OPTIONAL = ("nomrs", "epsg", "qualite_xy", "an")


def category_of(typequ: pd.Series, *, vintage: int | None) -> pd.Series:
    """Return the resource category of each equipment type (``''`` when unused).

    ``vintage`` (the file's ``AN``) selects the nomenclature: 2023 onwards or older.
    """
    table = CATEGORIES if vintage is None or vintage >= 2023 else CATEGORIES_BEFORE_2023
    return typequ.map(table).fillna("").astype(str)


def read_bpe(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read the geolocated BPE into :data:`~quartiers.schemas.BPE_COLUMNS` (EPSG:2154 points).

    Parameters
    ----------
    path
        ``BPE24.csv`` (``;``-separated, UTF-8 or Latin-1; ~1.4 GB nationally, read in
        blocks by Arrow, only the columns used) or an older ``bpe21_ensemble_xy.csv``.
    bbox_2154
        ``(minx, miny, maxx, maxy)`` in Lambert-93 metres: keep only facilities inside.

    Returns
    -------
    geopandas.GeoDataFrame
        ``typequ``, ``depcom``, ``nomrs`` (``''`` before 2023), ``category`` (see
        :data:`CATEGORIES`), ``qualite_xy`` as published, point geometry in EPSG:2154.
        Facilities without coordinates are dropped (count logged).
    """
    path = Path(path)
    parts = list(_chunks(path, bbox_2154))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if table.empty:
        if bbox_2154 is None:
            raise InputError(f"{path} : aucun équipement géolocalisé — attendu {_WHAT}")
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=str) for c in BPE_COLUMNS if c != "geometry"},
            geometry=gpd.GeoSeries([], crs=L93),
            crs=L93,
        )
    geometry = gpd.points_from_xy(table.pop("x2154"), table.pop("y2154"), crs=L93)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=L93)[BPE_COLUMNS]


def _chunks(path: Path, bbox: BBox | None) -> Iterator[pd.DataFrame]:
    def pick(names: list[str]) -> list[str]:
        # Read 8 of the 89 columns: most of the file's 1.4 GB is never converted.
        cols = column_map(names, _FIELDS, path=path, what=_WHAT, optional=_OPTIONAL)
        return list(cols.values())

    reader = iter_csv_tables(
        path,
        sep=";",
        encodings=("utf-8", "cp1252"),
        what=_WHAT,
        header_hint="typequ",
        columns=pick,
    )
    dropped = 0
    for table in reader:
        out, lost = _normalise(table.to_pandas(), path, bbox)
        dropped += lost
        yield out
    if dropped:
        logger.warning("%s : %d équipement(s) sans coordonnées ignoré(s)", path, dropped)


def _normalise(raw: pd.DataFrame, path: Path, bbox: BBox | None) -> tuple[pd.DataFrame, int]:
    cols = column_map(raw.columns, _FIELDS, path=path, what=_WHAT, optional=_OPTIONAL)
    x = parse_numbers(raw[cols["x"]], path=path, field=cols["x"]).to_numpy()
    y = parse_numbers(raw[cols["y"]], path=path, field=cols["y"]).to_numpy()
    depcom = clean_code(raw[cols["depcom"]], width=5)
    if "epsg" in cols:
        epsg = parse_numbers(raw[cols["epsg"]], path=path, field=cols["epsg"]).to_numpy()
    else:
        dep3 = depcom.str[:3]
        epsg = dep3.map(_OVERSEAS_EPSG).fillna(2154).to_numpy(dtype="float64")
    typequ = text_column(raw[cols["typequ"]])
    where = "équipement " + typequ + " (commune " + depcom + ")"
    fields = {"x": cols["x"], "y": cols["y"], "epsg": cols.get("epsg", "EPSG")}
    v.check_values(
        pd.DataFrame({"x": x, "y": y, "epsg": epsg, "where": where.to_numpy()}),
        _schema(),
        path=path,
        id_column="where",
        id_label="",
        fields=fields,
    )
    located = np.isfinite(x) & np.isfinite(y) & np.isfinite(epsg)
    x2154 = np.full(len(raw), np.nan)
    y2154 = np.full(len(raw), np.nan)
    for code in np.unique(epsg[located]):
        rows = located & (epsg == code)
        if int(code) == 2154:
            x2154[rows], y2154[rows] = x[rows], y[rows]
            continue
        try:
            tr = Transformer.from_crs(f"EPSG:{int(code)}", L93, always_xy=True)
        except Exception as exc:
            raise InputError(
                f"{path} : code EPSG {int(code)} inconnu dans le champ {cols.get('epsg', 'EPSG')}"
                " — attendu un système projeté (2154, 5490, 2972, 2975, 4471…)"
            ) from exc
        x2154[rows], y2154[rows] = tr.transform(x[rows], y[rows], errcheck=False)
    projected = pd.DataFrame({"x": x2154, "y": y2154, "where": where.to_numpy()})[located]
    v.check_values(
        projected, _projected_schema(), path=path, id_column="where", id_label="", fields=fields
    )
    keep = located.copy()
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        keep &= (x2154 >= minx) & (x2154 <= maxx) & (y2154 >= miny) & (y2154 <= maxy)
    vintage = _vintage(raw, cols, path)
    out = pd.DataFrame(
        {
            "typequ": typequ[keep].to_numpy(),
            "depcom": depcom[keep].to_numpy(),
            "nomrs": (
                text_column(raw[cols["nomrs"]])[keep].to_numpy()
                if "nomrs" in cols
                else np.full(int(keep.sum()), "", dtype=object)
            ),
            "category": category_of(typequ[keep], vintage=vintage).to_numpy(),
            "qualite_xy": (
                text_column(raw[cols["qualite_xy"]])[keep].to_numpy()
                if "qualite_xy" in cols
                else np.full(int(keep.sum()), "", dtype=object)
            ),
            "x2154": x2154[keep],
            "y2154": y2154[keep],
        }
    )
    for name in ("typequ", "depcom", "nomrs", "category", "qualite_xy"):
        out[name] = out[name].astype(str)
    return out, int((~located).sum())


@functools.cache
def _schema() -> v.Schema:
    return v.schema({"x": v.number(), "y": v.number(), "epsg": v.number(minimum=1)})


@functools.cache
def _projected_schema() -> v.Schema:
    """Coordinates the declared CRS cannot project (outside its domain) become infinite."""
    import pandera.pandas as pa

    outside = pa.Check(
        lambda s: pd.Series(np.isfinite(s.to_numpy(dtype="float64")), index=s.index),
        name="projected:finite",
        error="coordonnées hors du domaine du SCR déclaré (champ EPSG) — attendu des mètres "
        "dans ce SCR",
    )
    return v.schema({"x": [outside], "y": [outside]})


def _vintage(raw: pd.DataFrame, cols: dict[str, str], path: Path) -> int | None:
    if "an" in cols:
        years = pd.to_numeric(raw[cols["an"]].astype("string").str.strip(), errors="coerce")
        if years.notna().any():
            return int(years.max())
    return 2023 if "epsg" in cols else 2021
