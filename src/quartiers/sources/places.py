"""Resource places residents walk to in a heat wave: categories, OSM tags, BPE codes, merging.

Five categories (``docs/access.md`` is the reference, keep it in step):

- ``cool_outdoor``: parks, public gardens, woods and water areas of at least 0.5 ha, rivers
  and canals (entered anywhere along their edge);
- ``cool_indoor``: libraries, museums, places of worship, cinemas, malls, public swimming
  pools, and the cooled rooms (« salles rafraîchies ») a city declares;
- ``care``: pharmacies, general practitioners, hospitals and clinics, health centres;
- ``information``: town halls, social centres and CCAS, France Services, community centres;
- ``drinking_water``: drinking fountains and taps;
- ``fresh_food`` and ``shared_garden``: food shops and markets, shared and allotment
  gardens (:mod:`quartiers.sources._food_tags`);
- ``green_1ha``: the cool outdoor parks, public gardens and woods of at least 1 ha
  (3-30-300 rule), a copy of those rows made by :func:`green_space_places`.

Places are EPSG:2154 geometries with :data:`quartiers.schemas.PLACE_COLUMNS`; a place mapped
as an area or a line keeps its shape, and :func:`place_access_points` turns it into points
along its edge for the access computation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.schemas import PLACE_COLUMNS
from quartiers.sources._food_tags import FOOD_BPE_TYPEQU, FOOD_CATEGORIES, FOOD_CATEGORY_LABELS
from quartiers.sources._outdoor_places import (
    MIN_COOL_AREA_M2,
    consolidate_outdoor,
    green_space_places,
)
from quartiers.sources.osm_tags import vegetation_kind, water_kind

__all__ = [
    "BPE_TYPEQU",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "DEDUP_DISTANCE_M",
    "MIN_COOL_AREA_M2",
    "PLACES_CRS",
    "bpe_places",
    "classify_osm_place",
    "consolidate_outdoor",
    "empty_places",
    "green_space_places",
    "merge_places",
    "place_access_points",
]

logger = logging.getLogger(__name__)

PLACES_CRS = "EPSG:2154"

#: Resource categories, in the order columns are written.
CATEGORIES: tuple[str, ...] = (
    "cool_outdoor",
    "cool_indoor",
    "care",
    "information",
    "drinking_water",
    *FOOD_CATEGORIES,
    "green_1ha",
)

#: French label of each category (shown to users).
CATEGORY_LABELS: dict[str, str] = {
    "cool_outdoor": "lieu frais extérieur (parc, jardin, bois, bord de l'eau)",
    "cool_indoor": "lieu frais intérieur (bibliothèque, musée, lieu de culte, cinéma, "
    "centre commercial, piscine, salle rafraîchie)",
    "care": "soins (pharmacie, médecin généraliste, hôpital, clinique)",
    "information": "information (mairie, centre social, CCAS, France Services, maison de quartier)",
    "drinking_water": "point d'eau potable",
    **FOOD_CATEGORY_LABELS,
    "green_1ha": "espace vert d'au moins 1 ha (parc, jardin public, bois)",
}

#: Two places of the same category and kind closer than this are one place (metres).
DEDUP_DISTANCE_M = 30.0

#: BPE ``TYPEQU`` codes (2023+ nomenclature, SOURCES.md §3) → (category, kind); the same
#: codes as :data:`quartiers.sources.bpe.CATEGORIES`, which also maps older vintages.
#: Social centres / CCAS have no verified BPE code: OSM and the city CSV bring them.
BPE_TYPEQU: dict[str, tuple[str, str]] = {
    "D307": ("care", "pharmacy"),
    "D265": ("care", "doctor"),
    "D281": ("care", "nurse"),
    "D101": ("care", "hospital"),
    "D106": ("care", "hospital"),
    "D108": ("care", "clinic"),
    "D113": ("care", "clinic"),
    "F307": ("cool_indoor", "library"),
    "F303": ("cool_indoor", "cinema"),
    "F312": ("cool_indoor", "museum"),
    "F101": ("cool_indoor", "swimming_pool"),
    "A129": ("information", "townhall"),
    "A128": ("information", "france_services"),
    **FOOD_BPE_TYPEQU,
}

_POOL_ACCESS_OK = frozenset({"yes", "public", "customers", "permissive", "designated"})
_SOCIAL_FACILITY_INFO = frozenset({"", "outreach", "social_centre", "community_centre"})
_FRANCE_SERVICES = ("france services", "maison de services au public", "msap")
_WATER_NOT_COOL = frozenset({"wastewater", "basin", "reservoir", "reflecting_pool", "fountain"})


def classify_osm_place(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """Return ``(category, kind)`` of an OSM object, or None when it is no resource place.

    Cool outdoor areas still have to pass the 0.5 ha threshold (:data:`MIN_COOL_AREA_M2`),
    checked by the reader once geometries are projected.
    """
    amenity = tags.get("amenity", "")
    healthcare = tags.get("healthcare", "")
    leisure = tags.get("leisure", "")
    name = tags.get("name", "").lower()
    if amenity == "drinking_water" or (
        amenity in ("fountain", "water_point") or tags.get("man_made") == "water_tap"
    ):
        if amenity == "drinking_water" and tags.get("drinking_water") != "no":
            return "drinking_water", "drinking_water"
        if tags.get("drinking_water") in ("yes", "treated"):
            return "drinking_water", "drinking_water"
    if amenity == "pharmacy" or healthcare == "pharmacy":
        return "care", "pharmacy"
    if amenity == "hospital" or healthcare == "hospital":
        return "care", "hospital"
    if amenity == "clinic" or healthcare in ("clinic", "centre"):
        return "care", "clinic"
    if amenity == "doctors" or healthcare == "doctor":
        return "care", "doctor"
    if any(label in name for label in _FRANCE_SERVICES):
        return "information", "france_services"
    if amenity == "townhall" and tags.get("townhall:type", "city") in ("city", "municipality"):
        return "information", "townhall"
    if amenity in ("social_centre", "community_centre"):
        return "information", amenity
    if amenity == "social_facility" and tags.get("social_facility", "") in _SOCIAL_FACILITY_INFO:
        return "information", "social_centre"
    indoor = _classify_indoor(tags)
    if indoor is not None:
        return "cool_indoor", indoor
    if leisure in ("swimming_pool", "water_park") or (
        leisure == "sports_centre" and "swimming" in tags.get("sport", "")
    ):
        # A bare ``leisure=swimming_pool`` is often a private or a basin inside a centre.
        access = tags.get("access", "")
        named = bool(tags.get("name")) or leisure != "swimming_pool"
        if access in _POOL_ACCESS_OK or (not access and named):
            return "cool_indoor", "swimming_pool"
        return None
    return _classify_outdoor(tags)


def _classify_indoor(tags: Mapping[str, str]) -> str | None:
    amenity = tags.get("amenity", "")
    if amenity in ("library", "place_of_worship", "cinema"):
        return amenity
    if tags.get("tourism") == "museum":
        return "museum"
    if tags.get("shop") == "mall":
        return "mall"
    return None


def _classify_outdoor(tags: Mapping[str, str]) -> tuple[str, str] | None:
    vegetation = vegetation_kind(tags)
    if vegetation is not None:
        kind, public = vegetation
        if public and kind in ("wood", "park", "garden"):
            return "cool_outdoor", kind
        return None
    water = water_kind(tags)
    if water is not None and water not in _WATER_NOT_COOL:
        return "cool_outdoor", "water"
    if tags.get("waterway") in ("river", "canal"):
        return "cool_outdoor", "river"
    return None


def empty_places() -> gpd.GeoDataFrame:
    """Return an empty places table (PLACE_COLUMNS, EPSG:2154)."""
    return gpd.GeoDataFrame(
        {column: pd.Series(dtype="object") for column in PLACE_COLUMNS[:-1]},
        geometry=gpd.GeoSeries([], crs=PLACES_CRS),
        crs=PLACES_CRS,
    )


def bpe_places(bpe: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Return BPE facilities (BPE_COLUMNS) as places, keeping rows of the access categories.

    The ``category`` column made by :mod:`quartiers.sources.bpe` wins; where it is empty the
    ``typequ`` code is looked up in :data:`BPE_TYPEQU`.
    """
    if bpe is None or len(bpe) == 0:
        return empty_places()
    frame = bpe.to_crs(PLACES_CRS) if bpe.crs is not None else bpe.set_crs(PLACES_CRS)
    typequ = frame["typequ"].astype("string").str.upper().fillna("")
    looked_up = typequ.map(lambda code: BPE_TYPEQU.get(code, ("", code.lower())))
    category = (
        frame["category"].astype("string").fillna("")
        if "category" in frame.columns
        else pd.Series("", index=frame.index, dtype="string")
    )
    category = category.where(category != "", looked_up.map(lambda pair: pair[0]))
    keep = category.isin(CATEGORIES).to_numpy() & ~frame.geometry.is_empty.to_numpy()
    keep &= frame.geometry.notna().to_numpy()
    names = frame["nomrs"] if "nomrs" in frame.columns else pd.Series("", index=frame.index)
    ids = [
        f"bpe:{code}:{round(x)}:{round(y)}"
        for code, x, y in zip(typequ, frame.geometry.x, frame.geometry.y, strict=True)
    ]
    out = gpd.GeoDataFrame(
        {
            "place_id": ids,
            "category": category.to_numpy(dtype=object),
            "kind": looked_up.map(lambda pair: pair[1]).to_numpy(dtype=object),
            "name": names.astype("string").fillna("").to_numpy(dtype=object),
            "source": "bpe",
        },
        geometry=frame.geometry.to_numpy(),
        crs=PLACES_CRS,
    )
    out = out.loc[keep].reset_index(drop=True)
    return _unique_ids(out)


def _unique_ids(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Suffix repeated place ids with ``#2``, ``#3``… (several BPE rows at one spot)."""
    ids = pd.Series(places["place_id"].astype(str).to_numpy())
    rank = ids.groupby(ids).cumcount()
    if (rank > 0).any():
        places = places.copy()
        places["place_id"] = np.where(rank > 0, ids + "#" + (rank + 1).astype(str), ids)
    return places


def merge_places(frames: Sequence[gpd.GeoDataFrame | None]) -> gpd.GeoDataFrame:
    """Concatenate place tables and drop near-duplicates, earlier frames winning.

    Two places are one when they share a category and a kind (an empty kind matches any)
    and lie within :data:`DEDUP_DISTANCE_M` of each other (a point inside an area is at
    distance 0). Inside one frame the first row wins (the BPE lists each doctor of a health
    house at the same spot: they become one place).
    """
    kept: list[gpd.GeoDataFrame] = []
    for frame in frames:
        if frame is None or len(frame) == 0:
            continue
        frame = frame.to_crs(PLACES_CRS)[PLACE_COLUMNS].reset_index(drop=True)
        frame = frame.loc[frame.geometry.notna() & ~frame.geometry.is_empty]
        frame = frame.reset_index(drop=True)
        drop = _duplicates_within(frame)
        if kept:
            drop |= _duplicates_of(frame, pd.concat(kept, ignore_index=True))
        kept.append(frame.loc[~drop])
    if not kept:
        return empty_places()
    merged = gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs=PLACES_CRS)
    return _unique_ids(merged)


def _same_place(
    a: gpd.GeoDataFrame, ia: NDArray[np.intp], b: gpd.GeoDataFrame, ib: NDArray[np.intp]
) -> NDArray[np.bool_]:
    cat_a = a["category"].to_numpy(dtype=object)[ia]
    cat_b = b["category"].to_numpy(dtype=object)[ib]
    kind_a = a["kind"].fillna("").to_numpy(dtype=object)[ia]
    kind_b = b["kind"].fillna("").to_numpy(dtype=object)[ib]
    same_kind = (kind_a == kind_b) | (kind_a == "") | (kind_b == "")
    return np.asarray((cat_a == cat_b) & same_kind, dtype=bool)


def _duplicates_within(frame: gpd.GeoDataFrame) -> NDArray[np.bool_]:
    geoms = frame.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=DEDUP_DISTANCE_M)
    later = right > left
    left, right = left[later], right[later]
    same = _same_place(frame, left, frame, right)
    drop = np.zeros(len(frame), dtype=bool)
    # A row is dropped when an earlier row is the same place; chains keep their first row.
    drop[right[same]] = True
    return drop


def _duplicates_of(frame: gpd.GeoDataFrame, earlier: gpd.GeoDataFrame) -> NDArray[np.bool_]:
    tree = shapely.STRtree(earlier.geometry.to_numpy())
    new, old = tree.query(frame.geometry.to_numpy(), predicate="dwithin", distance=DEDUP_DISTANCE_M)
    same = _same_place(frame, new, earlier, old)
    drop = np.zeros(len(frame), dtype=bool)
    drop[new[same]] = True
    return drop


def place_access_points(
    places: gpd.GeoDataFrame, *, spacing_m: float = 25.0
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Return the points from which each place is entered, EPSG:2154 metres.

    A point place is its own access point; an area is entered anywhere along its
    boundary and a line (river, canal) anywhere along it: both are sampled every
    ``spacing_m`` metres (plus their vertices).

    Returns
    -------
    tuple
        ``(row, xy)``: the row position of the place in ``places`` for each access point,
        and an (n, 2) array of coordinates.
    """
    geoms = places.geometry.to_numpy()
    if len(geoms) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros((0, 2))
    kind = shapely.get_type_id(geoms)
    polygonal = (kind == 3) | (kind == 6)
    edges = geoms.copy()
    if polygonal.any():
        edges[polygonal] = shapely.boundary(geoms[polygonal])
    edges = shapely.segmentize(edges, spacing_m)
    xy, row = shapely.get_coordinates(edges, return_index=True)
    return row.astype(np.intp), xy
