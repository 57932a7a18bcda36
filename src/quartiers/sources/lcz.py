"""Local Climate Zones: CEREMA ``LCZ_SPOT_2022_<ville>`` layers and GeoClimate outputs.

- CEREMA (shapefile or GeoPackage, Lambert-93): ``lcz`` as text (``1``…``10``,
  ``A``…``G``) and ``lcz_int`` (1–17, A–G = 11–17), plus the urban indicators
  ``hre, are, bur, ror, bsr, war, ver, vhr``.
- GeoClimate (``*_rsu_lcz.geojson``): ``LCZ_PRIMARY`` as an integer, 1–10 for the built
  types and 101–107 for the land-cover types A–G.

Both become :data:`~quartiers.schemas.LCZ_COLUMNS` in EPSG:2154.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import LCZ_COLUMNS, BBox
from quartiers.sources import validation as v
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
        code = _from_geoclimate(raw[lower["lcz_primary"]], path, lower["lcz_primary"], raw)
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


#: Identifier fields of an LCZ block, if the layer has one (else the object's position).
_ID_FIELDS = ("id_rsu", "identifier", "id")
_GEOCLIMATE = [str(n) for n in (*range(1, 11), *range(101, 108))]


@functools.cache
def _schema() -> v.Schema:
    return v.schema(
        {
            "lcz": v.one_of(LCZ_LABELS, "1 à 10 ou A à G", what="classe LCZ"),
            "lcz_int": v.one_of([str(n) for n in range(1, 18)], "un entier de 1 à 17"),
            "lcz_primary": v.one_of(
                _GEOCLIMATE, "1 à 10 ou 101 à 107 (classes A à G de GeoClimate)"
            ),
        }
    )


def _check_classes(table: pd.DataFrame, raw: gpd.GeoDataFrame, path: Path, field: str) -> None:
    """Refuse unknown LCZ classes (pandera schema; French message naming the field)."""
    lower = {str(c).lower(): c for c in raw.columns}
    id_field = next((lower[f] for f in _ID_FIELDS if f in lower), None)
    frame = table.copy()
    if id_field is not None:
        frame["_id"] = raw[id_field].astype("string").to_numpy()
        label = str(id_field)
    else:
        frame["_id"] = [str(k + 1) for k in range(len(frame))]
        label = "objet n°"
    column = next(iter(table.columns))
    v.check_values(
        frame, _schema(), path=path, id_column="_id", id_label=label, fields={column: field}
    )


def _integers(values: pd.Series) -> pd.Series:
    """Return integral numbers as text (``3.0`` → ``"3"``), anything else as read."""
    number = pd.to_numeric(values, errors="coerce")
    text = text_column(values)
    whole = number.notna() & np.isfinite(number) & (number == number.round())
    return text.mask(whole, number.where(whole, 0).astype("int64").astype(str))


def _from_cerema(raw: gpd.GeoDataFrame, lower: dict[str, str], path: Path) -> pd.Series:
    if "lcz" in lower:
        code = text_column(raw[lower["lcz"]]).str.upper().str.replace(r"\.0$", "", regex=True)
        _check_classes(pd.DataFrame({"lcz": code}), raw, path, lower["lcz"])
        return code
    values = _integers(raw[lower["lcz_int"]])
    _check_classes(pd.DataFrame({"lcz_int": values}), raw, path, lower["lcz_int"])
    codes: pd.Series = values.map(lambda v: lcz_from_int(int(v)) if v else "")
    return codes.astype(str)


def _from_geoclimate(values: pd.Series, path: Path, field: str, raw: gpd.GeoDataFrame) -> pd.Series:
    number = _integers(values)
    _check_classes(pd.DataFrame({"lcz_primary": number}), raw, path, field)
    as_int = [int(x) - 90 if x and int(x) >= 101 else int(x or 0) for x in number]
    return pd.Series([lcz_from_int(v) if v else "" for v in as_int], index=values.index)
