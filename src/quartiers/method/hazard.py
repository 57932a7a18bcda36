"""Climate hazard level: the territory's heat hazard at a horizon, beside the index.

Method v2 takes the commune-level Climadiag/DRIAS indicators out of the within-territory
index: a value that is one constant per commune cannot rank the QPV of one commune, and a
constant term inside a percentile says nothing about climate change. Instead each climate
indicator is placed between fixed bounds (0–1), their mean is the **hazard level** of a cell
or zone at the chosen horizon, and the **exposure level** is the exposure score scaled by it
(``score_exposure × hazard_level``): it rises with a hotter horizon while ranks, which only
compare places within the territory, do not move.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

__all__ = ["Hazard", "frame_columns", "hazard_by_horizon", "hazard_level", "hazard_record"]

FloatArray = NDArray[np.float64]


class Hazard(BaseModel):
    """Section ``hazard`` of a method file: the climate indicators and their fixed bounds.

    Attributes
    ----------
    indicators
        Climate indicator id → ``[low, high]`` (its value placed between them, clipped to
        0–1). The hazard level is the plain mean of the bounded values available.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    indicators: dict[str, tuple[float, float]]


def hazard_level(
    values: Mapping[str, FloatArray], bounds: Mapping[str, tuple[float, float]]
) -> FloatArray:
    """Return the hazard level (0–1) of each unit: the mean of its bounded climate values.

    Parameters
    ----------
    values
        Climate indicator id → value per unit (NaN unknown); ids absent are skipped.
    bounds
        Climate indicator id → ``(low, high)``.

    Returns
    -------
    numpy.ndarray
        Mean over the indicators known for the unit of ``clip((x − low) / (high − low))``;
        NaN when none is known.
    """
    parts = [
        np.clip((np.asarray(values[i], dtype="float64") - lo) / (hi - lo), 0.0, 1.0)
        for i, (lo, hi) in bounds.items()
        if i in values
    ]
    if not parts:
        return np.full(0, np.nan)
    stacked = np.vstack(parts)
    known = np.isfinite(stacked)
    count = known.sum(axis=0)
    total = np.where(known, stacked, 0.0).sum(axis=0)
    out = np.full(stacked.shape[1], np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def hazard_by_horizon(
    per_horizon: Mapping[str, Mapping[str, FloatArray]],
    bounds: Mapping[str, tuple[float, float]],
    population: FloatArray,
) -> list[dict[str, object]]:
    """Return, per horizon, the territory's mean climate values and hazard level.

    Parameters
    ----------
    per_horizon
        Horizon → climate indicator id → value per cell.
    bounds
        Climate indicator id → ``(low, high)``.
    population
        Residents per cell (the means are over residents).
    """
    pop = np.nan_to_num(np.asarray(population, dtype="float64"))
    rows: list[dict[str, object]] = []
    for horizon, values in per_horizon.items():
        level = hazard_level(values, bounds)
        row: dict[str, object] = {"horizon": horizon}
        for ind_id in bounds:
            row[ind_id] = _weighted_mean(values.get(ind_id), pop)
        row["hazard_level"] = _weighted_mean(level if level.size else None, pop)
        rows.append(row)
    return rows


def _weighted_mean(values: FloatArray | None, weights: FloatArray) -> float | None:
    if values is None or not len(values):
        return None
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return None
    return float(round(np.average(values[ok], weights=weights[ok]), 6))


def frame_columns(
    bounds: Mapping[str, tuple[float, float]],
    values: Mapping[str, FloatArray],
    score_exposure: FloatArray,
) -> dict[str, FloatArray]:
    """Return the ``hazard_level`` and ``exposure_level`` columns of a layer.

    Parameters
    ----------
    bounds
        Climate indicator id → ``(low, high)`` (the method's ``hazard`` section).
    values
        Climate indicator id → value per unit, for the indicators computed.
    score_exposure
        Exposure score per unit (NaN when unknown).
    """
    score = np.asarray(score_exposure, dtype="float64")
    level = hazard_level(values, bounds)
    if not level.size:
        level = np.full(score.shape, np.nan)
    return {"hazard_level": level, "exposure_level": score * level}


def hazard_record(
    bounds: Mapping[str, tuple[float, float]],
    climate: pd.DataFrame,
    per_cell: Callable[[str, str], Mapping[str, FloatArray]],
    population: FloatArray,
    horizon: str,
) -> dict[str, Any]:
    """Return the ``hazard`` entry of ``run.json``: bounds, rule and the level at each horizon.

    Parameters
    ----------
    bounds
        The method's ``hazard.indicators``.
    climate
        Long climate table of the territory (empty when no projection was given).
    per_cell
        ``(horizon, column)`` → climate values per cell, ``column`` being ``value``, ``low``
        or ``high`` (see :func:`quartiers.indicators.exposure.climate_per_cell`).
    population
        Residents per cell.
    horizon
        Horizon of the run.
    """
    from quartiers.schemas import HORIZONS

    record: dict[str, Any] = {
        "horizon": horizon,
        "indicators": {i: list(b) for i, b in bounds.items()},
        "rule": "niveau d'aléa = moyenne des indicateurs climatiques placés entre leurs bornes "
        "(0–1) ; niveau d'exposition = score d'exposition × niveau d'aléa ; hors classement",
        "by_horizon": [],
    }
    if climate.empty:
        record["reason"] = "projections climatiques (Climadiag) absentes"
        return record
    rows = hazard_by_horizon({h: per_cell(h, "value") for h in HORIZONS}, bounds, population)
    for side in ("low", "high"):
        spread = hazard_by_horizon({h: per_cell(h, side) for h in HORIZONS}, bounds, population)
        for row, other in zip(rows, spread, strict=True):
            row[f"hazard_level_{side}"] = other["hazard_level"]
    record["by_horizon"] = rows
    record["spread"] = (
        "hazard_level_low / hazard_level_high : niveau d'aléa avec chaque indicateur à sa "
        "valeur basse / haute publiée par Climadiag (dispersion des modèles climatiques) ; le "
        "niveau croît avec chaque valeur, donc tout tirage entre ces valeurs tombe entre les deux"
    )
    return record
