"""The city's changes to resource places: a small CSV that opens or closes places.

Layout (documented for users in ``docs/access.md``), one row per change, separator ``;``
or ``,``, UTF-8 (or Windows-1252), coordinates in WGS84 degrees (decimal point or comma)::

    action;categorie;nom;lon;lat;place_id
    ouvrir;frais_exterieur;Cour de l'école Jules-Ferry;-2.0861;47.6519;
    ouvrir;salle_rafraichie;Salle des fêtes climatisée;-2.0843;47.6502;
    fermer;frais_interieur;Médiathèque (fermée en août);;;osm:w122531455
    fermer;soins;Pharmacie du Port;-2.0852;47.6488;

``ouvrir`` needs ``lon``/``lat``; ``fermer`` needs a ``place_id`` or ``lon``/``lat`` (the
nearest place of that category within 50 m is closed). Without an ``action`` column every
row opens a place; without a ``categorie`` column every place is a cooled room
(``salle_rafraichie``): a plain list ``nom;lon;lat`` of the city's cooled rooms is valid.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from quartiers.errors import InputError
from quartiers.os_errors import reason
from quartiers.schemas import PLACE_COLUMNS
from quartiers.sources.places import CATEGORIES, PLACES_CRS, merge_places
from quartiers.text import fold

__all__ = [
    "CATEGORY_ALIASES",
    "CHANGE_COLUMNS",
    "CLOSE_RADIUS_M",
    "apply_place_changes",
    "read_place_changes",
    "validate_place_changes",
]

logger = logging.getLogger(__name__)

#: Normalised changes table (``action`` is ``open`` or ``close``; ``line`` the CSV line).
CHANGE_COLUMNS = ["action", "category", "name", "kind", "lon", "lat", "place_id", "line"]

#: Accepted ``categorie`` values (accents, case and spaces ignored) → category.
CATEGORY_ALIASES: dict[str, str] = {
    **{category: category for category in CATEGORIES},
    "frais_exterieur": "cool_outdoor",
    "lieu_frais_exterieur": "cool_outdoor",
    "ilot_de_fraicheur": "cool_outdoor",
    "frais_interieur": "cool_indoor",
    "lieu_frais_interieur": "cool_indoor",
    "salle_rafraichie": "cool_indoor",
    "soins": "care",
    "sante": "care",
    "information": "information",
    "eau_potable": "drinking_water",
    "point_d_eau": "drinking_water",
}
_ACTIONS = {
    "ouvrir": "open",
    "ajouter": "open",
    "fermer": "close",
    "retirer": "close",
    "open": "open",
    "close": "close",
}
_COLUMN_ALIASES = {
    "categorie": "category",
    "category": "category",
    "nom": "name",
    "name": "name",
    "type": "kind",
    "lon": "lon",
    "longitude": "lon",
    "lat": "lat",
    "latitude": "lat",
    "place_id": "place_id",
    "identifiant": "place_id",
    "action": "action",
}
#: A closing by coordinates takes the nearest place of the category within this radius (m).
CLOSE_RADIUS_M = 50.0
_MAX_ERRORS = 5


def _key(text: object) -> str:
    """Return the comparison key of a label: ``fold`` with words joined by ``_``."""
    return fold(text, sep="_")


def read_place_changes(path: Path) -> pd.DataFrame:
    """Read and validate a city changes CSV (see the module docstring for the layout)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} : fichier des lieux de la ville introuvable")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    if not text.strip():
        raise InputError(f"{path} : fichier des lieux de la ville vide")
    header = text.splitlines()[0]
    sep = max(";,\t", key=header.count)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path} : CSV illisible ({reason(exc)})") from exc
    return validate_place_changes(table, source=str(path))


def validate_place_changes(table: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Check a changes table (French or normalised column names) and normalise it.

    Raises
    ------
    InputError
        Missing column, unknown action or category, missing or out-of-range coordinates,
        with the line number (the header is line 1).
    """
    renamed = {col: _COLUMN_ALIASES.get(_key(col), _key(col)) for col in table.columns}
    table = table.rename(columns=renamed)
    # A plain list of the city's cooled rooms (« salles rafraîchies ») has neither column:
    # every row opens a cooled room.
    if "action" not in table.columns:
        table = table.assign(action="ouvrir")
    if "category" not in table.columns:
        table = table.assign(category="salle_rafraichie")
    if not {"lon", "lat", "place_id"} & set(table.columns):
        raise InputError(
            f"{source} : colonnes « lon » et « lat » absentes (colonnes attendues : action, "
            "categorie, nom, lon, lat, place_id)"
        )
    lines = table["line"] if "line" in table.columns else pd.Series(np.arange(len(table)) + 2)
    errors: list[str] = []
    rows: list[dict[str, object]] = []
    for position in range(len(table)):
        row = table.iloc[position]
        line = int(lines.iloc[position])
        problem, record = _check_row(row, line)
        if problem:
            errors.append(f"ligne {line} : {problem}")
        else:
            rows.append(record)
    if errors:
        more = f" (et {len(errors) - _MAX_ERRORS} autre(s))" if len(errors) > _MAX_ERRORS else ""
        raise InputError(f"{source} : " + " ; ".join(errors[:_MAX_ERRORS]) + more)
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _text(row: pd.Series, column: str) -> str:
    value = row.get(column, "")
    return (
        ""
        if value is None or (isinstance(value, float) and np.isnan(value))
        else str(value).strip()
    )


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def _check_row(row: pd.Series, line: int) -> tuple[str, dict[str, object]]:
    raw_action = _text(row, "action")
    action = _ACTIONS.get(_key(raw_action), "")
    if action not in ("open", "close"):
        return (
            f"action « {raw_action} » inconnue dans le champ action (attendu : ouvrir ou fermer)",
            {},
        )
    raw_category = _text(row, "category")
    category = CATEGORY_ALIASES.get(_key(raw_category))
    if category is None:
        accepted = ", ".join(sorted(a for a in CATEGORY_ALIASES if a not in CATEGORIES))
        return (
            f"catégorie « {raw_category} » inconnue dans le champ categorie (attendu : {accepted})"
        ), {}
    lon_text, lat_text = _text(row, "lon"), _text(row, "lat")
    place_id = _text(row, "place_id")
    lon = lat = float("nan")
    if lon_text or lat_text:
        lon_value, lat_value = _number(lon_text), _number(lat_text)
        if lon_value is None or lat_value is None:
            return (
                f"coordonnées illisibles lon={lon_text!r}, lat={lat_text!r} "
                "(degrés décimaux WGS84 attendus)"
            ), {}
        if not (-180.0 <= lon_value <= 180.0 and -90.0 <= lat_value <= 90.0):
            return (
                f"coordonnées hors limites lon={lon_value}, lat={lat_value} "
                "(longitude entre -180 et 180, latitude entre -90 et 90)"
            ), {}
        lon, lat = lon_value, lat_value
    if action == "open" and np.isnan(lon):
        return "un lieu à ouvrir doit avoir ses coordonnées lon et lat", {}
    if action == "close" and np.isnan(lon) and not place_id:
        return "un lieu à fermer doit avoir un place_id ou ses coordonnées lon et lat", {}
    record: dict[str, object] = {
        "action": action,
        "category": category,
        "name": _text(row, "name"),
        "kind": _key(_text(row, "kind")) or _default_kind(raw_category),
        "lon": lon,
        "lat": lat,
        "place_id": place_id,
        "line": line,
    }
    return "", record


def _default_kind(raw_category: str) -> str:
    # A declared cooled room is its own kind, so it is never merged into a nearby library.
    return "salle_rafraichie" if _key(raw_category) == "salle_rafraichie" else ""


def apply_place_changes(
    places: gpd.GeoDataFrame,
    changes: pd.DataFrame,
    *,
    source: str,
    bbox_2154: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Return ``places`` with the city's openings added and closings removed, in file order.

    An opened place near an existing one of the same category (30 m) is the same place and
    is not added twice. ``bbox_2154`` (territory plus margin) rejects points outside it.
    """
    if len(changes) == 0:
        return places
    changes = validate_place_changes(changes, source=source)
    to_2154 = Transformer.from_crs("EPSG:4326", PLACES_CRS, always_xy=True)
    x, y = to_2154.transform(changes["lon"].to_numpy(float), changes["lat"].to_numpy(float))
    result = places.to_crs(PLACES_CRS)[PLACE_COLUMNS].reset_index(drop=True)
    for position, change in enumerate(changes.itertuples(index=False)):
        point = shapely.Point(x[position], y[position]) if np.isfinite(x[position]) else None
        where = f"{source}, ligne {change.line}"
        if (
            point is not None
            and bbox_2154 is not None
            and not shapely.intersects(shapely.box(*bbox_2154), point)
        ):
            raise InputError(
                f"{where} : le lieu ({change.lon}, {change.lat}) est hors du territoire étudié "
                "(vérifier l'ordre longitude puis latitude)"
            )
        if change.action == "open":
            added = gpd.GeoDataFrame(
                {
                    "place_id": [change.place_id or f"ville:{change.line}"],
                    "category": [change.category],
                    "kind": [change.kind],
                    "name": [change.name or "lieu ajouté par la ville"],
                    "source": ["city"],
                },
                geometry=[point],
                crs=PLACES_CRS,
            )
            result = merge_places([result, added])
        else:
            result = _close(result, str(change.category), str(change.place_id), point, where)
    return result


def _close(
    places: gpd.GeoDataFrame,
    category: str,
    place_id: str,
    point: shapely.Point | None,
    where: str,
) -> gpd.GeoDataFrame:
    if place_id:
        hit = (places["place_id"] == place_id).to_numpy()
        if not hit.any():
            raise InputError(
                f"{where} : identifiant de lieu « {place_id} » inconnu dans le champ place_id"
            )
        return places.loc[~hit].reset_index(drop=True)
    same = np.flatnonzero((places["category"] == category).to_numpy())
    distance = shapely.distance(places.geometry.to_numpy()[same], point)
    if point is None or len(same) == 0 or distance.min() > CLOSE_RADIUS_M:
        raise InputError(
            f"{where} : aucun lieu de catégorie {category} à moins de {CLOSE_RADIUS_M:.0f} m "
            "de ce point : rien à fermer"
        )
    drop = same[int(np.argmin(distance))]
    return places.drop(index=places.index[drop]).reset_index(drop=True)
