"""The notes the sources step records beside the layers of a run.

Re-exported by :mod:`quartiers.schemas` (import them from there).

:class:`InputNotes` and its parts (:class:`TerritoryNote`, :class:`TerritoryRecord`,
:class:`ZonesNote`) are written to and read from the workspace manifest and ``run.json``
``input_notes``. The one box type :data:`BBox` lives here so that :mod:`quartiers.schemas`
can re-export it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

__all__ = [
    "NOTE_TABLES",
    "BBox",
    "InputNotes",
    "TerritoryNote",
    "TerritoryRecord",
    "ZonesNote",
]

#: A box ``(xmin, ymin, xmax, ymax)`` in the CRS its name or its caller states (the one box
#: type of the package).
BBox = tuple[float, float, float, float]


def _box(value: Any) -> BBox | None:
    if value is None:
        return None
    a, b, c, d = value
    return (a, b, c, d)


@dataclass(frozen=True)
class TerritoryNote:
    """The territory a run's inputs were selected for, with its clip boxes.

    A field left ``None`` is absent from the JSON (a joint run's note has only ``code``,
    ``name``, ``kind`` and, when every territory has one, ``bbox_2154``). Numbers keep the
    type they were read with, so that the JSON written back is the JSON read.
    """

    code: str
    name: str
    kind: str
    siren_epci: str | None = None
    commune_codes: tuple[str, ...] | None = None
    margin_m: float | None = None
    bbox_2154: BBox | None = None
    bbox_3035: BBox | None = None
    official_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the note as JSON, keys in the order of the fields, ``None`` left out."""
        out: dict[str, Any] = {}
        for key in self.__dataclass_fields__:
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TerritoryNote:
        """Read :meth:`as_json` back (keys not known are ignored)."""
        codes = data.get("commune_codes")
        return cls(
            code=str(data.get("code", "")),
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "")),
            siren_epci=None if data.get("siren_epci") is None else str(data["siren_epci"]),
            commune_codes=None if codes is None else tuple(str(c) for c in codes),
            margin_m=data.get("margin_m"),
            bbox_2154=_box(data.get("bbox_2154")),
            bbox_3035=_box(data.get("bbox_3035")),
            official_name=data.get("official_name"),
        )


@dataclass(frozen=True)
class TerritoryRecord:
    """One territory of a run: its communes, clip box and the street-level layers read.

    ``layers`` is ``None`` when not recorded (a run's own territory, built on the fly).
    """

    code: str
    name: str
    kind: str
    commune_codes: tuple[str, ...]
    bbox_3035: BBox | None = None
    layers: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the record as JSON (``bbox_3035`` always, ``layers`` when recorded)."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "commune_codes": list(self.commune_codes),
            "bbox_3035": None if self.bbox_3035 is None else list(self.bbox_3035),
        }
        if self.layers is not None:
            out["layers"] = list(self.layers)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TerritoryRecord:
        """Read :meth:`as_json` back."""
        layers = data.get("layers")
        return cls(
            code=str(data.get("code", "")),
            name=str(data.get("name", "")),
            kind=str(data.get("kind", "")),
            commune_codes=tuple(str(c) for c in data.get("commune_codes") or ()),
            bbox_3035=_box(data.get("bbox_3035")),
            layers=None if layers is None else tuple(str(n) for n in layers),
        )


@dataclass(frozen=True)
class ZonesNote:
    """The user's neighbourhood file diagnosed in place of the QPV (``--zones``)."""

    file: str
    read: int
    kept: int

    def as_json(self) -> dict[str, Any]:
        """Return the note as JSON (``file``, ``read``, ``kept``)."""
        return {"file": self.file, "read": self.read, "kept": self.kept}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ZonesNote:
        """Read :meth:`as_json` back."""
        return cls(file=str(data["file"]), read=int(data["read"]), kept=int(data["kept"]))


#: Tables carried by the notes (not JSON: a workspace keeps each as ``note_<name>.parquet``).
NOTE_TABLES = ("walk_edges", "catnat", "rga")


@dataclass(frozen=True)
class InputNotes:
    """What the sources step records beside the layers of :class:`TerritoryInputs`.

    ``layers`` maps each layer read to its source id (filled in by the readers, in reading
    order). ``walk_edges`` (walkable street segments, EPSG:2154), ``catnat`` and ``rga``
    (Géorisques) are tables. ``basemap`` holds the background map features collected in the
    same OSM pass (EPSG:2154, not clipped); it lives for one run only (neither in the JSON nor
    in a workspace), so the diagnostic does not read the OSM file again for its background.
    :meth:`as_json` and :meth:`from_json` are the one writer and
    reader of the JSON part (workspace manifest, ``run.json`` ``input_notes``).
    """

    territory: TerritoryNote | None = None
    layers: dict[str, str] = field(default_factory=dict)
    lcz_coverage: dict[str, float] | None = None
    territories: tuple[TerritoryRecord, ...] | None = None
    walk_edges: gpd.GeoDataFrame | None = None
    catnat: pd.DataFrame | None = None
    rga: pd.DataFrame | None = None
    zones: ZonesNote | None = None
    basemap: gpd.GeoDataFrame | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the JSON notes in the order the sources step writes them.

        One territory: ``territory``, ``layers``, ``lcz_coverage``, ``territories``; a joint
        run (territory kind ``plusieurs``): ``territory``, ``territories``, ``layers``; then
        ``zones`` when the QPV were replaced by the user's neighbourhoods.
        """
        records = None
        if self.territories is not None:
            records = [r.as_json() for r in self.territories]
        out: dict[str, Any] = {}
        if self.territory is not None:
            out["territory"] = self.territory.as_json()
        joint = self.territory is not None and self.territory.kind == "plusieurs"
        if joint and records is not None:
            out["territories"] = records
        out["layers"] = dict(self.layers)
        if self.lcz_coverage is not None:
            out["lcz_coverage"] = dict(self.lcz_coverage)
        if not joint and records is not None:
            out["territories"] = records
        if self.zones is not None:
            out["zones"] = self.zones.as_json()
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the tables carried by the notes, by name (those present)."""
        return {n: t for n in NOTE_TABLES if (t := getattr(self, n)) is not None}

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], tables: Mapping[str, pd.DataFrame] | None = None
    ) -> InputNotes:
        """Read :meth:`as_json` (and the tables) back; keys not known are ignored."""
        territory = data.get("territory")
        records = data.get("territories")
        coverage = data.get("lcz_coverage")
        tables = tables or {}
        walk = tables.get("walk_edges")
        return cls(
            territory=None if territory is None else TerritoryNote.from_json(territory),
            layers={str(k): str(v) for k, v in (data.get("layers") or {}).items()},
            lcz_coverage=None if coverage is None else dict(coverage),
            territories=(
                None if records is None else tuple(TerritoryRecord.from_json(r) for r in records)
            ),
            walk_edges=walk if isinstance(walk, gpd.GeoDataFrame) else None,
            catnat=tables.get("catnat"),
            rga=tables.get("rga"),
            zones=None if data.get("zones") is None else ZonesNote.from_json(data["zones"]),
        )
