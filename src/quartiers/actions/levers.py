"""What-if levers: change the normalised inputs the way an action would (pure functions).

Each lever returns new :class:`~quartiers.schemas.TerritoryInputs` (the given ones are not
modified) and what it did; the real orchestrator then recomputes indicators from them.

- ``canopy``: adds tree canopy covering ``amount`` of each chosen cell's area, in the part
  of the cell not already under canopy nor built (vegetation kind ``trees``);
- ``green``: adds planted ground (kind ``grass``) in the part not already green, built or
  paved;
- ``deseal``: narrows the roadway of the roads inside each chosen cell by ``amount`` of
  its width and plants the freed ground (kind ``grass``);
- ``place``: opens a place of an access category at a point, through the same city
  changes table as :mod:`quartiers.sources.place_changes`.

Geometry is computed in EPSG:3035, inside each 200 m cell shrunk by :data:`CELL_INSET_M`
so that an action in one cell never touches its neighbours. The vegetation and road layers
a lever changes are returned in EPSG:3035 (the indicators read any CRS): their unchanged
rows keep exactly the coordinates the indicators would compute, so cells the action does
not touch keep exactly their values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.errors import InputError
from quartiers.indicators.exposure import road_surfaces, road_widths_m
from quartiers.indicators.resources import CANOPY_KINDS, tree_crowns
from quartiers.schemas import VEGETATION_COLUMNS, TerritoryInputs
from quartiers.sources.place_changes import declares_summer, validate_place_changes
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M, cell_boxes, parse_cell_ids

__all__ = [
    "CELL_INSET_M",
    "PlaceOpening",
    "Treated",
    "add_surface",
    "deseal",
    "open_places",
]

#: Added geometry stays this far (m) inside the treated cell's edges.
CELL_INSET_M = 0.5
#: Name given to every simulated feature (kept in the layers for traceability).
SIMULATED = "simulation d'atelier"
# Bisection steps when fitting a strip of the wanted area (200 m / 2**40 ≈ 2e-10 m).
_STEPS = 40
# Line id of the first opened place in the city changes table (keeps ids apart from the
# city's own file lines).
_FIRST_LINE = 100_000


@dataclass(frozen=True)
class Treated:
    """Area a lever treated in each cell (m²), and what it could not do (French notes)."""

    area_m2: dict[str, float]
    notes: tuple[str, ...] = ()

    @property
    def total_m2(self) -> float:
        """Return the total area treated (m²)."""
        return float(sum(self.area_m2.values()))


@dataclass(frozen=True)
class PlaceOpening:
    """One place to open: access category, kind, French name, WGS84 point."""

    category: str
    kind: str
    name: str
    lon: float
    lat: float


def _cell_boxes(inputs: TerritoryInputs, cells: Sequence[str]) -> NDArray[np.object_]:
    """Return the inset squares (EPSG:3035) of the chosen cells, checking they exist."""
    known = set(inputs.cells["idcar_200m"].astype(str))
    unknown = [c for c in cells if c not in known]
    if unknown:
        raise InputError(
            f"carreau inconnu « {unknown[0]} » (champ cells) : attendu un idcar_200m des "
            "carreaux Filosofi du territoire"
        )
    xy = parse_cell_ids(list(cells), source="choix d'atelier")
    boxes = cell_boxes(xy)
    return np.asarray(shapely.buffer(boxes, -CELL_INSET_M, join_style="mitre"), dtype=object)


def _to_cells_crs(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if layer.crs is not None and layer.crs.equals(CELL_CRS):
        return layer.copy()
    return layer.to_crs(CELL_CRS)


def _union_in(box: object, geoms: NDArray[np.object_], tree: shapely.STRtree | None) -> object:
    """Return the union of ``geoms`` clipped to ``box`` (an empty polygon when none)."""
    if tree is None:
        return shapely.Polygon()
    hits = tree.query(box, predicate="intersects")
    if len(hits) == 0:
        return shapely.Polygon()
    return shapely.union_all(shapely.intersection(geoms[hits], box))


def _strip(free: object, box: object, target: float) -> object:
    """Return the part of ``free`` below a horizontal line, of area ``target`` (m²)."""
    total = float(shapely.area(free))
    if target >= total:
        return free
    xmin, ymin, xmax, ymax = shapely.bounds(box)
    lo, hi = ymin, ymax
    for _ in range(_STEPS):
        mid = (lo + hi) / 2
        if shapely.area(shapely.intersection(free, shapely.box(xmin, ymin, xmax, mid))) < target:
            lo = mid
        else:
            hi = mid
    return shapely.intersection(free, shapely.box(xmin, ymin, xmax, hi))


def _occupied(layers: Sequence[NDArray[np.object_]]) -> tuple[NDArray[np.object_], object]:
    geoms = [g for g in layers if len(g)]
    if not geoms:
        return np.zeros(0, dtype=object), None
    merged = np.concatenate(geoms)
    merged = merged[~(shapely.is_missing(merged) | shapely.is_empty(merged))]
    return merged, shapely.STRtree(merged) if len(merged) else None


def _polygons(layer: gpd.GeoDataFrame | None, *, line_width_m: float = 0.0) -> NDArray[np.object_]:
    if layer is None or not len(layer):
        return np.zeros(0, dtype=object)
    geoms = np.asarray(_to_cells_crs(layer).geometry.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    geoms = np.where(shapely.is_valid(geoms), geoms, shapely.make_valid(geoms))
    linear = shapely.get_dimensions(geoms) == 1
    if linear.any() and line_width_m > 0:
        geoms = geoms.copy()
        geoms[linear] = shapely.buffer(geoms[linear], line_width_m / 2.0, quad_segs=2)
    return np.asarray(geoms, dtype=object)


def _road_surfaces(roads: gpd.GeoDataFrame | None) -> NDArray[np.object_]:
    """Return the roads' paved surfaces exactly as the sealing indicator reads them."""
    if roads is None or not len(roads):
        return np.zeros(0, dtype=object)
    return road_surfaces(roads)


def _vegetation_with(
    vegetation: gpd.GeoDataFrame | None, added: list[object], kind: str
) -> gpd.GeoDataFrame:
    """Return the vegetation layer in EPSG:3035 with the added surfaces appended."""
    new = gpd.GeoDataFrame(
        {
            "kind": [kind] * len(added),
            "public": [False] * len(added),
            "name": [SIMULATED] * len(added),
        },
        geometry=added,
        crs=CELL_CRS,
    )
    if vegetation is None or not len(vegetation):
        return new[VEGETATION_COLUMNS]
    base = _to_cells_crs(vegetation)
    return gpd.GeoDataFrame(pd.concat([base, new], ignore_index=True), crs=CELL_CRS)


def add_surface(
    inputs: TerritoryInputs,
    cells: Sequence[str],
    amount: float,
    *,
    kind: str,
    default_crown_m: float,
) -> tuple[TerritoryInputs, Treated]:
    """Add canopy (``kind="canopy"``) or planted ground (``"green"``) to chosen cells.

    Parameters
    ----------
    inputs
        Normalised inputs (not modified).
    cells
        ``idcar_200m`` of the cells to treat.
    amount
        Share of each cell's area (0–1) to add; capped by the room left in the cell.
    kind
        ``canopy`` (not on buildings nor existing canopy) or ``green`` (not on buildings,
        roadways nor existing vegetation).
    default_crown_m
        Crown diameter (m) of trees without one (the method's), to know the canopy there.

    Raises
    ------
    InputError
        Unknown cell, or a territory whose canopy is not computed (no vegetation layer).
    """
    if kind not in ("canopy", "green"):
        raise ValueError(f"unknown surface kind {kind!r}")
    have_veg = inputs.vegetation is not None and len(inputs.vegetation) > 0
    have_trees = inputs.trees is not None and len(inputs.trees) > 0
    if not (have_veg or have_trees):
        raise InputError(
            f"territoire {inputs.name} : végétation et arbres absents des données, la canopée "
            "et les espaces verts ne sont pas calculés : la végétalisation ne peut pas être "
            "simulée"
        )
    boxes = _cell_boxes(inputs, cells)
    crowns = (
        tree_crowns(inputs.trees, default_crown_m=default_crown_m)
        if inputs.trees is not None and len(inputs.trees)
        else np.zeros(0, dtype=object)
    )
    veg_layer = inputs.vegetation
    if kind == "canopy" and veg_layer is not None and len(veg_layer):
        kinds = veg_layer["kind"].astype("string").str.lower().fillna("")
        veg_layer = veg_layer.loc[kinds.isin(list(CANOPY_KINDS)).to_numpy()]
    veg = _polygons(veg_layer, line_width_m=default_crown_m)
    layers = [crowns, veg, _polygons(inputs.buildings)]
    if kind == "green":  # planted ground needs unsealed room (trees may overhang a car park)
        layers.append(_road_surfaces(inputs.roads))
        layers.append(_polygons(inputs.paved))
    occupied, tree = _occupied(layers)
    cell_area = float(CELL_SIZE_M * CELL_SIZE_M)
    added: list[object] = []
    area: dict[str, float] = {}
    notes: list[str] = []
    for cell_id, box in zip(cells, boxes, strict=True):
        free = shapely.difference(box, _union_in(box, occupied, tree))
        wanted = amount * cell_area
        piece = _strip(free, box, wanted)
        got = float(shapely.area(piece))
        if got < wanted - 1.0:
            notes.append(
                f"carreau {cell_id} : {got:.0f} m² disponibles sur {wanted:.0f} m² demandés"
            )
        if got > 0:
            added.append(piece)
        area[str(cell_id)] = got
    vegetation = _vegetation_with(
        inputs.vegetation, added, "trees" if kind == "canopy" else "grass"
    )
    return replace(inputs, vegetation=vegetation), Treated(area_m2=area, notes=tuple(notes))


def deseal(
    inputs: TerritoryInputs, cells: Sequence[str], amount: float
) -> tuple[TerritoryInputs, Treated]:
    """Narrow the roadways inside chosen cells by ``amount`` of their width, plant the rest.

    Roads crossing a chosen cell are split at its edge: the piece inside keeps
    ``(1 − amount)`` of its paved width, the pieces outside are unchanged, so the sealed
    surface can only shrink, and only around the chosen cells. The ground freed inside the
    cells (minus buildings) becomes planted ground (kind ``grass``).

    Raises
    ------
    InputError
        Unknown cell, a share outside (0, 0.9], or no road or building layer.
    """
    if not 0 < amount <= 0.9:
        raise InputError(f"part de voirie {amount:g} hors de ]0 ; 0,9] (champ amount)")
    if inputs.roads is None or not len(inputs.roads) or inputs.buildings is None:
        raise InputError(
            f"territoire {inputs.name} : voirie ou bâtiments absents des données, la part "
            "imperméabilisée n'est pas calculée : la désimperméabilisation ne peut pas être "
            "simulée"
        )
    boxes = _cell_boxes(inputs, cells)
    zone = shapely.union_all(shapely.buffer(boxes, CELL_INSET_M, join_style="mitre"))
    roads = _to_cells_crs(inputs.roads).reset_index(drop=True)
    width = road_widths_m(roads)
    lines = np.asarray(roads.geometry.values, dtype=object)
    hit = shapely.intersects(lines, zone) & ~shapely.is_empty(lines)
    before = shapely.union_all(_road_surfaces(roads.iloc[np.flatnonzero(hit)]))
    kept = roads.loc[~hit]
    pieces = []
    for row in np.flatnonzero(hit):
        inside = shapely.intersection(lines[row], zone)
        outside = shapely.difference(lines[row], zone)
        for geom, w in ((inside, width[row] * (1.0 - amount)), (outside, width[row])):
            if not shapely.is_empty(geom) and shapely.length(geom) > 0:
                record = roads.iloc[row].to_dict()
                record["geometry"] = geom
                record["width_m"] = w
                pieces.append(record)
    split = gpd.GeoDataFrame(pieces, geometry="geometry", crs=CELL_CRS) if pieces else None
    new_roads = gpd.GeoDataFrame(
        pd.concat([kept, split] if split is not None else [kept], ignore_index=True),
        geometry="geometry",
        crs=CELL_CRS,
    )
    surfaces = _road_surfaces(new_roads)
    after = shapely.union_all(surfaces[shapely.intersects(surfaces, zone)])
    buildings = _polygons(inputs.buildings)
    b_tree = shapely.STRtree(buildings) if len(buildings) else None
    added: list[object] = []
    area: dict[str, float] = {}
    notes: list[str] = []
    freed_all = shapely.difference(before, after)
    for cell_id, box in zip(cells, boxes, strict=True):
        freed = shapely.difference(
            shapely.intersection(freed_all, box), _union_in(box, buildings, b_tree)
        )
        got = float(shapely.area(freed))
        if got <= 0:
            notes.append(f"carreau {cell_id} : aucune chaussée à désimperméabiliser")
        else:
            added.append(freed)
        area[str(cell_id)] = got
    vegetation = _vegetation_with(inputs.vegetation, added, "grass")
    new = replace(inputs, roads=new_roads, vegetation=vegetation)
    return new, Treated(area_m2=area, notes=tuple(notes))


def open_places(inputs: TerritoryInputs, openings: Sequence[PlaceOpening]) -> TerritoryInputs:
    """Return inputs whose city changes table also opens ``openings``.

    The openings go through :func:`quartiers.sources.place_changes.apply_place_changes` when the
    access module recomputes walking distances (same validation, same de-duplication).
    """
    if not openings:
        return inputs
    existing = inputs.extra_places
    start = _FIRST_LINE
    if existing is not None and "line" in existing.columns and len(existing):
        start = max(start, int(pd.to_numeric(existing["line"], errors="coerce").max()) + 1)
    rows = pd.DataFrame(
        {
            "action": "open",
            "category": [o.category for o in openings],
            "name": [o.name for o in openings],
            "kind": [o.kind for o in openings],
            "lon": [o.lon for o in openings],
            "lat": [o.lat for o in openings],
            "place_id": [f"atelier:{start + i}" for i in range(len(openings))],
            "line": [start + i for i in range(len(openings))],
            # when the city declares its summer openings, a place the workshop opens is open
            # in summer (otherwise it would not count); else left undeclared like the rest
            "summer": "oui" if declares_summer(existing) else "",
        }
    )
    table = rows if existing is None or not len(existing) else _append(existing, rows)
    return replace(inputs, extra_places=table)


def _append(existing: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Append normalised rows to a city changes table given in either column naming."""
    normalised = validate_place_changes(existing, source="lieux de la ville")
    return pd.concat([normalised, rows], ignore_index=True)
