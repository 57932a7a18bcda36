"""Food places residents walk to: fresh food shops and markets, shared and allotment gardens.

Two access categories beside the heat-wave ones (``docs/access.md``):

- ``fresh_food``: supermarkets, convenience and grocery stores, bakeries, butchers,
  greengrocers, fishmongers, delicatessens, farm shops and markets (OSM ``shop=*``,
  ``amenity=marketplace``; BPE codes of :data:`FOOD_BPE_TYPEQU`);
- ``shared_garden``: allotments (``landuse=allotments``) and community gardens
  (``leisure=garden`` + ``garden:type=community``), as areas or points.

An OSM object may be both a food place and a heat-wave place (a public community garden is
also a cool outdoor garden): :func:`classify_food_place` is asked separately from
:func:`quartiers.sources.places.classify_osm_place`, so that adding food places never
changes the heat-wave categories.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "FOOD_BPE_TYPEQU",
    "FOOD_CATEGORIES",
    "FOOD_CATEGORY_LABELS",
    "FRESH_FOOD_SHOPS",
    "classify_food_place",
]

#: Food access categories, in the order columns are written (after the heat-wave ones).
FOOD_CATEGORIES: tuple[str, ...] = ("fresh_food", "shared_garden")

#: French label of each food category (shown to users).
FOOD_CATEGORY_LABELS: dict[str, str] = {
    "fresh_food": "alimentation fraîche (supermarché, épicerie, boulangerie, boucherie, "
    "primeur, marché)",
    "shared_garden": "jardin partagé ou familial",
}

#: OSM ``shop=*`` values selling fresh food (value → kind).
FRESH_FOOD_SHOPS: dict[str, str] = {
    "supermarket": "supermarket",
    "convenience": "convenience",
    "greengrocer": "greengrocer",
    "bakery": "bakery",
    "butcher": "butcher",
    "seafood": "fishmonger",
    "deli": "deli",
    "farm": "farm_shop",
    "cheese": "cheese",
    "dairy": "dairy",
    "health_food": "grocery",
    "food": "grocery",
    "grocery": "grocery",
}

#: BPE ``TYPEQU`` codes (2023+ nomenclature) → (category, kind). Codes read on BPE 2024/2025
#: files by their facility names (NOMRS) in third-party code found with ``search``; not yet
#: checked against INSEE's own nomenclature page (no internet here): B104 (hypermarket) and
#: B206 (fishmonger) are left out until they are.
FOOD_BPE_TYPEQU: dict[str, tuple[str, str]] = {
    "B105": ("fresh_food", "supermarket"),
    "B201": ("fresh_food", "convenience"),
    "B202": ("fresh_food", "grocery"),
    "B204": ("fresh_food", "butcher"),
    "B207": ("fresh_food", "bakery"),
    "B208": ("fresh_food", "greengrocer"),
}


def classify_food_place(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """Return ``(category, kind)`` of an OSM food place, or None.

    Examples
    --------
    >>> classify_food_place({"shop": "bakery"})
    ('fresh_food', 'bakery')
    >>> classify_food_place({"leisure": "garden", "garden:type": "community"})
    ('shared_garden', 'community_garden')
    >>> classify_food_place({"leisure": "garden"}) is None
    True
    """
    shop = tags.get("shop", "")
    if shop in FRESH_FOOD_SHOPS:
        return "fresh_food", FRESH_FOOD_SHOPS[shop]
    if tags.get("amenity") == "marketplace":
        return "fresh_food", "marketplace"
    if tags.get("landuse") == "allotments":
        return "shared_garden", "allotments"
    if tags.get("leisure") == "garden" and tags.get("garden:type") in ("community", "allotment"):
        return "shared_garden", "community_garden"
    return None
