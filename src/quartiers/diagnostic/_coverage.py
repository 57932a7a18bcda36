"""Joint runs: no value where a territory was read without the layer an indicator needs.

In a run of several territories the street-level layers of each are stacked. A territory
read without buildings, vegetation or streets would otherwise get the value of an empty
layer on its cells — 0 % sealed, no canopy, nothing reachable on foot — and those values
would enter the shared reference distribution and its QPV's index. Here the cells of such
a territory get no value for the indicators that layer feeds (``NaN``, weight 0), so its
QPV lack that dimension (like-with-like rule, status « incomplet ») and the reference is
built only from measured cells. A single-territory run is left as it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic._side_tables import cell_commune
from quartiers.diagnostic._territories import territories_of, territory_codes
from quartiers.indicators.base import CellIndicator, from_values
from quartiers.indicators.registry import ACCESS_CATEGORIES
from quartiers.schemas import TerritoryInputs, TerritoryRecord

__all__ = ["LAYER_LABELS", "NEEDS", "blank_uncovered"]

#: Indicator id → layers (``layers`` of a territory record) any one of which it is computed from.
NEEDS: dict[str, tuple[str, ...]] = {
    "built_share": ("buildings",),
    "impervious_share": ("buildings",),
    "top_floor_share": ("buildings",),
    "canopy_share": ("vegetation", "trees", "tree_cover"),
    "green_share": ("vegetation", "trees"),
    "green_network_ha": ("vegetation",),
    "desealable_share": ("streets",),  # the open car parks and squares come from OSM
    **{f"dist_{cat}": ("streets",) for cat in ACCESS_CATEGORIES},
    # The DPE shares are empty where no certificate is counted; the coverage would be 0.
    "dpe_coverage": ("housing",),
}

#: French name of each layer, for the notes of the run.
LAYER_LABELS: dict[str, str] = {
    "buildings": "bâtiments",
    "vegetation": "végétation",
    "trees": "arbres",
    "tree_cover": "couvert arboré",
    "streets": "rues (extrait OpenStreetMap)",
    "housing": "DPE logements existants",
}


def blank_uncovered(
    values: dict[str, CellIndicator],
    missing: dict[str, str],
    inputs: TerritoryInputs,
    commune_shares: pd.DataFrame,
    xy: NDArray[np.int64],
    population: NDArray[np.float64],
) -> list[str]:
    """Blank, in place, the cells of territories lacking an indicator's layer.

    Returns the French notes saying which territory lacks which layer. An indicator left
    without any value moves to ``missing``.
    """
    records = territories_of(inputs)
    if len(records) < 2 or any(r.layers is None for r in records):
        return []
    codes = np.asarray(
        territory_codes(records, pd.Series(cell_commune(commune_shares, len(xy))), xy),
        dtype=object,
    )
    blanked: dict[str, list[str]] = {}
    for ind_id, needs in NEEDS.items():
        if ind_id not in values:
            continue
        lacking = [r for r in records if not set(needs) & set(r.layers or ())]
        rows = np.isin(codes, [r.code for r in lacking])
        if not rows.any():
            continue
        value = values[ind_id].value.copy()
        value[rows] = np.nan
        for r in lacking:
            blanked.setdefault(r.code, []).append(ind_id)
        if np.isfinite(value).any():
            values[ind_id] = from_values(value, population)
        else:
            del values[ind_id]
            missing[ind_id] = f"couche absente pour tous les territoires ({LAYER_LABELS[needs[0]]})"
    return [_note(r, blanked[r.code]) for r in records if r.code in blanked]


def _note(record: TerritoryRecord, ids: list[str]) -> str:
    """Return the French note of a territory whose cells lack indicators ``ids``."""
    have = set(record.layers or ())
    layers = dict.fromkeys(n for i in ids for n in NEEDS[i] if n not in have)
    return (
        f"{record.name} ({record.code}) : couches absentes pour ce territoire "
        f"({', '.join(LAYER_LABELS[n] for n in layers)}) — ses carreaux n'ont pas de valeur "
        f"pour {', '.join(ids)}"
    )
