"""Sensitivity indicators per 200 m cell, from INSEE Filosofi counts (pure functions).

Every indicator is a ratio of two Filosofi counts; see :mod:`quartiers.indicators.registry`
for labels and formulas. Imputed cells carry fractional counts: they are used as they are
(totals stay right) and flagged by the diagnostic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.errors import InputError
from quartiers.indicators.base import CellIndicator, from_counts

__all__ = ["REQUIRED_COLUMNS", "sensitivity_indicators"]

#: Filosofi columns the sensitivity indicators read (``ind_snv`` is optional).
REQUIRED_COLUMNS = [
    "ind", "men", "men_pauv", "men_1ind", "men_fmp", "men_surf", "men_coll", "log_soc",
    "log_av45", "log_45_70", "ind_0_3", "ind_65_79", "ind_80p",
]  # fmt: skip

# id -> (numerator columns summed, denominator column)
_RATIOS: dict[str, tuple[tuple[str, ...], str]] = {
    "poverty_rate": (("men_pauv",), "men"),
    "share_0_3": (("ind_0_3",), "ind"),
    "share_65p": (("ind_65_79", "ind_80p"), "ind"),
    "share_80p": (("ind_80p",), "ind"),
    "share_single_person": (("men_1ind",), "men"),
    "share_single_parent": (("men_fmp",), "men"),
    "floor_area_per_person": (("men_surf",), "ind"),
    "share_social_housing": (("log_soc",), "men"),
    "share_pre1970": (("log_av45", "log_45_70"), "men"),
    "share_pre1945": (("log_av45",), "men"),
    "share_1945_1970": (("log_45_70",), "men"),
    "share_collective": (("men_coll",), "men"),
    "living_standard": (("ind_snv",), "ind"),
}


def _column(cells: pd.DataFrame, name: str) -> NDArray[np.float64]:
    col = cells[name]
    if col.dtype == np.float64:
        return col.to_numpy()  # no copy: the column is only read
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def sensitivity_indicators(
    cells: pd.DataFrame, *, source: str = "carreaux Filosofi"
) -> tuple[dict[str, CellIndicator], dict[str, str]]:
    """Compute the sensitivity indicators of every cell.

    Parameters
    ----------
    cells
        Filosofi cells with the count columns of :data:`REQUIRED_COLUMNS` (float, may be
        fractional for imputed cells); ``ind_snv`` optional.
    source
        Name of the table used in error messages.

    Returns
    -------
    tuple
        ``(indicators, missing)``: indicator id → :class:`CellIndicator`, and indicator id →
        French reason for the indicators that cannot be computed (``living_standard`` when
        the vintage has no ``ind_snv``).
    """
    absent = [c for c in REQUIRED_COLUMNS if c not in cells.columns]
    if absent:
        raise InputError(
            f"{source} : colonnes Filosofi manquantes {', '.join(absent)} "
            "(attendu les comptages INSEE des carreaux de 200 m)"
        )
    out: dict[str, CellIndicator] = {}
    missing: dict[str, str] = {}
    cache: dict[str, NDArray[np.float64]] = {}

    def column(name: str) -> NDArray[np.float64]:
        if name not in cache:
            cache[name] = _column(cells, name)
        return cache[name]

    for ind_id, (num_cols, den_col) in _RATIOS.items():
        if any(c not in cells.columns for c in num_cols):
            missing[ind_id] = f"colonne {', '.join(num_cols)} absente de ce millésime Filosofi"
            continue
        parts = [column(c) for c in num_cols]
        if ind_id == "living_standard" and np.isnan(parts[0]).all():
            missing[ind_id] = "ind_snv non renseigné dans ce millésime Filosofi"
            continue
        num = parts[0] if len(parts) == 1 else parts[0] + parts[1]  # NaN leaves the cell out
        out[ind_id] = from_counts(num, column(den_col))
    return out, missing
