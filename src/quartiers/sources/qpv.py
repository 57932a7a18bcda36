"""ANCT QPV 2024 perimeters (GeoJSON in CRS84, shapefile or GeoPackage in Lambert-93).

Official file: ``QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson`` (data.gouv.fr dataset
``5a561801c751df42d7fca9b6``), properties ``fid, code_qp, lib_qp, insee_reg, lib_reg,
insee_dep, lib_dep, insee_com, lib_com, siren_epci``. ``insee_com`` may hold several codes
separated by commas (a QPV straddling communes).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import QPV_COLUMNS
from quartiers.sources import validation as v
from quartiers.sources._text import clean_code, column_map, text_column
from quartiers.sources._vector import (
    L93,
    check_crs,
    read_vector,
    repair_geometries,
    require_geometries,
)

__all__ = ["read_qpv", "split_codes"]

_WHAT = "les périmètres QPV 2024 de l'ANCT (code_qp, lib_qp, insee_com, siren_epci)"
_FIELDS = {
    "code_qp": ("code_qp", "code_quartier"),
    "lib_qp": ("lib_qp", "nom_qp"),
    "insee_com": ("insee_com", "code_insee", "commune_qp"),
    "siren_epci": ("siren_epci",),
}
_CODE_QP = re.compile(r"^Q[A-Z][0-9A-Z]{3}\d{2}[0-9A-Z]?$")


@functools.cache
def _schema() -> v.Schema:
    return v.schema({"code_qp": v.identifier()})


def split_codes(value: str) -> list[str]:
    """Return the commune codes of a multi-valued ``insee_com`` (``"13055, 13070"``)."""
    parts = re.split(r"[,;/|\s]+", str(value).strip())
    return [p.zfill(5) if p.isdigit() else p for p in parts if p]


def read_qpv(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read the ANCT QPV perimeters into :data:`~quartiers.schemas.QPV_COLUMNS` (EPSG:2154).

    Parameters
    ----------
    path
        GeoJSON (CRS84), shapefile or GeoPackage (Lambert-93) of the QPV 2024.
    layer
        Layer of a multi-layer GeoPackage (default: the only or first layer).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per QPV: ``code_qp``, ``lib_qp``, ``insee_com`` (first commune),
        ``insee_coms`` (all communes joined by ``,``), ``siren_epci``, geometry in
        EPSG:2154 (invalid rings repaired).

    Raises
    ------
    InputError
        Missing field, unknown CRS, empty layer, unreadable geometry, malformed or
        duplicated ``code_qp``.
    """
    path = Path(path)
    raw = read_vector(path, what=_WHAT, layer=layer)
    cols = column_map(raw.columns, _FIELDS, path=path, what=_WHAT)
    raw = check_crs(raw, path=path, expected="CRS84 (GeoJSON) ou EPSG:2154", target=L93)
    v.check_coordinates(raw, path=path, id_column=cols["code_qp"], id_label="QPV")
    code = text_column(raw[cols["code_qp"]])
    bad = ~code.str.fullmatch(_CODE_QP.pattern)
    if bad.any():
        raise InputError(
            f"{path} : code QPV {code[bad].iloc[0]!r} invalide dans le champ "
            f"{cols['code_qp']} — attendu QN + département + 2 chiffres + lettre (ex. QN08503I)"
        )
    v.check_values(
        pd.DataFrame({"code_qp": code}),
        _schema(),
        path=path,
        id_column="code_qp",
        id_label="QPV",
        fields=cols,
    )
    coms = raw[cols["insee_com"]].astype("string").fillna("").map(split_codes)
    if (coms.map(len) == 0).any():
        raise InputError(
            f"{path} : champ {cols['insee_com']} vide pour le QPV "
            f"{code[coms.map(len) == 0].iloc[0]} — attendu au moins un code commune INSEE"
        )
    out = gpd.GeoDataFrame(
        {
            "code_qp": code.to_numpy(),
            "lib_qp": text_column(raw[cols["lib_qp"]]).to_numpy(),
            "insee_com": [c[0] for c in coms],
            "insee_coms": [",".join(c) for c in coms],
            "siren_epci": clean_code(raw[cols["siren_epci"]], width=9).to_numpy(),
        },
        geometry=raw.geometry.to_numpy(),
        crs=L93,
    )
    require_geometries(out, path=path, id_field="code_qp")
    out = repair_geometries(out, path=path)
    for name in ("code_qp", "lib_qp", "insee_com", "insee_coms", "siren_epci"):
        out[name] = pd.Series(out[name], index=out.index).astype(str)
    return out[QPV_COLUMNS].reset_index(drop=True)
