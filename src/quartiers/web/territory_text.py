"""Texts of the territory page that depend only on the diagnostic (coverage, notes, sources).

Built once per served diagnostic (:class:`~quartiers.web.territory_parts.TerritoryParts`):
a national ``run.json`` lists 6,144 communes.
"""

from __future__ import annotations

from typing import Any

from quartiers.diagnostic.record import COVERAGE_NOTE_PREFIX
from quartiers.outputs.formatting import format_share
from quartiers.web.catalog import TerritoryData

__all__ = [
    "COVERAGE_ROWS",
    "PARTIAL_COVERAGE",
    "ZERO_COVERAGE_TEXT",
    "climate_source_text",
    "coverage_block",
    "run_notes_shown",
]


#: Communes whose legal population the grid covers below this share are listed as partial.
PARTIAL_COVERAGE = 0.9

#: What a 0 % coverage means for the results (territory page, communes block).
ZERO_COVERAGE_TEXT = (
    "Une commune couverte à 0 % n'a aucun carreau de 200 m de la grille INSEE (Filosofi) "
    "dans les données du diagnostic : ses habitants ne sont comptés dans aucun indicateur ni "
    "dans les comparaisons (reste de la commune, reste de l'EPCI), et les résultats ne "
    "décrivent que la partie couverte du territoire."
)


#: Above this many communes, the coverage table lists only the partly covered ones.
COVERAGE_ROWS = 200


def coverage_block(td: TerritoryData) -> dict[str, Any]:
    """Return the communes with their grid coverage (rows, partial ones, 0 % ones)."""
    rows: list[dict[str, Any]] = [
        {
            "insee_com": c.insee_com,
            "nom": c.nom or c.insee_com,
            "share": c.grid_share,
            "share_display": format_share(c.grid_share, 0),
        }
        for c in td.record.coverage
    ]
    rows.sort(key=lambda r: (r["share"] is None, r["share"] or 0.0, r["nom"]))
    partial = [r for r in rows if r["share"] is not None and float(r["share"]) < PARTIAL_COVERAGE]
    zero = [r for r in partial if float(r["share"]) == 0.0]
    others = 0
    if len(rows) > COVERAGE_ROWS:  # national runs: thousands of communes, list the partial ones
        others = len(rows) - len(partial)
        rows = partial
    return {"rows": rows, "partial": partial, "zero": zero, "others": others}


def run_notes_shown(td: TerritoryData) -> list[str]:
    """Return the run notes shown above the map (the coverage note goes to its own block)."""
    return [n for n in td.record.notes if not n.startswith(COVERAGE_NOTE_PREFIX)]


def climate_source_text(td: TerritoryData) -> str:
    """Return, in French, where the commune climate values of the run come from.

    DRIAS 2020 stands in for Climadiag Commune (no public bulk file) and is named as such:
    scenario and nearest SAFRAN grid point of each commune.
    """
    sources = {str(row.get("source") or "") for row in td.record.climate}
    drias = sorted(s.split(":", 1)[1] for s in sources if s.startswith("drias:"))
    climadiag = "climadiag" in sources
    if not drias:
        return "Météo-France, Climadiag Commune"
    fallback = (
        f"DRIAS 2020, scénario {', '.join(drias).replace('RCP', 'RCP ')}, valeur du point de "
        "la grille SAFRAN le plus proche de chaque commune"
    )
    if climadiag:
        return f"Météo-France, Climadiag Commune et, à défaut, {fallback}"
    return f"Météo-France, {fallback}, faute de données Climadiag Commune"
