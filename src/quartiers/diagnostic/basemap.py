"""Offline background map of a diagnostic: built from its inputs, written as GeoJSON by zoom band.

With an OpenStreetMap extract, the background is the territory's streets by class, water,
green areas, buildings and names (:func:`quartiers.sources.osm_basemap.read_osm_basemap`);
without one, the commune and QPV outlines with their names. The folder
``fond_de_carte/`` of the output directory holds ``fond.json`` (what to load at which zoom),
one GeoJSON per zoom band (geometry simplified for the band), ``contours.geojson`` (commune
and QPV outlines) and ``etiquettes.geojson`` (name points with the zoom they appear at). The
web app serves them, ``carte.html`` embeds them and the PDF maps draw them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.errors import InputError
from quartiers.os_errors import reason
from quartiers.schemas import BBox, TerritoryInputs
from quartiers.sources.osm_basemap import clip_basemap, read_osm_basemap

__all__ = [
    "BANDS",
    "BASEMAP_DIR",
    "BASEMAP_MANIFEST",
    "build_basemap",
    "commune_label_zoom",
    "read_basemap",
    "write_basemap",
]

BASEMAP_DIR = "fond_de_carte"
BASEMAP_MANIFEST = "fond.json"
_CRS = "EPSG:3035"
_MARGIN_M = 500.0
_TILE_M = 250.0
OSM_ATTRIBUTION = "© les contributeurs d'OpenStreetMap (ODbL)"
OUTLINE_ATTRIBUTION = "Contours : IGN ADMIN EXPRESS, ANCT (QPV)"


#: Zoom bands: file stem, first and last zoom, simplification tolerance (m), coordinate
#: decimals, and what is kept (``layer:kind`` or ``layer``; areas under ``min_m2`` dropped).
BANDS: tuple[dict[str, Any], ...] = (
    {"file": "fond_z0", "minzoom": 0, "maxzoom": 13, "tolerance": 12.0, "decimals": 4,
     "keep": ("voie:principale", "voie:secondaire", "eau", "vert"), "min_m2": 20000.0},
    {"file": "fond_z13", "minzoom": 13, "maxzoom": 15, "tolerance": 2.5, "decimals": 5,
     "keep": ("voie:principale", "voie:secondaire", "voie:locale", "eau", "vert"),
     "min_m2": 500.0},
    {"file": "fond_z15", "minzoom": 15, "maxzoom": 24, "tolerance": 1.0, "decimals": 5,
     "keep": ("voie", "eau", "vert", "bati"), "min_m2": 0.0},
)  # fmt: skip

#: Zoom from which a name appears, by kind of named feature.
_LABEL_ZOOM = {
    "city": 9, "town": 10, "village": 11, "suburb": 12, "quarter": 13, "neighbourhood": 14,
    "hamlet": 14, "locality": 15, "principale": 14, "secondaire": 14.5, "locale": 15.5,
    "chemin": 17, "eau": 13, "vert": 14.5, "commune": 0, "qpv": 11,
}  # fmt: skip


def build_basemap(inputs: TerritoryInputs, qpv: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the background of a territory: OSM features and names, outlines (EPSG:3035).

    Columns ``layer`` (``voie``, ``eau``, ``vert``, ``bati``, ``commune``, ``qpv``,
    ``etiquette``), ``kind``, ``name``, ``minzoom`` (names only, else NaN), ``geometry``.
    Without ``inputs.osm_path``, only the commune and QPV outlines and their names.
    """
    communes = inputs.communes.to_crs(_CRS)
    qpv = qpv.to_crs(_CRS)
    outlines = pd.concat(
        [
            _outline_frame(communes, "commune", "nom"),
            _outline_frame(qpv, "qpv", "lib_qp"),
        ],
        ignore_index=True,
    )
    parts = [outlines]
    if inputs.osm_path is not None:
        box = _box_2154(communes, qpv)
        features = inputs.notes.basemap  # collected with the layers, in the same OSM pass
        if features is None:  # inputs from a workspace, or joined territories
            osm = read_osm_basemap(Path(inputs.osm_path), box)
        else:
            osm = clip_basemap(features, box)
        osm = osm.to_crs(_CRS)
        osm["minzoom"] = np.nan
        labels = _osm_labels(osm)
        # a town's place node repeats its commune's name: the commune label is enough
        labels = labels[~labels["name"].isin(set(outlines["name"]))]
        parts += [osm[osm["layer"] != "lieu"], labels]
    names = outlines[outlines["layer"] == "commune"] if inputs.osm_path else outlines
    parts.append(_points(names, names.geometry.representative_point()))
    frame = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=_CRS)


def _outline_frame(frame: gpd.GeoDataFrame, layer: str, name_col: str) -> gpd.GeoDataFrame:
    names = frame[name_col].astype(str) if name_col in frame.columns else ""
    return gpd.GeoDataFrame(
        {"layer": layer, "kind": layer, "name": names, "minzoom": np.nan},
        geometry=frame.geometry.values,
        crs=_CRS,
    )


def _box_2154(*frames: gpd.GeoDataFrame) -> BBox:
    bounds = np.array([f.to_crs("EPSG:2154").total_bounds for f in frames if len(f)])
    if not len(bounds):
        raise InputError("fond de carte : ni commune ni QPV pour délimiter le territoire")
    return (
        float(bounds[:, 0].min() - _MARGIN_M),
        float(bounds[:, 1].min() - _MARGIN_M),
        float(bounds[:, 2].max() + _MARGIN_M),
        float(bounds[:, 3].max() + _MARGIN_M),
    )


#: Metres per pixel at zoom 0 of the web map (512 px tiles at the equator).
_M_PER_PX_Z0 = 40_075_016.686 / 512
#: A commune's name appears once the commune is about this wide on screen (pixels).
_COMMUNE_LABEL_PX = 64.0


def commune_label_zoom(area_m2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the zoom from which a commune's name is shown: larger communes first.

    The zoom at which a square of the commune's area is :data:`_COMMUNE_LABEL_PX` pixels
    wide, rounded down to a half zoom, between 0 and 12: at the scale of France only the
    largest communes are named, a town's neighbours appear as one zooms in (a national
    run has some 35,000 communes).
    """
    side = np.sqrt(np.maximum(np.asarray(area_m2, dtype="float64"), 1.0))
    zoom = np.log2(_M_PER_PX_Z0 * _COMMUNE_LABEL_PX / side)
    return np.asarray(np.clip(np.floor(zoom * 2) / 2, 0.0, 12.0), dtype="float64")


def _points(frame: gpd.GeoDataFrame, points: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """Return name points: ``etiquette`` rows with the zoom each name appears at.

    Commune names appear by size (:func:`commune_label_zoom`), other names by kind.
    """
    named = (frame["name"].astype(str).str.strip() != "").to_numpy()
    kinds = frame.loc[named, "kind"].astype(str)
    zooms = np.array([float(_LABEL_ZOOM.get(k, 15)) for k in kinds], dtype="float64")
    communes = (kinds == "commune").to_numpy()
    if communes.any():
        areas = frame.geometry[named].area.to_numpy()  # EPSG:3035: square metres
        zooms[communes] = commune_label_zoom(areas[communes])
    return gpd.GeoDataFrame(
        {
            "layer": "etiquette",
            "kind": kinds.to_numpy(),
            "name": frame.loc[named, "name"].astype(str).to_numpy(),
            "minzoom": zooms,
        },
        geometry=points[named].values,
        crs=_CRS,
    )


def _osm_labels(osm: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one point per place, per named street stretch, river, water body and park."""
    places = osm[osm["layer"] == "lieu"]
    out = [_points(places, places.geometry)]
    streets = osm[(osm["layer"] == "voie") & (osm["name"] != "")]
    if len(streets):
        merged = streets.dissolve(by=["name", "kind"], as_index=False)
        merged = merged.set_geometry(shapely.line_merge(merged.geometry.values))
        parts = merged.explode(index_parts=False)
        parts = parts[parts.geometry.length >= 80.0]
        middle = parts.geometry.interpolate(0.5, normalized=True)
        # one name per street and 400 m square: streets cut in stretches are named once
        square = (middle.x // 400).astype("int64") * 100_000 + (middle.y // 400).astype("int64")
        first = ~pd.Series(list(zip(parts["name"], square, strict=True))).duplicated().to_numpy()
        out.append(_points(parts[first], middle[first]))
    for layer, min_m2 in (("eau", 2000.0), ("vert", 5000.0)):
        shapes = osm[(osm["layer"] == layer) & (osm["name"] != "")]
        big = shapes[shapes.geom_type.str.contains("Line") | (shapes.area >= min_m2)]
        if len(big):
            big = big.dissolve(by="name", as_index=False).assign(kind=layer)
            out.append(_points(big, big.geometry.representative_point()))
    return pd.concat(out, ignore_index=True)


def write_basemap(basemap: gpd.GeoDataFrame, out_dir: Path) -> dict[str, Path]:
    """Write ``out_dir/fond_de_carte/`` (bands, outlines, names, ``fond.json``); return the files.

    Geometry is simplified for each zoom band (:data:`BANDS`) and written in WGS84 with
    the band's coordinate decimals; areas too small for a band are left out of it.
    """
    folder = Path(out_dir) / BASEMAP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    layer = basemap["layer"]
    features = basemap[layer.isin(("voie", "eau", "vert", "bati"))]
    written: dict[str, Path] = {}
    bands = []
    if len(features):
        for band in BANDS:
            path = folder / f"{band['file']}.geojson"
            _write_collection(path, _grouped(_band(features, band)), ("l", "k"), band)
            written[path.name] = path
            bands.append({k: band[k] for k in ("file", "minzoom", "maxzoom")})
    outline_band = {"tolerance": 2.0, "decimals": 5}
    contours = folder / "contours.geojson"
    outlines = basemap[layer.isin(("commune", "qpv"))]
    outlines = _simplified(outlines, outline_band).rename(columns={"layer": "l"})
    _write_collection(contours, outlines, ("l",), outline_band)
    labels = folder / "etiquettes.geojson"
    names = basemap[layer == "etiquette"]
    names = names.rename(columns={"kind": "k", "name": "n", "minzoom": "z"})
    _write_collection(labels, names, ("k", "n", "z"), {"decimals": 5})
    manifest = {
        "source": "osm" if len(features) else "contours",
        "attribution": OSM_ATTRIBUTION if len(features) else OUTLINE_ATTRIBUTION,
        "bands": bands,
        "contours": contours.name,
        "labels": labels.name,
    }
    written.update({contours.name: contours, labels.name: labels})
    path = folder / BASEMAP_MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    written[path.name] = path
    return written


def _band(features: gpd.GeoDataFrame, band: dict[str, Any]) -> gpd.GeoDataFrame:
    key = features["layer"] + ":" + features["kind"]
    keep = features["layer"].isin(band["keep"]) | key.isin(band["keep"])
    chosen = features[keep]
    areas = chosen.geom_type.str.contains("Polygon")
    chosen = chosen[~areas | (chosen.geometry.area >= band["min_m2"])]
    return _simplified(chosen, band)


def _grouped(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the band with short property names and buildings gathered by 250 m tile.

    One multipolygon per tile instead of one feature per building keeps the files light
    (the per-feature overhead of GeoJSON is larger than a small building's outline).
    """
    out = frame.rename(columns={"layer": "l", "kind": "k"})
    out["k"] = out["k"].where(out["l"] == "voie", "")
    built = out[out["l"] == "bati"].explode(index_parts=False)
    built = built[built.geom_type == "Polygon"]
    if not len(built):
        return out
    centre = built.geometry.centroid
    tile = (
        (centre.x // _TILE_M).astype("int64").astype(str)
        + "_"
        + (centre.y // _TILE_M).astype("int64").astype(str)
    )
    groups = built.groupby(tile.to_numpy()).geometry.apply(
        lambda parts: shapely.multipolygons(list(parts.values))
    )
    tiles = gpd.GeoDataFrame(
        {"l": ["bati"] * len(groups), "k": [""] * len(groups)},
        geometry=gpd.GeoSeries(groups.values, crs=frame.crs),
        crs=frame.crs,
    )
    return pd.concat([out[out["l"] != "bati"], tiles], ignore_index=True)


def _simplified(frame: gpd.GeoDataFrame, band: dict[str, Any]) -> gpd.GeoDataFrame:
    geoms = shapely.simplify(frame.geometry.values, band["tolerance"], preserve_topology=True)
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))


def _write_collection(
    path: Path, frame: gpd.GeoDataFrame, columns: tuple[str, ...], band: dict[str, Any]
) -> None:
    """Write ``frame`` as a compact WGS84 GeoJSON (rounded coordinates, given columns)."""
    wgs = frame.to_crs("EPSG:4326")
    geoms = shapely.set_precision(wgs.geometry.values, 10.0 ** -band["decimals"], mode="pointwise")
    keep = ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)
    texts = shapely.to_geojson(geoms[keep])
    records = wgs.loc[keep, list(columns)].to_dict("records")
    features = []
    for rec, geom in zip(records, texts, strict=True):
        props = {k: p for k, v in rec.items() if (p := _plain(v)) is not None}
        text = json.dumps(props, ensure_ascii=False, separators=(",", ":"))
        features.append(f'{{"type":"Feature","properties":{text},"geometry":{geom}}}')
    path.write_text(
        '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}\n",
        encoding="utf-8",
    )


def _plain(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return str(value)


def read_basemap(out_dir: Path) -> gpd.GeoDataFrame | None:
    """Read the background of an output directory (finest band, outlines, names; EPSG:3035).

    Returns None when the directory has no ``fond_de_carte/fond.json`` (older diagnostics).

    Raises
    ------
    InputError
        A basemap file is unreadable (French message naming it).
    """
    folder = Path(out_dir) / BASEMAP_DIR
    manifest_path = folder / BASEMAP_MANIFEST
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = [b["file"] + ".geojson" for b in manifest["bands"][-1:]]
        files += [manifest["contours"], manifest["labels"]]
        frames = [gpd.read_file(folder / name) for name in files]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        detail = reason(exc) if isinstance(exc, OSError) else f"contenu inattendu : {exc}"
        raise InputError(f"{manifest_path} : fond de carte illisible ({detail})") from None
    frames = [f.to_crs(_CRS) for f in frames if len(f)]
    if not frames:
        return None
    frame = pd.concat(frames, ignore_index=True).rename(
        columns={"l": "layer", "k": "kind", "n": "name", "z": "minzoom"}
    )
    for column in ("layer", "kind", "name", "minzoom"):
        if column not in frame:
            frame[column] = None
    frame["layer"] = frame["layer"].fillna("etiquette")
    frame["kind"] = frame["kind"].fillna("")
    frame["name"] = frame["name"].fillna("")
    frame["minzoom"] = pd.to_numeric(frame["minzoom"], errors="coerce")
    return gpd.GeoDataFrame(
        frame[["layer", "kind", "name", "minzoom", "geometry"]], geometry="geometry", crs=_CRS
    )
