"""Vector tiles kept on disk, and the low zooms cut ahead (issue 16, national size).

Cutting a tile of 2.3 million cells takes tens to hundreds of milliseconds; under 50 clients
the first requests queued behind each other. Two remedies, for territories served as tiles:

* every tile cut is also written to a disk cache (``<cache_dir>/tuiles/<territory>-<key>/``,
  ``key`` derived from the diagnostic folder and its ``run.json``: another diagnostic never
  reads these tiles), atomically (temporary file then rename), and read from there after a
  restart;
* at startup, a background thread cuts the tiles of zooms 0 to :data:`PRECUT_MAX_ZOOM` over
  the territory for the quantity shown first (the index): the whole of France at these
  zooms is some two hundred tiles, the ones every visitor sees first.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from quartiers.web.catalog import TerritoryData

__all__ = ["PRECUT_MAX_ZOOM", "TileDisk", "TileKey", "precut", "tiles_over"]

logger = logging.getLogger(__name__)

#: Zooms cut ahead at startup (0 to this one included).
PRECUT_MAX_ZOOM = 8

TileKey = tuple[str, ...]  # (territory, indicator, horizon, z, x, y)


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_over(bbox: tuple[float, float, float, float], z: int) -> Iterator[tuple[int, int]]:
    """Yield the ``(x, y)`` of the zoom-``z`` tiles covering a lon/lat box."""
    x0, y0 = _tile_xy(bbox[0], bbox[3], z)
    x1, y1 = _tile_xy(bbox[2], bbox[1], z)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield x, y


@dataclass
class TileDisk:
    """Encoded tiles of one territory on disk (see module docstring); None root: disabled."""

    root: Path | None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_territory(cls, cache_dir: Path, td: TerritoryData) -> TileDisk:
        """Return the tile folder of a served diagnostic under ``cache_dir/tuiles``."""
        run = td.directory / "run.json"
        try:
            stat = run.stat()
            stamp = f"{td.directory.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        except OSError:
            return cls(None)
        key = hashlib.sha256(stamp.encode("utf-8")).hexdigest()[:16]
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in td.code)
        return cls(Path(cache_dir) / "tuiles" / f"{safe}-{key}")

    def _path(self, key: TileKey) -> Path:
        assert self.root is not None
        _, indicator, horizon, z, x, y = key
        return self.root / f"{indicator}-{horizon}" / z / x / f"{y}.mvt"

    def get(self, key: TileKey) -> bytes | None:
        """Return a tile written earlier, or None."""
        if self.root is None:
            return None
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: TileKey, body: bytes) -> None:
        """Write a tile atomically; on a disk error, say so once and stop writing."""
        if self.root is None:
            return
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(body)
            os.replace(tmp, path)
        except OSError as exc:
            with self._lock:
                if self.root is not None:
                    logger.warning(
                        "%s : tuiles non gardées sur disque (%s) ; elles restent en mémoire",
                        self.root,
                        exc,
                    )
                    self.root = None
            tmp.unlink(missing_ok=True)


def precut(
    td: TerritoryData,
    tile: Callable[[TileKey], bytes],
    *,
    indicator: str,
    max_zoom: int = PRECUT_MAX_ZOOM,
) -> int:
    """Cut (or read back) the tiles of zooms 0 to ``max_zoom`` over a territory.

    ``tile`` is the server's own path (memory, disk, then cut and keep); returns the number
    of tiles. Errors are logged: cutting ahead is an optimisation, never a failure.
    """
    count = 0
    for z in range(max_zoom + 1):
        for x, y in tiles_over(td.bbox, z):
            key = (td.code, indicator, td.horizon, str(z), str(x), str(y))
            try:
                tile(key)
            except Exception as exc:
                logger.warning("tuile %s/%s/%s non découpée à l'avance : %s", z, x, y, exc)
                continue
            count += 1
    return count
