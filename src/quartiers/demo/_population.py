"""Residents of the demo territory, summed from buildings into INSEE 200 m cells.

Every residential building holds fiscal households drawn from the profile of its zone
(household types, poverty, ownership, ages, standard of living); social housing has its
own, poorer profile. Households are summed into the EPSG:3035 cell that contains the
building's centroid, which gives Filosofi's raw counts before secrecy (see
:mod:`quartiers.demo._imputation`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.random import Generator
from numpy.typing import NDArray

from quartiers.demo._buildings import PERIODS
from quartiers.demo._geometry import Warp, to_3035
from quartiers.demo._layout import Zone

__all__ = ["AGES", "COUNTS", "raw_cells"]

#: Filosofi age bands, in the official column order.
AGES = [
    "ind_0_3", "ind_4_5", "ind_6_10", "ind_11_17", "ind_18_24",
    "ind_25_39", "ind_40_54", "ind_55_64", "ind_65_79", "ind_80p",
]  # fmt: skip

#: Filosofi 2021 count columns, in the official order (after the identifiers).
COUNTS = [
    "ind", "men", "men_pauv", "men_1ind", "men_5ind", "men_prop", "men_fmp", "ind_snv",
    "men_surf", "men_coll", "men_mais", *PERIODS, "log_soc", *AGES, "ind_inc",
]  # fmt: skip

_GE, _CA, _CE = int(Zone.GRANDS_ENSEMBLES), int(Zone.CENTRE_ANCIEN), int(Zone.CENTRE)
_CO, _PA = int(Zone.COLLECTIF), int(Zone.PAVILLONNAIRE)
_VC, _VI, _RU = int(Zone.VILLAGE_CENTRE), int(Zone.VILLAGE), int(Zone.RURAL)

# Household types: one person, couple, family (3–4), large (5+), single parent.
_TYPES: dict[int, list[float]] = {
    _CA: [0.58, 0.22, 0.08, 0.02, 0.10],
    _CE: [0.45, 0.27, 0.16, 0.03, 0.09],
    _GE: [0.36, 0.17, 0.20, 0.12, 0.15],
    _CO: [0.42, 0.25, 0.18, 0.04, 0.11],
    _PA: [0.22, 0.38, 0.28, 0.05, 0.07],
    _VC: [0.35, 0.33, 0.20, 0.04, 0.08],
    _VI: [0.20, 0.37, 0.31, 0.06, 0.06],
    _RU: [0.24, 0.40, 0.26, 0.06, 0.04],
}
_SOCIAL_TYPES = [0.34, 0.15, 0.21, 0.12, 0.18]

# Age profiles (shares of persons per band of AGES).
_AGE_P: dict[int, list[float]] = {
    _CA: [0.030, 0.015, 0.035, 0.050, 0.125, 0.200, 0.140, 0.115, 0.170, 0.120],
    _CE: [0.038, 0.020, 0.050, 0.070, 0.095, 0.190, 0.170, 0.120, 0.160, 0.087],
    _GE: [0.065, 0.035, 0.085, 0.115, 0.100, 0.200, 0.170, 0.100, 0.095, 0.035],
    _CO: [0.045, 0.024, 0.060, 0.085, 0.085, 0.185, 0.180, 0.120, 0.150, 0.066],
    _PA: [0.035, 0.022, 0.065, 0.095, 0.060, 0.140, 0.210, 0.140, 0.170, 0.063],
    _VC: [0.040, 0.022, 0.060, 0.085, 0.060, 0.160, 0.190, 0.130, 0.170, 0.083],
    _VI: [0.042, 0.025, 0.070, 0.100, 0.060, 0.160, 0.210, 0.130, 0.150, 0.053],
    _RU: [0.035, 0.020, 0.060, 0.090, 0.060, 0.140, 0.210, 0.150, 0.170, 0.065],
}

# Poverty rate of households, private then social housing.
_POOR = {_CA: 0.22, _CE: 0.11, _GE: 0.25, _CO: 0.12, _PA: 0.05, _VC: 0.08, _VI: 0.06, _RU: 0.09}
_POOR_SOCIAL = {_GE: 0.45}
_POOR_SOCIAL_DEFAULT = 0.33
# Owner-occupiers among private households: flats, houses.
_OWN_FLAT = {_CA: 0.30, _CE: 0.40, _GE: 0.50, _CO: 0.55, _VC: 0.50}
_OWN_HOUSE = {_CA: 0.55, _CE: 0.60, _PA: 0.85, _VC: 0.75, _VI: 0.86, _RU: 0.84}
# Mean standard of living of persons in non-poor households (€/year, before cell noise).
_SNV = {
    _CA: 23500,
    _CE: 25500,
    _GE: 19000,
    _CO: 23000,
    _PA: 28000,
    _VC: 24000,
    _VI: 25500,
    _RU: 24000,
}
_SNV_SOCIAL = 17500.0
_SNV_POOR = 10000.0


def raw_cells(
    buildings: pd.DataFrame, warp: Warp, rng: Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return raw (unimputed) Filosofi counts per 200 m cell, and per building.

    Returns
    -------
    cells
        One row per inhabited cell: ``x, y`` (south-west corner, EPSG:3035 m) and the
        integer counts of :data:`COUNTS` (``ind_snv``, ``men_surf`` in € and m²).
    per_building
        The residential buildings with their ``x, y`` cell, their counts and
        ``poor_persons`` (persons in poor households).
    """
    res = _residential(buildings, warp)
    draw = _household_draws(res, rng)
    data = _columns(res, draw)
    per_building = pd.DataFrame(data, index=res.index)
    per_building["x"] = res["x"]
    per_building["y"] = res["y"]
    # Persons in poor households: not a Filosofi grid count, kept for the demo's own
    # INSEE-like per-QPV figures (person-based poverty rate).
    per_building["poor_persons"] = draw["poor_persons"].astype("float64")
    cells = per_building.groupby(["x", "y"], sort=True)[COUNTS].sum().reset_index()
    return cells, per_building


def _residential(buildings: pd.DataFrame, warp: Warp) -> pd.DataFrame:
    """Return the inhabited residential buildings with the ``x, y`` corner of their cell."""
    res = buildings[buildings["residential"] & (buildings["households"] > 0)].copy()
    cu = ((res["x0"] + res["x1"]) / 2).to_numpy()
    cv = ((res["y0"] + res["y1"]) / 2).to_numpy()
    ex, ny = to_3035(*warp.xy(cu, cv))
    res["x"] = (np.floor(ex / 200.0) * 200).astype(np.int64)
    res["y"] = (np.floor(ny / 200.0) * 200).astype(np.int64)
    return res


def _household_draws(res: pd.DataFrame, rng: Generator) -> dict[str, NDArray[Any]]:
    """Draw the households, persons, incomes and surfaces of each residential building."""
    cell_key = res["x"].to_numpy() * 10_000_000 + res["y"].to_numpy()
    uniq, cell_idx = np.unique(cell_key, return_inverse=True)
    # One draw per cell gives neighbourhood-scale variation (some streets poorer than others).
    cell_poverty = rng.lognormal(0.0, 0.3, uniq.size)[cell_idx]
    cell_wealth = rng.lognormal(0.0, 0.1, uniq.size)[cell_idx]

    n = len(res)
    zone = res["zone"].to_numpy()
    social = res["social"].to_numpy()
    hh = res["households"].to_numpy().astype(np.int64)
    house = res["building"].to_numpy() == "house"

    types_p = np.array(
        [_SOCIAL_TYPES if s else _TYPES[int(z)] for z, s in zip(zone, social, strict=True)]
    )
    types = rng.multinomial(hh, types_p)
    one, couple, family, large, fmp = types.T
    persons = (
        one
        + 2 * couple
        + 3 * family
        + rng.binomial(family, 0.45)
        + 5 * large
        + rng.poisson(0.6 * large)
        + 2 * fmp
        + rng.binomial(2 * fmp, 0.45)
    )
    p_poor = np.array(
        [
            _POOR_SOCIAL.get(int(z), _POOR_SOCIAL_DEFAULT) if s else _POOR[int(z)]
            for z, s in zip(zone, social, strict=True)
        ]
    )
    poor = rng.binomial(hh, np.clip(p_poor * cell_poverty, 0.0, 0.9))
    p_own = np.where(
        house,
        [_OWN_HOUSE.get(int(z), 0.8) for z in zone],
        [_OWN_FLAT.get(int(z), 0.4) for z in zone],
    )
    owners = np.where(social, 0, rng.binomial(hh - poor // 2, p_own))
    ages = rng.multinomial(
        persons, np.array([_AGE_P[_GE if s else int(z)] for z, s in zip(zone, social, strict=True)])
    )
    unknown_age = rng.binomial(persons, 0.0015)
    ages[:, 5] -= np.minimum(unknown_age, ages[:, 5])  # ages unknown taken from 25–39
    ind_inc = persons - ages.sum(axis=1)
    # Persons in poor households: poor households are a little larger than average.
    poor_persons = np.minimum(persons, np.round(poor * persons / np.maximum(hh, 1) * 1.1))
    snv_np = np.where(social, _SNV_SOCIAL, [_SNV[int(z)] for z in zone]) * cell_wealth
    ind_snv = (
        poor_persons * _SNV_POOR * rng.uniform(0.9, 1.1, n) + (persons - poor_persons) * snv_np
    )
    surf = hh * res["flat_m2"].to_numpy() * rng.uniform(0.95, 1.05, n)

    return {
        "persons": persons,
        "hh": hh,
        "poor": poor,
        "one": one,
        "large": large,
        "owners": owners,
        "fmp": fmp,
        "ind_snv": ind_snv,
        "surf": surf,
        "ages": ages,
        "ind_inc": ind_inc,
        "poor_persons": poor_persons,
    }


def _columns(res: pd.DataFrame, draw: dict[str, NDArray[Any]]) -> dict[str, NDArray[np.float64]]:
    """Return the Filosofi count columns of each residential building."""
    persons, hh, poor, one, large = (draw[k] for k in ("persons", "hh", "poor", "one", "large"))
    owners, fmp, ind_snv, surf = (draw[k] for k in ("owners", "fmp", "ind_snv", "surf"))
    ages, ind_inc = draw["ages"], draw["ind_inc"]
    social = res["social"].to_numpy()
    house = res["building"].to_numpy() == "house"
    period = res["period"].to_numpy()
    data: dict[str, NDArray[np.float64]] = {
        "ind": persons.astype("float64"),
        "men": hh.astype("float64"),
        "men_pauv": poor.astype("float64"),
        "men_1ind": one.astype("float64"),
        "men_5ind": large.astype("float64"),
        "men_prop": owners.astype("float64"),
        "men_fmp": fmp.astype("float64"),
        "ind_snv": ind_snv,
        "men_surf": surf,
        "men_coll": np.where(house, 0, hh).astype("float64"),
        "men_mais": np.where(house, hh, 0).astype("float64"),
    }
    for k, col in enumerate(PERIODS):
        data[col] = np.where(period == k, hh, 0).astype("float64")
    data["log_soc"] = np.where(social, hh, 0).astype("float64")
    for k, col in enumerate(AGES):
        data[col] = ages[:, k].astype("float64")
    data["ind_inc"] = ind_inc.astype("float64")
    return data
