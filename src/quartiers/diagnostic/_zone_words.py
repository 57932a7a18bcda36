"""Words of a ``--zones`` diagnostic: its texts speak of zones, not of QPV (issue 21).

The pipeline runs the user's zones exactly as QPV; only the French texts it writes into the
published tables change: the zone labels (« Ville hors QPV » → « Ville hors zones »), the
status, index and canopy notes of each unit, the labels of the data dictionary. A QPV run is
left untouched.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from quartiers.diagnostic.result import Diagnostic
from quartiers.text import zone_words

__all__ = ["TEXT_COLUMNS", "unit_plural", "with_zone_words", "zone_dictionary"]

#: Text columns of the ``qpv`` and ``zones`` tables reworded for zones.
TEXT_COLUMNS = ("label", "status_detail", "index_label", "index_note", "canopy_warning")


def unit_plural(zones: bool) -> str:
    """Return the French word for the diagnosed units (« zones » or « QPV »)."""
    return "zones" if zones else "QPV"


def _reworded(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in TEXT_COLUMNS:
        if column in out.columns:
            values = out[column]
            text = values.notna() & values.map(lambda v: isinstance(v, str))
            out.loc[text, column] = values[text].map(zone_words)
    return out


def with_zone_words(diag: Diagnostic) -> Diagnostic:
    """Return the diagnostic of a ``--zones`` run with its texts speaking of zones."""
    return replace(diag, qpv=_reworded(diag.qpv), zones=_reworded(diag.zones))


#: Dictionary rows of the unit's own columns in a ``--zones`` run (label, source).
_ZONE_COLUMNS = {
    "code_qp": ("Identifiant de la zone (fichier --zones)", "fichier --zones de l'utilisateur"),
    "lib_qp": ("Nom de la zone (fichier --zones)", "fichier --zones de l'utilisateur"),
}


def zone_dictionary(dictionary: pd.DataFrame) -> pd.DataFrame:
    """Return the data dictionary of a ``--zones`` run: labels speak of zones."""
    out = dictionary.copy()
    out["libelle"] = out["libelle"].astype(str).map(zone_words)
    for column, (label, source) in _ZONE_COLUMNS.items():
        hit = out["colonne"] == column
        out.loc[hit, "libelle"] = label
        out.loc[hit, "source"] = source
    return out
