"""GeoJSON pieces and bounding boxes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from quartiers.spatial.bbox import BBoxError, parse_bbox
from quartiers.web.geojson import (
    bbox_area_km2,
    clean_value,
    collection_bytes,
    feature_bytes,
)


def test_parse_bbox_reads_four_numbers() -> None:
    assert parse_bbox("-1.25,46.85,-1.2,46.88") == (-1.25, 46.85, -1.2, 46.88)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,2,3", "quatre nombres"),
        ("a,b,c,d", "quatre nombres"),
        ("0,0,nan,1", "quatre nombres"),
        ("-200,0,1,1", "longitudes"),
        ("0,-95,1,1", "latitudes"),
        ("2,0,1,1", "le minimum doit précéder le maximum"),
    ],
)
def test_parse_bbox_errors_are_french(text: str, words: str) -> None:
    with pytest.raises(BBoxError, match=words):
        parse_bbox(text)


def test_bbox_area() -> None:
    # one degree of latitude by one of longitude at 45° N ≈ 110.6 × 78.7 km
    assert bbox_area_km2((0.0, 44.5, 1.0, 45.5)) == pytest.approx(110.574 * 78.7, rel=0.01)
    assert bbox_area_km2((1.0, 1.0, 1.0, 1.0)) == 0.0


@given(
    st.floats(-179, 178),
    st.floats(-80, 79),
    st.floats(0.0001, 1),
    st.floats(0.0001, 1),
)
def test_bbox_area_grows_with_the_box(lon: float, lat: float, w: float, h: float) -> None:
    small = bbox_area_km2((lon, lat, lon + w, lat + h))
    large = bbox_area_km2((lon, lat, lon + 2 * w, lat + h))
    assert small > 0
    assert large == pytest.approx(2 * small, rel=1e-9)


def test_clean_value() -> None:
    assert clean_value(np.float64(0.123456789)) == 0.123457
    assert clean_value(np.int64(3)) == 3
    assert clean_value(math.nan) is None
    assert clean_value(np.bool_(True)) is True
    assert clean_value("é") == "é"


def test_feature_and_collection_are_valid_json() -> None:
    feature = feature_bytes(box(0.1234567, 1, 2, 3), {"a": np.nan, "b": 1.5}, "f1")
    fc = json.loads(collection_bytes([feature, feature], total=2, next=None, bbox=[1.5, 2.0]))
    assert fc["bbox"] == [1.5, 2.0]
    assert fc["type"] == "FeatureCollection"
    assert fc["total"] == 2 and fc["next"] is None
    f = fc["features"][0]
    assert f["id"] == "f1" and f["properties"] == {"a": None, "b": 1.5}
    assert f["geometry"]["type"] == "Polygon"
    xs = [pt[0] for pt in f["geometry"]["coordinates"][0]]
    assert 0.123457 in xs  # 6 decimals
    assert json.loads(collection_bytes([]))["features"] == []
