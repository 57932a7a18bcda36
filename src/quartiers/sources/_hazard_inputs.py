"""Read the hazard sources of a territory (TRI, EAIP, PPR, clay) into one ``hazards`` table.

Called by :func:`quartiers.sources._optional.read_optional`. Each source given again
replaces its own rows of a workspace's table; the others are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.progress import Progress
from quartiers.schemas import HAZARD_COLUMNS, BBox, TerritoryInputs
from quartiers.sources import clay, flood
from quartiers.sources._vector import L93
from quartiers.sources.gather import RawInput
from quartiers.sources.merge import read_all

__all__ = ["HAZARD_SOURCES", "read_hazards"]

#: Hazard source id → (reader, French step label).
HAZARD_SOURCES: dict[str, tuple[Callable[..., gpd.GeoDataFrame], str]] = {
    "tri": (flood.read_tri, "Lecture : zones inondables des TRI"),
    "eaip": (flood.read_eaip, "Lecture : enveloppes EAIP"),
    "ppr": (flood.read_ppr, "Lecture : zones d'aléa des PPR"),
    "argiles": (clay.read_clay, "Lecture : exposition aux argiles"),
}


def read_hazards(
    inputs: TerritoryInputs, raw: Mapping[str, RawInput], box: BBox, progress: Progress
) -> None:
    """Set ``inputs.hazards`` from the hazard sources in ``raw`` (kept rows of the others)."""
    given = [sid for sid in HAZARD_SOURCES if sid in raw]
    if not given:
        return
    parts: list[pd.DataFrame] = []
    if inputs.hazards is not None:
        parts.append(inputs.hazards[~inputs.hazards["source"].isin(given)])
    for sid in given:
        reader, label = HAZARD_SOURCES[sid]
        paths: list[Path] = raw[sid].paths
        progress.start(label, 1)
        try:
            parts.append(read_all(paths, lambda p, r=reader: r(p, bbox_2154=box)))  # type: ignore[misc]
            progress.advance(1)
        finally:
            progress.finish()
    table = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=L93)[HAZARD_COLUMNS]
    inputs.hazards = table
    layers = inputs.notes.layers
    for sid in given:
        layers[f"hazards_{sid}"] = sid
