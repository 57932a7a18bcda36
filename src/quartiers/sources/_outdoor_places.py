"""Cool outdoor places: pieces of one park, wood or river merged, area thresholds.

Re-exported by :mod:`quartiers.sources.places` (import them from there).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from quartiers.schemas import PLACE_COLUMNS

__all__ = ["MIN_COOL_AREA_M2", "MIN_GREEN_SPACE_M2", "consolidate_outdoor", "green_space_places"]

#: Smallest green or water area counted as a cool outdoor place (0.5 ha, in m²).
MIN_COOL_AREA_M2 = 5_000.0


def consolidate_outdoor(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge pieces of one cool outdoor place and apply the 0.5 ha threshold (EPSG:2154).

    OSM often maps a park, a wood or a canal as several touching polygons: touching
    ``cool_outdoor`` areas become one place (kind and id of the largest piece, first
    non-empty name) before the :data:`MIN_COOL_AREA_M2` threshold. River and canal lines
    with the same name become one place, and a line lying mostly (≥ 50 %) along a water
    area already kept (within 10 m) is dropped as the same water front.
    """
    if len(places) == 0:
        return places
    geoms = places.geometry.to_numpy()
    outdoor = (places["category"] == "cool_outdoor").to_numpy()
    type_id = shapely.get_type_id(geoms)
    polygonal = outdoor & np.isin(type_id, (3, 6))
    linear = outdoor & np.isin(type_id, (1, 5))
    others = places.loc[~(polygonal | linear)]
    areas = _merge_touching(places.loc[polygonal])
    areas = areas.loc[areas.geometry.area >= MIN_COOL_AREA_M2]
    lines = _merge_named_lines(places.loc[linear])
    if len(lines) and len(areas):
        water = shapely.buffer(shapely.union_all(areas.geometry.to_numpy()), 10.0)
        inside = shapely.length(shapely.intersection(lines.geometry.to_numpy(), water))
        lines = lines.loc[inside < 0.5 * shapely.length(lines.geometry.to_numpy())]
    merged = pd.concat([others, areas, lines], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=places.crs)[PLACE_COLUMNS]


#: Smallest green space of the 3-30-300 rule (1 ha, in m²).
MIN_GREEN_SPACE_M2 = 10_000.0


def green_space_places(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the ``green_1ha`` copies of the cool outdoor parks, gardens and woods ≥ 1 ha."""
    geoms = places.geometry.to_numpy()
    green = (places["category"] == "cool_outdoor").to_numpy() & places["kind"].isin(
        ("park", "garden", "wood")
    ).to_numpy()
    green &= shapely.area(geoms) >= MIN_GREEN_SPACE_M2
    out = places.loc[green].copy()
    out["category"] = "green_1ha"
    out["place_id"] = out["place_id"].astype(str) + ":green_1ha"
    return out


def _merge_touching(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if len(areas) < 2:
        return areas
    geoms = areas.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    adjacency = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(geoms),) * 2)
    _, group = connected_components(adjacency, directed=False)
    rows = []
    order = np.argsort(-shapely.area(geoms), kind="stable")
    for label in np.unique(group):
        members = order[group[order] == label]  # largest first
        row = areas.iloc[members[0]].copy()
        names = [n for n in areas["name"].iloc[members].fillna("") if n]
        row["name"] = names[0] if names else ""
        if len(members) > 1:
            row["geometry"] = shapely.union_all(geoms[members])
        rows.append(row)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=areas.crs)


def _merge_named_lines(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    named = lines["name"].fillna("") != ""
    if named.sum() < 2:
        return lines
    rows = [lines.loc[~named]]
    for _, group in lines.loc[named].groupby("name", sort=False):
        row = group.iloc[[0]].copy()
        if len(group) > 1:
            row["geometry"] = [shapely.line_merge(shapely.union_all(group.geometry.to_numpy()))]
        rows.append(row)
    return gpd.GeoDataFrame(pd.concat(rows), geometry="geometry", crs=lines.crs)
