"""Threaded HTTP server on 127.0.0.1 with scripted faults (drops, 404/500, corruption)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAYLOAD = bytes(range(256)) * 800  # 204,800 bytes


@dataclass
class FaultyServer:
    """Serves files by path; ``faults`` scripts the first answers of each path."""

    base: str
    files: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    ranges: list[str] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(state: FaultyServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            path = self.path
            state.hits[path] += 1
            script = state.faults.get(path.split("?")[0], [])
            fault = script.pop(0) if script else "ok"
            body = state.files.get(path) or state.files.get(path.split("?")[0])
            if fault.isdigit():
                self._send(int(fault), b"erreur")
                return
            if body is None:
                self._send(404, b"absent")
                return
            if fault == "corrupt":
                body = body[:-1] + bytes([body[-1] ^ 0xFF])
            start = 0
            ranged = self.headers.get("Range")
            if ranged:
                state.ranges.append(ranged)
            if ranged and fault != "norange":
                start = int(ranged.split("=")[1].split("-")[0])
            status = 206 if start else 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Accept-Ranges", "bytes")
            for key, value in state.headers.get(path, {}).items():
                self.send_header(key, value)
            self.end_headers()
            chunk = body[start:]
            if fault in ("drop", "norange"):
                self.wfile.write(chunk[: len(chunk) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(chunk)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def json_bytes(value: object) -> bytes:
    """Return ``value`` as UTF-8 JSON bytes."""
    return json.dumps(value).encode("utf-8")


def start(state: FaultyServer) -> ThreadingHTTPServer:
    """Start serving ``state`` on a random local port (sets ``state.base``)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    return httpd
