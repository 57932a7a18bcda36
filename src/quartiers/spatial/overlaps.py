"""Overlap weights between the 200 m cells and the zones: the costly spatial intermediate.

:func:`quartiers.diagnose` returns them on the :class:`~quartiers.diagnostic.Diagnostic`
and accepts them back (tobler's ``table=`` habit), so a what-if that changes indicators but
not the cells, the QPV or the communes does not recompute exact overlaps. A fingerprint of
the cell ids and of the QPV and commune geometries guards the reuse: weights built for
other geometries are never applied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse

from quartiers.parallel import SERIAL, Executor
from quartiers.spatial.grid import overlap_shares
from quartiers.spatial.overlap_groups import grouped_overlaps
from quartiers.spatial.zones import build_zones

__all__ = ["Overlaps", "compute_overlaps", "fingerprint", "overlap_matrix", "overlaps_for"]


def overlap_matrix(
    xy: NDArray[np.int64], zones: gpd.GeoSeries | Sequence[shapely.Geometry]
) -> sparse.csr_array:
    """Return the sparse matrix (zones × cells) of exact area shares.

    Parameters
    ----------
    xy
        South-west corners of the cells (EPSG:3035 metres).
    zones
        Zone geometries in EPSG:3035.
    """
    n_zones = len(zones)
    pairs = overlap_shares(xy, zones)
    return sparse.csr_array(
        (
            pairs["share"].to_numpy(dtype="float64"),
            (pairs["zone"].to_numpy(), pairs["cell"].to_numpy()),
        ),
        shape=(n_zones, int(xy.shape[0])),
    )


@dataclass(frozen=True)
class Overlaps:
    """Zones and overlap shares of one set of cells, QPV and communes (EPSG:3035).

    Attributes
    ----------
    key
        Fingerprint of the cells, QPV and communes the weights were built for.
    zones
        QPV, rest-of-commune and rest-of-EPCI zones (:func:`quartiers.spatial.zones.build_zones`).
    matrix
        Overlap shares, zones × cells (:func:`quartiers.diagnostic.aggregate.overlap_matrix`).
    commune_shares
        Cell → commune overlap shares (columns ``cell``, ``insee_com``, ``share``).
    """

    key: str
    zones: gpd.GeoDataFrame
    matrix: sparse.csr_array
    commune_shares: pd.DataFrame


def fingerprint(xy: NDArray[np.int64], qpv: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> str:
    """Return the SHA-256 of the cell corners and of the QPV and commune geometries."""
    digest = hashlib.sha256(np.ascontiguousarray(xy, dtype=np.int64).tobytes())
    for frame, code in ((qpv, "code_qp"), (communes, "insee_com")):
        digest.update("\0".join(frame[code].astype(str)).encode("utf-8"))
        for wkb in shapely.to_wkb(np.asarray(frame.geometry.values), hex=False):
            digest.update(wkb)
    return digest.hexdigest()


def compute_overlaps(
    xy: NDArray[np.int64],
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    key: str = "",
    groups: NDArray[np.int64] | None = None,
    executor: Executor = SERIAL,
) -> Overlaps:
    """Build the zones and the exact overlap shares of the cells with them and the communes.

    With ``groups`` (a group per commune, :func:`~quartiers.spatial.overlap_groups.
    group_of_communes`) of more than one value, each group is built on its own, as a task
    of ``executor`` (:func:`~quartiers.spatial.overlap_groups.grouped_overlaps`).
    """
    if groups is not None and np.unique(groups).size > 1:
        zones, matrix, shares = grouped_overlaps(xy, qpv, communes, groups, executor)
        insee = communes["insee_com"].astype("string").to_numpy()
        return Overlaps(
            key=key or fingerprint(xy, qpv, communes),
            zones=zones,
            matrix=matrix,
            commune_shares=pd.DataFrame(
                {
                    "cell": shares["cell"].to_numpy(),
                    "insee_com": insee[shares["commune"].to_numpy()],
                    "share": shares["share"].to_numpy(),
                }
            ),
        )
    zones = build_zones(qpv, communes)
    matrix = overlap_matrix(xy, zones.geometry)
    pairs = overlap_shares(xy, communes.geometry)
    commune_shares = pd.DataFrame(
        {
            "cell": pairs["cell"].to_numpy(),
            "insee_com": communes["insee_com"].astype("string").to_numpy()[pairs["zone"]],
            "share": pairs["share"].to_numpy(),
        }
    )
    return Overlaps(
        key=key or fingerprint(xy, qpv, communes),
        zones=zones,
        matrix=matrix,
        commune_shares=commune_shares,
    )


def overlaps_for(
    xy: NDArray[np.int64],
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    given: Overlaps | None = None,
    *,
    groups: NDArray[np.int64] | None = None,
    executor: Executor = SERIAL,
) -> Overlaps:
    """Return ``given`` when it was built for these cells, QPV and communes, else new weights.

    ``groups`` and ``executor``: see :func:`compute_overlaps`.
    """
    key = fingerprint(xy, qpv, communes)
    if given is not None and given.key == key:
        return given
    return compute_overlaps(xy, qpv, communes, key=key, groups=groups, executor=executor)
