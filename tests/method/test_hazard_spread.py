"""Climadiag's low and high values give the spread of the hazard level (run.json)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quartiers.method.hazard import hazard_record
from quartiers.schemas import HORIZONS

BOUNDS = {"heat_wave_days": (0.0, 40.0), "warm_nights": (0.0, 60.0)}


def _per_cell(horizon: str, column: str) -> dict[str, np.ndarray]:
    step = list(HORIZONS).index(horizon)
    shift = {"value": 0.0, "low": -4.0, "high": 6.0}[column]
    return {
        "heat_wave_days": np.array([10.0, 20.0]) + 5 * step + shift,
        "warm_nights": np.array([6.0, np.nan]) + 3 * step + shift,
    }


def test_hazard_level_low_and_high_bracket_the_level_at_every_horizon() -> None:
    climate = pd.DataFrame({"insee_com": ["00001"], "horizon": ["ref"]})
    record = hazard_record(BOUNDS, climate, _per_cell, np.array([100.0, 300.0]), "ref")
    rows = record["by_horizon"]
    assert [r["horizon"] for r in rows] == list(HORIZONS)
    for row in rows:
        assert row["hazard_level_low"] < row["hazard_level"] < row["hazard_level_high"]
    ref = rows[0]
    # cell 1: mean(10/40, 6/60); cell 2: 20/40 alone; weighted by residents 100 / 300
    low = (100 * np.mean([6 / 40, 2 / 60]) + 300 * 16 / 40) / 400
    assert ref["hazard_level_low"] == round(low, 6)
    assert "Climadiag" in record["spread"]


def test_missing_low_and_high_values_leave_the_spread_empty() -> None:
    def central_only(horizon: str, column: str) -> dict[str, np.ndarray]:
        values = _per_cell(horizon, "value")
        return values if column == "value" else {k: np.full(2, np.nan) for k in values}

    climate = pd.DataFrame({"insee_com": ["00001"], "horizon": ["ref"]})
    record = hazard_record(BOUNDS, climate, central_only, np.array([100.0, 300.0]), "ref")
    assert all(r["hazard_level_low"] is None for r in record["by_horizon"])
    assert all(r["hazard_level"] is not None for r in record["by_horizon"])
