"""Compute every available indicator on the cells of a territory (used by the orchestrator).

Wires the pure functions of :mod:`quartiers.indicators` to the layers of
:class:`~quartiers.schemas.TerritoryInputs`, and says in French why each missing indicator
is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.indicators.base import CellIndicator, from_values
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


@dataclass
class CellIndicators:
    """Indicators computed on the cells, and what could not be computed.

    Attributes
    ----------
    values
        Indicator id → :class:`CellIndicator`, in registry order.
    missing
        Indicator id → French reason, for every registry indicator not computed.
    extra
        Informative per-cell columns (LCZ coverage, walking times…).
    climate
        Long climate table of the territory (all horizons), see
        :func:`quartiers.indicators.exposure.climate_long`.
    notes
        French remarks on partial inputs (e.g. roads absent: sealing underestimated).
    lcz_variable
        Per LCZ class of « variable » heat sensitivity, its share of each cell's scored LCZ
        area (the Monte Carlo draws these classes' scores).
    """

    values: dict[str, CellIndicator]
    missing: dict[str, str]
    extra: dict[str, NDArray[np.float64] | NDArray[np.bool_]] = field(default_factory=dict)
    climate: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    lcz_variable: dict[str, NDArray[np.float64]] = field(default_factory=dict)


#: Reason given when no residential building has a height (top-floor proxy not computed).
NO_HEIGHTS = (
    "hauteurs des bâtiments d'habitation absentes ou trop rares (BD TOPO HAUTEUR, "
    "OpenStreetMap height ou building:levels)"
)


def _night_heat(
    inputs: TerritoryInputs,
    cells: pd.DataFrame,
    pop: NDArray[np.float64],
    values: dict[str, CellIndicator],
    missing: dict[str, str],
) -> None:
    """Add ``night_heat`` (raster mean per cell) to ``values``, or say why it is missing."""
    if inputs.night_heat is None or not len(inputs.night_heat):
        missing["night_heat"] = "raster de chaleur nocturne (--source chaleur_nuit) absent"
        return
    heat = night_heat(cells["idcar_200m"].astype(str).tolist(), inputs.night_heat)
    if np.isfinite(heat).any():
        values["night_heat"] = from_values(heat, pop)
    else:
        missing["night_heat"] = "raster de chaleur nocturne sans valeur sur les carreaux"


def _canopy_from_raster(
    inputs: TerritoryInputs,
    cells: pd.DataFrame,
    pop: NDArray[np.float64],
    values: dict[str, CellIndicator],
    missing: dict[str, str],
    notes: list[str],
) -> None:
    """Replace ``canopy_share`` by the tree cover raster's, when one was given."""
    if inputs.tree_cover is None or not len(inputs.tree_cover):
        return
    cover = canopy_from_cover(cells["idcar_200m"].astype(str).tolist(), inputs.tree_cover)
    if not np.isfinite(cover).any():
        notes.append("raster de couvert arboré sans valeur sur les carreaux : ignoré")
        return
    values["canopy_share"] = from_values(cover, pop)
    missing.pop("canopy_share", None)
    notes.append("canopée : raster de couvert arboré (--source couvert_arbore)")


def compute_cell_indicators(
    inputs: TerritoryInputs,
    cells: pd.DataFrame,
    xy: NDArray[np.int64],
    commune_shares: pd.DataFrame,
    *,
    method: Method,
    horizon: str,
    access: pd.DataFrame | None,
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
    """
    pop = pd.to_numeric(cells["ind"], errors="coerce").to_numpy(dtype="float64")
    values, missing = sensitivity_indicators(cells)
    extra: dict[str, NDArray[np.float64] | NDArray[np.bool_]] = {}
    notes: list[str] = []
    lcz_variable: dict[str, NDArray[np.float64]] = {}
    grid: CellGrid | None = None

    def get_grid() -> CellGrid:
        nonlocal grid
        if grid is None:
            grid = CellGrid(xy)
        return grid

    _night_heat(inputs, cells, pop, values, missing)
    if inputs.lcz is not None and len(inputs.lcz):
        scores = method.lcz_scores()
        lcz_value, coverage = lcz_heat(get_grid(), inputs.lcz, scores)
        values["lcz_heat"] = from_values(lcz_value, pop)
        extra["lcz_coverage"] = coverage
        if method.lcz_variable_classes():
            lcz_variable = lcz_class_fractions(
                get_grid(), inputs.lcz, method.lcz_variable_classes(), scores
            )
    else:
        missing["lcz_heat"] = "couche LCZ (Cerema) absente"

    if inputs.buildings is not None and len(inputs.buildings):
        values["built_share"] = from_values(built_share(get_grid(), inputs.buildings), pop)
        values["impervious_share"] = from_values(
            impervious_share(get_grid(), inputs.buildings, inputs.roads, inputs.paved), pop
        )
        top = top_floor_share(get_grid(), inputs.buildings)
        if np.isfinite(top).any():
            values["top_floor_share"] = from_values(top, pop)
        else:
            missing["top_floor_share"] = NO_HEIGHTS
        if inputs.roads is None or not len(inputs.roads):
            notes.append("voirie absente : la part imperméabilisée ne compte que le bâti")
    else:
        reason = "couche des bâtiments (OpenStreetMap ou BD TOPO) absente"
        missing["built_share"] = reason
        missing["impervious_share"] = reason
        missing["top_floor_share"] = reason

    climate = pd.DataFrame()
    if inputs.climate is not None and len(inputs.climate):
        climate = climate_long(inputs.climate)
        per_cell = climate_per_cell(commune_shares, climate, horizon, len(xy))
        for ind_id in CLIMATE_IDS:
            if ind_id in per_cell and np.isfinite(per_cell[ind_id]).any():
                values[ind_id] = from_values(per_cell[ind_id], pop)
            else:
                missing[ind_id] = (
                    f"Climadiag : aucune valeur pour les communes du territoire à l'horizon "
                    f"{HORIZONS[horizon]}"
                )
    else:
        for ind_id in CLIMATE_IDS:
            missing[ind_id] = "projections climatiques (Climadiag) absentes"

    have_veg = inputs.vegetation is not None and len(inputs.vegetation) > 0
    have_trees = inputs.trees is not None and len(inputs.trees) > 0
    if have_veg or have_trees:
        canopy, green = canopy_and_green(
            get_grid(),
            inputs.vegetation if have_veg else None,
            inputs.trees if have_trees else None,
            default_crown_m=method.default_crown_m,
        )
        values["canopy_share"] = from_values(canopy, pop)
        values["green_share"] = from_values(green, pop)
        if not have_veg:
            notes.append("espaces verts (polygones) absents : seuls les arbres isolés comptent")
        if not have_trees and inputs.tree_cover is None:
            notes.append("arbres isolés absents : la canopée ne compte que bois et alignements")
    else:
        reason = "végétation et arbres (OpenStreetMap ou BD TOPO) absents"
        missing["canopy_share"] = reason
        missing["green_share"] = reason
    _canopy_from_raster(inputs, cells, pop, values, missing, notes)

    ids = cells["idcar_200m"].astype("string").tolist()
    if access is not None:
        dist, dist_missing = access_indicators(ids, access, unreachable=method.unreachable)
        missing.update(dist_missing)
        table = access if access.index.name == "idcar_200m" else access.set_index("idcar_200m")
        for ind_id, arr in dist.items():
            values[ind_id] = from_values(arr, pop)
        for col in access_columns(table):
            col_values = table[col].reindex(ids)
            if col == "connected":
                extra[col] = col_values.fillna(False).to_numpy(dtype=bool)
            else:
                extra[col] = pd.to_numeric(col_values, errors="coerce").to_numpy(dtype="float64")
    else:
        reason = (
            "distances à pied non calculées (module d'accessibilité non exécuté)"
            if inputs.osm_path is not None
            else "distances à pied non calculées (extrait OpenStreetMap non fourni)"
        )
        for cat in ACCESS_CATEGORIES:
            missing[f"dist_{cat}"] = reason

    ordered = {i: values[i] for i in REGISTRY if i in values}
    return CellIndicators(
        values=ordered,
        missing=missing,
        extra=extra,
        climate=climate,
        notes=notes,
        lcz_variable=lcz_variable,
    )
