"""Walking access of a territory's inputs: street network, places and the city's changes.

:func:`walk_access` builds (or reuses) the pedestrian network from the OpenStreetMap
segments the sources step kept, gathers the places (OSM, the city's list, the BPE) with the
city's openings and closures, and hands them to :func:`quartiers.access.walk.cell_access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.access.network import WalkNetwork, build_network
from quartiers.access.regions import cell_regions, regional_access
from quartiers.access.walk import MARGIN_M, cell_access, territory_bbox
from quartiers.errors import InputError
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import BBox, TerritoryInputs
from quartiers.sources.osm import OsmLayers, read_osm_layers
from quartiers.sources.place_changes import (
    apply_place_changes,
    declares_summer,
    read_place_changes,
)
from quartiers.sources.places import bpe_places, merge_places

__all__ = ["COOL_INDOOR_ATTR", "WalkAccess", "compute_access", "territory_bbox", "walk_access"]


def compute_access(
    inputs: TerritoryInputs,
    *,
    changes_csv: Path | None = None,
    layers: OsmLayers | None = None,
    bbox_2154: BBox | None = None,
    margin_m: float = MARGIN_M,
    network: WalkNetwork | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Build the network and the places of a territory, then return :func:`cell_access`.

    The network is ``network`` when given (built before on the same streets), else it
    comes from ``layers`` when given, else from the walkable segments the sources step kept
    in ``inputs.notes.walk_edges``, else from reading ``inputs.osm_path``. Places are OSM
    (``layers``, when read here), then ``inputs.places``, then the BPE (``inputs.bpe``),
    merged without near-duplicates; the city's changes (``inputs.extra_places``, a table in
    the layout of :mod:`quartiers.sources.place_changes`, then ``changes_csv``) are applied last.
    Starts are ``inputs.buildings`` when given, else the OSM buildings. The OSM file is read
    within ``bbox_2154`` (e.g. ``Territory.bbox_2154``), by default the cells plus
    ``margin_m``.

    Raises
    ------
    InputError
        No OSM file, no walkable street in the territory, or a bad changes file.
    """
    return walk_access(
        inputs,
        changes_csv=changes_csv,
        layers=layers,
        bbox_2154=bbox_2154,
        margin_m=margin_m,
        network=network,
        progress=progress,
    ).table


#: Key of the access table's ``attrs`` saying whether cool indoor places are those the city
#: declares open in summer (``declared``) or every library, museum… found (``assumed``).
COOL_INDOOR_ATTR = "cool_indoor_summer"


@dataclass(frozen=True)
class WalkAccess:
    """Walking access per cell and the pedestrian network it was computed on."""

    table: pd.DataFrame
    network: WalkNetwork | None  # None when computed région by région


def walk_access(
    inputs: TerritoryInputs,
    *,
    changes_csv: Path | None = None,
    layers: OsmLayers | None = None,
    bbox_2154: BBox | None = None,
    margin_m: float = MARGIN_M,
    network: WalkNetwork | None = None,
    progress: Progress | None = None,
    executor: Executor = SERIAL,
) -> WalkAccess:
    """Return :func:`compute_access` with the network, so that a what-if can reuse it.

    When the communes span several régions and no ``network`` is given, the access is
    computed région by région (:mod:`quartiers.access.regions`, one part per région for
    ``executor``) and no network is returned.
    """
    progress = progress or NullProgress()
    bbox = bbox_2154 if bbox_2154 is not None else territory_bbox(inputs.cells, margin_m)
    walk_edges = layers.walk_edges if layers is not None else inputs.notes.walk_edges
    if layers is None and not isinstance(walk_edges, gpd.GeoDataFrame):
        if inputs.osm_path is None:
            raise InputError(
                f"territoire {inputs.name} : aucun fichier OpenStreetMap (osm_path), "
                "l'accès à pied aux lieux ressources ne peut pas être calculé"
            )
        progress.start("Lecture d'OpenStreetMap", None)
        layers = read_osm_layers(Path(inputs.osm_path), bbox)
        progress.finish()
        walk_edges = layers.walk_edges
    source = layers.source if layers is not None else str(inputs.osm_path or "OSM")
    osm_places = layers.places if layers is not None else None
    places = merge_places([osm_places, inputs.places, bpe_places(inputs.bpe)])
    changes = read_place_changes(Path(changes_csv)) if changes_csv is not None else None
    declared = declares_summer(inputs.extra_places) or declares_summer(changes)
    if declared:  # only the places the city says are open in summer count as cool indoors
        places = places[(places["category"] != "cool_indoor") | (places["source"] == "city")]
    if inputs.extra_places is not None and len(inputs.extra_places):
        places = apply_place_changes(
            places,
            inputs.extra_places,
            source="lieux de la ville",
            bbox_2154=bbox,
            summer_only=declared,
        )
    if changes is not None:
        places = apply_place_changes(
            places, changes, source=str(changes_csv), bbox_2154=bbox, summer_only=declared
        )
    buildings = inputs.buildings
    if buildings is None and layers is not None:
        buildings = layers.buildings
    regions = cell_regions(inputs.cells, inputs.communes) if network is None else None
    if regions is not None:
        table = regional_access(
            regions, inputs.cells, walk_edges, places, buildings=buildings, source=source,
            executor=executor, progress=progress,
        )  # fmt: skip
    else:
        if network is None:
            network = build_network(walk_edges, source=source)
        table = cell_access(inputs.cells, network, places, buildings=buildings, progress=progress)
    table.attrs[COOL_INDOOR_ATTR] = "declared" if declared else "assumed"
    return WalkAccess(table=table, network=network)
