"""Vector tiles of the cells (issue 16, point 4): real MVT, right values, cached, French errors."""

from __future__ import annotations

import math

import mapbox_vector_tile
import numpy as np
import pytest
from fastapi.testclient import TestClient

from quartiers.web.app import app_state
from quartiers.web.tiles import DETAIL_ZOOM, EXTENT, LAYER, TileCache, tile_bounds

MVT = "application/vnd.mapbox-vector-tile"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def centre(client: TestClient) -> tuple[str, float, float]:
    td = next(iter(app_state(client.app).catalog))  # type: ignore[arg-type]
    return td.code, (td.bbox[0] + td.bbox[2]) / 2, (td.bbox[1] + td.bbox[3]) / 2


def decode(body: bytes) -> list[dict]:
    layers = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})
    return layers[LAYER]["features"] if layers else []


def test_detail_tile_holds_cells_with_their_values(client: TestClient) -> None:
    code, lon, lat = centre(client)
    td = app_state(client.app).catalog.get(code)  # type: ignore[arg-type]
    z = DETAIL_ZOOM + 1
    x, y = tile_of(lon, lat, z)
    r = client.get(f"/api/territories/{code}/tiles/{z}/{x}/{y}.mvt")
    assert r.status_code == 200 and r.headers["content-type"] == MVT
    features = decode(r.content)
    assert features, "la tuile du centre du territoire devrait contenir des carreaux"
    cells, _ = td.values("index")
    minx, _, maxx, _ = tile_bounds(z, x, y)
    for f in features:
        ring = f["geometry"]["coordinates"][0]
        assert f["geometry"]["type"] == "Polygon" and len(ring) == 5
        xs = np.array([p[0] for p in ring[:4]], float)
        ys = np.array([p[1] for p in ring[:4]], float)
        # exterior ring clockwise with y down: positive surveyor's area (MVT 2.1, 4.3.4.4)
        area = np.sum(xs * np.roll(ys, -1) - np.roll(xs, -1) * ys) / 2
        assert area > 0
        # a 200 m cell is about 200 m wide on the Web Mercator plane at these latitudes
        width_m = (xs.max() - xs.min()) / EXTENT * (maxx - minx) * math.cos(math.radians(lat))
        assert 150 < width_m < 260
        expected = cells[f["id"]]
        if math.isfinite(expected):
            assert f["properties"]["v"] == pytest.approx(expected, rel=1e-5)
        else:
            assert "v" not in f["properties"]


def test_low_zoom_blocks_are_population_weighted_means(client: TestClient) -> None:
    code, lon, lat = centre(client)
    state = app_state(client.app)  # type: ignore[arg-type]
    td = state.catalog.get(code)
    z = DETAIL_ZOOM - 3  # blocks of 8 × 8 cells
    x, y = tile_of(lon, lat, z)
    features = decode(client.get(f"/api/territories/{code}/tiles/{z}/{x}/{y}.mvt").content)
    level = state.cell_tiles(td).level(3)
    cells, _ = td.values("index")
    pop = td.cells["population"].to_numpy(float)
    assert features and len(features) < len(td.cells)
    for f in features:
        members = np.flatnonzero(level.inverse == f["id"])
        ok = np.isfinite(cells[members])
        if not ok.any():
            assert "v" not in f["properties"]
            continue
        w, v = pop[members][ok], cells[members][ok]
        expected = np.sum(w * v) / np.sum(w) if np.sum(w) > 0 else np.mean(v)
        assert f["properties"]["v"] == pytest.approx(expected, rel=1e-5)


def test_tiles_are_cached_and_climate_follows_the_horizon(client: TestClient) -> None:
    code, lon, lat = centre(client)
    state = app_state(client.app)  # type: ignore[arg-type]
    td = state.catalog.get(code)
    climate = [i for i, info in td.indicators.items() if info.climate and info.available]
    z = DETAIL_ZOOM
    x, y = tile_of(lon, lat, z)
    url = f"/api/territories/{code}/tiles/{z}/{x}/{y}.mvt"
    first = client.get(url)
    assert client.get(url).content == first.content
    assert (code, "index", td.horizon, str(z), str(x), str(y)) in state.tile_cache._tiles
    if climate:
        other = next(h for h in ("2050", "2100", "2030") if h != td.horizon)
        far = client.get(url, params={"indicator": climate[0], "horizon": other})
        cells, _ = td.values(climate[0], other)
        for f in decode(far.content):
            if "v" in f["properties"]:
                assert f["properties"]["v"] == pytest.approx(cells[f["id"]], rel=1e-5)


def test_tile_errors_are_french(client: TestClient) -> None:
    code, _, _ = centre(client)
    r = client.get(f"/api/territories/{code}/tiles/3/9/1.mvt")
    assert r.status_code == 404 and "colonne et ligne attendues entre 0 et 7" in r.json()["detail"]
    r = client.get(f"/api/territories/{code}/tiles/3/1/1.mvt", params={"indicator": "nope"})
    assert r.status_code == 404 and "indicateur inconnu" in r.json()["detail"]
    r = client.get(f"/api/territories/{code}/tiles/3/1/1.mvt", params={"horizon": "2222"})
    assert r.status_code == 404 and "horizon inconnu" in r.json()["detail"]
    assert client.get(f"/api/territories/{code}/tiles/15/1/1.mvt").status_code == 422
    assert client.get("/api/territories/inconnu/tiles/1/1/1.mvt").status_code == 404


def test_tile_cache_drops_least_recently_used() -> None:
    cache = TileCache(max_bytes=10)
    cache.put(("a",), b"12345")
    cache.put(("b",), b"12345")
    assert cache.get(("a",)) == b"12345"  # a is now the most recent
    cache.put(("c",), b"12345")
    assert cache.get(("b",)) is None and cache.get(("a",)) is not None


def _protobuf_layer(ids: np.ndarray, px: np.ndarray, py: np.ndarray, values: np.ndarray) -> bytes:
    """The reference: the same squares through mapbox-vector-tile's protobuf messages."""
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    tile = vector_tile_pb2.tile()
    layer = tile.layers.add()
    layer.version, layer.name, layer.extent = 2, LAYER, EXTENT
    dx, dy = np.diff(px, axis=1, prepend=0), np.diff(py, axis=1, prepend=0)
    keep = ~((dx[:, 1:] == 0) & (dy[:, 1:] == 0)).any(axis=1)
    ids, dx, dy, values = ids[keep], dx[keep], dy[keep], values[keep]
    if len(ids):
        layer.keys.append("v")
        distinct = np.unique(values[np.isfinite(values)])
        for value in distinct:
            layer.values.add().double_value = float(value)
        for fid, ddx, ddy, value in zip(ids, dx, dy, values, strict=True):
            pairs = zip(ddx, ddy, strict=True)
            zz = [int((int(v) << 1) ^ (int(v) >> 63)) for pair in pairs for v in pair]
            feature = layer.features.add()
            feature.id = int(fid)
            feature.type = vector_tile_pb2.tile.Polygon
            feature.geometry.extend([9, *zz[:2], 26, *zz[2:], 15])
            if np.isfinite(value):
                feature.tags.extend((0, int(np.searchsorted(distinct, value))))
    return bytes(tile.SerializeToString())


def test_numpy_encoding_is_byte_for_byte_the_protobuf_one() -> None:
    from quartiers.web.mvt import encode_squares

    rng = np.random.default_rng(16)
    for trial in range(60):
        n = int(rng.integers(0, 600))
        ids = rng.integers(0, 3_000_000 if trial % 2 else 100, n)
        x, y = rng.integers(-300, 4400, n), rng.integers(-300, 4400, n)
        size = rng.integers(0, 60, n)
        px = np.stack([x, x, x + size, x + size], axis=1)
        py = np.stack([y, y + size, y + size, y], axis=1)
        pool = [np.nan, 1.5, -2.25, 1e-7, 123456.0, np.inf, 0.0]
        values = rng.choice(pool, n) if trial % 3 else rng.normal(size=n)
        assert encode_squares(ids, px, py, values) == _protobuf_layer(ids, px, py, values), trial
