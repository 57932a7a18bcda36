"""Communes and EPCI: IGN ADMIN EXPRESS (4.0 GeoPackage, 3.x shapefile), GeoJSON, INSEE tables.

Three commune layouts are recognised by their fields (case-insensitive):

- ADMIN EXPRESS COG 4.0 (2025+), GeoPackage layer ``commune``: ``code_insee,
  nom_officiel, codes_siren_des_epci`` (several ``/``-separated, ``NR`` = none),
  ``population``; geometry column ``geometrie``; EPSG:4326.
- ADMIN EXPRESS 3.x ``COMMUNE.shp`` (and BD TOPO ``COMMUNE``): ``INSEE_COM, NOM,
  POPULATION, SIREN_EPCI``; EPSG:2154.
- GeoJSON such as the project's extracts: ``insee_com, nom, population, siren_epci``.

The EPCI tables (``epci_2026.csv``, ``epci_commune_2026.csv``) are ``;``-separated, UTF-8
with a byte-order mark, CRLF line ends and populations written with thousands spaces.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import COMMUNE_COLUMNS
from quartiers.sources import validation as v
from quartiers.sources._text import (
    clean_code,
    column_map,
    parse_numbers,
    read_text_table,
    require_file,
    text_column,
)
from quartiers.sources._vector import (
    L93,
    check_crs,
    list_layers,
    read_vector,
    repair_geometries,
    require_geometries,
)

__all__ = [
    "EPCI_COLUMNS",
    "EPCI_COMMUNE_COLUMNS",
    "first_siren",
    "read_commune_table",
    "read_communes",
    "read_epci_communes",
    "read_epci_layer",
    "read_epci_table",
]

#: EPCI list: SIREN, name, legal form (CA, CC, CU, ME), population, département of the seat.
EPCI_COLUMNS = ["siren_epci", "nom", "type", "population", "code_departement"]
#: Commune → EPCI membership: EPCI SIREN, commune INSEE code, commune SIREN, name, population.
EPCI_COMMUNE_COLUMNS = ["siren_epci", "insee_com", "siren", "nom", "population"]

_WHAT = "les communes (ADMIN EXPRESS : code_insee/INSEE_COM, nom, population, EPCI)"
_LAYOUTS: list[dict[str, tuple[str, ...]]] = [
    {  # ADMIN EXPRESS COG 4.0
        "insee_com": ("code_insee",),
        "nom": ("nom_officiel",),
        "population": ("population",),
        "siren_epci": ("codes_siren_des_epci",),
    },
    {  # ADMIN EXPRESS 3.x, BD TOPO, project GeoJSON
        "insee_com": ("insee_com",),
        "nom": ("nom",),
        "population": ("population",),
        "siren_epci": ("siren_epci",),
    },
]
_SIREN = re.compile(r"\d{9}")

#: Most inhabitants a commune may have: Paris, the largest, has about 2.1 million.
MAX_COMMUNE_POPULATION = 3_000_000
#: Most inhabitants an EPCI may have: the Métropole du Grand Paris has about 7.2 million.
MAX_EPCI_POPULATION = 10_000_000


@functools.cache
def _commune_schema() -> v.Schema:
    why = "Paris, la commune la plus peuplée, compte 2,1 millions d'habitants"
    return v.schema(
        {
            "insee_com": v.identifier(),
            "population": v.count(maximum=MAX_COMMUNE_POPULATION, why_maximum=why),
        }
    )


@functools.cache
def _epci_schema() -> v.Schema:
    why = "la Métropole du Grand Paris compte 7,2 millions d'habitants"
    return v.schema(
        {
            "siren_epci": v.identifier(),
            "population": v.count(maximum=MAX_EPCI_POPULATION, why_maximum=why),
        }
    )


@functools.cache
def _membership_schema() -> v.Schema:
    why = "Paris, la commune la plus peuplée, compte 2,1 millions d'habitants"
    return v.schema(
        {
            "insee_com": v.identifier(),
            "population": v.count(maximum=MAX_COMMUNE_POPULATION, why_maximum=why),
        }
    )


def first_siren(value: str) -> str:
    """Return the first 9-digit SIREN of a multi-valued EPCI field (``''`` for ``NR``)."""
    match = _SIREN.search(str(value))
    return match.group(0) if match else ""


def _commune_layer(path: Path) -> str | None:
    if path.suffix.lower() != ".gpkg":
        return None
    layers = list_layers(path)
    for name in layers:
        if name.lower() == "commune":
            return name
    if len(layers) == 1:
        return layers[0]
    raise InputError(
        f"{path} : pas de couche « commune » (couches : {', '.join(layers)}) — attendu la "
        "couche commune d'ADMIN EXPRESS COG"
    )


def _pick_layout(columns: list[str], path: Path) -> dict[str, str]:
    lower = {c.lower() for c in columns}
    for layout in _LAYOUTS:
        if layout["insee_com"][0] in lower:
            return column_map(columns, layout, path=path, what=_WHAT)
    return column_map(columns, _LAYOUTS[1], path=path, what=_WHAT)


def _normalise(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    cols = _pick_layout(list(raw.columns), path)
    code = clean_code(raw[cols["insee_com"]], width=5)
    bad = ~code.str.fullmatch(r"\d{5}|2[AB]\d{3}")
    if bad.any():
        raise InputError(
            f"{path} : code commune {code[bad].iloc[0]!r} invalide dans le champ "
            f"{cols['insee_com']} — attendu un code INSEE à 5 caractères (ex. 85191, 2A004)"
        )
    population = parse_numbers(
        raw[cols["population"]].astype("string"), path=path, field=cols["population"]
    )
    v.check_values(
        pd.DataFrame({"insee_com": code.to_numpy(), "population": population.to_numpy()}),
        _commune_schema(),
        path=path,
        id_column="insee_com",
        id_label="commune",
        fields=cols,
    )
    return pd.DataFrame(
        {
            "insee_com": code.to_numpy(),
            "nom": text_column(raw[cols["nom"]]).to_numpy(),
            "population": population.fillna(0).round().astype("int64").to_numpy(),
            "siren_epci": raw[cols["siren_epci"]].astype("string").fillna("").map(first_siren),
        }
    ).astype({"insee_com": str, "nom": str, "siren_epci": str})


def read_communes(path: Path, *, codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Read commune boundaries into :data:`~quartiers.schemas.COMMUNE_COLUMNS` (EPSG:2154).

    Parameters
    ----------
    path
        ADMIN EXPRESS 4.0 GeoPackage, ADMIN EXPRESS 3.x / BD TOPO ``COMMUNE.shp`` or a
        GeoJSON with ``insee_com, nom, population, siren_epci``.
    codes
        Only read these INSEE codes (filtered in GDAL: fast on the national file).

    Returns
    -------
    geopandas.GeoDataFrame
        ``insee_com`` (5 chars), ``nom``, ``population`` (int), ``siren_epci`` (first EPCI,
        ``''`` if none), geometry in EPSG:2154.
    """
    path = Path(path)
    layer = _commune_layer(require_file(path))
    where = None
    if codes is not None:
        probe = read_vector(path, what=_WHAT, layer=layer, read_geometry=False, where="1=0")
        field = _pick_layout(list(probe.columns), path)["insee_com"]
        quoted = ",".join("'" + c.replace("'", "") + "'" for c in codes) or "''"
        where = f'"{field}" IN ({quoted})'
    raw = read_vector(path, what=_WHAT, layer=layer, where=where)
    table = _normalise(raw, path)
    out = gpd.GeoDataFrame(table, geometry=raw.geometry.to_numpy(), crs=raw.crs)
    out = check_crs(out, path=path, expected="EPSG:2154 ou EPSG:4326 (ADMIN EXPRESS)", target=L93)
    v.check_coordinates(out, path=path, id_column="insee_com", id_label="commune")
    require_geometries(out, path=path, id_field="insee_com")
    out = repair_geometries(out, path=path)
    return out[COMMUNE_COLUMNS].reset_index(drop=True)


def read_commune_table(path: Path) -> pd.DataFrame:
    """Read the commune attributes only (no geometry): fast on the national file."""
    path = Path(path)
    layer = _commune_layer(require_file(path))
    raw = read_vector(path, what=_WHAT, layer=layer, read_geometry=False)
    return _normalise(pd.DataFrame(raw), path).reset_index(drop=True)


def read_epci_table(path: Path) -> pd.DataFrame:
    """Read the INSEE/BANATIC EPCI list (``code_departement;siren;nom;type;population``).

    Returns
    -------
    pandas.DataFrame
        :data:`EPCI_COLUMNS`: ``siren_epci``, ``nom``, ``type``, ``population`` (int),
        ``code_departement``.
    """
    path = Path(path)
    what = "la liste des EPCI (code_departement;siren;nom;type;population)"
    raw = read_text_table(
        path, sep=";", encodings=("utf-8", "cp1252"), what=what, header_hint="siren"
    )
    cols = column_map(
        raw.columns,
        {
            "siren_epci": ("siren", "siren_epci"),
            "nom": ("nom", "raison_sociale"),
            "type": ("type", "nature_juridique"),
            "population": ("population", "pop"),
            "code_departement": ("code_departement", "dep"),
        },
        path=path,
        what=what,
    )
    out = pd.DataFrame(
        {
            "siren_epci": clean_code(raw[cols["siren_epci"]], width=9),
            "nom": text_column(raw[cols["nom"]]),
            "type": text_column(raw[cols["type"]]),
            "population": parse_numbers(
                raw[cols["population"]], path=path, field=cols["population"]
            ),
            "code_departement": clean_code(raw[cols["code_departement"]], width=2),
        }
    )
    _check_siren(out["siren_epci"], path, cols["siren_epci"])
    v.check_values(
        out, _epci_schema(), path=path, id_column="siren_epci", id_label="EPCI", fields=cols
    )
    out["population"] = out["population"].fillna(0).round().astype("int64")
    return out[EPCI_COLUMNS]


def read_epci_communes(path: Path) -> pd.DataFrame:
    """Read the commune → EPCI table (``siren_epci;insee;siren;nom;population``).

    Returns
    -------
    pandas.DataFrame
        :data:`EPCI_COMMUNE_COLUMNS`: ``siren_epci``, ``insee_com``, ``siren`` (commune),
        ``nom``, ``population`` (int).
    """
    path = Path(path)
    what = "la table communes → EPCI (siren_epci;insee;siren;nom;population)"
    raw = read_text_table(
        path, sep=";", encodings=("utf-8", "cp1252"), what=what, header_hint="siren"
    )
    cols = column_map(
        raw.columns,
        {
            "siren_epci": ("siren_epci", "siren_groupement"),
            "insee_com": ("insee", "insee_com", "code_insee"),
            "siren": ("siren", "siren_membre"),
            "nom": ("nom", "nom_membre"),
            "population": ("population", "pop"),
        },
        path=path,
        what=what,
    )
    out = pd.DataFrame(
        {
            "siren_epci": clean_code(raw[cols["siren_epci"]], width=9),
            "insee_com": clean_code(raw[cols["insee_com"]], width=5),
            "siren": clean_code(raw[cols["siren"]], width=9),
            "nom": text_column(raw[cols["nom"]]),
            "population": parse_numbers(
                raw[cols["population"]], path=path, field=cols["population"]
            ),
        }
    )
    _check_siren(out["siren_epci"], path, cols["siren_epci"])
    v.check_values(
        out, _membership_schema(), path=path, id_column="insee_com", id_label="commune", fields=cols
    )
    out["population"] = out["population"].fillna(0).round().astype("int64")
    return out[EPCI_COMMUNE_COLUMNS]


def read_epci_layer(path: Path) -> pd.DataFrame:
    """Read EPCI names from the ``epci`` layer of ADMIN EXPRESS (``code_siren, nom_officiel``).

    Returns
    -------
    pandas.DataFrame
        ``siren_epci`` and ``nom`` (enough to recognise an EPCI by its name).
    """
    path = Path(path)
    what = "la couche epci d'ADMIN EXPRESS (code_siren, nom_officiel)"
    layer = next((n for n in list_layers(path) if n.lower() == "epci"), "epci")
    raw = read_vector(path, what=what, layer=layer, read_geometry=False)
    cols = column_map(
        raw.columns,
        {"siren_epci": ("code_siren", "siren_epci"), "nom": ("nom_officiel", "nom")},
        path=path,
        what=what,
    )
    out = pd.DataFrame(
        {
            "siren_epci": clean_code(raw[cols["siren_epci"]], width=9),
            "nom": text_column(raw[cols["nom"]]),
        }
    )
    _check_siren(out["siren_epci"], path, cols["siren_epci"])
    return out


def _check_siren(values: pd.Series, path: Path, field: str) -> None:
    bad = ~values.str.fullmatch(r"\d{9}")
    if bad.any():
        raise InputError(
            f"{path} : SIREN {values[bad].iloc[0]!r} invalide dans le champ {field} — "
            "attendu 9 chiffres"
        )
