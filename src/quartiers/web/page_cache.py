"""Rendered HTML pages kept in memory, like the API payloads (issue 15).

The served diagnostics do not change while the server runs, so a page that depends only on
its path and query (territory page, home, comparison, method, downloads) is rendered once
per distinct query, in a worker thread (never on the event loop), and its bytes are reused.
The cache is a bounded LRU: arbitrary query strings cannot make it grow without limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

__all__ = ["PageCache"]


class PageCache:
    """A bounded, thread-safe LRU of rendered pages (status 200 only)."""

    def __init__(self, max_entries: int = 512) -> None:
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Hashable) -> bytes | None:
        """Return the cached body of ``key`` (None when absent)."""
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        """Store the body of ``key``, evicting the least recently used beyond the bound."""
        with self._lock:
            self._pages[key] = body
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)

    async def respond(self, key: Hashable, render: Callable[[], HTMLResponse]) -> HTMLResponse:
        """Return the cached page of ``key``, or render it in a worker thread and keep it."""
        body = self.get(key)
        if body is None:
            response = await run_in_threadpool(render)
            if response.status_code != 200:
                return response
            body = bytes(response.body)
            self.put(key, body)
        return HTMLResponse(body)
