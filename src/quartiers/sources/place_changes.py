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
import functools
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
from quartiers.schemas import PLACE_COLUMNS, BBox
from quartiers.sources import validation as v
from quartiers.sources.places import CATEGORIES, PLACES_CRS, merge_places
from quartiers.text import fold

__all__ = [
    "CATEGORY_ALIASES",
    "CHANGE_COLUMNS",
    "CLOSE_RADIUS_M",
    "apply_place_changes",
    "declares_summer",
    "read_place_changes",
    "validate_place_changes",
]

logger = logging.getLogger(__name__)

#: Normalised changes table (``action`` is ``open`` or ``close``; ``line`` the CSV line).
#: ``summer`` is ``yes``/``no`` when the optional column ``ouvert_ete`` says whether the place is
#: open in summer, else ``''``.
CHANGE_COLUMNS = [
    "action", "category", "name", "kind", "lon", "lat", "place_id", "line", "summer",
]  # fmt: skip

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
    "alimentation": "fresh_food",
    "alimentation_fraiche": "fresh_food",
    "commerce_alimentaire": "fresh_food",
    "marche": "fresh_food",
    "jardin_partage": "shared_garden",
    "jardins_partages": "shared_garden",
    "jardin_familial": "shared_garden",
    "jardins_familiaux": "shared_garden",
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
    "ouvert_ete": "summer",
    "ouvert_l_ete": "summer",
    "summer": "summer",
}
#: Accepted ``ouvert_ete`` values → ``yes``/``no``.
_SUMMER = {"oui": "yes", "o": "yes", "yes": "yes", "non": "no", "n": "no", "no": "no"}
#: A closing by coordinates takes the nearest place of the category within this radius (m).
CLOSE_RADIUS_M = 50.0


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

    The values are checked by the shared validation layer (:mod:`quartiers.sources.validation`):
    action and category among the accepted words, coordinates readable and on the globe,
    coordinates given to open a place, coordinates or ``place_id`` to close one.

    Raises
    ------
    InputError
        Missing column; or ``<file> : champ <column> — <n> ligne(s) : <what is wrong> —
        attendu … ; première : ligne <n>`` (the header is line 1).
    """
    spelt = {_COLUMN_ALIASES.get(_key(col), _key(col)): str(col) for col in table.columns}
    table = table.rename(columns={col: _COLUMN_ALIASES.get(_key(col), _key(col)) for col in table})
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
    raw_category = _column(table, "category")
    frame = pd.DataFrame(
        {
            "action": _column(table, "action").map(_key),
            "category": raw_category.map(_key),
            "lon": _column(table, "lon").map(_number),
            "lat": _column(table, "lat").map(_number),
            "place_id": _column(table, "place_id"),
            "summer": _column(table, "summer").map(_key),
            "line": (
                pd.to_numeric(table["line"]).astype("int64").to_numpy()
                if "line" in table.columns
                else np.arange(len(table)) + 2
            ),
        }
    )
    v.check_values(frame, _schema(), path=source, id_column="line", id_label="ligne", fields=spelt)
    return pd.DataFrame(
        {
            "action": frame["action"].map(_ACTIONS),
            "category": frame["category"].map(CATEGORY_ALIASES),
            "name": _column(table, "name"),
            "kind": [
                _key(kind) or _default_kind(raw)
                for kind, raw in zip(_column(table, "kind"), raw_category, strict=True)
            ],
            "lon": frame["lon"],
            "lat": frame["lat"],
            "place_id": frame["place_id"],
            "line": frame["line"],
            "summer": frame["summer"].map(lambda x: _SUMMER.get(x, "")),
        },
        columns=CHANGE_COLUMNS,
    )


@functools.cache
def _schema() -> v.Schema:
    categories = ", ".join(sorted(a for a in CATEGORY_ALIASES if a not in CATEGORIES))
    return v.schema(
        {
            "action": v.one_of(_ACTIONS, "ouvrir ou fermer", what="action", required=True),
            "category": v.one_of(CATEGORY_ALIASES, categories, what="catégorie", required=True),
            "lon": v.longitude(),
            "lat": v.latitude(),
            "summer": v.one_of(_SUMMER, "oui ou non (ou vide)", what="ouverture l'été"),
        },
        relations=[
            v.RowRule(
                "lat",
                "lon sans lat ou lat sans lon — attendu les deux coordonnées ou aucune",
                lambda f: f["lon"].isna() == f["lat"].isna(),
            ),
            v.RowRule(
                "lon",
                "un lieu à ouvrir doit avoir ses coordonnées lon et lat",
                lambda f: (f["action"].map(_ACTIONS) != "open") | f["lon"].notna(),
            ),
            v.RowRule(
                "place_id",
                "un lieu à fermer doit avoir un place_id ou ses coordonnées lon et lat",
                lambda f: (
                    (f["action"].map(_ACTIONS) != "close")
                    | f["lon"].notna()
                    | (f["place_id"] != "")
                ),
            ),
        ],
    )


def _column(table: pd.DataFrame, column: str) -> pd.Series:
    """Return a column as trimmed text ('' where absent or empty)."""
    if column not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    return pd.Series(
        [
            ""
            if value is None or (isinstance(value, float) and np.isnan(value))
            else str(value).strip()
            for value in table[column]
        ],
        index=table.index,
        dtype=object,
    )


def _number(text: str) -> float:
    """Return a coordinate (decimal point or comma); NaN if empty, ``inf`` if unreadable."""
    if not text:
        return float("nan")
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return float("inf")  # refused as « valeur infinie ou non numérique »


def _default_kind(raw_category: str) -> str:
    # A declared cooled room is its own kind, so it is never merged into a nearby library.
    return "salle_rafraichie" if _key(raw_category) == "salle_rafraichie" else ""


def apply_place_changes(
    places: gpd.GeoDataFrame,
    changes: pd.DataFrame,
    *,
    source: str,
    bbox_2154: BBox | None = None,
    summer_only: bool = False,
) -> gpd.GeoDataFrame:
    """Return ``places`` with the city's openings added and closings removed, in file order.

    An opened place near an existing one of the same category (30 m) is the same place and
    is not added twice. ``bbox_2154`` (territory plus margin) rejects points outside it. A
    place declared closed in summer (``ouvert_ete`` = non) is not opened; with
    ``summer_only`` (the city declares summer openings), a cool indoor place opens only when
    declared open in summer (``ouvert_ete`` = oui).
    """
    if len(changes) == 0:
        return places
    changes = validate_place_changes(changes, source=source)
    skip = (changes["action"] == "open") & (
        (changes["summer"] == "no")
        | (summer_only & (changes["category"] == "cool_indoor") & (changes["summer"] != "yes"))
    )
    if skip.any():
        logger.info("%s : %d lieu(x) non ouvert(s) l'été ignoré(s)", source, int(skip.sum()))
        changes = changes[~skip.to_numpy()].reset_index(drop=True)
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


def declares_summer(changes: pd.DataFrame | None) -> bool:
    """Return True when a changes table says, for some row, whether it is open in summer."""
    if changes is None or not len(changes):
        return False
    spelt = {_COLUMN_ALIASES.get(_key(c), _key(c)): c for c in changes.columns}
    if "summer" not in spelt:
        return False
    return bool(_column(changes, spelt["summer"]).ne("").any())


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
