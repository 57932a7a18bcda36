"""The method option ``allocation`` in a run: area or residential-building weights (orchestrator).

:func:`allocate` returns the layers with the weights the method asks for and, whenever the
territory has residential buildings, both allocations' populations per QPV;
:func:`add_allocation_columns` writes them (``population_area``, ``population_buildings``)
to the ``qpv`` layer and the ``allocation`` section of ``run.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from quartiers.errors import InputError
from quartiers.method.spec_parts import ALLOCATIONS
from quartiers.spatial.dasymetric import building_matrix

if TYPE_CHECKING:
    from quartiers.diagnostic._prepare import Layers
    from quartiers.diagnostic.result import Diagnostic
    from quartiers.method.spec import Method
    from quartiers.schemas import TerritoryInputs

__all__ = [
    "COLUMNS",
    "SUMMED",
    "AllocationSummary",
    "add_allocation_columns",
    "allocate",
    "qpv_values",
]

#: Columns added to ``qpv`` right after ``population``.
COLUMNS = ("population_area", "population_buildings")

#: Filosofi counts summed per zone under both allocations (for the INSEE comparison).
SUMMED = ("ind", "men", "men_pauv", "ind_65_79", "ind_80p", "log_soc")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class AllocationSummary:
    """Populations per zone under both allocations, and how the buildings one was made.

    ``alternative`` is the rule the run did not use and its overlap shares (zones × cells),
    drawn by the uncertainty analysis; None without residential buildings.
    """

    rule: str
    area: dict[str, FloatArray]
    buildings: dict[str, FloatArray] | None
    fallback_cells: int
    fallback_population: float
    building_count: int
    dwellings_used: int
    source: str
    alternative: tuple[str, sparse.csr_array] | None = None

    @property
    def population_area(self) -> FloatArray:
        """Population per zone, area allocation."""
        return self.area["ind"]

    @property
    def population_buildings(self) -> FloatArray:
        """Population per zone, buildings allocation (NaN without buildings)."""
        if self.buildings is None:
            return np.full(len(self.area["ind"]), np.nan)
        return self.buildings["ind"]


def _sums(matrix: sparse.csr_array, cells: pd.DataFrame) -> dict[str, FloatArray]:
    names = [c for c in SUMMED if c in cells.columns]
    stack = np.column_stack([np.nan_to_num(cells[c].to_numpy(dtype="float64")) for c in names])
    summed = np.asarray(matrix @ stack, dtype="float64")
    return {c: summed[:, i] for i, c in enumerate(names)}


def _has_residential(inputs: TerritoryInputs) -> bool:
    b = inputs.buildings
    return b is not None and len(b) > 0 and bool(b["residential"].fillna(False).any())


def allocate(
    layers: Layers, inputs: TerritoryInputs, method: Method
) -> tuple[Layers, AllocationSummary]:
    """Return the layers with the method's allocation weights and both populations per zone.

    Raises
    ------
    InputError
        ``allocation: buildings`` without any residential building in the inputs.
    """
    pop = np.nan_to_num(layers.cells["ind"].to_numpy(dtype="float64"))
    by_area = _sums(layers.matrix, layers.cells)
    if not _has_residential(inputs):
        if method.allocation == "buildings":
            raise InputError(
                f"{method.source} : champ « allocation » : « buildings » demande des bâtiments "
                "résidentiels (--source osm=FICHIER.osm.pbf ou --source bdtopo=DOSSIER) ; "
                "aucun dans les données du territoire"
            )
        return layers, AllocationSummary("area", by_area, None, 0, 0.0, 0, 0, "")
    assert inputs.buildings is not None
    alloc = building_matrix(layers.xy, layers.zones.geometry, layers.matrix, inputs.buildings)
    sources = sorted({str(s) for s in inputs.buildings["source"].dropna()})
    summary = AllocationSummary(
        rule=method.allocation,
        area=by_area,
        buildings=_sums(alloc.matrix, layers.cells),
        fallback_cells=int((alloc.fallback & (pop > 0)).sum()),
        fallback_population=float(pop[alloc.fallback].sum()),
        building_count=alloc.buildings,
        dwellings_used=alloc.dwellings_used,
        source="+".join(sources),
        alternative=(
            ("area", sparse.csr_array(layers.matrix))
            if method.allocation == "buildings"
            else ("buildings", sparse.csr_array(alloc.matrix))
        ),
    )
    if method.allocation != "buildings":
        return layers, summary
    weights = replace(layers.weights, matrix=alloc.matrix, key=f"{layers.weights.key}:buildings")
    return replace(layers, weights=weights), summary


def qpv_values(diag: Diagnostic, values: FloatArray) -> FloatArray:
    zones = diag.zones
    is_qpv = (zones["zone_type"] == "qpv").to_numpy()
    by_code = dict(zip(zones["code"][is_qpv].astype(str), values[is_qpv], strict=True))
    return np.asarray([by_code.get(str(c), np.nan) for c in diag.qpv["code_qp"]], dtype="float64")


def add_allocation_columns(diag: Diagnostic, summary: AllocationSummary) -> Diagnostic:
    """Return the diagnostic with ``population_area``/``population_buildings`` per QPV.

    ``population_buildings`` is empty when the territory has no residential building.
    ``run.json`` gains ``allocation``: the rule used, the building source and the cells
    without residential building (their counts follow the area shares).
    """
    qpv = diag.qpv.drop(columns=[c for c in COLUMNS if c in diag.qpv.columns])
    at = list(qpv.columns).index("population") + 1
    area = qpv_values(diag, summary.population_area)
    buildings = qpv_values(diag, summary.population_buildings)
    qpv.insert(at, "population_area", area)
    qpv.insert(at + 1, "population_buildings", buildings)
    run = dict(diag.run)
    run["allocation"] = _record(summary, diag.qpv["code_qp"], area, buildings)
    return replace(diag, qpv=qpv, run=run)


def _record(
    summary: AllocationSummary, codes: pd.Series, area: FloatArray, buildings: FloatArray
) -> dict[str, Any]:
    computed = bool(np.isfinite(buildings).any())
    return {
        "rule": summary.rule,
        "label": ALLOCATIONS[summary.rule],
        "buildings_computed": computed,
        "buildings_source": summary.source,
        "residential_buildings": summary.building_count,
        "buildings_weighed_by_dwellings": summary.dwellings_used,
        "fallback_cells": summary.fallback_cells,
        "fallback_population": round(summary.fallback_population, 1),
        "note": (
            "Les carreaux sans bâtiment résidentiel gardent la répartition par surface."
            if computed
            else "Pas de bâtiments résidentiels : seule la répartition par surface est calculée."
        ),
        "qpv": [
            {
                "code_qp": str(c),
                "population_area": round(float(a), 1),
                "population_buildings": round(float(b), 1) if np.isfinite(b) else None,
            }
            for c, a, b in zip(codes, area, buildings, strict=True)
        ],
    }
