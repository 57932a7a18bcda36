"""Write the demo's vector layers in their official formats.

- QPV perimeters as ANCT's GeoJSON (CRS84, MultiPolygon, ANCT property names);
- communes and EPCI as an IGN ADMIN EXPRESS COG 4.0 GeoPackage (WGS84, geometry column
  ``geometrie``);
- LCZ blocks as CEREMA's LCZ SPOT shapefile (Lambert-93).

Files are byte-identical for the same inputs: the GeoPackage's timestamps and the DBF's
date are pinned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray

from quartiers.demo._geometry import to_wgs84

__all__ = ["FICTITIOUS", "write_communes", "write_lcz", "write_qpv"]

#: Label carried by every file's metadata where the format has room for it.
FICTITIOUS = "Données FICTIVES générées par quartiers (territoire Ville-Témoin), sans valeur réelle"
#: Date pinned in file metadata so that the same seed gives the same bytes.
DATA_DATE = "2024-01-01"

QPV_PROPERTIES = ["fid", "code_qp", "lib_qp", "insee_reg", "lib_reg", "insee_dep", "lib_dep",
                  "insee_com", "lib_com", "siren_epci"]  # fmt: skip


def wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    """Return a Lambert-93 geometry in WGS84 longitude/latitude (degrees)."""

    def move(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, move)


def _multipolygon(geom: shapely.Geometry) -> shapely.MultiPolygon:
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon)]
    return shapely.MultiPolygon(parts)


def write_qpv(
    rows: list[dict[str, object]], geoms_2154: list[shapely.Geometry], path: Path
) -> None:
    """Write QPV perimeters as ANCT's GeoJSON (CRS84, coordinates to 6 decimals)."""
    features = []
    for props, geom in zip(rows, geoms_2154, strict=True):
        mp = _multipolygon(shapely.set_precision(wgs84(geom), 1e-6))
        coords = json.loads(shapely.to_geojson(mp))["coordinates"]
        features.append(
            {
                "type": "Feature",
                "properties": {k: props[k] for k in QPV_PROPERTIES},
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    doc = {
        "type": "FeatureCollection",
        "name": "QP2024_Ville-Temoin_FICTIF_WGS84",
        "description": FICTITIOUS,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")


@contextmanager
def _pinned_gpkg_dates() -> Iterator[None]:
    """Pin the timestamps GDAL writes into a GeoPackage (reproducible bytes)."""
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{DATA_DATE}T00:00:00.000Z"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write_communes(
    communes: pd.DataFrame, epci: pd.DataFrame, geoms_2154: list[shapely.Geometry], path: Path
) -> None:
    """Write ADMIN EXPRESS COG 4.0 layers ``commune`` and ``epci`` (EPSG:4326, ``geometrie``)."""
    com = gpd.GeoDataFrame(
        communes, geometry=[_multipolygon(wgs84(g)) for g in geoms_2154], crs="EPSG:4326"
    )
    union = shapely.union_all(geoms_2154, grid_size=0.01)
    epci_gdf = gpd.GeoDataFrame(epci, geometry=[_multipolygon(wgs84(union))], crs="EPSG:4326")
    path.unlink(missing_ok=True)
    options = {"GEOMETRY_NAME": "geometrie", "DESCRIPTION": FICTITIOUS}
    with _pinned_gpkg_dates():
        com.to_file(path, layer="commune", engine="pyogrio", layer_options=options)
        epci_gdf.to_file(path, layer="epci", engine="pyogrio", layer_options=options)


def write_lcz(blocks: gpd.GeoDataFrame, path: Path) -> None:
    """Write LCZ blocks as a CEREMA-style shapefile (EPSG:2154, UTF-8 attributes)."""
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        path.with_suffix(suffix).unlink(missing_ok=True)
    blocks.to_file(
        path,
        engine="pyogrio",
        layer_options={"ENCODING": "UTF-8", "DBF_DATE_LAST_UPDATE": DATA_DATE},
    )
