"""Check a territory's inputs and lay them on the 200 m grid (first step of the orchestrator).

:func:`check_request` refuses an unknown horizon or a territory without QPV before any work;
:func:`prepare_layers` checks the QPV, communes and Filosofi layers, sorts them, and builds
the zones and their overlap weights with the cells (:class:`Layers`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from quartiers.errors import InputError
from quartiers.indicators.sensitivity import REQUIRED_COLUMNS
from quartiers.parallel import SERIAL, Executor, local_executor
from quartiers.schemas import HORIZONS, TerritoryInputs
from quartiers.sources.epci_list import epci_names
from quartiers.sources.territory_codes import DEPARTEMENTS, departement_code
from quartiers.spatial.grid import parse_cell_ids, sorted_cell_order
from quartiers.spatial.overlap_groups import group_of_communes
from quartiers.spatial.overlaps import Overlaps, overlaps_for
from quartiers.spatial.zones import check_qpv_extent, qpv_communes, to_cell_crs

__all__ = [
    "Layers",
    "check_request",
    "prepare_cells",
    "prepare_layers",
    "require",
    "rows_taken",
]

#: Cells from which the régions' zones and overlaps are shared with a forked copy (a région).
PARALLEL_OVERLAP_CELLS = 200_000


@dataclass(frozen=True)
class Layers:
    """The territory laid on the grid: sorted cells, zones and their overlap weights.

    Attributes
    ----------
    cells
        Filosofi cells without geometry, sorted by ``idcar_200m`` (``imputed`` boolean).
    xy
        South-west corners of ``cells`` (EPSG:3035).
    zones
        QPV, rest-of-commune and rest-of-EPCI zones (a copy of ``weights.zones``).
    weights
        Overlap weights: ``matrix`` (zones × cells) and ``commune_shares``.
    rows
        Position in the input Filosofi layer of each row of ``cells``.
    """

    cells: pd.DataFrame
    xy: NDArray[np.int64]
    zones: gpd.GeoDataFrame
    weights: Overlaps
    rows: NDArray[np.int64]

    @property
    def matrix(self) -> sparse.csr_array:
        """Overlap shares, zones × cells."""
        return self.weights.matrix

    @property
    def commune_shares(self) -> pd.DataFrame:
        """Columns ``cell``, ``insee_com``, ``share`` (overlap of cells with communes)."""
        return self.weights.commune_shares


def check_request(inputs: TerritoryInputs, horizon: str) -> None:
    """Refuse an unknown horizon or a territory without QPV (French message)."""
    if horizon not in HORIZONS:
        raise InputError(f"horizon inconnu {horizon!r} (attendu : {', '.join(HORIZONS)})")
    if inputs.qpv is None or not len(inputs.qpv):
        unit = "aucune zone" if inputs.notes.zones is not None else "aucun QPV"
        raise InputError(f"territoire {inputs.code} : {unit} dans les données d'entrée")


def require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    """Refuse a layer lacking required columns (French message naming them)."""
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise InputError(
            f"{name} : colonnes manquantes {', '.join(absent)} (attendu {', '.join(columns)})"
        )


def prepare_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    """Check the Filosofi cells and return them sorted by id with their corners."""
    table, xy, _ = _sorted_cells(cells)
    return table, xy


def _sorted_cells(
    cells: pd.DataFrame,
) -> tuple[pd.DataFrame, NDArray[np.int64], NDArray[np.int64]]:
    """Return :func:`prepare_cells` and the input position of each sorted row."""
    if "idcar_200m" not in cells.columns:
        raise InputError("carreaux Filosofi : colonne idcar_200m absente")
    absent = [c for c in REQUIRED_COLUMNS if c not in cells.columns]
    if absent:
        raise InputError(
            f"carreaux Filosofi : colonnes manquantes {', '.join(absent)} "
            "(attendu les comptages INSEE des carreaux de 200 m)"
        )
    # The columns themselves, not a copy of the frame without its geometry (seconds and
    # half a gigabyte for a national grid): they are copied once below, when sorted.
    table = pd.DataFrame(
        {name: cells[name] for name in cells.columns if name != "geometry"}, copy=False
    ).reset_index(drop=True)
    table["idcar_200m"] = table["idcar_200m"].astype("string")
    # The INSEE grid's ids sort as their corners do: no string sort on a national grid.
    found = sorted_cell_order(table["idcar_200m"])
    if found is None:
        if table["idcar_200m"].duplicated().any():
            dup = table.loc[table["idcar_200m"].duplicated(), "idcar_200m"].iloc[0]
            raise InputError(f"carreaux Filosofi : carreau {dup} en double (champ idcar_200m)")
        rows = table.sort_values("idcar_200m", kind="stable").index.to_numpy(dtype=np.int64)
    else:
        rows = found[0]
    if not np.array_equal(rows, np.arange(len(rows))):  # already sorted: no copy
        table = rows_taken(table, rows)
    xy = (
        parse_cell_ids(table["idcar_200m"], source="carreaux Filosofi")
        if found is None
        else found[1][rows]
    )
    if "imputed" not in table.columns:
        table["imputed"] = False
    table["imputed"] = table["imputed"].fillna(False).astype(bool)
    return table, xy, rows


def rows_taken(frame: pd.DataFrame, rows: NDArray[np.int64]) -> pd.DataFrame:
    """Return ``frame.take(rows).reset_index(drop=True)``, taken column by column.

    numpy takes rows from a 2-D block (pandas keeps the columns of one type together) about
    ten times slower than from each column on its own: seconds for the 2.3 million cells ×
    30 counts of a national grid. Same columns, types and values.
    """
    return pd.DataFrame(
        {name: frame[name].array.take(rows) for name in frame.columns},
        index=pd.RangeIndex(len(rows)),
        copy=False,
    )


def prepare_layers(
    inputs: TerritoryInputs, overlaps: Overlaps | None = None, executor: Executor = SERIAL
) -> Layers:
    """Check the QPV, communes and cells, and return them laid on the grid.

    ``overlaps`` (weights of a previous run) are reused when they were built for the same
    cells, QPV and communes, recomputed otherwise: région by région (one task of
    ``executor`` each) when the communes span several régions. Without a cluster, from
    :data:`PARALLEL_OVERLAP_CELLS` cells the régions are shared with a forked copy of this
    process when a core is free (:func:`~quartiers.parallel.local_executor`): same weights.
    """
    require(inputs.qpv, ["code_qp", "lib_qp", "insee_com", "siren_epci"], "QPV")
    require(inputs.communes, ["insee_com", "nom", "population", "siren_epci"], "communes")
    if inputs.qpv["code_qp"].duplicated().any():
        dup = inputs.qpv.loc[inputs.qpv["code_qp"].duplicated(), "code_qp"].iloc[0]
        raise InputError(f"QPV : code {dup} en double (champ code_qp)")
    cells, xy, rows = _sorted_cells(inputs.cells)
    qpv = to_cell_crs(inputs.qpv, name="QPV").sort_values("code_qp").reset_index(drop=True)
    communes = to_cell_crs(inputs.communes, name="communes")
    communes = communes.sort_values("insee_com").reset_index(drop=True)
    check_qpv_extent(qpv, xy, source="carreaux Filosofi", zones=inputs.notes.zones is not None)
    if executor is SERIAL and len(xy) >= PARALLEL_OVERLAP_CELLS:
        executor = local_executor()  # the régions on this process and a forked copy
    weights = overlaps_for(
        xy, qpv, communes, overlaps, groups=region_groups(qpv, communes), executor=executor
    )
    zones = name_epci_rests(weights.zones.copy())
    return Layers(cells=cells, xy=xy, zones=zones, weights=weights, rows=rows)


def name_epci_rests(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Name each rest-of-EPCI zone from the shipped official EPCI list when it knows the SIREN.

    Never a SIREN as a name: « CA La Roche-sur-Yon Agglomération hors QPV »; an EPCI the list
    does not know keeps « Intercommunalité <SIREN> hors QPV ».
    """
    rest = zones["zone_type"] == "reste_epci"
    if not rest.any():
        return zones
    names = epci_names([str(s) for s in zones.loc[rest, "code"]])
    zones.loc[rest, "label"] = [
        f"{names[str(s)]} hors QPV" if str(s) in names else str(label)
        for s, label in zip(zones.loc[rest, "code"], zones.loc[rest, "label"], strict=True)
    ]
    return zones


def region_groups(qpv: pd.DataFrame, communes: pd.DataFrame) -> NDArray[np.int64]:
    """Return a group per commune: its région, merged through its EPCI and straddling QPV."""
    insee = communes["insee_com"].astype(str).to_numpy(dtype=object)
    region = np.asarray(
        [DEPARTEMENTS.get(departement_code(c), ("", ""))[1] for c in insee], dtype=object
    )
    siren = communes["siren_epci"].astype("string").fillna("").to_numpy(dtype=object)
    return group_of_communes(region, siren, qpv_communes(qpv), insee)
