"""HTTP server on 127.0.0.1 serving files laid out like the publishers' sites.

Unlike ``faulty_server`` it answers closed byte ranges (``bytes=a-b``), as static file
servers do, so a client can read a zip's central directory and then one member; with
``ranges=False`` it ignores ``Range`` and sends the whole body (200), like servers
that do not support partial requests.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class OfficialServer:
    """Serves ``files`` by path; counts hits and bytes sent per path."""

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    ranges: bool = True
    hits: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(state: OfficialServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            state.hits[path] += 1
            body = state.files.get(self.path, state.files.get(path))
            if body is None:
                self._answer(404, b"absent", {})
                return
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
            if not (state.ranges and match):
                self._answer(200, body, {"Accept-Ranges": "bytes"} if state.ranges else {})
                return
            first, last = match.groups()
            if not first:  # suffix range: the last N bytes
                start, end = max(0, len(body) - int(last)), len(body) - 1
            else:
                start, end = int(first), min(int(last) if last else len(body) - 1, len(body) - 1)
            if start >= len(body):
                self._answer(416, b"", {"Content-Range": f"bytes */{len(body)}"})
                return
            self._answer(
                206, body[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{len(body)}"}
            )

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            state.sent[self.path.split("?")[0]] += len(body)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def start(state: OfficialServer) -> ThreadingHTTPServer:
    """Start serving ``state`` on a random local port (sets ``state.base``)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    return httpd
