"""Side tables of a diagnostic (private to :mod:`quartiers.diagnostic._assemble`).

The indicator table (availability, normalisation, effective weight), the climate table,
the grid coverage per commune, the walking-access summary per zone, and the commune and QPV
holding each cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from quartiers.access.summary import SUMMARY_COLUMNS, summarise_access
from quartiers.indicators.base import safe_ratio
from quartiers.indicators.registry import REGISTRY, registry_table
from quartiers.schemas import HORIZONS

if TYPE_CHECKING:
    from quartiers.diagnostic._cell_indicators import CellIndicators
    from quartiers.method.composite import CompiledMethod
    from quartiers.method.spec import Method

__all__ = [
    "access_summary",
    "cell_commune",
    "cell_qpv",
    "climate_table",
    "coverage",
    "indicator_table",
]

FloatArray = NDArray[np.float64]


def cell_commune(commune_shares: pd.DataFrame, n_cells: int) -> NDArray[np.object_]:
    """Return the commune holding the largest share of each cell ('' when none; texts)."""
    out = np.full(n_cells, "", dtype=object)
    if len(commune_shares):
        best = commune_shares.sort_values(["cell", "share"], ascending=[True, False])
        best = best.drop_duplicates("cell", keep="first")
        out[best["cell"].to_numpy()] = best["insee_com"].astype(str).to_numpy()
    return out


def cell_qpv(
    matrix: sparse.csr_array, zones: pd.DataFrame, is_qpv: NDArray[np.bool_]
) -> tuple[NDArray[np.object_], FloatArray]:
    """Return the QPV holding the largest share of each cell and the cell's share in QPV."""
    sub = sparse.coo_array(matrix[np.flatnonzero(is_qpv)])
    n_cells = matrix.shape[1]
    total = np.bincount(sub.col, weights=sub.data, minlength=n_cells)
    codes = zones.loc[is_qpv, "code"].astype(str).to_numpy()
    out = np.full(n_cells, "", dtype=object)
    if sub.nnz:
        order = np.lexsort((-sub.data, sub.col))
        col = sub.col[order]
        first = np.r_[True, col[1:] != col[:-1]]
        out[col[first]] = codes[sub.row[order][first]]
    return out, np.minimum(total, 1.0)


def indicator_table(
    method: Method, compiled: CompiledMethod, computed: CellIndicators
) -> pd.DataFrame:
    """Return the registry with availability, normalisation and effective index weight."""
    table = registry_table()
    table["available"] = table["id"].isin(list(computed.values))
    table["missing_reason"] = [computed.missing.get(i, "") for i in table["id"]]
    table["normalisation"] = [method.normalisation_of(i) for i in table["id"]]
    weight = dict.fromkeys(table["id"], 0.0)
    for j, ind_id in enumerate(compiled.indicator_ids):
        dim = compiled.dimension_of[j]
        weight[ind_id] = float(compiled.indicator_weights[j] * compiled.dimension_weights[dim])
    table["index_weight"] = table["id"].map(weight)
    publisher: dict[str, str] = {}
    if len(computed.climate):
        used = computed.climate.groupby("indicator")["publisher_id"].agg(
            lambda ids: ", ".join(sorted({str(i) for i in ids}))
        )
        publisher = {str(k): str(v) for k, v in used.items()}
    table["publisher_id"] = [publisher.get(i, "") for i in table["id"]]
    return table


def climate_table(climate: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Return the climate rows of the territory's communes, with French labels."""
    cols = [
        "insee_com", "nom", "indicator", "label", "horizon", "horizon_label",
        "publisher_id", "value", "low", "high", "source",
    ]  # fmt: skip
    if not len(climate):
        return pd.DataFrame(columns=cols)
    names = communes.set_index(communes["insee_com"].astype("string"))["nom"]
    table = climate[climate["insee_com"].isin(list(names.index))].copy()
    table["nom"] = table["insee_com"].map(names).astype("string")
    table["label"] = table["indicator"].map({i: REGISTRY[i].label for i in REGISTRY})
    table["horizon_label"] = table["horizon"].map(HORIZONS)
    return pd.DataFrame(table[cols].reset_index(drop=True))


def coverage(
    commune_shares: pd.DataFrame, cell_pop: FloatArray, communes: pd.DataFrame
) -> list[dict[str, Any]]:
    """Return, per commune, the grid population inside it against its legal population."""
    pop_in = (
        pd.Series(commune_shares["share"].to_numpy() * cell_pop[commune_shares["cell"].to_numpy()])
        .groupby(commune_shares["insee_com"].to_numpy())
        .sum()
    )
    out = []
    legal_pop = pd.to_numeric(communes["population"], errors="coerce").to_numpy(dtype="float64")
    codes = communes["insee_com"].astype(str).tolist()
    names = communes["nom"].astype(str).tolist()
    for code, nom, legal in zip(codes, names, legal_pop, strict=True):
        grid = float(pop_in.get(code, 0.0))
        share = safe_ratio(np.asarray([grid]), np.asarray([legal]))[0]
        out.append(
            {
                "insee_com": code,
                "nom": nom,
                "legal_population": float(legal) if np.isfinite(legal) else None,
                "grid_population": round(grid, 3),
                "grid_share": round(float(share), 4) if np.isfinite(share) else None,
            }
        )
    return out


def access_summary(
    access: pd.DataFrame | None,
    cells: pd.DataFrame,
    matrix: sparse.csr_array,
    zone_ids: Sequence[str],
) -> dict[str, FloatArray]:
    """Return the access module's per-zone summary (empty columns without access).

    Columns ``dist_<category>_m`` (resident-weighted median walking distance, the name issue 5
    promises users; the index's own indicator ``dist_<category>`` is the mean),
    ``share_beyond_300m_cool_outdoor`` and ``share_not_connected``, from
    :func:`quartiers.access.summary.summarise_access`.
    """
    n = len(zone_ids)
    names = {c: c for c in SUMMARY_COLUMNS}
    empty = {name: np.full(n, np.nan) for name in names.values()}
    needed = {"connected_share", "share_beyond_300m_cool_outdoor"}
    if access is None or not needed <= set(access.columns):
        return empty
    table = access if access.index.name == "idcar_200m" else access.set_index("idcar_200m")
    coo = sparse.coo_array(matrix)
    shares = pd.DataFrame({"cell": coo.col, "zone": coo.row, "share": coo.data})
    summary = summarise_access(table, cells, shares, zone_index=list(zone_ids))
    out = dict(empty)
    for column in SUMMARY_COLUMNS:
        if column in summary.columns:
            out[names[column]] = summary[column].to_numpy(dtype="float64")
    return out
