"""Choose what the offline map page shows from a diagnostic (shared by every caller)."""

from __future__ import annotations

from pathlib import Path

from quartiers.diagnostic import Diagnostic
from quartiers.report.carte import write_carte

__all__ = ["map_indicators", "write_diagnostic_map"]

_SCORES = [
    ("index", "Indice de vulnérabilité à la chaleur (0–1)"),
    ("score_sensitivity", "Score de sensibilité (0–1)"),
    ("score_exposure", "Score d'exposition (0–1)"),
    ("score_resources", "Score de manque de ressources (0–1)"),
]


def map_indicators(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    """Return the (column, French label) pairs worth mapping: computed, not all empty."""
    cells = diagnostic.cells
    pairs = [(col, label) for col, label in _SCORES if col in cells.columns]
    for row in diagnostic.indicators.itertuples():
        col = str(row.id)
        if col in cells.columns and cells[col].notna().any():
            pairs.append((col, str(row.label)))
    return [(col, label) for col, label in pairs if cells[col].notna().any()]


def write_diagnostic_map(diagnostic: Diagnostic, out_dir: Path, *, fictitious: bool) -> Path:
    """Write ``out_dir/carte.html`` for a diagnostic (cells, QPV outlines, indicator selector)."""
    territory = diagnostic.run.get("territory", {})
    name = str(territory.get("name") or territory.get("code") or "territoire")
    return write_carte(
        Path(out_dir),
        cells=diagnostic.cells,
        qpv=diagnostic.qpv,
        communes=None,
        title=f"Vulnérabilité aux vagues de chaleur — {name}",
        fictitious=fictitious,
        indicators=map_indicators(diagnostic),
    )
