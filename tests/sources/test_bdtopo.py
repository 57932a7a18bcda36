"""BD TOPO readers: the Olemps shapefiles, the GeoPackage naming, UTF-8 dbf without .cpg."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.schemas import BUILDING_COLUMNS, VEGETATION_COLUMNS, WATER_COLUMNS
from quartiers.sources.bdtopo import BUILDING_EXTRA, read_buildings, read_vegetation, read_water


def test_olemps_buildings(shared_data: Path) -> None:
    buildings = read_buildings(shared_data / "bdtopo" / "BATIMENT.shp")
    # BUILDING_COLUMNS, then storeys and dwellings (NB_ETAGES, NB_LOGTS), geometry last
    assert list(buildings.columns) == [*BUILDING_COLUMNS[:-1], *BUILDING_EXTRA, "geometry"]
    assert len(buildings) == 2273
    assert buildings.crs.to_epsg() == 2154
    assert not buildings.geometry.has_z.any()
    # Résidentiel (1090) + Indifférencié (920) as first use, plus second uses and dwellings:
    # the accents are read right although the .dbf has no .cpg.
    assert buildings["residential"].sum() == 2033
    heights = buildings["height_m"]
    assert (
        heights.isna().sum() == 284 and heights.min() > 0 and heights.max() == pytest.approx(20.3)
    )
    assert (buildings["source"] == "bdtopo").all()


def test_olemps_vegetation_and_water(shared_data: Path) -> None:
    vegetation = read_vegetation(shared_data / "bdtopo" / "ZONE_DE_VEGETATION.shp")
    assert list(vegetation.columns) == VEGETATION_COLUMNS
    assert vegetation["kind"].value_counts().to_dict() == {
        "hedge": 423,
        "wood": 239,
        "scrub": 2,
        "orchard": 1,
    }
    assert not vegetation["public"].any()
    water = read_water(shared_data / "bdtopo" / "SURFACE_HYDROGRAPHIQUE.shp")
    assert list(water.columns) == WATER_COLUMNS
    assert water["kind"].value_counts().to_dict() == {
        "basin": 20,
        "pond": 4,
        "reservoir": 3,
        "river": 1,
    }


def test_bbox(shared_data: Path) -> None:
    path = shared_data / "bdtopo" / "BATIMENT.shp"
    everything = read_buildings(path)
    minx, miny, maxx, maxy = everything.total_bounds
    box = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)
    part = read_buildings(path, bbox_2154=box)
    assert 0 < len(part) < len(everything)
    assert part.intersects(shapely.box(*box)).all()


def test_geopackage_long_names(tmp_path: Path) -> None:
    path = tmp_path / "BDT_3-3_GPKG_LAMB93_D085.gpkg"
    geoms = [
        shapely.box(360_000 + 20 * i, 6_627_000, 360_010 + 20 * i, 6_627_010) for i in range(4)
    ]
    gpd.GeoDataFrame(
        {
            "nature": ["Indifférenciée"] * 4,
            "usage_1": ["Résidentiel", "Commercial et services", "Annexe", "Indifférencié"],
            "usage_2": [None, "Résidentiel", None, None],
            "hauteur": [9.5, 12.0, None, 0.0],
            "nombre_de_logements": [4, 0, 0, None],
            "etat_de_l_objet": ["En service", "En service", "En projet", "En service"],
        },
        geometry=geoms,
        crs="EPSG:2154",
    ).to_file(path, layer="batiment")
    gpd.GeoDataFrame(
        {"nature": ["Forêt fermée de feuillus", "Haie", "Nouvelle nature"]},
        geometry=geoms[:3],
        crs="EPSG:2154",
    ).to_file(path, layer="zone_de_vegetation")
    buildings = read_buildings(path)
    assert buildings["residential"].tolist() == [True, True, True]  # the planned one is dropped
    np.testing.assert_array_equal(buildings["height_m"].to_numpy(), [9.5, 12.0, np.nan])
    assert read_vegetation(path)["kind"].tolist() == ["wood", "hedge", "other"]


def test_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "BATIMENT.shp"
    gpd.GeoDataFrame(
        {"USAGE1": ["Résidentiel"]}, geometry=[shapely.box(0, 6.6e6, 1, 6.6e6 + 1)], crs=2154
    ).to_file(path)
    with pytest.raises(InputError, match=r"BATIMENT\.shp : champ\(s\) manquant\(s\) HAUTEUR"):
        read_buildings(path)
