"""The ``territory`` and ``territory_name`` columns of every output layer (orchestrator).

A run may cover several territories (``--territory`` repeated); each row of ``cells``,
``qpv``, ``zones`` and ``hotspots`` says which one it belongs to, through its commune.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.schemas import TerritoryRecord

if TYPE_CHECKING:
    from quartiers.diagnostic.result import Diagnostic
    from quartiers.schemas import TerritoryInputs

__all__ = ["COLUMNS", "add_territory_columns", "territories_of", "territory_codes"]

Texts = NDArray[np.object_]

#: Columns added to every layer, right after its identifier.
COLUMNS = ("territory", "territory_name")


def territories_of(inputs: TerritoryInputs) -> list[TerritoryRecord]:
    """Return the territories of a run (``notes.territories`` or the run's own)."""
    records = inputs.notes.territories
    if records:
        return list(records)
    note = inputs.notes.territory
    return [
        TerritoryRecord(
            code=inputs.code,
            name=inputs.name,
            kind=note.kind if note is not None else "",
            commune_codes=tuple(sorted(str(c) for c in inputs.communes["insee_com"])),
        )
    ]


def _place(frame: pd.DataFrame, after: str, codes: Texts, names: Texts) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in COLUMNS if c in frame.columns])
    at = list(out.columns).index(after) + 1 if after in out.columns else 0
    with warnings.catch_warnings():
        # The cells layer keeps one block per column (not copied into one block, ≈ 1 GB
        # for a national grid): pandas' « highly fragmented » advice does not apply.
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        out.insert(at, "territory", pd.Series(codes, index=out.index, dtype="string"))
        out.insert(at + 1, "territory_name", pd.Series(names, index=out.index, dtype="string"))
    return out


def _lookup(
    communes: pd.Series, by_commune: dict[str, tuple[str, str]], default: tuple[str, str]
) -> tuple[Texts, Texts]:
    # Each distinct value is looked up once (a national run has millions of cells); the
    # rows share the found texts (object arrays, no per-row Python loop).
    positions, values = pd.factorize(communes.astype(str).fillna(""), use_na_sentinel=False)
    found = []
    for value in values:
        first = next((c.strip() for c in value.split(",") if c.strip() in by_commune), "")
        found.append(by_commune.get(first, default))
    codes = np.asarray([f[0] for f in found] or [""], dtype=object)[positions]
    names = np.asarray([f[1] for f in found] or [""], dtype=object)[positions]
    return codes, names


def _by_box(
    cells: pd.DataFrame, records: list[TerritoryRecord], codes: Texts, names: Texts
) -> None:
    """Give a cell outside every commune the territory whose clip box holds it (in place)."""
    left = np.flatnonzero(codes == "")
    xs = cells["x_sw"].to_numpy()[left]
    ys = cells["y_sw"].to_numpy()[left]
    for r in records:
        box = r.bbox_3035
        if box is None or not left.size:
            continue
        inside = (box[0] <= xs) & (xs < box[2]) & (box[1] <= ys) & (ys < box[3])
        codes[left[inside]], names[left[inside]] = r.code, r.name
        left, xs, ys = left[~inside], xs[~inside], ys[~inside]


def _tables(
    records: list[TerritoryRecord],
) -> tuple[dict[str, tuple[str, str]], tuple[str, str]]:
    by_commune = {c: (r.code, r.name) for r in records for c in r.commune_codes}
    default = (records[0].code, records[0].name) if len(records) == 1 else ("", "")
    return by_commune, default


def territory_codes(
    records: list[TerritoryRecord], communes: pd.Series, xy: Any | None = None
) -> list[str]:
    """Return the territory code of each row ('' when none) from its commune(s).

    With ``xy`` (south-west corners of cells), a cell outside every commune takes the
    territory whose clip box holds it, as in the published ``territory`` column.
    """
    by_commune, default = _tables(records)
    codes, names = _lookup(communes, by_commune, default)
    if xy is not None:
        frame = pd.DataFrame({"x_sw": xy[:, 0], "y_sw": xy[:, 1]})
        _by_box(frame, records, codes, names)
    return [str(c) for c in codes]


def add_territory_columns(diag: Diagnostic, records: list[TerritoryRecord]) -> Diagnostic:
    """Return ``diag`` with ``territory`` and ``territory_name`` on every layer."""
    by_commune, default = _tables(records)
    layers: dict[str, Any] = {}
    for name, after in (("cells", "idcar_200m"), ("qpv", "lib_qp"), ("zones", "label")):
        frame = getattr(diag, name)
        codes, names = _lookup(frame["insee_com"], by_commune, default)
        if name == "cells":
            _by_box(frame, records, codes, names)
        layers[name] = _place(frame, after, codes, names)
    if diag.hotspots is not None:
        codes, names = _lookup(diag.hotspots["insee_com"], by_commune, default)
        layers["hotspots"] = _place(diag.hotspots, "idcar_200m", codes, names)
    run = dict(diag.run)
    run["territories"] = [
        {"code": r.code, "name": r.name, "kind": r.kind, "commune_codes": list(r.commune_codes)}
        for r in records
    ]
    return replace(diag, run=run, **layers)
