"""Resident-weighted summaries of the per-cell access table, per QPV or comparison zone."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from quartiers.sources.places import CATEGORIES

__all__ = ["SUMMARY_COLUMNS", "summarise_access"]

#: Columns of :func:`summarise_access`.
SUMMARY_COLUMNS = [
    *(f"dist_{category}_m" for category in CATEGORIES),
    "share_beyond_300m_cool_outdoor",
    "share_not_connected",
    "share_beyond_500m_fresh_food",
    "share_beyond_300m_green_1ha",
]


def summarise_access(
    access: pd.DataFrame,
    cells: pd.DataFrame,
    shares: pd.DataFrame,
    *,
    zone_index: Sequence[object] | pd.Index | None = None,
    population: str = "ind",
) -> pd.DataFrame:
    """Summarise walking access per zone, weighting cells by their residents in the zone.

    Parameters
    ----------
    access
        Output of :func:`quartiers.access.cell_access`, indexed by ``idcar_200m``.
    cells
        The cells, in the row order ``shares`` refers to, with ``idcar_200m`` and the
        population column.
    shares
        Output of :func:`quartiers.spatial.grid.overlap_shares`: ``cell`` (row in ``cells``),
        ``zone`` (position in the zones), ``share`` of the cell's area in the zone. A cell's
        residents are spread over zones by area share.
    zone_index
        Labels of the zones (e.g. ``code_qp``) in position order; positions otherwise.
    population
        Column of ``cells`` holding residents (Filosofi ``ind``).

    Returns
    -------
    pandas.DataFrame
        One row per zone: ``dist_<category>_m`` the resident-weighted median of the cells'
        network distances over connected residents (residents with no reachable place of
        the category count as farthest; NaN when that is the median or nobody is
        connected); ``share_beyond_300m_cool_outdoor`` the share of connected residents
        farther than 300 m from a cool outdoor place (3-30-300 rule);
        ``share_beyond_500m_fresh_food`` the same beyond 500 m of fresh food,
        ``share_beyond_300m_green_1ha`` beyond 300 m of a green space of 1 ha or more;
        ``share_not_connected`` the share of residents whose homes do not reach the main
        street network.
    """
    n_zones = (
        len(zone_index)
        if zone_index is not None
        else int(shares["zone"].max()) + 1
        if len(shares)
        else 0
    )
    labels = pd.Index(zone_index) if zone_index is not None else pd.RangeIndex(n_zones)
    table = access.reindex(cells["idcar_200m"].astype(str).to_numpy())
    cell = shares["cell"].to_numpy(dtype=np.intp)
    zone = shares["zone"].to_numpy(dtype=np.intp)
    people = cells[population].to_numpy(dtype="float64")[cell] * shares["share"].to_numpy(
        dtype="float64"
    )
    people = np.nan_to_num(people)
    linked_share = np.nan_to_num(table["connected_share"].to_numpy(dtype="float64")[cell])
    linked = people * linked_share
    total = np.bincount(zone, weights=people, minlength=n_zones)
    total_linked = np.bincount(zone, weights=linked, minlength=n_zones)
    out = pd.DataFrame(index=labels)
    for category in CATEGORIES:
        if f"dist_{category}_m" not in table.columns:  # written before this category
            out[f"dist_{category}_m"] = np.nan
            continue
        dist = table[f"dist_{category}_m"].to_numpy(dtype="float64")[cell]
        # Connected residents with no reachable place are the farthest of all.
        dist = np.where(np.isnan(dist), np.inf, dist)
        out[f"dist_{category}_m"] = _weighted_median(zone, dist, linked, n_zones)
    _add_beyond_shares(out, table, cell, zone, linked, total_linked)
    out["share_not_connected"] = np.divide(
        total - total_linked, total, out=np.full(n_zones, np.nan), where=total > 0
    )
    return out[SUMMARY_COLUMNS]


def _add_beyond_shares(
    out: pd.DataFrame,
    table: pd.DataFrame,
    cell: np.ndarray,
    zone: np.ndarray,
    linked: np.ndarray,
    total_linked: np.ndarray,
) -> None:
    """Set ``out``'s ``share_beyond_*`` columns: connected residents' share beyond a threshold."""
    n_zones = len(out)
    for column in SUMMARY_COLUMNS:
        if not column.startswith("share_beyond_"):
            continue
        if column not in table.columns:  # an access table written before food access
            out[column] = np.nan
            continue
        beyond = np.nan_to_num(table[column].to_numpy(dtype="float64")[cell])
        far = np.bincount(zone, weights=linked * beyond, minlength=n_zones)
        out[column] = np.divide(
            far, total_linked, out=np.full(n_zones, np.nan), where=total_linked > 0
        )


def _weighted_median(
    zone: np.ndarray, value: np.ndarray, weight: np.ndarray, n_zones: int
) -> np.ndarray:
    """Lower weighted median of ``value`` per zone; NaN when infinite or no weight."""
    result = np.full(n_zones, np.nan)
    keep = weight > 0
    if not keep.any():
        return result
    zone, value, weight = zone[keep], value[keep], weight[keep]
    order = np.lexsort((value, zone))
    zone, value, weight = zone[order], value[order], weight[order]
    cumulative = np.cumsum(weight)
    start = np.r_[0, np.flatnonzero(zone[1:] != zone[:-1]) + 1]
    before = np.r_[0.0, cumulative][start]
    total = np.add.reduceat(weight, start)
    within = cumulative - np.repeat(before, np.diff(np.r_[start, len(zone)]))
    half = np.repeat(total, np.diff(np.r_[start, len(zone)])) / 2.0
    reached = within >= half - 1e-12 * np.repeat(total, np.diff(np.r_[start, len(zone)]))
    first = pd.Series(np.flatnonzero(reached)).groupby(zone[reached]).min()
    median = value[first.to_numpy()]
    result[first.index.to_numpy()] = np.where(np.isfinite(median), median, np.nan)
    return result
