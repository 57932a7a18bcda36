"""Our QPV figures against INSEE's own (``--source insee_qpv``), for each allocation.

INSEE computes its QPV figures from geolocated records; ours sum 200 m cells. For each
indicator the file gives, ``qpv.csv`` gains ``insee_<indicator>`` and ``run.json`` a
``validation_insee`` table: our value with each allocation (area, buildings), INSEE's, the
gap, and whether levels or only ranks can be compared. The poverty rate is the case of
ranks only: INSEE counts *persons* below the threshold, the Filosofi grid only poor
*households* (``men_pauv / men``), so the levels differ by construction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic._allocation import AllocationSummary, qpv_values
from quartiers.indicators.base import safe_ratio

if TYPE_CHECKING:
    from quartiers.diagnostic.result import Diagnostic

__all__ = ["COMPARABLE", "add_insee_comparison"]

FloatArray = NDArray[np.float64]

#: Indicator → (numerator counts, denominator count, what can be compared, plain French note).
COMPARABLE: dict[str, tuple[tuple[str, ...], str | None, str, str]] = {
    "population": (
        ("ind",),
        None,
        "niveau",
        "Population fiscale Filosofi 2021 des carreaux contre population INSEE du QPV : "
        "l'écart mesure surtout la répartition des carreaux de bord (et l'écart de source).",
    ),
    "poverty_rate": (
        ("men_pauv",),
        "men",
        "rang",
        "L'INSEE compte les personnes pauvres, nous les ménages pauvres (le carroyage ne "
        "donne pas les personnes) : les niveaux ne se comparent pas, seuls les rangs des QPV.",
    ),
    "share_65p": (
        ("ind_65_79", "ind_80p"),
        "ind",
        "niveau",
        "Part des 65 ans ou plus, mêmes bornes d'âge des deux côtés.",
    ),
    "share_social_housing": (
        ("log_soc",),
        "men",
        "niveau",
        "Logements sociaux rapportés aux ménages (nous) contre aux résidences principales "
        "(INSEE) : proche, pas identique.",
    ),
}


def _ours(sums: dict[str, FloatArray] | None, indicator: str, n: int) -> FloatArray:
    if sums is None:
        return np.full(n, np.nan)
    nums, den = COMPARABLE[indicator][:2]
    if any(c not in sums for c in nums) or (den is not None and den not in sums):
        return np.full(n, np.nan)
    num = np.sum([sums[c] for c in nums], axis=0)
    return num if den is None else safe_ratio(num, sums[den])


def _spearman(a: FloatArray, b: FloatArray) -> float | None:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return None
    ra = pd.Series(a[ok]).rank().to_numpy()
    rb = pd.Series(b[ok]).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return None
    return round(float(np.corrcoef(ra, rb)[0, 1]), 4)


def _concordance(a: FloatArray, b: FloatArray) -> float | None:
    """Return the share of QPV pairs ranked in the same order by both (ties count half)."""
    ok = np.isfinite(a) & np.isfinite(b)
    x, y = a[ok], b[ok]
    if len(x) < 2:
        return None
    i, j = np.triu_indices(len(x), k=1)
    sign = np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
    return round(float(np.mean(np.where(sign == 0, 0.5, sign > 0))), 4)


def _num(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None


def add_insee_comparison(
    diag: Diagnostic, summary: AllocationSummary, insee: pd.DataFrame | None
) -> Diagnostic:
    """Return the diagnostic with ``insee_<indicator>`` columns and ``validation_insee``.

    Unchanged when no INSEE file was given. QPV of the run absent from the file get empty
    ``insee_`` values and are listed in ``validation_insee.missing``.
    """
    if insee is None:
        return diag
    codes = diag.qpv["code_qp"].astype(str).str.upper().to_numpy()
    table = insee.set_index("code_qp")
    indicators = [c for c in COMPARABLE if c in table.columns]
    qpv = diag.qpv.copy()
    rows: list[dict[str, Any]] = []
    ranks: dict[str, Any] = {}
    n = len(codes)
    for ind in indicators:
        ref = table[ind].reindex(codes).to_numpy(dtype="float64")
        qpv[f"insee_{ind}"] = ref
        area = qpv_values(diag, _ours(summary.area, ind, len(summary.area["ind"])))
        bsums = summary.buildings
        blen = len(summary.area["ind"])
        build = (
            qpv_values(diag, _ours(bsums, ind, blen)) if bsums is not None else np.full(n, np.nan)
        )
        level = COMPARABLE[ind][2]
        for i, code in enumerate(codes):
            rows.append(
                {
                    "code_qp": code,
                    "indicator": ind,
                    "comparable": level,
                    "insee": _num(ref[i]),
                    "ours_area": _num(area[i]),
                    "ours_buildings": _num(build[i]),
                    "gap_area": _num(area[i] - ref[i]) if level == "niveau" else None,
                    "gap_buildings": _num(build[i] - ref[i]) if level == "niveau" else None,
                }
            )
        ranks[ind] = {
            "spearman_area": _spearman(area, ref),
            "spearman_buildings": _spearman(build, ref),
            "same_order_area": _concordance(area, ref),
            "same_order_buildings": _concordance(build, ref),
            "note": COMPARABLE[ind][3],
        }
    run = dict(diag.run)
    run["validation_insee"] = {
        "indicators": indicators,
        "rows": rows,
        "ranks": ranks,
        "missing": sorted(set(codes) - set(table.index)),
        "note": (
            "Écart = notre valeur − valeur INSEE (taux en parts de 0 à 1, population en "
            "personnes). Paires de QPV dans le même ordre (same_order) dès 2 QPV ; "
            "corrélation des rangs (Spearman) dès 3 QPV."
        ),
    }
    return replace(diag, qpv=qpv, run=run)
