"""Rendered HTML pages kept in memory, like the API payloads (issue 15).

The served diagnostics do not change while the server runs, so a page that depends only on
its path and query (territory page, home, comparison, method, downloads) is rendered once
per distinct query, in a worker thread (never on the event loop), and its bytes are reused.
The gzip form is kept too, so that a browser (which always accepts gzip) does not cost a
compression of the whole page at every request (about 1 ms for the 50 kB territory page,
more than serving it). The cache is a bounded LRU: arbitrary query strings cannot make it
grow without limit.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fastapi import Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

__all__ = ["GZIP_MINIMUM_SIZE", "PageCache"]

#: Pages smaller than this are sent as is (same threshold as the application's GZip layer).
GZIP_MINIMUM_SIZE = 2048


def _compress(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


class PageCache:
    """A bounded, thread-safe LRU of rendered pages (status 200 only), plain and gzipped."""

    def __init__(self, max_entries: int = 512) -> None:
        self._pages: OrderedDict[Hashable, tuple[bytes, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Hashable) -> bytes | None:
        """Return the cached body of ``key`` (None when absent)."""
        entry = self._entry(key)
        return None if entry is None else entry[0]

    def _entry(self, key: Hashable) -> tuple[bytes, bytes | None] | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is not None:
                self._pages.move_to_end(key)
            return entry

    def put(self, key: Hashable, body: bytes, gzipped: bytes | None = None) -> None:
        """Store the body of ``key``, evicting the least recently used beyond the bound."""
        with self._lock:
            self._pages[key] = (body, gzipped)
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)

    async def respond(
        self, key: Hashable, render: Callable[[], HTMLResponse], *, accept_encoding: str = ""
    ) -> Response:
        """Return the cached page of ``key``, or render it in a worker thread and keep it.

        ``accept_encoding`` is the request's ``Accept-Encoding`` header: when it allows gzip,
        the page is sent compressed (compressed once, then cached).
        """
        wants_gzip = "gzip" in accept_encoding.lower()
        entry = self._entry(key)
        if entry is None:
            response = await run_in_threadpool(render)
            if response.status_code != 200:
                return response
            body = bytes(response.body)
            entry = (body, _compress(body) if len(body) >= GZIP_MINIMUM_SIZE else None)
            self.put(key, *entry)
        body, gzipped = entry
        if not wants_gzip or len(body) < GZIP_MINIMUM_SIZE:
            return HTMLResponse(body)
        if gzipped is None:  # stored without its gzip form by put()
            gzipped = _compress(body)
            self.put(key, body, gzipped)
        return Response(
            gzipped,
            media_type="text/html; charset=utf-8",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
