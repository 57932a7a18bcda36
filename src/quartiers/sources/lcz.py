"""Local Climate Zones: CEREMA ``LCZ_SPOT_2022_<ville>`` layers and GeoClimate outputs.

- CEREMA (shapefile or GeoPackage, Lambert-93): ``lcz`` as text (``1``…``10``,
  ``A``…``G``) and ``lcz_int`` (1–17, A–G = 11–17), plus the urban indicators
  ``hre, are, bur, ror, bsr, war, ver, vhr``.
- GeoClimate (``*_rsu_lcz.geojson``): ``LCZ_PRIMARY`` as an integer, 1–10 for the built
  types and 101–107 for the land-cover types A–G.

Both become :data:`~quartiers.schemas.LCZ_COLUMNS` in EPSG:2154.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import LCZ_COLUMNS, BBox
from quartiers.sources._text import text_column
from quartiers.sources._vector import (
    L93,
    bbox_in_file_crs,
    check_crs,
    clip_to_bbox,
    list_layers,
    read_vector,
    repair_geometries,
)

__all__ = ["LCZ_LABELS", "lcz_from_int", "read_lcz"]


#: LCZ code → French label (Stewart & Oke classes as named by CEREMA).
LCZ_LABELS: dict[str, str] = {
    "1": "Ensemble compact de tours",
    "2": "Ensemble compact d'immeubles",
    "3": "Ensemble compact de maisons",
    "4": "Ensemble de tours espacées",
    "5": "Ensemble d'immeubles espacés",
    "6": "Ensemble de maisons espacées",
    "7": "Habitat léger",
    "8": "Bâtiments bas de grande emprise",
    "9": "Habitat diffus",
    "10": "Industrie lourde",
    "A": "Forêt dense",
    "B": "Arbres épars",
    "C": "Broussailles",
    "D": "Végétation basse",
    "E": "Sol nu ou minéral",
    "F": "Sable",
    "G": "Eau",
}
_LETTERS = "ABCDEFG"
_WHAT = "les zones climatiques locales (CEREMA : lcz, lcz_int ; GeoClimate : LCZ_PRIMARY)"


def lcz_from_int(value: int) -> str:
    """Return the LCZ code (``"1"``…``"10"``, ``"A"``…``"G"``) of ``lcz_int`` 1–17."""
    if 1 <= value <= 10:
        return str(value)
    if 11 <= value <= 17:
        return _LETTERS[value - 11]
    raise ValueError(value)


def read_lcz(
    path: Path, *, bbox_2154: BBox | None = None, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read an LCZ layer into :data:`~quartiers.schemas.LCZ_COLUMNS` (EPSG:2154).

    Parameters
    ----------
    path
        CEREMA ``LCZ_SPOT_2022_<ville>.shp`` / GeoPackage, or a GeoClimate
        ``rsu_lcz.geojson``.
    bbox_2154
        Keep only blocks intersecting this Lambert-93 box.
    layer
        Layer of a multi-layer GeoPackage (default: the first whose name has ``lcz``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``lcz`` (text code), ``lcz_int`` (1–17), polygon geometry in EPSG:2154.
        Blocks without a class or geometry are dropped.
    """
    path = Path(path)
    if layer is None and path.suffix.lower() == ".gpkg":
        names = list_layers(path)
        layer = next((n for n in names if "lcz" in n.lower()), names[0] if names else None)
    bbox = bbox_in_file_crs(path, layer, bbox_2154, L93)
    raw = read_vector(path, what=_WHAT, layer=layer, bbox=bbox)
    raw = check_crs(raw, path=path, expected="EPSG:2154 (CEREMA) ou le SCR du fichier", target=L93)
    lower = {c.lower(): c for c in raw.columns}
    if "lcz_int" in lower or "lcz" in lower:
        code = _from_cerema(raw, lower, path)
    elif "lcz_primary" in lower:
        code = _from_geoclimate(raw[lower["lcz_primary"]], path, lower["lcz_primary"])
    else:
        shown = ", ".join(str(c) for c in raw.columns if c != "geometry")
        raise InputError(
            f"{path} : champ(s) manquant(s) lcz ou lcz_int ou LCZ_PRIMARY — attendu pour {_WHAT} "
            f"(champs présents : {shown})"
        )
    out = gpd.GeoDataFrame({"lcz": code.to_numpy()}, geometry=raw.geometry.to_numpy(), crs=L93)
    out = out[(out["lcz"] != "") & out.geometry.notna() & ~out.geometry.is_empty]
    out["lcz_int"] = out["lcz"].map(_to_int).astype("int64")
    out["lcz"] = out["lcz"].astype(str)
    out = repair_geometries(out.reset_index(drop=True), path=path)
    return clip_to_bbox(out[LCZ_COLUMNS], bbox_2154).reset_index(drop=True)


def _to_int(code: str) -> int:
    return int(code) if code.isdigit() else 11 + _LETTERS.index(code)


def _from_cerema(raw: gpd.GeoDataFrame, lower: dict[str, str], path: Path) -> pd.Series:
    if "lcz" in lower:
        code = text_column(raw[lower["lcz"]]).str.upper().str.replace(r"\.0$", "", regex=True)
        bad = ~code.isin(list(LCZ_LABELS)) & (code != "")
        if bad.any():
            raise InputError(
                f"{path} : classe LCZ {code[bad].iloc[0]!r} dans le champ {lower['lcz']} — "
                "attendu 1 à 10 ou A à G"
            )
        return code
    values = pd.to_numeric(raw[lower["lcz_int"]], errors="coerce")
    bad = values.notna() & ~values.isin(range(1, 18))
    if bad.any():
        raise InputError(
            f"{path} : valeur {raw[lower['lcz_int']][bad].iloc[0]!r} dans le champ "
            f"{lower['lcz_int']} — attendu un entier de 1 à 17"
        )
    codes: pd.Series = values.map(lambda v: "" if pd.isna(v) else lcz_from_int(int(v)))
    return codes.astype(str)


def _from_geoclimate(values: pd.Series, path: Path, field: str) -> pd.Series:
    number = pd.to_numeric(values, errors="coerce")
    valid = number.isin(list(range(1, 11)) + list(range(101, 108)))
    bad = number.notna() & ~valid
    if bad.any():
        raise InputError(
            f"{path} : valeur {values[bad].iloc[0]!r} dans le champ {field} — attendu 1 à 10 "
            "ou 101 à 107 (classes A à G de GeoClimate)"
        )
    as_int = np.where(number >= 101, number - 90, number)
    return pd.Series(
        ["" if np.isnan(v) else lcz_from_int(int(v)) for v in as_int], index=values.index
    )
