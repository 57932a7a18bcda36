"""Zones and overlap weights built group by group (région by région), then joined.

A national run holds thousands of communes and QPV and millions of cells; the zones of a
région and their overlaps with the cells do not depend on the other régions. The caller
labels each commune (its région); labels linked by an EPCI or by a QPV straddling
communes are merged, so every zone lies within one group. Each group's zones and overlap
shares are computed on its own — one task per group for an
:class:`~quartiers.parallel.Executor` — with the cells of its extent, and joined in the
order :func:`~quartiers.spatial.overlaps.compute_overlaps` gives (QPV by code, communes,
EPCI by SIREN; pairs sorted by zone then cell). The groups are the same whatever the
executor, so the weights are the same numbers in this process or on a cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from quartiers.parallel import SERIAL, Executor
from quartiers.spatial.grid import CELL_SIZE_M, overlap_shares
from quartiers.spatial.zones import build_zones, qpv_communes

__all__ = ["GroupParts", "group_of_communes", "grouped_overlaps"]

IntArray = NDArray[np.int64]


def group_of_communes(
    labels: NDArray[np.object_], siren: NDArray[np.object_], qpv_coms: list[list[str]],
    insee: NDArray[np.object_],
) -> IntArray:  # fmt: skip
    """Return a group number per commune: its label, merged through EPCI and QPV links.

    Communes of one label (an empty label too), of one EPCI, or of one QPV end in the
    same group; groups are numbered by their first commune (in the communes' order).
    """
    n = len(insee)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def link(members: list[int]) -> None:
        first = root(members[0])
        for other in members[1:]:
            r = root(other)
            if r != first:
                parent[max(r, first)] = min(r, first)
                first = min(r, first)

    position = {str(code): i for i, code in enumerate(insee)}
    for key, empty_links in ((labels, True), (siren, False)):
        by_key: dict[str, list[int]] = {}
        for i, value in enumerate(key):
            if empty_links or str(value):
                by_key.setdefault(str(value), []).append(i)
        for members in by_key.values():
            link(members)
    for codes in qpv_coms:
        found = [position[c] for c in codes if c in position]
        if len(found) > 1:
            link(found)
    roots = np.asarray([root(i) for i in range(n)], dtype=np.int64)
    _, group = np.unique(roots, return_inverse=True)
    return np.asarray(group, dtype=np.int64)


@dataclass(frozen=True)
class GroupParts:
    """One group's zones and overlap pairs, positions local to the group.

    ``pairs`` are (zone, cell, share) of the zones; ``commune_pairs`` (commune, cell, share).
    """

    zones: gpd.GeoDataFrame
    pairs: pd.DataFrame
    commune_pairs: pd.DataFrame


def _group_part(part: tuple[NDArray[np.int64], gpd.GeoDataFrame, gpd.GeoDataFrame]) -> GroupParts:
    """Build one group's zones and its overlap shares with its cells (a task)."""
    xy, qpv, communes = part
    zones = build_zones(qpv, communes)
    return GroupParts(
        zones=zones,
        pairs=overlap_shares(xy, zones.geometry),
        commune_pairs=overlap_shares(xy, communes.geometry),
    )


def grouped_overlaps(
    xy: IntArray,
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    groups: IntArray,
    executor: Executor = SERIAL,
) -> tuple[gpd.GeoDataFrame, sparse.csr_array, pd.DataFrame]:
    """Return the zones, overlap matrix and commune shares, built group by group.

    Parameters
    ----------
    xy
        South-west corners of the cells (EPSG:3035).
    qpv, communes
        QPV sorted by code and communes sorted by code (EPSG:3035), as
        :func:`~quartiers.spatial.overlaps.compute_overlaps` takes them.
    groups
        Group of each commune (:func:`group_of_communes`); a QPV belongs to the group of
        its first commune.
    executor
        Computes the groups (one task each).
    """
    com = communes.reset_index(drop=True)
    q = qpv.reset_index(drop=True)
    position = {str(c): i for i, c in enumerate(com["insee_com"].astype(str))}
    q_group = np.asarray(
        [groups[position[codes[0]]] if codes and codes[0] in position else -1
         for codes in qpv_communes(q)],
        dtype=np.int64,
    )  # fmt: skip
    ids = np.unique(groups)
    parts, members = [], []
    for g in ids:
        q_rows = np.flatnonzero(q_group == g)
        c_rows = np.flatnonzero(groups == g)
        cells = _cells_within(xy, [com.geometry.iloc[c_rows], q.geometry.iloc[q_rows]])
        parts.append((xy[cells], q.iloc[q_rows], com.iloc[c_rows]))
        members.append((q_rows, c_rows, cells))
    done = executor.map(_group_part, parts)
    return _join(done, members, len(q), len(com), len(xy))


def _cells_within(xy: IntArray, layers: list[gpd.GeoSeries]) -> IntArray:
    """Return the positions of the cells meeting the box of the layers' geometries."""
    boxes = np.vstack([layer.bounds.to_numpy() for layer in layers if len(layer)])
    x0, y0 = boxes[:, 0].min() - CELL_SIZE_M, boxes[:, 1].min() - CELL_SIZE_M
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    return np.flatnonzero(inside)


def _join(
    done: list[GroupParts],
    members: list[tuple[IntArray, IntArray, IntArray]],
    n_qpv: int,
    n_com: int,
    n_cells: int,
) -> tuple[gpd.GeoDataFrame, sparse.csr_array, pd.DataFrame]:
    """Join the groups' parts in the order of an all-at-once build."""
    zones = pd.concat([d.zones for d in done], ignore_index=True)
    rank = np.concatenate(
        [_zone_rank(d.zones, q_rows, c_rows) for d, (q_rows, c_rows, _) in zip(done, members,
                                                                              strict=True)]
    )  # fmt: skip
    kind = zones["zone_type"].map({"qpv": 0, "reste_commune": 1, "reste_epci": 2}).to_numpy()
    epci = np.unique(zones.loc[kind == 2, "code"].astype(str).to_numpy(), return_inverse=True)[1]
    rank[kind == 2] = epci
    order = np.lexsort((rank, kind))
    new_of_old = np.empty(order.size, dtype=np.int64)
    new_of_old[order] = np.arange(order.size)
    offsets = np.cumsum([0, *(len(d.zones) for d in done)])
    rows, cols, vals, c_com, c_cell, c_share = [], [], [], [], [], []
    for d, (_, c_rows, cells), off in zip(done, members, offsets[:-1], strict=True):
        rows.append(new_of_old[off + d.pairs["zone"].to_numpy()])
        cols.append(cells[d.pairs["cell"].to_numpy()])
        vals.append(d.pairs["share"].to_numpy())
        c_com.append(c_rows[d.commune_pairs["zone"].to_numpy()])
        c_cell.append(cells[d.commune_pairs["cell"].to_numpy()])
        c_share.append(d.commune_pairs["share"].to_numpy())
    row, col, val = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    by = np.lexsort((col, row))
    matrix = sparse.csr_array((val[by], (row[by], col[by])), shape=(len(zones), n_cells))
    com_pos, cell, share = np.concatenate(c_com), np.concatenate(c_cell), np.concatenate(c_share)
    by = np.lexsort((cell, com_pos))
    zones = gpd.GeoDataFrame(
        zones.iloc[order].reset_index(drop=True), geometry="geometry", crs=done[0].zones.crs
    )
    shares = pd.DataFrame({"cell": cell[by], "commune": com_pos[by], "share": share[by]})
    return zones, matrix, shares


def _zone_rank(zones: pd.DataFrame, q_rows: IntArray, c_rows: IntArray) -> IntArray:
    """Return each zone's position among its kind in the whole run (EPCI filled later)."""
    kind = zones["zone_type"].to_numpy()
    out = np.zeros(len(zones), dtype=np.int64)
    out[kind == "qpv"] = q_rows
    out[kind == "reste_commune"] = c_rows
    return out
