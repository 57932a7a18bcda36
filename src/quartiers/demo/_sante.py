"""SIMULATED health outcomes for the demo's worked example of the validation (never real).

Units are fictitious « IRIS » (squares of 3 × 3 cells, contours in WKT Lambert-93). The
expected number of heat-related emergency visits of a unit grows with its poor households
and its residents aged 80 or more (taken from the fictitious Filosofi cells, *not* from the
index, so the model has something to find without being told the answer), with unit-level
noise; counts are Poisson draws for two summers. The file is written in the format of
``--source sante`` (:mod:`quartiers.sources.sante`), outcome ``passages_urgences_SIMULES``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from quartiers.spatial.grid import CELL_SIZE_M

__all__ = ["OUTCOME", "simulate_health"]

#: Outcome id of the simulated counts (the word SIMULES is part of the contract).
OUTCOME = "passages_urgences_SIMULES"
_BLOCK = 3 * CELL_SIZE_M
_BASE_RATE = 0.004  # visits per resident and summer, before the covariates
_PERIODS = ("été 2022 (simulé)", "été 2023 (simulé)")


def simulate_health(cells: pd.DataFrame, path: Path, *, seed: int) -> Path:
    """Write simulated outcomes per fictitious IRIS and return ``path``.

    Parameters
    ----------
    cells
        The demo diagnostic's cells (``x_sw, y_sw, population, households, poor_households,
        share_80p``).
    path
        CSV to write (« ; », UTF-8).
    seed
        Seed of the draws (same seed, same file).
    """
    rng = np.random.default_rng([seed, 20])
    bx = (cells["x_sw"].to_numpy() // _BLOCK).astype(np.int64)
    by = (cells["y_sw"].to_numpy() // _BLOCK).astype(np.int64)
    pop = np.nan_to_num(cells["population"].to_numpy(dtype="float64"))
    old = pop * np.nan_to_num(cells["share_80p"].to_numpy(dtype="float64"))
    frame = pd.DataFrame(
        {
            "bx": bx,
            "by": by,
            "pop": pop,
            "old": old,
            "men": np.nan_to_num(cells["households"].to_numpy(dtype="float64")),
            "poor": np.nan_to_num(cells["poor_households"].to_numpy(dtype="float64")),
        }
    )
    units = frame.groupby(["bx", "by"], sort=True).sum().reset_index()
    units = units[units["pop"] >= 200].reset_index(drop=True)
    men = units["men"].to_numpy(dtype="float64")
    poor = units["poor"].to_numpy(dtype="float64")
    poverty = np.divide(poor, men, out=np.zeros_like(men), where=men > 0)
    share_old = units["old"].to_numpy(dtype="float64") / units["pop"].to_numpy(dtype="float64")
    rate = _BASE_RATE * np.exp(2.0 * poverty + 8.0 * share_old)
    noise = rng.gamma(20.0, 1 / 20.0, len(units))
    to2154 = Transformer.from_crs("EPSG:3035", "EPSG:2154", always_xy=True)
    rows = []
    ubx = units["bx"].to_numpy(dtype=np.int64)
    uby = units["by"].to_numpy(dtype=np.int64)
    upop = units["pop"].to_numpy(dtype="float64")
    for k in range(len(units)):
        x0, y0 = float(ubx[k] * _BLOCK), float(uby[k] * _BLOCK)
        box = shapely.box(x0, y0, x0 + _BLOCK, y0 + _BLOCK)
        box = shapely.transform(box, lambda c: np.column_stack(to2154.transform(c[:, 0], c[:, 1])))
        code = f"00001{k:04d}"
        for period in _PERIODS:
            rows.append(
                {
                    "unit_type": "iris",
                    "unit_code": code,
                    "period": period,
                    "outcome": OUTCOME,
                    "count": int(rng.poisson(upop[k] * rate[k] * noise[k])),
                    "population": round(float(upop[k]), 1),
                    "geometry_wkt": shapely.to_wkt(box, rounding_precision=1),
                }
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return path
