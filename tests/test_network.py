"""Pedestrian graph: construction, snapping, edge splitting, against networkx."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from _access_fixtures import X0, Y0, cells_over, edges_frame, grid_nodes, point_places
from quartiers.access import cell_access
from quartiers.access.network import build_network, snap_points, split_graph
from quartiers.access.origins import origin_points
from quartiers.errors import InputError


def _random_network(seed: int) -> tuple[dict[int, tuple[float, float]], list[tuple[int, int]]]:
    """A jittered 12 × 12 grid with missing streets and a few diagonals (100 m blocks)."""
    rng = np.random.default_rng(seed)
    xy, pairs = grid_nodes(12, 12, 100.0)
    xy = {k: (x + rng.uniform(-30, 30), y + rng.uniform(-30, 30)) for k, (x, y) in xy.items()}
    keep = rng.random(len(pairs)) > 0.15
    pairs = [p for p, k in zip(pairs, keep, strict=True) if k]
    for _ in range(15):
        a = int(rng.integers(0, 11 * 12))
        if a % 12 != 11:
            pairs.append((a, a + 13))
    return xy, pairs


def _reference_graph(xy: dict[int, tuple[float, float]], pairs: list[tuple[int, int]]) -> nx.Graph:
    graph = nx.Graph()
    for u, v in pairs:
        length = float(np.hypot(xy[u][0] - xy[v][0], xy[u][1] - xy[v][1]))
        if u != v and (not graph.has_edge(u, v) or graph[u][v]["weight"] > length):
            graph.add_edge(u, v, weight=length)
    return graph


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_node_distances_equal_networkx(seed: int) -> None:
    xy, pairs = _random_network(seed)
    pairs = [*pairs, pairs[0], (pairs[1][1], pairs[1][0])]  # duplicated and reversed ways
    network = build_network(edges_frame(xy, pairs))
    reference = _reference_graph(xy, pairs)
    assert network.n_edges == reference.number_of_edges()
    ids = network.node_id
    for source in (0, 57, 143):
        ours = dijkstra(network.csgraph(), indices=int(np.searchsorted(ids, source)))
        expected = nx.single_source_dijkstra_path_length(reference, source)
        got = {int(ids[i]): d for i, d in enumerate(ours) if np.isfinite(d)}
        assert got.keys() == expected.keys()
        assert np.allclose([got[k] for k in expected], list(expected.values()))


def _brute_snap(
    xy: dict[int, tuple[float, float]], pairs: list[tuple[int, int]], point: np.ndarray
) -> tuple[tuple[int, int], float, float]:
    """Nearest segment by brute force: (edge, offset from its first node, distance)."""
    best: tuple[tuple[int, int], float, float] | None = None
    for u, v in pairs:
        a, b = np.asarray(xy[u]), np.asarray(xy[v])
        length = float(np.hypot(*(b - a)))
        t = float(np.clip(np.dot(point - a, b - a) / length**2, 0, 1))
        d = float(np.hypot(*(a + t * (b - a) - point)))
        if best is None or d < best[2] - 1e-9:
            best = ((u, v), t * length, d)
    assert best is not None
    return best


def _reference_nearest(
    xy: dict[int, tuple[float, float]],
    pairs: list[tuple[int, int]],
    origins: np.ndarray,
    places: np.ndarray,
) -> np.ndarray:
    """Nearest-place walking distance of each origin with networkx and brute-force snaps."""
    graph = _reference_graph(xy, pairs)
    snaps = [_brute_snap(xy, list(graph.edges), p) for p in np.concatenate([origins, places])]
    on_edge: dict[tuple[int, int], list[tuple[float, object]]] = {}
    for k, (edge, offset, _) in enumerate(snaps):
        on_edge.setdefault(edge, []).append((offset, ("pt", k)))
    for (u, v), points in on_edge.items():
        length = graph[u][v]["weight"]
        graph.remove_edge(u, v)
        chain = [(0.0, u), *sorted(points, key=lambda item: item[0]), (length, v)]
        for (t0, a), (t1, b) in itertools.pairwise(chain):
            graph.add_edge(a, b, weight=t1 - t0)
    n = len(origins)
    for k in range(n, len(snaps)):
        graph.add_edge("S", ("pt", k), weight=snaps[k][2])
    dist = nx.single_source_dijkstra_path_length(graph, "S")
    return np.array([dist.get(("pt", k), np.inf) + snaps[k][2] for k in range(n)])


@pytest.mark.parametrize("seed", [3, 4])
def test_cell_distances_equal_networkx_reference(seed: int) -> None:
    xy, pairs = _random_network(seed)
    edges = edges_frame(xy, pairs)
    network = build_network(edges)
    cells = cells_over(edges.total_bounds, inset=50)
    rng = np.random.default_rng(seed)
    places_xy = np.column_stack([X0 + rng.uniform(0, 1100, 6), Y0 + rng.uniform(0, 1100, 6)])
    places = point_places([tuple(p) for p in places_xy])
    table = cell_access(cells, network, places)
    origins = origin_points(cells)
    expected = _reference_nearest(xy, pairs, origins.xy, places_xy)
    # Islands of the random graph are excluded by design (NaN); compare the connected cells.
    got = table["dist_care_m"].to_numpy()
    linked = table["connected"].to_numpy()
    assert linked.mean() > 0.8
    assert np.allclose(got[linked], expected[origins.cell][linked], atol=0.05)


def test_same_edge_distance_is_along_the_edge() -> None:
    cells = cells_over((X0, Y0, X0 + 400, Y0 + 400), inset=100)
    centre = origin_points(cells).xy[0]
    xy = {1: (centre[0] - 100, centre[1] - 20), 2: (centre[0] + 900, centre[1] - 20)}
    network = build_network(edges_frame(xy, [(1, 2)]))
    places = point_places([(centre[0] + 200, centre[1] + 10)])
    table = cell_access(cells.iloc[[0]], network, places)
    assert table["dist_care_m"].iloc[0] == pytest.approx(20 + 200 + 30, abs=0.02)


def test_split_graph_keeps_node_distances() -> None:
    xy, pairs = _random_network(5)
    network = build_network(edges_frame(xy, pairs))
    rng = np.random.default_rng(5)
    points = np.column_stack([X0 + rng.uniform(0, 1100, 200), Y0 + rng.uniform(0, 1100, 200)])
    snapped = snap_points(network, points, max_distance=500)
    split = split_graph(network, snapped)
    assert (split.point_node >= 0).all()
    assert split.length.min() > 0
    from quartiers.access.walk import _min_csr

    rows = np.concatenate([split.u, split.v])
    cols = np.concatenate([split.v, split.u])
    graph = _min_csr(split.n_nodes, rows, cols, np.concatenate([split.length, split.length]))
    before = dijkstra(network.csgraph(), indices=0)
    after = dijkstra(graph, indices=0)[: network.n_nodes]
    assert np.allclose(before, after)


def test_snap_shares_nodes_at_the_same_spot() -> None:
    xy = {1: (X0, Y0), 2: (X0 + 100, Y0)}
    network = build_network(edges_frame(xy, [(1, 2)]))
    points = np.array([[X0 + 40, Y0 + 5], [X0 + 40, Y0 - 7], [X0 - 3, Y0], [X0 + 500, Y0]])
    snapped = snap_points(network, points, max_distance=100)
    assert snapped.ok.tolist() == [True, True, True, False]
    assert snapped.offset[:3] == pytest.approx([40, 40, 0])
    split = split_graph(network, snapped)
    assert split.point_node[0] == split.point_node[1]
    assert split.point_node[2] == 0  # node of OSM id 1
    assert split.n_nodes == 3


def test_polyline_vertices_become_nodes() -> None:
    line = shapely.LineString([(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 50)])
    edges = gpd.GeoDataFrame(
        {"u": [7], "v": [9], "length_m": [150.0], "highway": ["footway"], "way_id": [1]},
        geometry=[line],
        crs="EPSG:2154",
    )
    network = build_network(edges)
    assert network.n_nodes == 3
    assert network.total_length_m == pytest.approx(150.0)
    assert set(network.node_id[network.node_id > 0]) == {7, 9}


def test_river_with_one_bridge_makes_walks_longer_than_straight_lines() -> None:
    west, west_pairs = grid_nodes(11, 21, 100.0)
    east, east_pairs = grid_nodes(11, 21, 100.0, x0=X0 + 1200, first_id=1000)
    xy = {**west, **east}
    bridge = (20 * 11 + 10, 1000 + 20 * 11)  # north ends of both banks
    network = build_network(edges_frame(xy, [*west_pairs, *east_pairs, bridge]))
    assert network.main_share == pytest.approx(1.0)
    place = (X0 + 1200, Y0 + 100)  # east bank, south
    cells = cells_over((X0, Y0, X0 + 1000, Y0 + 2000), inset=60)
    table = cell_access(cells, network, point_places([place]))
    origins = origin_points(cells)
    straight = np.hypot(origins.xy[:, 0] - place[0], origins.xy[:, 1] - place[1])
    walk = table["dist_care_m"].to_numpy()
    assert (walk >= straight - 1e-6).all()
    south = origins.xy[:, 1] < Y0 + 600
    # From the south of the west bank the walk goes up to the bridge and back down.
    assert (walk[south] > 2.5 * straight[south]).all()


def test_no_walkable_way_is_a_french_input_error() -> None:
    empty = edges_frame({}, [])
    with pytest.raises(InputError, match="aucune voie piétonne"):
        build_network(empty, source="ville.osm.pbf")


def test_islands_are_separate_components() -> None:
    main, main_pairs = grid_nodes(5, 5, 100.0)
    island, island_pairs = grid_nodes(2, 2, 50.0, x0=X0 + 2000, first_id=100)
    network = build_network(edges_frame({**main, **island}, [*main_pairs, *island_pairs]))
    labels = network.component[np.searchsorted(network.node_id, [0, 100])]
    assert labels[0] == network.main_component
    assert labels[1] != network.main_component
    assert network.main_share == pytest.approx(4000 / 4200)
