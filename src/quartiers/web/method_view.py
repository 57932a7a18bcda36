"""The method settings of a territory, as the API and the method page give them."""

from __future__ import annotations

from typing import Any

from quartiers.report.reference import reference_sentence
from quartiers.web.catalog import TerritoryData
from quartiers.web.payload_values import num

__all__ = ["method_of_territory"]


def method_of_territory(td: TerritoryData) -> dict[str, Any]:
    """Return the method settings of a territory (:class:`MethodOfTerritory`)."""
    run = td.record
    method, index = run.method, run.index
    settings = method.settings
    return {
        "territory": td.code,
        "name": method.name,
        "version": method.version,
        "description": (settings.description or "").strip() or None,
        "sha256": method.sha256,
        "normalisation": settings.normalisation,
        "within": index.within or settings.aggregation.get("within"),
        "across": index.across or settings.aggregation.get("across"),
        "population_floor": num(settings.population_floor),
        "cell_population_floor": num(settings.cell_population_floor),
        "dimension_weights": settings.dimension_weights(),
        "indicators_in_index": list(index.indicators),
        "dropped_from_method": dict(index.dropped_from_method),
        "reference": reference_sentence(run),
        "coherence": run.coherence,
        "hazard": run.hazard,
    }
