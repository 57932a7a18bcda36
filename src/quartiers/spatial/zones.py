"""Comparison zones: each QPV, the rest of each commune and the rest of each EPCI (EPSG:3035).

"Rest of commune" is the commune minus every QPV; "rest of EPCI" is the union of the EPCI's
communes (as given in the inputs) minus every QPV. Both are disjoint from the QPV, so
counts add up: QPV + rest of commune = commune.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.errors import InputError
from quartiers.spatial.geometry import union_by_group
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M

__all__ = [
    "ZONE_TYPES",
    "build_zones",
    "check_qpv_extent",
    "comparison_groups",
    "qpv_communes",
    "to_cell_crs",
]

log = logging.getLogger(__name__)

#: Zone types (id → French label).
ZONE_TYPES: dict[str, str] = {
    "qpv": "quartier prioritaire (QPV)",
    "reste_commune": "reste de la commune (hors QPV)",
    "reste_epci": "reste de l'intercommunalité (hors QPV)",
}

#: Largest share of a QPV's area allowed outside the grid's extent.
MAX_OUTSIDE_SHARE = 0.01

_ZONE_COLUMNS = [
    "zone_id",
    "zone_type",
    "code",
    "label",
    "insee_com",
    "siren_epci",
    "reference_population",
    "geometry",
]


def to_cell_crs(layer: gpd.GeoDataFrame, *, name: str) -> gpd.GeoDataFrame:
    """Return a layer in EPSG:3035 (the grid's CRS); a layer without CRS is refused."""
    if layer.crs is None:
        raise InputError(f"{name} : système de coordonnées absent (attendu EPSG:2154 ou 3035)")
    return layer if layer.crs.equals(CELL_CRS) else layer.to_crs(CELL_CRS)


def qpv_communes(qpv: pd.DataFrame) -> list[list[str]]:
    """Return the commune codes of each QPV (``insee_coms`` split on ``,``)."""
    src = qpv["insee_coms"] if "insee_coms" in qpv.columns else qpv["insee_com"]
    fallback = qpv["insee_com"].astype("string").fillna("")
    out = []
    for codes, first in zip(src.astype("string").fillna(""), fallback, strict=True):
        parts = [c.strip() for c in str(codes).split(",") if c.strip()]
        out.append(parts or ([str(first)] if first else []))
    return out


def check_qpv_extent(
    qpv: gpd.GeoDataFrame, xy: NDArray[np.int64], *, source: str, zones: bool = False
) -> None:
    """Refuse QPV lying (even partly) outside the extent of the grid cells.

    Parameters
    ----------
    qpv
        QPV in EPSG:3035 with ``code_qp``.
    xy
        South-west corners of the cells.
    source
        Name of the cell table for the message.
    zones
        The units are the user's zones (``--zones``): the message speaks of zones.
    """
    units, these = ("zones", "ces zones") if zones else ("QPV", "ces quartiers")
    if len(xy) == 0:
        raise InputError(f"{source} : aucun carreau, impossible de calculer les {units}")
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0) + CELL_SIZE_M
    extent = shapely.box(float(x0), float(y0), float(x1), float(y1))
    geoms = np.asarray(qpv.geometry.values, dtype=object)
    area = shapely.area(geoms)
    outside = shapely.area(shapely.difference(geoms, extent))
    share = np.divide(outside, area, out=np.ones_like(area), where=area > 0)
    bad = share > MAX_OUTSIDE_SHARE
    if bad.any():
        codes = ", ".join(
            f"{c} ({s * 100:.0f} % hors emprise)"
            for c, s in zip(qpv["code_qp"][bad], share[bad], strict=True)
        )
        raise InputError(
            f"{source} : {units} hors de l'emprise du carroyage : {codes} ; emprise des "
            f"carreaux x {x0}–{x1}, y {y0}–{y1} (EPSG:3035). Fournissez les carreaux Filosofi "
            f"couvrant {these}."
        )


def build_zones(qpv: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return QPV, rest-of-commune and rest-of-EPCI zones (EPSG:3035).

    Parameters
    ----------
    qpv
        QPV (``code_qp, lib_qp, insee_com, insee_coms, siren_epci``), EPSG:3035.
    communes
        Communes (``insee_com, nom, population, siren_epci``), EPSG:3035.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``zone_id`` (``code_qp``, ``commune:<insee>``, ``epci:<siren>``),
        ``zone_type`` (see :data:`ZONE_TYPES`), ``code``, ``label``, ``insee_com``,
        ``siren_epci``, ``reference_population`` (legal population of the whole commune or
        EPCI, NaN for a QPV) and ``geometry``.
    """
    codes = [",".join(c) for c in qpv_communes(qpv)]
    q = pd.DataFrame(
        {
            "zone_id": qpv["code_qp"].astype("string").to_numpy(),
            "zone_type": "qpv",
            "code": qpv["code_qp"].astype("string").to_numpy(),
            "label": qpv["lib_qp"].astype("string").to_numpy(),
            "insee_com": codes,
            "siren_epci": qpv["siren_epci"].astype("string").fillna("").to_numpy(),
            "reference_population": np.nan,
            "geometry": np.asarray(qpv.geometry.values, dtype=object),
        }
    )
    qpv_union = shapely.union_all(np.asarray(qpv.geometry.values, dtype=object))
    com = communes.reset_index(drop=True)
    com_geoms = np.asarray(com.geometry.values, dtype=object)
    rest = shapely.difference(com_geoms, qpv_union)
    insee = com["insee_com"].astype("string").to_numpy()
    siren = com["siren_epci"].astype("string").fillna("").to_numpy()
    pop = pd.to_numeric(com["population"], errors="coerce").to_numpy(dtype="float64")
    c = pd.DataFrame(
        {
            "zone_id": [f"commune:{i}" for i in insee],
            "zone_type": "reste_commune",
            "code": insee,
            "label": [f"{n} hors QPV" for n in com["nom"].astype("string").fillna("")],
            "insee_com": insee,
            "siren_epci": siren,
            "reference_population": pop,
            "geometry": rest,
        }
    )
    frames = [q, c]
    member = siren != ""
    if member.any():
        codes_epci, group = np.unique(siren[member], return_inverse=True)
        _, epci_geoms = union_by_group(com_geoms[member], group.astype(np.int64))
        members = pd.Series(insee[member]).groupby(group).agg(",".join)
        e = pd.DataFrame(
            {
                "zone_id": [f"epci:{s}" for s in codes_epci],
                "zone_type": "reste_epci",
                "code": codes_epci,
                "label": [f"Intercommunalité {s} hors QPV" for s in codes_epci],
                "insee_com": members.to_numpy(),
                "siren_epci": codes_epci,
                "reference_population": np.bincount(
                    group, weights=np.nan_to_num(pop[member]), minlength=len(codes_epci)
                ),
                "geometry": shapely.difference(epci_geoms, qpv_union),
            }
        )
        frames.append(e)
    zones = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(zones[_ZONE_COLUMNS], geometry="geometry", crs=CELL_CRS)


def comparison_groups(zones: pd.DataFrame) -> tuple[list[list[int]], list[list[int]]]:
    """Return, per QPV row of ``zones``, the positions of its commune and EPCI rest zones.

    A QPV straddling several communes is compared with the union of their rests.
    """
    pos = {zid: i for i, zid in enumerate(zones["zone_id"])}
    commune_groups: list[list[int]] = []
    epci_groups: list[list[int]] = []
    for row in zones[zones["zone_type"] == "qpv"].itertuples():
        coms = [c for c in str(row.insee_com).split(",") if c]
        commune_groups.append([pos[f"commune:{c}"] for c in coms if f"commune:{c}" in pos])
        key = f"epci:{row.siren_epci}"
        epci_groups.append([pos[key]] if key in pos else [])
    return commune_groups, epci_groups
