"""ADEME energy performance certificates of existing dwellings (DPE since July 2021).

The open dataset ``dpe03existant`` (data.ademe.fr, data-fair) is exported as CSV: UTF-8
with a byte-order mark, comma-separated, quoted text, multi-line fields possible. One row
per certificate: a dwelling (``type_batiment`` « appartement » or « maison ») or a whole
building (« immeuble », covering ``nombre_appartement`` flats). The reader keeps what the
housing indicators need and turns each geocoded certificate into one Lambert-93 point of
:data:`~quartiers.schemas.HOUSING_COLUMNS`:

- ``energy_class`` from ``etiquette_dpe`` (A–G);
- ``summer_comfort`` from ``indicateur_confort_ete`` (« bon », « moyen », « insuffisant »;
  empty in older certificates);
- ``period`` from ``periode_construction``, ``heating`` from
  ``type_energie_principale_chauffage`` (« Électricité », « Fioul domestique »…);
- ``dwellings``: 1, or ``nombre_appartement`` for a building certificate.

Certificates replaced by a later one (``numero_dpe_remplace``) are dropped; so are those
the BAN could not geocode at the address (their point is not the dwelling's).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import HOUSING_COLUMNS, BBox
from quartiers.sources import validation as v
from quartiers.sources._text import column_map, parse_numbers, read_text_table, text_column
from quartiers.sources._vector import L93
from quartiers.text import fold

__all__ = ["ENERGY_CLASSES", "SUMMER_COMFORT", "read_dpe"]

logger = logging.getLogger(__name__)

#: DPE energy classes, best first.
ENERGY_CLASSES = ("A", "B", "C", "D", "E", "F", "G")
#: Values of ``indicateur_confort_ete``.
SUMMER_COMFORT = ("bon", "moyen", "insuffisant")
#: Lambert-93 box of metropolitan France (a point outside is not a BAN coordinate).
_FRANCE_L93 = (50_000.0, 6_000_000.0, 1_300_000.0, 7_200_000.0)

_WHAT = (
    "l'export CSV des DPE logements existants de l'ADEME (dpe03existant : etiquette_dpe, "
    "coordonnee_cartographique_x_ban, coordonnee_cartographique_y_ban…)"
)
_FIELDS = {
    "id": ["numero_dpe"],
    "energy_class": ["etiquette_dpe"],
    "x": ["coordonnee_cartographique_x_ban"],
    "y": ["coordonnee_cartographique_y_ban"],
    "replaced": ["numero_dpe_remplace"],
    "building_type": ["type_batiment"],
    "flats": ["nombre_appartement"],
    "summer_comfort": ["indicateur_confort_ete"],
    "period": ["periode_construction"],
    "heating": ["type_energie_principale_chauffage"],
    "geocoding": ["statut_geocodage"],
    "rnb_id": ["id_rnb"],
    "insee_com": ["code_insee_ban"],
}
_OPTIONAL = (
    "replaced",
    "building_type",
    "flats",
    "summer_comfort",
    "period",
    "heating",
    "geocoding",
    "rnb_id",
    "insee_com",
)


@functools.cache
def _schema() -> v.Schema:
    return v.schema(
        {
            "energy_class": v.one_of(
                ENERGY_CLASSES, "A, B, C, D, E, F ou G", what="étiquette", required=True
            ),
            "summer_comfort": v.one_of(
                SUMMER_COMFORT, "bon, moyen, insuffisant ou vide", what="indicateur"
            ),
            "building_type": v.one_of(
                ("appartement", "maison", "immeuble"),
                "appartement, maison, immeuble ou vide",
                what="type de bâtiment",
            ),
            "flats": v.number(minimum=0, maximum=5_000, why_maximum="appartements d'un immeuble"),
            "x": v.number(minimum=_FRANCE_L93[0], maximum=_FRANCE_L93[2], unit="m"),
            "y": v.number(minimum=_FRANCE_L93[1], maximum=_FRANCE_L93[3], unit="m"),
        }
    )


def read_dpe(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read a ``dpe03existant`` CSV export into :data:`~quartiers.schemas.HOUSING_COLUMNS`.

    Parameters
    ----------
    path
        The CSV export (whole dataset columns, or a ``select`` of them including the
        required ones).
    bbox_2154
        Keep only certificates inside this Lambert-93 box.

    Raises
    ------
    InputError
        A required field missing, an energy class outside A–G, an unknown summer-comfort
        value or building type, a coordinate outside metropolitan France (Lambert-93).
    """
    path = Path(path)
    raw = read_text_table(
        path, sep=",", encodings=("utf-8",), what=_WHAT, header_hint="etiquette_dpe"
    )
    cols = column_map(raw.columns, _FIELDS, path=path, what=_WHAT, optional=_OPTIONAL)
    table = _normalise(raw, cols, path)
    keep = _current(raw, cols) & _geocoded(raw, cols) & table["located"]
    dropped = int((~keep).sum())
    if dropped:
        logger.info(
            "%s : %d DPE écarté(s) (remplacé(s) par un DPE plus récent, non géocodé(s) à "
            "l'adresse ou sans coordonnées)",
            path,
            dropped,
        )
    table = table[keep.to_numpy()]
    if bbox_2154 is not None:
        minx, miny, maxx, maxy = bbox_2154
        inside = table["x"].between(minx, maxx) & table["y"].between(miny, maxy)
        table = table[inside.to_numpy()]
    points = gpd.points_from_xy(table["x"], table["y"], crs=L93)
    out = gpd.GeoDataFrame(table.drop(columns=["x", "y", "located"]), geometry=points, crs=L93)
    return out[HOUSING_COLUMNS].reset_index(drop=True)


def _text(raw: pd.DataFrame, cols: dict[str, str], name: str) -> pd.Series:
    if name not in cols:
        return pd.Series([""] * len(raw), index=raw.index, dtype="object")
    return text_column(raw[cols[name]]).str.strip()


def _normalise(raw: pd.DataFrame, cols: dict[str, str], path: Path) -> pd.DataFrame:
    """Return the canonical columns (plus ``x``, ``y``), refusing impossible values."""
    x = parse_numbers(raw[cols["x"]], path=path, field=cols["x"])
    y = parse_numbers(raw[cols["y"]], path=path, field=cols["y"])
    building_type = _text(raw, cols, "building_type").str.lower()
    flats = (
        parse_numbers(raw[cols["flats"]], path=path, field=cols["flats"])
        if "flats" in cols
        else pd.Series(np.nan, index=raw.index)
    )
    table = pd.DataFrame(
        {
            "record_id": _text(raw, cols, "id"),
            "energy_class": _text(raw, cols, "energy_class").str.upper(),
            "summer_comfort": _text(raw, cols, "summer_comfort").str.lower(),
            "building_type": building_type,
            "flats": flats,
            "x": x,
            "y": y,
        }
    )
    named = ("energy_class", "summer_comfort", "building_type", "flats", "x", "y")
    fields = {k: cols[k] for k in named if k in cols}
    # The export writes 0, 0 for a certificate it could not place; overseas départements
    # use their own projections (not Lambert-93).
    table["located"] = ~((table["x"] == 0) & (table["y"] == 0))
    overseas = _text(raw, cols, "insee_com").str.startswith("97").to_numpy()
    v.check_values(
        table[table["located"].to_numpy() & ~overseas],
        _schema(),
        path=path,
        id_column="record_id",
        id_label="DPE",
        fields=fields,
    )
    if table["x"].isna().any() or table["y"].isna().any():
        empty = table["x"].isna() | table["y"].isna()
        raise InputError(
            f"{path} : champ {cols['x']} ou {cols['y']} vide pour {int(empty.sum())} DPE "
            f"(premier : {table['record_id'][empty].iloc[0] or 'sans numéro'}) — attendu les "
            "coordonnées Lambert-93 de l'adresse (BAN)"
        )
    building = (building_type == "immeuble").to_numpy()
    counted = np.where(building & (flats.to_numpy() > 0), flats.to_numpy(), 1.0)
    table["dwellings"] = counted.astype("float64")
    table["period"] = _text(raw, cols, "period")
    table["heating"] = _text(raw, cols, "heating")
    table["rnb_id"] = _text(raw, cols, "rnb_id")
    table["insee_com"] = _text(raw, cols, "insee_com")
    table["source"] = "dpe"
    return table.drop(columns=["flats"])


def _current(raw: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    """Return True for certificates that no other row of the file replaces."""
    if "replaced" not in cols or "id" not in cols:
        return pd.Series(True, index=raw.index)
    replaced = set(_text(raw, cols, "replaced")) - {""}
    return ~_text(raw, cols, "id").isin(replaced)


def _geocoded(raw: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    """Return False for certificates the BAN did not geocode (« adresse non géocodée … »)."""
    if "geocoding" not in cols:
        return pd.Series(True, index=raw.index)
    status = _text(raw, cols, "geocoding").map(fold)
    return ~status.str.contains("non geocodee", regex=False)
