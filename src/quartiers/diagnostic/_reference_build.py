"""The reference rows of every indicator computed on the cells of some territories.

``quartiers reference build --territory …`` reads the territories like ``diagnose`` (the
same sources, walking access, method and horizon) and keeps, instead of an index, the
weighted distribution of each cell indicator — exactly the distribution a joint run of
those territories normalises against with ``reference: run``. The metadata says where
the cells came from: territories, sources, Filosofi vintage, horizon, method and the
settings each indicator depends on (``reference_file.indicator_settings``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from quartiers.diagnostic._cell_indicators import compute_cell_indicators
from quartiers.diagnostic._prepare import check_request, prepare_layers
from quartiers.diagnostic._reference_run import run_vintage
from quartiers.diagnostic._territories import territories_of
from quartiers.diagnostic.reference_file import indicator_rows, indicator_settings
from quartiers.method.spec import Method
from quartiers.schemas import TerritoryInputs

__all__ = ["TerritoryReference", "territory_reference"]


@dataclass(frozen=True)
class TerritoryReference:
    """A reference table built from territories, with what to write beside it."""

    table: pd.DataFrame
    vintage: str
    sources: list[dict[str, str]]
    provenance: dict[str, Any]
    cells: int
    missing: dict[str, str]


def territory_reference(
    inputs: TerritoryInputs,
    *,
    method: Method,
    horizon: str,
    access: pd.DataFrame | None,
    vintage: str | None = None,
) -> TerritoryReference:
    """Return the reference rows of every indicator computable on the inputs' cells.

    Parameters
    ----------
    inputs
        Territories read as one (:func:`quartiers.diagnostic.pipeline.read_territories`).
    method
        Method whose settings shape the cell values (LCZ scores, crown, unreachable rule).
    horizon
        Climate horizon of the climate indicators.
    access
        Walking access per cell (index ``idcar_200m``), or None.
    vintage
        Filosofi vintage to record; the inputs' provenance (or ``"inconnu"``) when None.
    """
    check_request(inputs, horizon)
    layers = prepare_layers(inputs)
    computed = compute_cell_indicators(
        inputs,
        layers.cells,
        layers.xy,
        layers.commune_shares,
        method=method,
        horizon=horizon,
        access=access,
    )
    year = vintage or run_vintage(inputs) or "inconnu"
    table = indicator_rows(computed.values, vintage=year)
    held = set(table["indicator"].astype(str))
    missing = {k: v for k, v in computed.missing.items() if k not in held}
    settings = {k: v for k, v in indicator_settings(method, horizon).items() if k in held}
    fingerprint = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    provenance = {
        "territories": [{"code": r.code, "name": r.name} for r in territories_of(inputs)],
        "horizon": horizon,
        "method": {
            "name": method.name,
            "version": method.version,
            "sha256": method.sha256,
            "fingerprint": fingerprint,
        },
        "settings": settings,
        "missing": missing,
    }
    sources = [
        {
            "source_id": p.source_id,
            "location": p.location,
            "sha256": p.sha256,
            "vintage": p.vintage,
        }
        for p in inputs.provenance
    ]
    return TerritoryReference(
        table=table,
        vintage=year,
        sources=sources,
        provenance=provenance,
        cells=len(layers.cells),
        missing=missing,
    )
