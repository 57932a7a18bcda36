"""Vector tiles (Mapbox Vector Tile 2.1) of the cells, computed per ``z/x/y`` and cached.

At national size (2.3 million cells) the map cannot load the cells as GeoJSON: the
territory page then draws them from ``/api/territories/{code}/tiles/{z}/{x}/{y}.mvt``.
A tile holds one layer, ``carreaux``, whose features carry one property, ``v``: the value
of the quantity shown (index, score, indicator at a horizon); the page colours it with the
legend's breaks.

* From :data:`DETAIL_ZOOM` on, a feature is one 200 m cell. Below, cells are grouped in
  square blocks of ``2**(DETAIL_ZOOM - z)`` cells a side on the INSEE grid (EPSG:3035), so
  that a tile never holds more than a few thousand squares; a block's value is the mean of
  its cells' values weighted by their population (unweighted when none is inhabited).
* The spatial index is the INSEE grid itself: the squares of a level sorted by column then
  row (built at the first tile of the level); a tile's window, projected to EPSG:3035, is a
  range of columns (binary search) and of rows.
* Geometries are projected per tile and encoded with numpy (four corners, tile units,
  y down, clockwise exterior rings as MVT 2.1 requires; :mod:`quartiers.web.mvt`).
* Encoded tiles are kept in a least-recently-used cache bounded in bytes.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

from quartiers.errors import NotFoundError
from quartiers.web.catalog import TerritoryData
from quartiers.web.mvt import EXTENT, LAYER, encode_squares

__all__ = [
    "DETAIL_ZOOM",
    "EXTENT",
    "LAYER",
    "MAX_ZOOM",
    "CellTiles",
    "TileCache",
    "tile_bounds",
]

#: Zoom from which a feature is one 200 m cell (a cell is then about 42 tile units wide).
DETAIL_ZOOM = 11
#: Deepest zoom served (the map over-zooms beyond it).
MAX_ZOOM = 14
#: Edge of a cell of the INSEE grid (m, EPSG:3035).
CELL_SIZE = 200.0

_HALF_WORLD = math.pi * 6_378_137.0  # half the width of the Web Mercator plane (m)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the Web Mercator bounds ``(minx, miny, maxx, maxy)`` of tile ``z/x/y``.

    Raises
    ------
    NotFoundError
        A zoom outside 0–:data:`MAX_ZOOM` or a column/row outside the grid of the zoom.
    """
    if not 0 <= z <= MAX_ZOOM:
        raise NotFoundError(f"tuile {z}/{x}/{y} : zoom {z} hors de 0 à {MAX_ZOOM}")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise NotFoundError(f"tuile {z}/{x}/{y} : colonne et ligne attendues entre 0 et {n - 1}")
    size = 2 * _HALF_WORLD / n
    minx = -_HALF_WORLD + x * size
    maxy = _HALF_WORLD - y * size
    return minx, maxy - size, minx + size, maxy


@dataclass
class _Level:
    """Squares of one level: cells (level 0) or blocks of ``2**level`` cells a side.

    The spatial index is the grid itself: squares sorted by column then row of the INSEE
    grid, so the squares of a tile are a slice (binary search on the column) filtered on
    the row.
    """

    side: int  # cells a side
    inverse: IntArray  # cell row → square (level 0: the row itself)
    keys: IntArray  # (n, 2) column and row of each square, in squares of the level
    order: IntArray  # squares sorted by column then row
    columns: IntArray  # keys[order, 0]


_LOCAL = threading.local()


def _transformer(source: int, target: int) -> Transformer:
    """Return a transformer kept per thread (pyproj's are not shared between threads)."""
    cache: dict[tuple[int, int], Transformer] = _LOCAL.__dict__.setdefault("cache", {})
    if (source, target) not in cache:
        cache[(source, target)] = Transformer.from_crs(source, target, always_xy=True)
    return cache[(source, target)]


def _round_values(values: FloatArray) -> FloatArray:
    """Round to 6 significant digits, as the GeoJSON of the API does."""
    out = values.copy()
    finite = np.isfinite(out) & (out != 0)
    scale = 10.0 ** (5 - np.floor(np.log10(np.abs(out[finite]))))
    out[finite] = np.round(out[finite] * scale) / scale
    return out


@dataclass
class CellTiles:
    """The cells of one territory, ready to be cut into tiles (see module docstring)."""

    td: TerritoryData
    _origin: IntArray | None = None
    _weights: FloatArray | None = None
    _levels: dict[int, _Level] = field(default_factory=dict)
    _values: dict[tuple[str, str, int], FloatArray] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _locks: dict[object, threading.Lock] = field(default_factory=dict)

    def _grid(self) -> tuple[IntArray, FloatArray]:
        """Return the cells' lower-left grid position (in cells) and population weights."""
        if self._origin is None or self._weights is None:
            cells = self.td.diagnostic.cells
            if cells.crs is None or cells.crs.to_epsg() != 3035:
                cells = cells.to_crs(3035)
            bounds = shapely.bounds(np.asarray(cells.geometry.array))
            self._origin = np.floor(bounds[:, :2] / CELL_SIZE + 0.5).astype(np.int64)
            pop = self.td.cell_table.get("population")
            weights = np.zeros(len(bounds)) if pop is None else pop.to_numpy("float64", na_value=0)
            self._weights = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
        return self._origin, self._weights

    def warm(self, indicator: str | None = None, *, wait: Callable[[], None] | None = None) -> None:
        """Build the grid and the squares of every level now (a server of a national run),
        and the values of ``indicator`` at the diagnostic's horizon on every level.

        ``wait`` is called before each level (the server lets visitors' tiles go first).
        """
        for level in range(DETAIL_ZOOM + 1):
            if wait is not None:
                wait()
            self.level(level)
            if indicator is not None:
                self.values(indicator, self.td.horizon, level)

    def _key_lock(self, key: object) -> threading.Lock:
        """Return the lock of one thing made once (a level, a quantity's values)."""
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def level(self, level: int) -> _Level:
        """Return (and build once) the squares of a level.

        One lock per level: concurrent first tiles of a level wait for one build instead of
        each building it; tiles of levels already built never wait.
        """
        found = self._levels.get(level)
        if found is not None:
            return found
        with self._key_lock(("level", level)):
            if level not in self._levels:
                self._levels[level] = self._build_level(level)
            return self._levels[level]

    def _build_level(self, level: int) -> _Level:
        origin, _ = self._grid()
        side = 1 << level
        if level == 0:
            keys, inverse = origin, np.arange(len(origin), dtype=np.int64)
        else:  # one int64 per square (column, row): much faster than a row-wise unique
            blocks = origin // side
            packed, inverse = np.unique((blocks[:, 0] << 32) + blocks[:, 1], return_inverse=True)
            rows = (packed & 0xFFFFFFFF) - ((packed & 0x80000000) << 1)  # signed low half
            keys = np.stack([(packed - rows) >> 32, rows], axis=1)
        order = np.lexsort((keys[:, 1], keys[:, 0]))
        return _Level(
            side=side,
            inverse=np.asarray(inverse, dtype=np.int64).ravel(),
            keys=keys,
            order=order,
            columns=keys[order, 0],
        )

    def _squares(self, lvl: _Level, window: tuple[float, float, float, float]) -> IntArray:
        """Return the squares of a level that may touch a Web Mercator window (sorted)."""
        minx, miny, maxx, maxy = window
        t = np.linspace(0.0, 1.0, 9)
        xs = np.concatenate(
            [minx + (maxx - minx) * t, np.full(9, maxx), maxx - (maxx - minx) * t, np.full(9, minx)]
        )
        ys = np.concatenate(
            [np.full(9, miny), miny + (maxy - miny) * t, np.full(9, maxy), maxy - (maxy - miny) * t]
        )
        to_grid = _transformer(3857, 3035)
        gx, gy = (np.asarray(v) / (lvl.side * CELL_SIZE) for v in to_grid.transform(xs, ys))
        if not (np.isfinite(gx).all() and np.isfinite(gy).all()):
            return np.arange(len(lvl.keys), dtype=np.int64)  # world-wide tiles: every square
        lo = np.searchsorted(lvl.columns, math.floor(gx.min()) - 1, side="left")
        hi = np.searchsorted(lvl.columns, math.floor(gx.max()) + 1, side="right")
        found = lvl.order[lo:hi]
        rows = lvl.keys[found, 1]
        found = found[(rows >= math.floor(gy.min()) - 1) & (rows <= math.floor(gy.max()) + 1)]
        return np.sort(found)

    def _corners(self, lvl: _Level, squares: IntArray) -> FloatArray:
        """Return the four corners of some squares in Web Mercator, ``(n, 4, 2)``."""
        size = lvl.side * CELL_SIZE
        x0 = lvl.keys[squares, 0].astype("float64") * size
        y0 = lvl.keys[squares, 1].astype("float64") * size
        # lower-left, upper-left, upper-right, lower-right: clockwise once y points down
        xs = np.stack([x0, x0, x0 + size, x0 + size], axis=1)
        ys = np.stack([y0, y0 + size, y0 + size, y0], axis=1)
        to_mercator = _transformer(3035, 3857)
        mx, my = to_mercator.transform(xs.ravel(), ys.ravel())
        return np.stack([np.asarray(mx), np.asarray(my)], axis=1).reshape(-1, 4, 2)

    def values(self, indicator: str, horizon: str, level: int) -> FloatArray:
        """Return the value of every square of a level (population-weighted mean of cells)."""
        key = (indicator, horizon, level)
        found = self._values.get(key)
        if found is not None:
            return found
        with self._key_lock(key):  # one computation, however many first tiles ask for it
            if key not in self._values:
                self._values[key] = self._level_values(indicator, horizon, level)
            return self._values[key]

    def _level_values(self, indicator: str, horizon: str, level: int) -> FloatArray:
        cells, _ = self.td.values(indicator, horizon)
        if level == 0:
            return _round_values(np.asarray(cells, dtype="float64"))
        lvl = self.level(level)
        _, weights = self._grid()
        n = len(lvl.keys)
        ok = np.isfinite(cells)
        idx, v, w = lvl.inverse[ok], cells[ok], weights[ok]
        num, den = np.bincount(idx, w * v, n), np.bincount(idx, w, n)
        plain = np.bincount(idx, v, n) / np.maximum(np.bincount(idx, None, n), 1)
        counted = np.bincount(idx, None, n) > 0
        out = np.where(den > 0, num / np.where(den > 0, den, 1), plain)
        out = np.where(counted, out, np.nan)
        return _round_values(np.asarray(out, dtype="float64"))

    def tile(self, z: int, x: int, y: int, *, indicator: str, horizon: str) -> bytes:
        """Return tile ``z/x/y`` of a quantity at a horizon, encoded (MVT 2.1, not gzipped).

        Raises
        ------
        NotFoundError
            Tile outside the grid, or unknown quantity.
        """
        minx, miny, maxx, maxy = tile_bounds(z, x, y)
        self.td.legend(indicator, horizon)  # French 404 for an unknown quantity
        level = max(0, DETAIL_ZOOM - z)
        lvl = self.level(level)
        margin = (maxx - minx) / 64
        window = (minx - margin, miny - margin, maxx + margin, maxy + margin)
        found = self._squares(lvl, window)
        corners = self._corners(lvl, found)
        inside = (
            (corners[:, :, 0].max(axis=1) >= window[0])
            & (corners[:, :, 0].min(axis=1) <= window[2])
            & (corners[:, :, 1].max(axis=1) >= window[1])
            & (corners[:, :, 1].min(axis=1) <= window[3])
        )
        found, corners = found[inside], corners[inside]
        values = self.values(indicator, horizon, level)[found]
        scale = EXTENT / (maxx - minx)
        px = np.rint((corners[:, :, 0] - minx) * scale).astype(np.int64)
        py = np.rint((maxy - corners[:, :, 1]) * scale).astype(np.int64)
        return encode_squares(found, px, py, values)


@dataclass
class TileCache:
    """Encoded tiles kept in memory, least recently used dropped beyond ``max_bytes``."""

    max_bytes: int = 256 * 1024 * 1024
    _tiles: OrderedDict[tuple[str, ...], bytes] = field(default_factory=OrderedDict)
    _size: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[str, ...]) -> bytes | None:
        """Return a cached tile (and mark it recently used), or None."""
        with self._lock:
            body = self._tiles.get(key)
            if body is not None:
                self._tiles.move_to_end(key)
            return body

    def put(self, key: tuple[str, ...], body: bytes) -> None:
        """Keep a tile, dropping the least recently used ones beyond the byte budget."""
        with self._lock:
            if key in self._tiles:
                return
            self._tiles[key] = body
            self._size += len(body)
            while self._size > self.max_bytes and len(self._tiles) > 1:
                _, old = self._tiles.popitem(last=False)
                self._size -= len(old)
