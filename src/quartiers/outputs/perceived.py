"""Perceived hot spots (residents' contributions) against measured vulnerability (pure).

A published « lieu trop chaud » is matched with the 200 m cell under it; the cell's index
quintile (1 = least, 5 = most vulnerable among the territory's residents) says whether the
measure agrees: quintile 4–5 « concordant », 1–2 « discordant », 3 « intermédiaire »; a cell
without index (too few residents, outside the grid) gives « sans mesure ».
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M

__all__ = ["HOT", "Verdict", "compare_perceived", "verdict_of"]

#: Category id of a perceived hot spot in the participation vocabulary.
HOT = "trop_chaud"

_TO_CELLS = Transformer.from_crs("EPSG:4326", CELL_CRS, always_xy=True)

VERDICTS = {
    "concordant": "concordant : carreau parmi les 40 % d'habitants les plus vulnérables",
    "intermediaire": "intermédiaire : carreau dans le quintile médian",
    "discordant": "discordant : carreau parmi les 40 % d'habitants les moins vulnérables",
    "sans_mesure": "sans mesure : pas d'indice pour ce carreau",
}
NO_CELL = "sans mesure : aucun carreau habité à cet endroit (carroyage INSEE)"


@dataclass(frozen=True)
class Verdict:
    """One perceived hot spot and what the measure says at its place."""

    contribution_id: int | None
    text: str
    code_qp: str | None
    cell: str | None
    quintile: int | None
    verdict: str
    verdict_label: str


def verdict_of(quintile: int | None) -> str:
    """Return the verdict key for a cell quintile (None: no index)."""
    if quintile is None:
        return "sans_mesure"
    if quintile >= 4:
        return "concordant"
    if quintile <= 2:
        return "discordant"
    return "intermediaire"


def _cell_lookup(cells: pd.DataFrame) -> dict[tuple[int, int], int]:
    xs = cells["x_sw"].to_numpy(dtype="int64")
    ys = cells["y_sw"].to_numpy(dtype="int64")
    return {(int(x), int(y)): i for i, (x, y) in enumerate(zip(xs, ys, strict=True))}


def compare_perceived(
    contributions: Iterable[Mapping[str, Any]], cells: pd.DataFrame
) -> list[Verdict]:
    """Compare published hot-spot contributions with the index quintile of their cell.

    Parameters
    ----------
    contributions
        Published contributions with ``lon``, ``lat`` (WGS84 degrees), ``category``, ``text``
        and optionally ``id`` and ``code_qp``; other categories are ignored.
    cells
        The diagnostic's ``cells`` layer (columns ``idcar_200m``, ``x_sw``, ``y_sw`` in
        EPSG:3035 metres, ``quintile``).

    Returns
    -------
    list of Verdict
        One per hot spot, in input order.
    """
    hot = [c for c in contributions if str(c.get("category")) == HOT]
    if not hot:
        return []
    lon = np.asarray([float(c["lon"]) for c in hot])
    lat = np.asarray([float(c["lat"]) for c in hot])
    x, y = _TO_CELLS.transform(lon, lat)
    sw_x = (np.floor(np.asarray(x) / CELL_SIZE_M) * CELL_SIZE_M).astype("int64")
    sw_y = (np.floor(np.asarray(y) / CELL_SIZE_M) * CELL_SIZE_M).astype("int64")
    lookup = _cell_lookup(cells)
    quintiles = pd.to_numeric(cells["quintile"], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    ids: Sequence[Any] = cells["idcar_200m"].astype(str).tolist()
    out = []
    for k, contribution in enumerate(hot):
        pos = lookup.get((int(sw_x[k]), int(sw_y[k])))
        quintile = None
        if pos is not None and np.isfinite(quintiles[pos]):
            quintile = int(quintiles[pos])
        key = verdict_of(quintile)
        cid = contribution.get("id")
        out.append(
            Verdict(
                contribution_id=int(cid) if cid is not None else None,
                text=str(contribution.get("text", "")),
                code_qp=(str(contribution["code_qp"]) if contribution.get("code_qp") else None),
                cell=str(ids[pos]) if pos is not None else None,
                quintile=quintile,
                verdict=key,
                verdict_label=VERDICTS[key] if pos is not None else NO_CELL,
            )
        )
    return out
