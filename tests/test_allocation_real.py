"""Issue 20: area vs buildings allocation on real data (BD TOPO 3.5 of central Nantes).

No extract in ``../shared`` has both Filosofi cells, QPV and buildings (Filosofi and QPV:
La Roche-sur-Yon, no buildings; buildings: Olemps, Nantes, Redon, Le Mans, no Filosofi nor
QPV). This check uses what is real: the IGN buildings of central Nantes with their dwellings
(``NB_LOGTS``), the real contour of the IRIS « Madeleine » (441090108) and the INSEE 200 m
grid. Each cell holds the dwellings whose building lies in it (as INSEE's grid holds
geolocated households); the zone's true count is the dwellings of the buildings inside it.
The area allocation and the buildings allocation (floor area from footprint × storeys, with
``NB_LOGTS`` withheld so it cannot copy the answer) then estimate that count from the cells.
Run with ``-s`` to print the figures.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from quartiers.sources.bdtopo import read_buildings
from quartiers.spatial.dasymetric import building_matrix
from quartiers.spatial.grid import CELL_CRS
from quartiers.spatial.overlaps import overlap_matrix

BUILDINGS = "housing/bdtopo35_batiment_nantes/nantes_BDT_3-5_D044_ED2025-06-15_BATIMENT.csv"
IRIS = "insee/contours_iris_2021_extract/CONTOURS-IRIS_2-1_2021_extract_3_iris.csv"


def _buildings(shared: Path, tmp: Path) -> gpd.GeoDataFrame:
    """Read the BD TOPO CSV (WKT, Lambert-93) through the project's BATIMENT reader."""
    raw = pd.read_csv(shared / BUILDINGS, sep=";")
    geometry = shapely.force_2d(shapely.from_wkt(raw["geometry"]))
    frame = gpd.GeoDataFrame(raw.drop(columns="geometry"), geometry=geometry, crs=2154)
    path = tmp / "batiment.gpkg"
    frame.to_file(path, layer="batiment", driver="GPKG")
    return read_buildings(path).to_crs(CELL_CRS)


def _cells(zone: shapely.Geometry) -> np.ndarray:
    x0, y0, x1, y1 = zone.bounds
    xs = np.arange(np.floor(x0 / 200) * 200, x1, 200)
    ys = np.arange(np.floor(y0 / 200) * 200, y1, 200)
    xy = np.array([(x, y) for x in xs for y in ys], dtype=np.int64)
    touched = np.asarray(overlap_matrix(xy, [zone]).sum(axis=0)).ravel() > 0
    return xy[touched]


def test_buildings_allocation_closer_to_geolocated_dwellings(
    shared_data: Path, tmp_path: Path
) -> None:
    buildings = _buildings(shared_data, tmp_path)
    iris = pd.read_csv(shared_data / IRIS, sep=";")
    iris = iris[iris["CODE_IRIS"] == 441090108]
    zones = gpd.GeoSeries(shapely.from_wkt(iris["geometry"]), crs=2154).to_crs(CELL_CRS)
    zones = zones.reset_index(drop=True)
    xy = _cells(zones.iloc[0])
    area = overlap_matrix(xy, zones)
    # dwellings per cell, placed where their building stands (INSEE geolocates households)
    homes = buildings[buildings["residential"] & buildings["dwellings"].notna()]
    spot = homes.geometry.representative_point()
    corner = np.column_stack([np.floor(spot.x / 200) * 200, np.floor(spot.y / 200) * 200])
    index = {(int(x), int(y)): i for i, (x, y) in enumerate(xy)}
    cell = np.array([index.get((int(x), int(y)), -1) for x, y in corner])
    dwellings = homes["dwellings"].to_numpy()
    count = np.bincount(cell[cell >= 0], weights=dwellings[cell >= 0], minlength=len(xy))
    inside = np.asarray(zones.iloc[0].contains(spot.to_numpy())) & (cell >= 0)
    truth = float(dwellings[inside].sum())
    blind = building_matrix(xy, zones, area, buildings.assign(dwellings=np.nan))
    told = building_matrix(xy, zones, area, buildings)
    by_area = float((area @ count)[0])
    by_floor = float((blind.matrix @ count)[0])
    by_dwellings = float((told.matrix @ count)[0])
    print(
        f"\nIRIS Madeleine (Nantes) : {len(xy)} carreaux dont "
        f"{int(((area.toarray() > 0) & (area.toarray() < 1)).sum())} à cheval ; logements "
        f"géolocalisés {truth:.0f} ; surface {by_area:.0f} ({by_area / truth - 1:+.1%}) ; "
        f"bâtiments (plancher) {by_floor:.0f} ({by_floor / truth - 1:+.1%}) ; "
        f"bâtiments (NB_LOGTS) {by_dwellings:.0f} ({by_dwellings / truth - 1:+.1%})"
    )
    assert len(homes) > 4_000 and truth > 2_000
    # each cell's shares over the zone and the rest never exceed the whole cell
    assert (np.asarray(blind.matrix.sum(axis=0)).ravel() <= 1 + 1e-9).all()
    # on these real buildings, floor area places the edge cells' dwellings better than area
    assert abs(by_floor - truth) < abs(by_area - truth)
    assert abs(by_dwellings - truth) <= abs(by_floor - truth)
    assert by_area == pytest.approx(2607.4, abs=1.0)
    assert by_floor == pytest.approx(2804.9, abs=1.0)
