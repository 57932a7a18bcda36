"""Exports of published contributions: GeoJSON (RFC 7946, WGS84) and CSV (UTF-8, comma).

Only :class:`~quartiers.participation.schemas.ContributionPublic` objects reach this module, so
no e-mail, status or moderation note can leak into a file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from quartiers.participation.schemas import (
    ContributionPublic,
    Feature,
    FeatureCollection,
    PointGeometry,
)

__all__ = ["CSV_COLUMNS", "csv_text", "feature_collection", "write_export"]

CSV_COLUMNS = (
    "id",
    "territory",
    "code_qp",
    "lon",
    "lat",
    "located_by",
    "category",
    "category_label",
    "text",
    "age_band",
    "period",
    "created_on",
)

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def feature_collection(items: Iterable[ContributionPublic]) -> FeatureCollection:
    """Return published contributions as GeoJSON features (lon/lat degrees)."""
    features = []
    for item in items:
        properties = item.model_dump(mode="json", exclude={"id", "lon", "lat"})
        features.append(
            Feature(
                id=item.id,
                geometry=PointGeometry(coordinates=(item.lon, item.lat)),
                properties=properties,
            )
        )
    return FeatureCollection(features=features)


def csv_text(items: Iterable[ContributionPublic]) -> str:
    """Return published contributions as CSV; formula-like texts are prefixed with ``'``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        data = item.model_dump(mode="json")
        writer.writerow([_cell(data[name]) for name in CSV_COLUMNS])
    return buffer.getvalue()


def write_export(items: Sequence[ContributionPublic], path: Path, *, fmt: str) -> None:
    """Write ``items`` to ``path`` as ``csv`` or ``geojson`` (UTF-8), replacing it atomically."""
    if fmt == "csv":
        content = csv_text(items)
    elif fmt == "geojson":
        content = json.dumps(
            feature_collection(items).model_dump(mode="json"), ensure_ascii=False, indent=1
        )
    else:
        raise ValueError(f"format d'export inconnu : {fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partiel")
    partial.write_text(content, encoding="utf-8")
    partial.replace(path)
