"""Several territories in one run: load each, then join their inputs into one territory.

``quartiers diagnose --territory A --territory B`` loads A and B exactly as two single runs
would (each clipped to its own box), then stacks their layers: cells on the same 200 m grid
(a cell read twice where two boxes overlap is kept once), QPV, communes, climate and
environmental layers. The indicators are then normalised against one distribution — the
cells of every territory — so the scale is shared, while comparison zones stay per commune
and per EPCI. ``notes.territories`` records which commune belongs to which territory
(the ``territory`` and ``territory_name`` columns of every output layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import InputNotes, TerritoryInputs, TerritoryNote, TerritoryRecord
from quartiers.sources.merge import concat_unique

__all__ = ["COVERAGE_LAYERS", "merge_inputs", "territory_record", "with_name"]

_SKIPPED = {"code", "name", "qpv", "cells", "communes", "provenance", "notes", "osm_path"}


#: Street-level layers whose presence is recorded per territory (``layers`` of a record):
#: in a joint run, the cells of a territory read without one of them have no value for the
#: indicators it feeds, instead of the value of an empty layer (no building: 0 % sealed).
COVERAGE_LAYERS = ("buildings", "vegetation", "trees", "tree_cover")


def territory_record(inputs: TerritoryInputs) -> TerritoryRecord:
    """Return the record (code, name, kind, communes, ``bbox_3035``, layers) of a territory.

    ``layers`` lists the :data:`COVERAGE_LAYERS` read for it, and ``streets`` when it has
    streets to walk on (an OpenStreetMap extract with roads in its box, or street segments).
    """
    note = inputs.notes.territory
    layers = [n for n in COVERAGE_LAYERS if _has_rows(getattr(inputs, n))]
    # An extract given for several territories may not cover this one: streets count only
    # when its roads (read from the extract on the territory's box) are there.
    osm = inputs.osm_path is not None and _has_rows(inputs.roads)
    if osm or _has_rows(inputs.notes.walk_edges):
        layers.append("streets")
    return TerritoryRecord(
        code=inputs.code,
        name=inputs.name,
        kind=note.kind if note is not None else "",
        commune_codes=tuple(sorted(str(c) for c in inputs.communes["insee_com"])),
        bbox_3035=note.bbox_3035 if note is not None else None,
        layers=tuple(layers),
    )


def _has_rows(layer: Any) -> bool:
    return isinstance(layer, pd.DataFrame) and len(layer) > 0


def _check_disjoint(records: Sequence[TerritoryRecord]) -> None:
    seen: dict[str, str] = {}
    for rec in records:
        shared = sorted(c for c in rec.commune_codes if c in seen)
        if shared:
            other = seen[shared[0]]
            raise InputError(
                f"--territory : les territoires {other} et {rec.code} ont des communes en "
                f"commun ({', '.join(shared[:5])}) — attendu des territoires distincts"
            )
        seen.update(dict.fromkeys(rec.commune_codes, rec.code))


def _stack(frames: list[Any]) -> Any:
    present = [f for f in frames if f is not None and len(f)]
    if not present:
        return next((f for f in frames if f is not None), None)
    if isinstance(present[0], gpd.GeoDataFrame):
        crs = present[0].crs
        present = [f.to_crs(crs) if f.crs is not None and f.crs != crs else f for f in present]
    return concat_unique(present)


def merge_inputs(parts: Sequence[TerritoryInputs]) -> TerritoryInputs:
    """Join the inputs of several territories into one (see the module docstring).

    Raises
    ------
    InputError
        Two territories share communes.
    """
    records = tuple(territory_record(p) for p in parts)
    if len(parts) == 1:
        parts[0].notes = replace(parts[0].notes, territories=records)
        return parts[0]
    _check_disjoint(records)
    merged: dict[str, Any] = {
        "code": "+".join(p.code for p in parts),
        "name": " + ".join(p.name for p in parts),
        "qpv": _stack([p.qpv for p in parts]),
        "cells": _stack([p.cells for p in parts]),
        "communes": _stack([p.communes for p in parts]),
    }
    for f in fields(TerritoryInputs):
        if f.name not in _SKIPPED:
            merged[f.name] = _stack([getattr(p, f.name) for p in parts])
    osm = {p.osm_path for p in parts if p.osm_path is not None}
    merged["osm_path"] = Path(sorted(str(o) for o in osm)[0]) if osm else None
    seen: set[tuple[str, str]] = set()
    provenance = []
    for p in parts:
        for prov in p.provenance:
            key = (prov.source_id, prov.location)
            if key not in seen:
                seen.add(key)
                provenance.append(prov)
    layers: dict[str, str] = {}
    for p in parts:
        layers.update(p.notes.layers)
    merged["provenance"] = provenance
    boxes = [p.notes.territory.bbox_2154 if p.notes.territory else None for p in parts]
    known = [b for b in boxes if b is not None]
    territory = TerritoryNote(
        code=merged["code"],
        name=merged["name"],
        kind="plusieurs",
        bbox_2154=(
            (
                min(b[0] for b in known),
                min(b[1] for b in known),
                max(b[2] for b in known),
                max(b[3] for b in known),
            )
            if len(known) == len(boxes)
            else None
        ),
    )
    # the streets each territory read (from every extract given) stay, so that the walking
    # network joins them all rather than rereading the first extract alone
    walks = [p.notes.walk_edges for p in parts]
    walk_edges = _stack(walks) if all(isinstance(w, pd.DataFrame) for w in walks) else None
    merged["notes"] = InputNotes(
        territory=territory, territories=records, layers=layers, walk_edges=walk_edges
    )
    if isinstance(merged["qpv"], pd.DataFrame):
        merged["qpv"] = merged["qpv"].drop_duplicates("code_qp").reset_index(drop=True)
    return TerritoryInputs(**merged)


#: Longest display name accepted by ``--nom`` (characters).
MAX_NAME_LENGTH = 120


def with_name(inputs: TerritoryInputs, name: str) -> TerritoryInputs:
    """Return the inputs of one territory under the name people use (``--nom``).

    The official name is kept in ``notes.territory.official_name``; every title
    (home page, breadcrumb, synthesis, roadmap) then shows ``name``.

    Raises
    ------
    InputError
        Empty or overlong name, or several territories in one run.
    """
    clean = " ".join(str(name).split())
    if not clean or len(clean) > MAX_NAME_LENGTH or clean.isdigit():
        raise InputError(
            f"--nom {name!r} : attendu le nom du territoire en toutes lettres, 1 à "
            f"{MAX_NAME_LENGTH} caractères (ex. « Angers Loire Métropole »)"
        )
    records = inputs.notes.territories or ()
    if len(records) > 1:
        raise InputError("--nom : un seul territoire attendu (le nom s'applique à un territoire)")
    notes = inputs.notes
    if records:
        notes = replace(notes, territories=(replace(records[0], name=clean),))
    note = notes.territory or TerritoryNote(code="", name="", kind="")
    official = note.official_name if note.official_name is not None else inputs.name
    notes = replace(notes, territory=replace(note, name=clean, official_name=official))
    return replace(inputs, name=clean, notes=notes)
