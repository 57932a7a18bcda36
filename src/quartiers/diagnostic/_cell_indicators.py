"""Compute every available indicator on the cells of a territory (used by the orchestrator).

Wires the pure functions of :mod:`quartiers.indicators` to the layers of
:class:`~quartiers.schemas.TerritoryInputs`, and says in French why each missing indicator
is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.access.compute import COOL_INDOOR_ATTR
from quartiers.diagnostic._coverage import blank_uncovered
from quartiers.diagnostic._indicator_memo import CellIndicators, IndicatorMemo, run_step
from quartiers.indicators.base import from_values
from quartiers.indicators.census import census_indicators
from quartiers.indicators.exposure import (
    CLIMATE_IDS,
    built_share,
    climate_long,
    climate_per_cell,
    impervious_share,
    lcz_class_fractions,
    lcz_heat,
    night_heat,
)
from quartiers.indicators.floors import top_floor_share
from quartiers.indicators.hazards import hazard_indicators, no_hazard_reasons
from quartiers.indicators.housing import housing_indicators, no_housing_reasons
from quartiers.indicators.nature import desealable_share, green_network_ha
from quartiers.indicators.registry import ACCESS_CATEGORIES, REGISTRY
from quartiers.indicators.resources import (
    access_columns,
    access_indicators,
    canopy_and_green,
    canopy_from_cover,
)
from quartiers.indicators.sensitivity import sensitivity_indicators
from quartiers.method.spec import Method
from quartiers.schemas import HORIZONS, TerritoryInputs
from quartiers.spatial.geometry import CellGrid

__all__ = ["CellIndicators", "compute_cell_indicators"]


#: Run note on the cool indoor places (« supposé » unless the city declares summer openings).
COOL_INDOOR_NOTES = {
    "assumed": (
        "lieux frais intérieurs supposés ouverts et frais l'été : bibliothèques, musées, "
        "lieux de culte… d'OpenStreetMap et de la BPE comptent tous, faute de fichier de la "
        "ville disant lesquels ouvrent l'été (colonne ouvert_ete de --places)"
    ),
    "declared": (
        "lieux frais intérieurs : seuls ceux que le fichier de la ville déclare ouverts l'été "
        "(ouvert_ete = oui) comptent"
    ),
}

#: Reason given when no residential building has a height (top-floor proxy not computed).
NO_HEIGHTS = (
    "hauteurs des bâtiments d'habitation absentes ou trop rares (BD TOPO HAUTEUR, "
    "OpenStreetMap height ou building:levels)"
)


def compute_cell_indicators(
    inputs: TerritoryInputs,
    cells: pd.DataFrame,
    xy: NDArray[np.int64],
    commune_shares: pd.DataFrame,
    *,
    method: Method,
    horizon: str,
    access: pd.DataFrame | None,
    worst: Mapping[str, float] | None = None,
    memo: IndicatorMemo | None = None,
) -> CellIndicators:
    """Compute the indicators of every cell from the inputs present.

    Parameters
    ----------
    inputs
        Normalised territory inputs.
    cells
        Filosofi cells (counts as floats), in the order of ``xy``.
    xy
        South-west corners (EPSG:3035).
    commune_shares
        Columns ``cell``, ``insee_com``, ``share`` (overlap of cells with communes).
    method
        Validated method (LCZ scores, default crown diameter).
    horizon
        Climate horizon.
    access
        Walking distances per cell (index ``idcar_200m``), or None.
    worst
        Largest walking distance per ``dist_<category>`` of a reference file, used by
        ``unreachable: worst`` when larger than the run's own.
    memo
        Steps of a previous run (a what-if's baseline): a step whose layers are the same
        objects, on the same cells and method, is taken from it; it keeps this run's steps.
    """
    pop = pd.to_numeric(cells["ind"], errors="coerce").to_numpy(dtype="float64")
    values, missing = sensitivity_indicators(cells)
    found = CellIndicators(values=values, missing=missing)
    on = _Cells(xy=xy, population=pop)
    ids = cells["idcar_200m"].astype("string").tolist()
    memo = IndicatorMemo() if memo is None else memo
    memo.bind(xy, pop, cells, method)
    i = inputs
    step = partial(run_step, found, memo)
    step("census", (i.rp_iris,), lambda part: _add_census(part, i, on))
    step("night_heat", (i.night_heat,), lambda part: _add_night_heat(part, i, ids, on))
    step("lcz", (i.lcz,), lambda part: _add_lcz(part, i, on, method))
    step("buildings", (i.buildings, i.roads, i.paved), lambda part: _add_buildings(part, i, on))
    _add_climate(found, i, on, commune_shares, horizon)
    veg = (i.vegetation, i.trees, i.tree_cover)
    step("vegetation", veg, lambda part: _add_vegetation(part, i, on, method))
    step("nature", (i.vegetation, i.paved), lambda part: _add_nature(part, i, on, method))
    _add_tree_cover(found, i, ids, on)
    _add_access(found, i, ids, on, method, access, worst)
    step("hazards", (i.hazards, i.buildings), lambda part: _add_hazards(part, i, cells, on))
    step("housing", (i.housing, i.buildings), lambda part: _add_housing(part, i, cells, on))
    found.notes += blank_uncovered(found.values, found.missing, inputs, commune_shares, xy, pop)
    found.values = {i: found.values[i] for i in REGISTRY if i in found.values}
    return found


@dataclass
class _Cells:
    """The cells computed on: corners, population, and their grid (built on first use)."""

    xy: NDArray[np.int64]
    population: NDArray[np.float64]
    built: CellGrid | None = None

    @property
    def grid(self) -> CellGrid:
        """The cells' grid geometry (built once, only when a layer needs it)."""
        if self.built is None:
            self.built = CellGrid(self.xy)
        return self.built


def _add_night_heat(
    found: CellIndicators, inputs: TerritoryInputs, ids: list[str], on: _Cells
) -> None:
    """Add ``night_heat`` (mean of the night-heat raster per cell), or say why it is missing."""
    if inputs.night_heat is None or not len(inputs.night_heat):
        found.missing["night_heat"] = "raster de chaleur nocturne (--source chaleur_nuit) absent"
        return
    heat = night_heat([str(i) for i in ids], inputs.night_heat)
    if np.isfinite(heat).any():
        found.values["night_heat"] = from_values(heat, on.population)
    else:
        found.missing["night_heat"] = "raster de chaleur nocturne sans valeur sur les carreaux"


def _add_census(found: CellIndicators, inputs: TerritoryInputs, on: _Cells) -> None:
    """Add the census indicators (IRIS tables allocated by population), or say why not."""
    if inputs.rp_iris is None or not len(inputs.rp_iris):
        reason = "tables du recensement par IRIS (--source rp_iris) absentes"
        found.missing["share_80p_alone"] = reason
        found.missing["persons_per_room"] = reason
        return
    values, missing, covered = census_indicators(on.grid, on.population, inputs.rp_iris)
    found.values.update(values)
    found.missing.update(missing)
    found.extra["rp_iris_coverage"] = covered


def _add_tree_cover(
    found: CellIndicators, inputs: TerritoryInputs, ids: list[str], on: _Cells
) -> None:
    """Replace ``canopy_share`` by the tree-cover raster's mean per cell, when one was given."""
    if inputs.tree_cover is None or not len(inputs.tree_cover):
        return
    cover = canopy_from_cover([str(i) for i in ids], inputs.tree_cover)
    if not np.isfinite(cover).any():
        found.notes.append("raster de couvert arboré sans valeur sur les carreaux : ignoré")
        return
    found.values["canopy_share"] = from_values(cover, on.population)
    found.canopy_mapped = False
    found.missing.pop("canopy_share", None)
    found.notes.append("canopée : raster de couvert arboré (--source couvert_arbore)")


def _add_lcz(found: CellIndicators, inputs: TerritoryInputs, on: _Cells, method: Method) -> None:
    """Add the LCZ heat score, its coverage and the « variable » class fractions."""
    if inputs.lcz is None or not len(inputs.lcz):
        found.missing["lcz_heat"] = "couche LCZ (Cerema) absente"
        return
    scores = method.lcz_scores()
    lcz_value, coverage = lcz_heat(on.grid, inputs.lcz, scores)
    found.values["lcz_heat"] = from_values(lcz_value, on.population)
    found.extra["lcz_coverage"] = coverage
    if method.lcz_variable_classes():
        found.lcz_variable = lcz_class_fractions(
            on.grid, inputs.lcz, method.lcz_variable_classes(), scores
        )


def _add_buildings(found: CellIndicators, inputs: TerritoryInputs, on: _Cells) -> None:
    """Add the built, impervious and top-floor shares (buildings, roads, paved areas)."""
    values, pop = found.values, on.population
    if inputs.buildings is None or not len(inputs.buildings):
        reason = "couche des bâtiments (OpenStreetMap ou BD TOPO) absente"
        found.missing["built_share"] = reason
        found.missing["impervious_share"] = reason
        found.missing["top_floor_share"] = reason
        return
    values["built_share"] = from_values(built_share(on.grid, inputs.buildings), pop)
    values["impervious_share"] = from_values(
        impervious_share(on.grid, inputs.buildings, inputs.roads, inputs.paved), pop
    )
    top = top_floor_share(on.grid, inputs.buildings)
    if np.isfinite(top).any():
        values["top_floor_share"] = from_values(top, pop)
    else:
        found.missing["top_floor_share"] = NO_HEIGHTS
    if inputs.roads is None or not len(inputs.roads):
        found.notes.append("voirie absente : la part imperméabilisée ne compte que le bâti")


def _add_climate(
    found: CellIndicators,
    inputs: TerritoryInputs,
    on: _Cells,
    commune_shares: pd.DataFrame,
    horizon: str,
) -> None:
    """Add the climate indicators at the horizon (each cell takes its communes' values)."""
    if inputs.climate is None or not len(inputs.climate):
        for ind_id in CLIMATE_IDS:
            found.missing[ind_id] = "projections climatiques (Climadiag) absentes"
        return
    found.climate = climate_long(inputs.climate)
    per_cell = climate_per_cell(commune_shares, found.climate, horizon, len(on.xy))
    for ind_id in CLIMATE_IDS:
        if ind_id in per_cell and np.isfinite(per_cell[ind_id]).any():
            found.values[ind_id] = from_values(per_cell[ind_id], on.population)
        else:
            found.missing[ind_id] = (
                f"Climadiag : aucune valeur pour les communes du territoire à l'horizon "
                f"{HORIZONS[horizon]}"
            )


def _add_vegetation(
    found: CellIndicators, inputs: TerritoryInputs, on: _Cells, method: Method
) -> None:
    """Add the canopy and green shares (vegetation polygons, isolated trees)."""
    have_veg = inputs.vegetation is not None and len(inputs.vegetation) > 0
    have_trees = inputs.trees is not None and len(inputs.trees) > 0
    if not (have_veg or have_trees):
        reason = "végétation et arbres (OpenStreetMap ou BD TOPO) absents"
        found.missing["canopy_share"] = reason
        found.missing["green_share"] = reason
        return
    canopy, green = canopy_and_green(
        on.grid,
        inputs.vegetation if have_veg else None,
        inputs.trees if have_trees else None,
        default_crown_m=method.default_crown_m,
    )
    found.values["canopy_share"] = from_values(canopy, on.population)
    found.canopy_mapped = True
    found.values["green_share"] = from_values(green, on.population)
    if not have_veg:
        found.notes.append("espaces verts (polygones) absents : seuls les arbres isolés comptent")
    if not have_trees and inputs.tree_cover is None:
        found.notes.append("arbres isolés absents : la canopée ne compte que bois et alignements")


def _add_nature(found: CellIndicators, inputs: TerritoryInputs, on: _Cells, method: Method) -> None:
    """Add the green network continuity and the de-sealable share (issue 21)."""
    if inputs.vegetation is None or not len(inputs.vegetation):
        found.missing["green_network_ha"] = "espaces verts (OpenStreetMap ou BD TOPO) absents"
    else:
        hectares = green_network_ha(
            on.grid, inputs.vegetation, default_crown_m=method.default_crown_m
        )
        found.values["green_network_ha"] = from_values(hectares, on.population)
    if inputs.paved is None:
        found.missing["desealable_share"] = (
            "parkings et places revêtues non lus (extrait OpenStreetMap non fourni)"
        )
    else:
        share = desealable_share(on.grid, inputs.paved)
        found.values["desealable_share"] = from_values(share, on.population)


def _add_access(
    found: CellIndicators,
    inputs: TerritoryInputs,
    ids: list[str],
    on: _Cells,
    method: Method,
    access: pd.DataFrame | None,
    worst: Mapping[str, float] | None = None,
) -> None:
    """Add the walking distances and the access columns of each cell (``ids``)."""
    if access is None:
        reason = (
            "distances à pied non calculées (module d'accessibilité non exécuté)"
            if inputs.osm_path is not None
            else "distances à pied non calculées (extrait OpenStreetMap non fourni)"
        )
        for cat in ACCESS_CATEGORIES:
            found.missing[f"dist_{cat}"] = reason
        return
    dist, dist_missing = access_indicators(ids, access, unreachable=method.unreachable, worst=worst)
    found.missing.update(dist_missing)
    summer = access.attrs.get(COOL_INDOOR_ATTR)
    if "dist_cool_indoor" in dist and summer in COOL_INDOOR_NOTES:
        found.notes.append(COOL_INDOOR_NOTES[summer])
    table = access if access.index.name == "idcar_200m" else access.set_index("idcar_200m")
    for ind_id, arr in dist.items():
        found.values[ind_id] = from_values(arr, on.population)
    # one lookup of the cells for every column (a reindex per column hashed the ids each time)
    columns = access_columns(table)
    looked_up = table[columns].reindex(ids)
    for col in columns:
        col_values = looked_up[col]
        if col == "connected":
            found.extra[col] = col_values.fillna(False).to_numpy(dtype=bool)
        else:
            found.extra[col] = pd.to_numeric(col_values, errors="coerce").to_numpy(dtype="float64")


def _add_hazards(
    found: CellIndicators, inputs: TerritoryInputs, cells: pd.DataFrame, on: _Cells
) -> None:
    """Add the share of residents, poor households, 0–3 and 65+ in each hazard zone."""
    if inputs.hazards is None or not len(inputs.hazards):
        found.missing.update(no_hazard_reasons())
        return
    values, missing, _ = hazard_indicators(on.grid, cells, inputs.hazards, inputs.buildings)
    found.values.update(values)
    found.missing.update(missing)


def _add_housing(
    found: CellIndicators, inputs: TerritoryInputs, cells: pd.DataFrame, on: _Cells
) -> None:
    """Add the DPE shares (F/G, summer comfort, heating), coverage and energy-poverty proxy."""
    if inputs.housing is None:  # a file without certificates here: said by the indicators
        found.missing.update(no_housing_reasons())
        return
    values, missing, _ = housing_indicators(on.grid, cells, inputs.housing, inputs.buildings)
    found.values.update(values)
    found.missing.update(missing)
