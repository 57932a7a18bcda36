"""Walking access on the real street network (layer ③): reads no file.

``network`` (pedestrian graph, exact snapping), ``origins`` (where residents start:
buildings or cell centroids), ``walk`` (distances, times and counts per cell and
category), ``compute`` (a territory's network, places and the city's changes; the network
reused by a what-if), ``summary`` (per-zone summaries). See ``docs/access.md``.
"""

from quartiers.access.compute import WalkAccess, compute_access, territory_bbox, walk_access
from quartiers.access.walk import (
    ACCESS_COLUMNS,
    MARGIN_M,
    MAX_SNAP_M,
    NEAR_M,
    SUMMARY_COLUMNS,
    WALK_MINUTES,
    WALK_SPEED_KMH,
    access_columns,
    cell_access,
    summarise_access,
)

__all__ = [
    "ACCESS_COLUMNS",
    "MARGIN_M",
    "MAX_SNAP_M",
    "NEAR_M",
    "SUMMARY_COLUMNS",
    "WALK_MINUTES",
    "WALK_SPEED_KMH",
    "WalkAccess",
    "access_columns",
    "cell_access",
    "compute_access",
    "summarise_access",
    "territory_bbox",
    "walk_access",
]
