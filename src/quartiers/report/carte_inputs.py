"""Choose what the offline map page shows from a diagnostic (shared by every caller)."""

from __future__ import annotations

from pathlib import Path

from quartiers.diagnostic import Diagnostic
from quartiers.diagnostic.basemap import BASEMAP_DIR
from quartiers.outputs.classes import Legend
from quartiers.outputs.legends import climate_lookup, diagnostic_legend, mappable_quantities
from quartiers.report.carte import write_carte

__all__ = ["map_indicators", "write_diagnostic_map"]

_SCORES = ("index", "score_sensitivity", "score_exposure", "score_resources")


def map_indicators(diagnostic: Diagnostic) -> list[Legend]:
    """Return the legends of the cell columns worth mapping: computed, not all empty.

    The legends are those of the web map (:func:`quartiers.outputs.legends.diagnostic_legend`).
    """
    cells = diagnostic.cells
    climate = climate_lookup(diagnostic.climate)
    quantities = mappable_quantities(diagnostic, climate)
    columns = [col for col in _SCORES if col in cells.columns]
    columns += [str(i) for i in diagnostic.indicators["id"] if str(i) in cells.columns]
    return [
        diagnostic_legend(diagnostic, col, quantities=quantities, climate=climate)
        for col in dict.fromkeys(columns)
        if col in quantities and cells[col].notna().any()
    ]


def write_diagnostic_map(
    diagnostic: Diagnostic, out_dir: Path, *, fictitious: bool, served_as: Path | None = None
) -> Path:
    """Write ``out_dir/carte.html`` for a diagnostic (cells, QPV outlines, indicator selector).

    The background map already written in ``out_dir/fond_de_carte/`` is embedded;
    ``served_as`` is the final directory when ``out_dir`` is a temporary one (see
    :func:`~quartiers.report.carte.write_carte`).
    """
    territory = diagnostic.record.territory
    name = territory.name or territory.code or "territoire"
    return write_carte(
        Path(out_dir),
        cells=diagnostic.cells,
        qpv=diagnostic.qpv,
        communes=None,
        title=f"Vulnérabilité aux vagues de chaleur — {name}",
        fictitious=fictitious,
        indicators=map_indicators(diagnostic),
        basemap=Path(out_dir) / BASEMAP_DIR,
        served_as=served_as,
    )
