"""Neighbourhoods other than the QPV (``--zones FILE``): IRIS, « quartiers de veille active »…

A GeoJSON, GeoPackage or shapefile with one polygon per neighbourhood, an identifier and a
name. :func:`zones_as_qpv` gives them the layout of the QPV perimeters
(:data:`~quartiers.schemas.QPV_COLUMNS`), each in the commune holding most of its area, so
that the whole diagnostic (comparisons with the rest of the commune and the EPCI, ranks,
uncertainty, sheets, web pages) runs on them exactly as on the QPV.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.checksum import file_sha256
from quartiers.errors import InputError
from quartiers.schemas import QPV_COLUMNS, Provenance, TerritoryInputs, ZonesNote
from quartiers.sources._text import column_map, text_column
from quartiers.sources._vector import L93, check_crs, read_vector, repair_geometries

__all__ = ["ID_FIELDS", "NAME_FIELDS", "read_zones", "with_zones", "zones_as_qpv"]

#: Accepted spellings of the identifier field when ``--zones-id`` is not given.
ID_FIELDS = ("id", "code", "code_zone", "code_iris", "iris", "code_quartier", "identifiant")
#: Accepted spellings of the name field when ``--zones-nom`` is not given.
NAME_FIELDS = ("nom", "name", "libelle", "lib_iris", "nom_iris", "nom_quartier", "label")

_WHAT = "des quartiers (un polygone par quartier, un identifiant et un nom)"
# Identifiers end up in web addresses and file names: letters, digits, - and _ only.
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def read_zones(
    path: Path,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read neighbourhood perimeters: ``zone_id``, ``zone_name``, polygons in EPSG:2154.

    Parameters
    ----------
    path
        GeoJSON (CRS84 or with its CRS), GeoPackage or shapefile.
    id_field, name_field
        Fields holding the identifier and the name (default: the first of
        :data:`ID_FIELDS` and :data:`NAME_FIELDS` present, case ignored).
    layer
        Layer of a multi-layer GeoPackage.

    Raises
    ------
    InputError
        Unreadable file, missing field, empty or duplicated identifier, identifier with
        other characters than letters, digits, ``-`` and ``_``, missing or non-polygon
        geometry (the message names the file, the field and the zone).
    """
    path = Path(path)
    raw = read_vector(path, what=_WHAT, layer=layer)
    wanted = {
        "id": (id_field,) if id_field else ID_FIELDS,
        "name": (name_field,) if name_field else NAME_FIELDS,
    }
    cols = column_map(raw.columns, wanted, path=path, what=_WHAT)
    raw = check_crs(raw, path=path, expected="CRS84 (GeoJSON) ou EPSG:2154", target=L93)
    ident = text_column(raw[cols["id"]])
    name = text_column(raw[cols["name"]])
    _check_ids(ident, path=path, field=cols["id"])
    empty_name = name == ""
    if empty_name.any():
        raise InputError(
            f"{path} : champ {cols['name']} vide pour la zone {ident[empty_name].iloc[0]!r} "
            "— attendu le nom du quartier"
        )
    geoms = raw.geometry.to_numpy()
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms)
    if not polygonal.all():
        bad = ident[~polygonal].iloc[0]
        raise InputError(
            f"{path} : zone {bad!r} (champ {cols['id']}) sans géométrie ou non surfacique "
            "— attendu un polygone par quartier"
        )
    out = gpd.GeoDataFrame(
        {"zone_id": ident.to_numpy(), "zone_name": name.to_numpy()}, geometry=geoms, crs=L93
    )
    return repair_geometries(out, path=path).reset_index(drop=True)


def _check_ids(ident: pd.Series, *, path: Path, field: str) -> None:
    if len(ident) == 0:
        raise InputError(f"{path} : aucune zone — attendu {_WHAT}")
    bad = ~ident.str.fullmatch(_ID.pattern)
    if bad.any():
        raise InputError(
            f"{path} : identifiant {ident[bad].iloc[0]!r} invalide dans le champ {field} — "
            "attendu 1 à 40 lettres, chiffres, « - » ou « _ » (il sert d'adresse de page)"
        )
    dup = ident.duplicated()
    if dup.any():
        raise InputError(
            f"{path} : identifiant {ident[dup].iloc[0]!r} en double dans le champ {field} "
            "— chaque quartier doit avoir le sien"
        )


def zones_as_qpv(
    zones: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *, path: Path
) -> gpd.GeoDataFrame:
    """Return the zones of the territory in the QPV layout (:data:`QPV_COLUMNS`).

    Each zone lies in the commune holding most of its area (``insee_com``), with every
    commune it overlaps in ``insee_coms`` and that commune's EPCI; zones outside the
    territory's communes are left out.

    Raises
    ------
    InputError
        No zone of the file overlaps the territory.
    """
    communes = communes.to_crs(L93)
    geoms = zones.geometry.to_numpy()
    zone, com = shapely.STRtree(communes.geometry.to_numpy()).query(geoms, predicate="intersects")
    area = shapely.area(shapely.intersection(geoms[zone], communes.geometry.to_numpy()[com]))
    pairs = pd.DataFrame({"zone": zone, "com": com, "area": area})
    pairs = pairs.loc[pairs["area"] > 0].sort_values(["zone", "area"], ascending=[True, False])
    if pairs.empty:
        raise InputError(
            f"{path} : aucune zone du fichier ne recouvre les communes du territoire "
            f"({', '.join(communes['insee_com'].astype(str).head(5))}…)"
        )
    codes = communes["insee_com"].astype(str).to_numpy()
    epci = communes["siren_epci"].astype(str).to_numpy()
    grouped = pairs.groupby("zone", sort=True)["com"].apply(list)
    rows = zones.iloc[grouped.index.to_numpy()]
    return gpd.GeoDataFrame(
        {
            "code_qp": rows["zone_id"].to_numpy(),
            "lib_qp": rows["zone_name"].to_numpy(),
            "insee_com": [codes[c[0]] for c in grouped],
            "insee_coms": [",".join(codes[c]) for c in grouped],
            "siren_epci": [epci[c[0]] for c in grouped],
        },
        geometry=rows.geometry.to_numpy(),
        crs=L93,
    )[QPV_COLUMNS].reset_index(drop=True)


def with_zones(
    inputs: TerritoryInputs,
    path: Path,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
) -> TerritoryInputs:
    """Return the inputs with the zones of ``path`` in place of the QPV.

    The file is recorded among the sources of ``run.json`` (source ``zones``) and
    ``notes.zones`` says which file and how many of its zones were kept.
    """
    zones = read_zones(path, id_field=id_field, name_field=name_field)
    as_qpv = zones_as_qpv(zones, inputs.communes, path=Path(path))
    source = Provenance(
        source_id="zones",
        location=str(path),
        vintage="",
        licence="fichier de l'utilisateur",
        sha256=file_sha256(Path(path)),
        retrieved=pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
    )
    notes = replace(
        inputs.notes, zones=ZonesNote(file=str(path), read=len(zones), kept=len(as_qpv))
    )
    return replace(inputs, qpv=as_qpv, provenance=[*inputs.provenance, source], notes=notes)
