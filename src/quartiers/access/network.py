"""Pedestrian street network: a graph of straight segments in Lambert-93 metres (EPSG:2154).

Built from the walkable segments the OSM reader returns (one segment between two
consecutive nodes of a walkable way), so every edge is a straight line whose length is its
Euclidean length in EPSG:2154. Points (building entrances, cell centroids, access points of
places) are snapped to the nearest point of the nearest edge and inserted by splitting that
edge at the exact offset: distances along the street are then exact, including between two
points on the same edge.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from quartiers.errors import InputError

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = [
    "NETWORK_CRS",
    "Snapped",
    "SplitGraph",
    "WalkNetwork",
    "build_network",
    "snap_points",
    "split_graph",
]

logger = logging.getLogger(__name__)

NETWORK_CRS = "EPSG:2154"
# Snapped offsets are rounded to the centimetre, so two points at the same spot share a node.
_OFFSET_UNIT = 100.0


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """Undirected pedestrian graph, node coordinates and edge lengths in EPSG:2154 metres.

    Attributes
    ----------
    node_id
        Source node ids (OSM ids; vertices inside a polyline get negative ids).
    node_xy
        (n, 2) node coordinates.
    edge_u, edge_v, edge_length
        One row per undirected straight edge (no self-loop, no parallel edge).
    component
        Connected component label of each node; ``main_component`` is the largest.
    """

    node_id: NDArray[np.int64]
    node_xy: NDArray[np.float64]
    edge_u: NDArray[np.intp]
    edge_v: NDArray[np.intp]
    edge_length: NDArray[np.float64]
    component: NDArray[np.intp]
    main_component: int
    tree: shapely.STRtree

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return len(self.edge_u)

    @property
    def total_length_m(self) -> float:
        """Total length of the network in metres."""
        return float(self.edge_length.sum())

    @property
    def main_share(self) -> float:
        """Share of the network length in the main connected component."""
        main = self.component[self.edge_u] == self.main_component
        return float(self.edge_length[main].sum() / max(self.total_length_m, 1e-9))

    def csgraph(self) -> csr_matrix:
        """Return the graph as a symmetric sparse matrix of edge lengths (metres)."""
        return _symmetric(self.n_nodes, self.edge_u, self.edge_v, self.edge_length)

    @property
    def bounds(self) -> BBox:
        """Bounding box ``(xmin, ymin, xmax, ymax)`` of the nodes."""
        xmin, ymin = self.node_xy.min(axis=0)
        xmax, ymax = self.node_xy.max(axis=0)
        return float(xmin), float(ymin), float(xmax), float(ymax)


def build_network(walk_edges: gpd.GeoDataFrame, *, source: str = "OSM") -> WalkNetwork:
    """Build the pedestrian graph from walkable lines with ``u`` and ``v`` node ids.

    Lines may have more than two vertices: inner vertices become nodes of their own. Edge
    lengths are the Euclidean lengths of the straight pieces in EPSG:2154 (the ``length_m``
    column is not trusted). Parallel edges keep the shortest; self-loops are dropped.

    Raises
    ------
    InputError
        When no walkable line is left (``source`` names the file in the French message).
    """
    if len(walk_edges) == 0:
        raise InputError(
            f"{source} : aucune voie piétonne dans le territoire (voies highway=footway, "
            "pedestrian, residential… sans foot=no ni access=private attendues)"
        )
    if walk_edges.crs is not None and not walk_edges.crs.equals(NETWORK_CRS):
        walk_edges = walk_edges.to_crs(NETWORK_CRS)
    xy, line = shapely.get_coordinates(walk_edges.geometry.to_numpy(), return_index=True)
    first = np.r_[True, line[1:] != line[:-1]]
    last = np.r_[line[1:] != line[:-1], True]
    ids = np.empty(len(xy), dtype=np.int64)
    ids[first] = walk_edges["u"].to_numpy(dtype=np.int64)[line[first]]
    ids[last] = walk_edges["v"].to_numpy(dtype=np.int64)[line[last]]
    inner = ~(first | last)
    ids[inner] = -1 - np.arange(int(inner.sum()), dtype=np.int64)
    node_id, position, inverse = np.unique(ids, return_index=True, return_inverse=True)
    node_xy = xy[position]
    seg = np.flatnonzero(~last)
    u, v = inverse[seg], inverse[seg + 1]
    length = np.hypot(*(node_xy[v] - node_xy[u]).T)
    u, v, length = _undirected_unique(u, v, length)
    if len(u) == 0:
        raise InputError(
            f"{source} : les voies piétonnes n'ont aucun segment de longueur non nulle"
        )
    graph = _symmetric(len(node_xy), u, v, length)
    _, component = connected_components(graph, directed=False)
    main = int(np.bincount(component).argmax())
    lines = shapely.linestrings(np.stack([node_xy[u], node_xy[v]], axis=1))
    network = WalkNetwork(
        node_id=node_id,
        node_xy=node_xy,
        edge_u=u,
        edge_v=v,
        edge_length=length,
        component=component.astype(np.intp),
        main_component=main,
        tree=shapely.STRtree(lines),
    )
    logger.info(
        "réseau piéton : %d nœuds, %d tronçons, %.1f km, %.1f %% dans la composante principale",
        network.n_nodes,
        network.n_edges,
        network.total_length_m / 1000,
        100 * network.main_share,
    )
    return network


def _undirected_unique(
    u: NDArray[np.intp], v: NDArray[np.intp], w: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Drop self-loops and keep the shortest of parallel undirected edges."""
    keep = (u != v) & (w > 0)
    a, b, w = np.minimum(u, v)[keep], np.maximum(u, v)[keep], w[keep]
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    return a[first], b[first], w[first]


def _symmetric(
    n: int, u: NDArray[np.intp], v: NDArray[np.intp], w: NDArray[np.float64]
) -> csr_matrix:
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    return coo_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, n)).tocsr()


@dataclass(frozen=True)
class Snapped:
    """Points snapped to the network: edge row (-1 when none within reach), offset from the
    edge's ``u`` end and straight distance from the point, in metres."""

    edge: NDArray[np.intp]
    offset: NDArray[np.float64]
    distance: NDArray[np.float64]

    @property
    def ok(self) -> NDArray[np.bool_]:
        """Points that reached an edge."""
        return np.asarray(self.edge >= 0)


def snap_points(network: WalkNetwork, xy: NDArray[np.float64], *, max_distance: float) -> Snapped:
    """Snap points (EPSG:2154) to the nearest point of the nearest edge within ``max_distance``."""
    n = len(xy)
    edge = np.full(n, -1, dtype=np.intp)
    offset = np.full(n, np.nan)
    distance = np.full(n, np.nan)
    if n == 0:
        return Snapped(edge, offset, distance)
    points = shapely.points(xy)
    (which, hit), dist = network.tree.query_nearest(
        points, max_distance=max_distance, return_distance=True, all_matches=False
    )
    a = network.node_xy[network.edge_u[hit]]
    b = network.node_xy[network.edge_v[hit]]
    ab = b - a
    length = network.edge_length[hit]
    t = np.einsum("ij,ij->i", xy[which] - a, ab) / (length * length)
    edge[which] = hit
    offset[which] = np.clip(t, 0.0, 1.0) * length
    distance[which] = dist
    return Snapped(edge, offset, distance)


@dataclass(frozen=True)
class SplitGraph:
    """The network with snapped points inserted: edges as arrays, and each point's node."""

    n_nodes: int
    u: NDArray[np.intp]
    v: NDArray[np.intp]
    length: NDArray[np.float64]
    point_node: NDArray[np.intp]  # -1 for points that did not snap
    component: NDArray[np.intp]


def split_graph(network: WalkNetwork, snapped: Snapped) -> SplitGraph:
    """Insert snapped points as nodes by splitting their edges at the exact offsets.

    Points at an edge end (to the centimetre) use the existing node; points at the same
    offset of the same edge share one new node.
    """
    base = network.n_nodes
    point_node = np.full(len(snapped.edge), -1, dtype=np.intp)
    ok = np.flatnonzero(snapped.ok)
    edge = snapped.edge[ok]
    length_cm = np.round(network.edge_length[edge] * _OFFSET_UNIT).astype(np.int64)
    t_cm = np.clip(np.round(snapped.offset[ok] * _OFFSET_UNIT).astype(np.int64), 0, length_cm)
    at_u = t_cm == 0
    at_v = (t_cm == length_cm) & ~at_u
    point_node[ok[at_u]] = network.edge_u[edge[at_u]]
    point_node[ok[at_v]] = network.edge_v[edge[at_v]]
    interior = ~(at_u | at_v)
    key = edge[interior].astype(np.int64) * (1 << 32) + t_cm[interior]
    unique_key, inverse = np.unique(key, return_inverse=True)
    point_node[ok[interior]] = base + inverse
    new_edge = (unique_key >> 32).astype(np.intp)
    new_t = (unique_key & 0xFFFFFFFF).astype(np.float64) / _OFFSET_UNIT
    split = np.unique(new_edge)
    keep = np.ones(network.n_edges, dtype=bool)
    keep[split] = False
    # Each split edge becomes the chain u → inserted nodes (by offset) → v.
    chain_edge = np.concatenate([split, new_edge, split])
    chain_t = np.concatenate([np.zeros(len(split)), new_t, network.edge_length[split]])
    chain_node = np.concatenate(
        [network.edge_u[split], base + np.arange(len(unique_key)), network.edge_v[split]]
    )
    order = np.lexsort((chain_t, chain_edge))
    chain_edge, chain_t, chain_node = chain_edge[order], chain_t[order], chain_node[order]
    link = np.flatnonzero(chain_edge[1:] == chain_edge[:-1])
    u = np.concatenate([network.edge_u[keep], chain_node[link]])
    v = np.concatenate([network.edge_v[keep], chain_node[link + 1]])
    length = np.concatenate([network.edge_length[keep], chain_t[link + 1] - chain_t[link]])
    component = np.concatenate([network.component, network.component[network.edge_u[new_edge]]])
    return SplitGraph(
        n_nodes=base + len(unique_key),
        u=u.astype(np.intp),
        v=v.astype(np.intp),
        length=length,
        point_node=point_node,
        component=component,
    )
