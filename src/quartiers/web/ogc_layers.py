"""Collections of the OGC API – Features: one per layer and territory, features as GeoJSON.

A :class:`Collection` holds one layer of one served territory in its storage CRS
(EPSG:3035, the diagnostic's) and in CRS84, the feature identifiers and the CRS84 bounds
used by the ``bbox`` filter. Features are serialised on demand, page by page, with full
precision property values (the same numbers as ``qpv.csv``) and coordinates rounded to
1e-7° (CRS84) or 1 cm (projected CRS). Everything here is pure: no request, no I/O.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from quartiers.diagnostic.dictionary import describe
from quartiers.outputs.layer_info import LAYER_DESCRIPTIONS, LAYER_ID_COLUMNS, LAYER_TITLES
from quartiers.schemas import BBox
from quartiers.web.catalog import TerritoryData

__all__ = [
    "CRS84",
    "SUPPORTED_CRS",
    "Collection",
    "build_collections",
    "contributions_collection",
    "crs_uri",
    "feature_json",
    "property_schema",
    "uri_crs",
]

#: OGC URI of WGS84 longitude/latitude, the default CRS of OGC API – Features.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
#: CRS offered (Part 2): CRS84, WGS84 (lat/lon), Lambert-93, LAEA Europe (storage).
SUPPORTED_CRS: tuple[str, ...] = (CRS84, f"{_EPSG}4326", f"{_EPSG}2154", f"{_EPSG}3035")
#: Storage CRS of the diagnostic layers.
STORAGE_CRS = f"{_EPSG}3035"
_DIGITS_DEGREES = 7
_DIGITS_METRES = 2
_LAYER_ORDER = ("qpv", "zones", "cells", "hotspots")

FloatArray = NDArray[np.float64]


def crs_uri(epsg: int | None) -> str:
    """Return the OGC URI of an EPSG code (None: CRS84)."""
    return CRS84 if epsg is None else f"{_EPSG}{epsg}"


def uri_crs(uri: str) -> CRS:
    """Return the pyproj CRS of a supported URI (axis order of the authority)."""
    if uri == CRS84:
        return CRS.from_user_input("OGC:CRS84")
    return CRS.from_epsg(int(uri.rsplit("/", 1)[1]))


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(uri_crs(source), uri_crs(target), always_xy=False)


def _coords(geoms: NDArray[Any], source: str, target: str) -> NDArray[Any]:
    """Reproject geometries from one supported CRS to another (authority axis order)."""
    if source == target:
        return geoms
    transformer = _transformer(source, target)

    def project(xy: FloatArray) -> FloatArray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, project))


def _clean(value: Any) -> Any:
    """Return a JSON-ready value at full precision (None for NaN and missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    return str(value)


def _geometry(geom: Any, digits: int) -> dict[str, Any] | None:
    if geom is None or shapely.is_empty(geom):
        return None
    rounded = shapely.transform(geom, lambda xy: np.round(xy, digits))
    out: dict[str, Any] = json.loads(shapely.to_geojson(rounded))
    return out


def feature_json(
    feature_id: str, geom: Any, properties: Mapping[str, Any], *, degrees: bool
) -> dict[str, Any]:
    """Return one GeoJSON feature (properties at full precision)."""
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": _geometry(geom, _DIGITS_DEGREES if degrees else _DIGITS_METRES),
        "properties": {str(k): _clean(v) for k, v in properties.items()},
    }


def _json_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def property_schema(frame: pd.DataFrame, id_column: str) -> dict[str, Any]:
    """Return the JSON Schema of a layer's properties, French titles from the dictionary."""
    props: dict[str, Any] = {}
    for column in frame.columns:
        if column == "geometry":
            continue
        label, unit, direction, source = describe(str(column))
        text = "; ".join(p for p in (f"unité : {unit}" if unit else "", direction, source) if p)
        entry: dict[str, Any] = {"title": label, "type": _json_type(frame[column])}
        if text:
            entry["description"] = text
        if column == id_column:
            entry["x-ogc-role"] = "id"
        props[str(column)] = entry
    return props


@dataclass
class Collection:
    """One layer of one territory (see module docstring).

    Attributes
    ----------
    id, title, description
        Collection identifier (``<territory>-<layer>``) and French texts.
    territory, layer
        Territory code and layer name.
    frame
        Attributes and geometries in the storage CRS (EPSG:3035).
    crs84
        Geometries in CRS84 (lon/lat), same order.
    ids
        Feature identifiers, same order.
    """

    id: str
    title: str
    description: str
    territory: str
    layer: str
    frame: gpd.GeoDataFrame
    crs84: NDArray[Any]
    ids: list[str]
    bounds: FloatArray = field(init=False)
    extent: BBox = field(init=False)
    _positions: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.bounds = np.asarray(shapely.bounds(self.crs84), dtype="float64").reshape(-1, 4)
        if len(self.bounds):
            b = self.bounds
            self.extent = (
                float(np.nanmin(b[:, 0])),
                float(np.nanmin(b[:, 1])),
                float(np.nanmax(b[:, 2])),
                float(np.nanmax(b[:, 3])),
            )
        else:
            self.extent = (math.nan,) * 4
        self._positions = {fid: i for i, fid in enumerate(self.ids)}

    @property
    def id_column(self) -> str:
        """Return the column holding the feature identifiers."""
        return LAYER_ID_COLUMNS[self.layer]

    def position(self, feature_id: str) -> int | None:
        """Return the row of a feature, None when unknown."""
        return self._positions.get(feature_id)

    def select(self, bbox: BBox | None) -> NDArray[np.int64]:
        """Return the rows whose geometry intersects a CRS84 box (all rows without box)."""
        if bbox is None:
            return np.arange(len(self.ids), dtype=np.int64)
        b = self.bounds
        near = (b[:, 0] <= bbox[2]) & (b[:, 2] >= bbox[0]) & (b[:, 1] <= bbox[3])
        near &= b[:, 3] >= bbox[1]
        rows = np.flatnonzero(near)
        hits = shapely.intersects(self.crs84[rows], shapely.box(*bbox))
        out: NDArray[np.int64] = rows[np.asarray(hits, dtype=bool)].astype(np.int64)
        return out

    def features(self, rows: Sequence[int], crs: str) -> list[dict[str, Any]]:
        """Return the GeoJSON features of some rows in a supported CRS."""
        # CRS84 geometries are in the authority's axis order (lon, lat); the target CRS's
        # own order follows (northing first for EPSG:3035, latitude first for EPSG:4326)
        geoms = _coords(self.crs84[list(rows)], CRS84, crs)
        attrs = self.frame.drop(columns="geometry").iloc[list(rows)]
        records = attrs.to_dict(orient="records")
        return [
            feature_json(self.ids[r], g, rec, degrees=crs in (CRS84, SUPPORTED_CRS[1]))
            for r, g, rec in zip(rows, geoms, records, strict=True)
        ]

    def schema(self) -> dict[str, Any]:
        """Return the JSON Schema of the features (OGC API – Features Part 5 style)."""
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "title": self.title,
            "description": self.description,
            "properties": {
                "geometry": {"x-ogc-role": "primary-geometry", "format": "geometry-any"},
                **property_schema(self.frame, self.id_column),
            },
        }


def _make(
    td_code: str, td_name: str, layer: str, frame: gpd.GeoDataFrame | None
) -> Collection | None:
    if frame is None or not len(frame) or frame.crs is None:
        return None
    stored = frame.to_crs(3035).reset_index(drop=True)
    crs84 = np.asarray(stored.to_crs("OGC:CRS84").geometry.array)
    id_column = LAYER_ID_COLUMNS[layer]
    if id_column in stored.columns:
        ids = [str(v) for v in stored[id_column]]
    else:
        ids = [str(i + 1) for i in range(len(stored))]
    if len(set(ids)) != len(ids):  # identifiers must be unique within a collection
        ids = [str(i + 1) for i in range(len(stored))]
    return Collection(
        id=f"{td_code}-{layer}",
        title=f"{LAYER_TITLES[layer]} — {td_name}",
        description=LAYER_DESCRIPTIONS[layer],
        territory=td_code,
        layer=layer,
        frame=stored,
        crs84=crs84,
        ids=ids,
    )


def build_collections(territories: Iterable[TerritoryData]) -> dict[str, Collection]:
    """Build the diagnostic collections of every served territory, in a stable order."""
    out: dict[str, Collection] = {}
    for td in territories:
        diag = td.diagnostic
        layers: dict[str, gpd.GeoDataFrame | None] = {
            "qpv": diag.qpv,
            "zones": diag.zones,
            "cells": diag.cells,
            "hotspots": td.hotspots,
        }
        for layer in _LAYER_ORDER:
            made = _make(td.code, td.name, layer, layers[layer])
            if made is not None:
                out[made.id] = made
    return out


#: Attributes of a published contribution exposed as feature properties.
CONTRIBUTION_FIELDS = (
    "id",
    "code_qp",
    "located_by",
    "category",
    "category_label",
    "text",
    "age_band",
    "age_band_label",
    "period",
    "period_label",
    "created_on",
)


def contributions_collection(
    code: str, name: str, rows: Callable[[], list[dict[str, Any]]]
) -> Collection:
    """Return the collection of a territory's published contributions, read now."""
    items = rows()
    frame = gpd.GeoDataFrame(
        pd.DataFrame(
            [{k: r.get(k) for k in CONTRIBUTION_FIELDS} for r in items],
            columns=list(CONTRIBUTION_FIELDS),
        ),
        geometry=gpd.points_from_xy(
            [float(r["lon"]) for r in items], [float(r["lat"]) for r in items]
        ),
        crs="OGC:CRS84",
    )
    stored = frame.to_crs(3035)
    return Collection(
        id=f"{code}-contributions",
        title=f"{LAYER_TITLES['contributions']} — {name}",
        description=LAYER_DESCRIPTIONS["contributions"],
        territory=code,
        layer="contributions",
        frame=stored,
        crs84=np.asarray(frame.geometry.array),
        ids=[str(r["id"]) for r in items],
    )
