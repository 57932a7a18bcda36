"""Benchmark: walking access of every 200 m cell of a 100 km² territory (~200,000 nodes).

Builds a synthetic town in Lambert-93: a jittered street grid (70 m blocks, each street
drawn with intermediate vertices as OSM does, 10 % of streets missing), a river crossing
it with six bridges, ~1,100 places in the five categories (parks as areas, the river as a
water front), and the ≈2,500 INSEE cells covering it. Times, on this machine:

1. ``build_network`` (graph, components, spatial index);
2. ``cell_access`` for all cells and all categories (nearest distance, counts within
   300 m and 10 minutes) — target < 10 s;
3. optionally the same with ~40,000 residential buildings as starts;
4. the obvious alternative: one networkx single-source Dijkstra per cell on the same graph
   (same inserted points), timed on a sample of cells and extrapolated to all cells.

Run: ``.venv/bin/python benchmarks/bench_access.py [--sample 5] [--buildings]``.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from quartiers.access import NEAR_M, WALK_MINUTES, WALK_SPEED_KMH, _routing, cell_access
from quartiers.access.network import build_network
from quartiers.access.origins import origin_points
from quartiers.sources.places import CATEGORIES
from quartiers.spatial.grid import cell_boxes, cell_ids

X0, Y0 = 350_000.0, 6_785_000.0
ORIGIN = np.array([X0, Y0])
SIDE_M = 10_000.0
BLOCK_M = 70.0
VERTICES_PER_STREET = 5  # intermediate vertices per block side


def synthetic_streets(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Street segments of the synthetic town (EPSG:2154) with u/v node ids."""
    n = int(SIDE_M / BLOCK_M) + 1
    jx = rng.uniform(-12, 12, (n, n))
    jy = rng.uniform(-12, 12, (n, n))
    gx, gy = np.meshgrid(np.arange(n) * BLOCK_M + X0, np.arange(n) * BLOCK_M + Y0)
    px, py = (gx + jx).ravel(), (gy + jy).ravel()
    ids = np.arange(n * n).reshape(n, n)
    starts = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    ends = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    river_y = Y0 + SIDE_M / 2 + 30
    crosses = (py[starts] - river_y) * (py[ends] - river_y) < 0
    bridges = crosses & (np.isin(np.round((px[starts] - X0) / BLOCK_M) % 24, [3]))
    keep = (rng.random(len(starts)) > 0.10) & (~crosses | bridges)
    starts, ends = starts[keep], ends[keep]
    # Each street is drawn with intermediate vertices, slightly wiggling, as in OSM.
    k = VERTICES_PER_STREET + 1
    t = np.arange(k + 1) / k
    xs = px[starts, None] + (px[ends] - px[starts])[:, None] * t
    ys = py[starts, None] + (py[ends] - py[starts])[:, None] * t
    wiggle = rng.uniform(-2, 2, (len(starts), k + 1))
    wiggle[:, [0, -1]] = 0
    xs, ys = xs + wiggle, ys - wiggle
    first_inner = n * n
    inner = first_inner + np.arange(len(starts) * (k - 1)).reshape(len(starts), k - 1)
    node = np.column_stack([starts, inner, ends])
    u, v = node[:, :-1].ravel(), node[:, 1:].ravel()
    a = np.column_stack([xs[:, :-1].ravel(), ys[:, :-1].ravel()])
    b = np.column_stack([xs[:, 1:].ravel(), ys[:, 1:].ravel()])
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    return gpd.GeoDataFrame(
        {"u": u, "v": v, "length_m": np.hypot(*(b - a).T), "highway": "residential",
         "way_id": np.repeat(np.arange(len(starts)), k)},
        geometry=lines,
        crs="EPSG:2154",
    )  # fmt: skip


def synthetic_places(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Parks (areas), a river front (line) and point places of the other categories."""
    counts = {"cool_indoor": 400, "care": 300, "information": 80, "drinking_water": 200}
    rows: list[dict[str, object]] = []
    for category, count in counts.items():
        xy = rng.uniform(0, SIDE_M, (count, 2)) + ORIGIN
        rows += [{"category": category, "geometry": shapely.Point(p)} for p in xy]
    centres = rng.uniform(0, SIDE_M, (150, 2)) + ORIGIN
    radii = np.sqrt(rng.uniform(5_000, 50_000, 150) / np.pi)
    rows += [
        {"category": "cool_outdoor", "geometry": shapely.Point(c).buffer(r)}
        for c, r in zip(centres, radii, strict=True)
    ]
    river = shapely.LineString([(X0, Y0 + SIDE_M / 2 + 30), (X0 + SIDE_M, Y0 + SIDE_M / 2 + 30)])
    rows.append({"category": "cool_outdoor", "geometry": river})
    frame = pd.DataFrame(rows)
    frame["place_id"] = [f"p{i}" for i in range(len(frame))]
    frame["kind"] = ""
    frame["name"] = ""
    frame["source"] = "osm"
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:2154")


def synthetic_cells() -> gpd.GeoDataFrame:
    """INSEE cells (EPSG:3035) whose centres fall in the synthetic town."""
    to_3035 = Transformer.from_crs("EPSG:2154", "EPSG:3035", always_xy=True)
    x0, y0, x1, y1 = to_3035.transform_bounds(X0, Y0, X0 + SIDE_M, Y0 + SIDE_M)
    gx, gy = np.meshgrid(np.arange(x0 // 200 * 200, x1, 200), np.arange(y0 // 200 * 200, y1, 200))
    corners = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)
    back = Transformer.from_crs("EPSG:3035", "EPSG:2154", always_xy=True)
    cx, cy = back.transform(corners[:, 0] + 100.0, corners[:, 1] + 100.0)
    inside = (cx > X0) & (cx < X0 + SIDE_M) & (cy > Y0) & (cy < Y0 + SIDE_M)
    corners = corners[inside]
    return gpd.GeoDataFrame(
        {"idcar_200m": cell_ids(corners), "ind": 100.0},
        geometry=cell_boxes(corners),
        crs="EPSG:3035",
    )


def synthetic_buildings(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    """Square homes of 60–400 m² scattered over the town."""
    xy = rng.uniform(0, SIDE_M, (n, 2)) + ORIGIN
    half = np.sqrt(rng.uniform(60, 400, n)) / 2
    boxes = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    return gpd.GeoDataFrame(
        {"height_m": rng.choice([np.nan, 6.0, 12.0, 24.0], n), "residential": True,
         "source": "osm"},
        geometry=boxes,
        crs="EPSG:2154",
    )  # fmt: skip


def networkx_per_cell(
    network: object, cells: gpd.GeoDataFrame, places: gpd.GeoDataFrame, sample: int
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Time networkx single-source Dijkstra from a sample of cells (same inserted points)."""
    origins = origin_points(cells)
    routing = _routing(network, origins, places, 300.0)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    graph = nx.from_scipy_sparse_array(routing.graph, create_using=nx.DiGraph).reverse(copy=False)
    build_s = time.perf_counter() - t0
    rows = {c: np.flatnonzero(places["category"].to_numpy() == c) for c in CATEGORIES}
    pick = np.linspace(0, len(origins.cell) - 1, sample).astype(int)
    reach = WALK_MINUTES * WALK_SPEED_KMH * 1000 / 60
    got = np.zeros((sample, len(CATEGORIES)))
    t0 = time.perf_counter()
    for i, k in enumerate(pick):
        dist = nx.single_source_dijkstra_path_length(
            graph, int(routing.origin_node[k]), weight="weight"
        )
        for j, category in enumerate(CATEGORIES):
            to_places = [dist.get(int(s), np.inf) for s in routing.place_source[rows[category]]]
            walk = np.asarray(to_places) + routing.origin_snap[k]
            got[i, j] = walk.min()
            _ = ((walk <= NEAR_M).sum(), (walk <= reach).sum())
    per_cell = (time.perf_counter() - t0) / sample
    return build_s, per_cell, origins.cell[pick], got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=5, help="cells timed with networkx")
    parser.add_argument("--buildings", type=int, default=40_000, help="homes (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    streets = synthetic_streets(rng)
    places = synthetic_places(rng)
    cells = synthetic_cells()
    t0 = time.perf_counter()
    network = build_network(streets, source="synthétique")
    build_s = time.perf_counter() - t0
    print(
        f"territoire synthétique {SIDE_M / 1000:.0f} × {SIDE_M / 1000:.0f} km : "
        f"{network.n_nodes:,} nœuds, {network.n_edges:,} tronçons, "
        f"{network.total_length_m / 1000:,.0f} km de voies, {len(places):,} lieux, "
        f"{len(cells):,} carreaux"
    )
    print(f"build_network                     : {build_s:6.2f} s")
    t0 = time.perf_counter()
    table = cell_access(cells, network, places)
    access_s = time.perf_counter() - t0
    print(f"cell_access (centres, 5 catégories): {access_s:6.2f} s   (objectif < 10 s)")
    if args.buildings:
        homes = synthetic_buildings(rng, args.buildings)
        t0 = time.perf_counter()
        cell_access(cells, network, places, buildings=homes)
        homes_s = time.perf_counter() - t0
        print(f"cell_access ({args.buildings:,} logements)   : {homes_s:6.2f} s")
    nx_build, per_cell, sampled, nx_dist = networkx_per_cell(network, cells, places, args.sample)
    ours = table[[f"dist_{c}_m" for c in CATEGORIES]].to_numpy()[sampled]
    same = np.allclose(np.where(np.isfinite(nx_dist), nx_dist, np.nan), ours, equal_nan=True)
    total = per_cell * len(cells)
    print(
        f"networkx : graphe {nx_build:.1f} s ; Dijkstra par carreau {per_cell:.2f} s mesuré sur "
        f"{args.sample} carreaux, extrapolé à {len(cells):,} carreaux ≈ {total:,.0f} s"
    )
    print(f"distances identiques sur l'échantillon : {'oui' if same else 'NON'}")
    print(f"rapport networkx (extrapolé) / cell_access : ×{total / access_s:,.0f}")


if __name__ == "__main__":
    main()
