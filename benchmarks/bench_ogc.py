"""Benchmark: OGC API – Features pages of cells, against the JSON API's cached cell bytes.

Builds the application over a diagnostic (in process, no network), then times a page of
``--limit`` cells from ``/ogc/collections/<code>-cells/items`` in CRS84 and in Lambert-93
(features serialised at each request, full precision properties, reprojection for
EPSG:2154) and, as the obvious alternative, the same number of cells from
``/api/territories/<code>/cells`` (GeoJSON bytes serialised once at startup, 6 significant
digits). Prints the median time per page and the ratio, and the time to read the whole
cells collection with GDAL's ``OAPIF:`` driver page by page against a uvicorn child process.

Run: ``.venv/bin/python benchmarks/bench_ogc.py --dir DIAGNOSTIC [--limit 1000] [--repeat 20]``
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fastapi.testclient import TestClient


def _median_ms(client: TestClient, url: str, params: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, params=params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text[:300]
    return 1000 * statistics.median(times)


def _gdal_read(directory: Path, layer: str, page: int) -> tuple[float, int]:
    import pyogrio

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = str(Path(sys.executable).with_name("quartiers"))
    env = {**os.environ, "QUARTIERS_DATABASE_URL": "sqlite:///:memory:"}
    proc = subprocess.Popen(
        [command, "serve", str(directory), "--port", str(port), "--sans-contributions"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/ogc"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{url}/conformance", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        start = time.perf_counter()
        frame = pyogrio.read_dataframe(f"OAPIF:{url}", layer=layer, PAGE_SIZE=page)
        return time.perf_counter() - start, len(frame)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True, help="dossier de diagnostic")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from quartiers.settings import get_settings
    from quartiers.web import create_app
    from quartiers.web.app import app_state

    start = time.perf_counter()
    app = create_app([args.dir], settings=get_settings(), contributions=False)
    elapsed = time.perf_counter() - start
    print(f"démarrage de l'application (collections OGC comprises) : {elapsed:.1f} s")
    td = next(iter(app_state(app).catalog))
    box = ",".join(f"{v:.6f}" for v in td.bbox)
    limit = str(args.limit)
    with TestClient(app) as client:
        ogc = f"/ogc/collections/{td.code}-cells/items"
        crs84 = _median_ms(client, ogc, {"limit": limit}, args.repeat)
        l93 = _median_ms(
            client,
            ogc,
            {"limit": limit, "crs": "http://www.opengis.net/def/crs/EPSG/0/2154"},
            args.repeat,
        )
        api = _median_ms(
            client, f"/api/territories/{td.code}/cells", {"bbox": box, "limit": limit}, args.repeat
        )
    print(f"page de {limit} carreaux, médiane sur {args.repeat} requêtes :")
    print(f"  /ogc items, CRS84         : {crs84:8.1f} ms")
    print(f"  /ogc items, EPSG:2154     : {l93:8.1f} ms")
    print(f"  /api cells (octets en cache) : {api:8.1f} ms  (rapport OGC/API : {crs84 / api:.1f})")
    seconds, count = _gdal_read(args.dir, f"{td.code}-cells", args.limit)
    print(f"lecture GDAL OAPIF de {count} carreaux par pages de {limit} : {seconds:.2f} s")


if __name__ == "__main__":
    main()
