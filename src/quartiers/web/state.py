"""Everything the routes share, built once when the application starts.

:func:`create_app <quartiers.web.app.create_app>` keeps it in ``app.state.web``; the routers,
defined at module level, receive it through the :data:`State` dependency.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from quartiers.outputs.quantities import INDEX_ID
from quartiers.schemas import HORIZONS
from quartiers.settings import Settings
from quartiers.web.catalog import Catalog, TerritoryData
from quartiers.web.contributions import Contributions, disabled
from quartiers.web.features import TILE_THRESHOLD
from quartiers.web.page_cache import PageCache
from quartiers.web.payloads import TerritoryPayloads, build_payloads
from quartiers.web.schemas import MethodDescription
from quartiers.web.territory_parts import TerritoryParts
from quartiers.web.tile_store import TileDisk, TileKey, precut
from quartiers.web.tiles import CellTiles, TileCache

__all__ = ["State", "WebState", "build_state", "web_state"]

logger = logging.getLogger(__name__)


class InFlight:
    """Count the tiles being made for visitors; the work ahead waits while there are some.

    The background thread (tile index, low zooms) shares the interpreter with the request
    threads: cutting ahead while visitors wait for their first tiles slowed every one of them.
    """

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1

    def wait_idle(self, *, step: float = 0.05, most: float = 5.0) -> None:
        """Return once no tile is being made for a visitor (or after ``most`` seconds)."""
        waited = 0.0
        while self._count and waited < most:
            time.sleep(step)
            waited += step


@dataclass
class WebState:
    """Loaded territories, their cached payloads, settings and contributions.

    Attributes
    ----------
    catalog
        The territories served.
    payloads
        Serialised payloads by territory code.
    settings
        Settings the app was created with (basemap, database).
    contributions
        Residents' contributions (disabled adapter when not mounted).
    all_qpv
        Every QPV of every territory as ``(territory code, row)``, in territory order.
    method_json
        The ``/api/method`` payload.
    pages
        Rendered pages that depend only on their path and query.
    made_files
        Downloads made from the loaded diagnostic, by ``(territory code, file name)``.
    tiles
        The cells of each territory ready to be cut into vector tiles (made at first tile).
    tile_cache
        Encoded vector tiles, least recently used dropped first.
    parts
        What the territory pages format once (QPV rows, shown values, régions).
    tile_disks
        Tiles kept on disk by territory (territories served as tiles only).
    tile_requests
        Tiles being made for visitors (the work ahead waits for them).
    """

    catalog: Catalog
    payloads: dict[str, TerritoryPayloads]
    settings: Settings
    contributions: Contributions = field(default_factory=lambda: disabled("non configurées"))
    all_qpv: list[tuple[str, int]] = field(default_factory=list)
    method_json: bytes = b""
    pages: PageCache = field(default_factory=PageCache)
    made_files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    tiles: dict[str, CellTiles] = field(default_factory=dict)
    tile_cache: TileCache = field(default_factory=TileCache)
    parts: dict[str, TerritoryParts] = field(default_factory=dict)
    tile_disks: dict[str, TileDisk] = field(default_factory=dict)
    tile_requests: InFlight = field(default_factory=lambda: InFlight())

    def territory(self, code: str) -> tuple[TerritoryData, TerritoryPayloads]:
        """Return a territory and its payloads (raises ``NotFoundError`` when unknown)."""
        td = self.catalog.get(code)
        return td, self.payloads[td.code]

    def territory_parts(self, td: TerritoryData) -> TerritoryParts:
        """Return what the pages of a territory format once."""
        return self.parts.setdefault(td.code, TerritoryParts(td))

    def tile_body(self, td: TerritoryData, key: TileKey) -> bytes:
        """Return tile ``key`` from memory, else from disk, else cut it (and keep it).

        ``key`` is ``(territory, indicator, horizon, z, x, y)``; blocking (a worker thread).
        """
        body = self.tile_cache.get(key)
        if body is not None:
            return body
        with self.tile_requests:
            return self._tile_made(td, key)

    def _tile_made(self, td: TerritoryData, key: TileKey) -> bytes:
        disk = self.tile_disks.get(td.code)
        body = disk.get(key) if disk is not None else None
        if body is None:
            _, indicator, horizon, z, x, y = key
            body = self.cell_tiles(td).tile(
                int(z), int(x), int(y), indicator=indicator, horizon=horizon
            )
            if disk is not None:
                disk.put(key, body)
        self.tile_cache.put(key, body)
        return body

    def cell_tiles(self, td: TerritoryData) -> CellTiles:
        """Return the tile maker of a territory (its grids are built at the first tiles)."""
        return self.tiles.setdefault(td.code, CellTiles(td))


def _method(catalog: Catalog, payloads: dict[str, TerritoryPayloads]) -> bytes:
    indicators: dict[str, object] = {}
    for td in catalog:
        for ind, info in td.indicators.items():
            # an indicator available in one territory is shown as available
            if ind not in indicators or info.available:
                indicators[ind] = info.as_dict()
    data = {
        "horizons": [{"id": h, "label": label} for h, label in HORIZONS.items()],
        "indicators": list(indicators.values()),
        "territories": [payloads[td.code].method for td in catalog],
    }
    return MethodDescription.model_validate(data).model_dump_json().encode("utf-8")


def build_state(catalog: Catalog, settings: Settings) -> WebState:
    """Build the payload caches of every territory."""
    payloads = {td.code: build_payloads(td) for td in catalog}
    all_qpv = [(td.code, i) for td in catalog for i in range(len(td.qpv))]
    tiles = {td.code: CellTiles(td) for td in catalog if len(td.cell_table) > TILE_THRESHOLD}
    parts = {td.code: TerritoryParts(td) for td in catalog}
    for part in parts.values():  # the first page of each territory should not wait either
        part.warm()
    state = WebState(
        catalog=catalog,
        payloads=payloads,
        settings=settings,
        all_qpv=all_qpv,
        method_json=_method(catalog, payloads),
        tiles=tiles,
        parts=parts,
        tile_disks={
            code: TileDisk.for_territory(settings.cache_dir, catalog.get(code)) for code in tiles
        },
    )
    for code in tiles:  # the tile index and the low zooms everyone sees first: in the background
        td = catalog.get(code)
        threading.Thread(
            target=_precut, args=(state, td), name=f"tuiles-{code}", daemon=True
        ).start()
    return state


def _precut(state: WebState, td: TerritoryData) -> None:
    """Build the tile index and the index's values, then cut the low zooms (background).

    Each step first lets the visitors' tiles being made finish (:class:`InFlight`).
    """
    wait = state.tile_requests.wait_idle
    state.cell_tiles(td).warm(INDEX_ID, wait=wait)

    def ahead(key: TileKey) -> bytes:
        wait()
        return state._tile_made(td, key) if state.tile_cache.get(key) is None else b""

    count = precut(td, ahead, indicator=INDEX_ID)
    logger.info("%s : %d tuiles des petits zooms prêtes", td.code, count)


async def web_state(request: Request) -> WebState:
    """Return the state of the application serving ``request`` (a FastAPI dependency).

    Asynchronous on purpose: FastAPI runs a synchronous dependency in a worker thread, which
    would cost more than the cached API answers themselves.
    """
    state: WebState = request.app.state.web
    return state


#: The application state, as a route parameter.
State = Annotated[WebState, Depends(web_state)]
