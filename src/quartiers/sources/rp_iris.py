"""INSEE census tables by IRIS (``rp_iris``) joined to the IGN IRIS contours.

Two INSEE « bases infracommunales » of the census (« Recensement de la population, bases
IRIS »), CSV separated by ``;``, one row per IRIS (column ``IRIS``, 9 characters), variables
named ``P<aa>_…`` for the census year 20<aa>:

- « Couples – Familles – Ménages » (``base-ic-couples-familles-menages-<année>.CSV``):
  ``P<aa>_POP80P_PSEUL``, people aged 80 or over living alone;
- « Logement » (``base-ic-logement-<année>.CSV``): ``P<aa>_NPER_RP``, people living in main
  residences, and ``P<aa>_NBPI_RP``, rooms of main residences (overcrowding: persons per room).

Either table may be given alone; a variable absent from every table leaves its indicator out.
The IRIS contours (IGN « CONTOURS-IRIS » 2.x: ``CODE_IRIS``; 3.x: ``code_iris``; any vector
format GDAL reads) give the geometry. The counts are allocated to the 200 m cells by
population in :mod:`quartiers.indicators.census`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import RP_IRIS_COLUMNS, BBox
from quartiers.sources._vector import L93, bbox_in_file_crs, check_crs, read_vector

__all__ = ["CENSUS_VARIABLES", "read_rp_iris"]

#: Census variable (without its ``P<aa>_`` prefix) → column of :data:`RP_IRIS_COLUMNS`.
CENSUS_VARIABLES = {
    "POP80P_PSEUL": "pop80p_alone",
    "NPER_RP": "rp_persons",
    "NBPI_RP": "rp_rooms",
}
_TABLES = {".csv", ".txt"}
_VECTORS = {".gpkg", ".shp", ".geojson", ".json", ".fgb"}
_WHAT = "les contours des IRIS de l'IGN (champ CODE_IRIS ou code_iris)"
_PATTERN = re.compile(r"^P(\d\d)_(" + "|".join(CENSUS_VARIABLES) + r")$", re.IGNORECASE)


def _files(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Split the given files (folders expanded) into census tables and contour layers."""
    tables: list[Path] = []
    vectors: list[Path] = []
    for given in paths:
        given = Path(given)
        files = sorted(p for p in given.iterdir() if p.is_file()) if given.is_dir() else [given]
        for path in files:
            suffix = path.suffix.lower()
            if suffix in _TABLES and not path.name.lower().startswith("meta_"):
                tables.append(path)
            elif suffix in _VECTORS:
                vectors.append(path)
            elif not given.is_dir():
                raise InputError(
                    f"{path} : fichier non reconnu pour rp_iris — attendu une table INSEE par IRIS "
                    "(.CSV, décompressée) ou les contours des IRIS (.gpkg, .shp, .geojson)"
                )
    return tables, vectors


def _read_table(path: Path) -> pd.DataFrame:
    """Read one INSEE IRIS table: ``code_iris`` and the census variables it holds."""
    try:
        raw = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            f"{path} : table INSEE illisible ({exc}) — attendu un CSV séparé par « ; », une "
            "ligne par IRIS"
        ) from None
    columns = {str(c).strip(): c for c in raw.columns}
    iris = next((columns[c] for c in columns if c.upper() == "IRIS"), None)
    if iris is None:
        raise InputError(
            f"{path} : champ IRIS manquant — attendu le code IRIS à 9 caractères des bases "
            f"infracommunales du recensement (champs présents : {', '.join(list(columns)[:8])}…)"
        )
    out = pd.DataFrame({"code_iris": raw[iris].astype(str).str.strip()})
    for name, column in columns.items():
        match = _PATTERN.match(name)
        if match is None:
            continue
        target = CENSUS_VARIABLES[match.group(2).upper()]
        text = raw[column].fillna("").astype(str).str.strip().str.replace(",", ".", regex=False)
        values = pd.Series(pd.to_numeric(text.to_numpy(), errors="coerce"), index=text.index)
        bad = values.isna() & (text != "")
        if bad.any() or (values < 0).any():
            first = int(np.flatnonzero(bad.to_numpy() | (values < 0).to_numpy())[0])
            raise InputError(
                f"{path} : champ {name}, {int(bad.sum() + (values < 0).sum())} valeur(s) "
                f"invalide(s) — attendu un effectif positif ou nul (première : IRIS "
                f"{out['code_iris'].iloc[first]})"
            )
        out[target] = values.to_numpy(dtype="float64")
    bad_code = ~out["code_iris"].str.fullmatch(r"[0-9][0-9AB][0-9]{7}")
    if bad_code.any():
        raise InputError(
            f"{path} : champ IRIS, {int(bad_code.sum())} code(s) invalide(s) — attendu 9 "
            f"caractères (commune + 4 chiffres), premier : « {out['code_iris'][bad_code].iloc[0]} »"
        )
    return out


def _read_contours(path: Path, bbox_2154: BBox | None) -> gpd.GeoDataFrame:
    """Read IRIS contours: ``code_iris`` and polygons in EPSG:2154."""
    bbox = bbox_in_file_crs(path, None, bbox_2154, L93)
    raw = read_vector(path, what=_WHAT, bbox=bbox, allow_empty=True)
    raw = check_crs(raw, path=path, expected="EPSG:2154 (IGN) ou le SCR du fichier", target=L93)
    lower = {str(c).lower(): c for c in raw.columns}
    if "code_iris" not in lower:
        shown = ", ".join(str(c) for c in raw.columns if c != "geometry")
        raise InputError(
            f"{path} : champ CODE_IRIS (ou code_iris) manquant — attendu pour {_WHAT} "
            f"(champs présents : {shown})"
        )
    codes = raw[lower["code_iris"]].astype(str).str.strip().to_numpy()
    return gpd.GeoDataFrame({"code_iris": codes}, geometry=raw.geometry.to_numpy(), crs=L93)


def read_rp_iris(paths: Sequence[Path], *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read the census IRIS tables and the IRIS contours into one layer.

    Parameters
    ----------
    paths
        The INSEE tables (CSV, uncompressed) and the IGN IRIS contours, or folders holding
        them (files whose name starts with ``meta_`` are the INSEE dictionaries: skipped).
    bbox_2154
        Keep only IRIS intersecting this Lambert-93 box.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~quartiers.schemas.RP_IRIS_COLUMNS` in EPSG:2154, one row per IRIS of the
        contours found in the tables; a census variable no table holds is NaN.

    Raises
    ------
    InputError
        No table or no contours, a table without ``IRIS``, a non-numeric or negative count,
        no IRIS in common between tables and contours (French message naming the file).
    """
    tables, vectors = _files(paths)
    if not tables or not vectors:
        given = ", ".join(str(p) for p in paths)
        lacking = "la table INSEE par IRIS (.CSV)" if not tables else "les contours des IRIS"
        raise InputError(
            f"rp_iris ({given}) : il manque {lacking} — donnez les deux avec --source "
            "rp_iris=FICHIER (répétable) ou un dossier qui les contient"
        )
    census: pd.DataFrame | None = None
    for path in tables:
        table = _read_table(path).drop_duplicates("code_iris")
        census = table if census is None else census.merge(table, on="code_iris", how="outer")
    assert census is not None
    contours = pd.concat([_read_contours(p, bbox_2154) for p in vectors], ignore_index=True)
    layer = gpd.GeoDataFrame(contours.drop_duplicates("code_iris"), geometry="geometry", crs=L93)
    if layer.empty:
        raise InputError(
            f"rp_iris : aucun contour d'IRIS dans l'emprise du territoire "
            f"({', '.join(p.name for p in vectors)}) — attendu les IRIS de ses communes"
        )
    joined = layer.merge(census, on="code_iris", how="inner")
    if joined.empty:
        raise InputError(
            f"rp_iris : aucun IRIS commun entre les tables ({', '.join(p.name for p in tables)}) "
            f"et les contours ({', '.join(p.name for p in vectors)}) — vérifiez qu'ils portent "
            "sur les mêmes communes et la même géographie"
        )
    for column in RP_IRIS_COLUMNS:
        if column not in joined.columns:
            joined[column] = np.nan
    out = gpd.GeoDataFrame(joined[RP_IRIS_COLUMNS], geometry="geometry", crs=L93)
    return out.reset_index(drop=True)
