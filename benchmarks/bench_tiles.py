"""Benchmark: the cells' vector tiles at national size, 50 concurrent clients (issue 16).

Serves a diagnostic with uvicorn (one process, in a child process, as ``quartiers serve``
does) and sends, from 50 concurrent keep-alive clients, the tile requests of people
browsing the map: for ``--views`` QPV drawn at random, the tiles a 1366×768 map shows
around the QPV at zooms 6, 8, 10, 12 and 14. Prints p50/p95/p99/max latency

* cold: every tile asked for the first time (cut from the cells, encoded, cached);
* warm: the same tiles again (served from the cache);

then the obvious alternative, one GeoJSON of every cell (only the value, as the tiles
carry; each cell as its lon/lat bounding rectangle, to 1e-6°): its size, the time to
build it, and the time one client takes to receive it (50 clients at once would make
the server buffer 50 copies: not measured, it does not fit in 24 GiB). Last, the
home page, a région page and the territory page: server time at the first request
(rendered) and the next (cached), and their size; with ``--browser``, the time until
each page is loaded and its map drawn in headless Chromium (``/usr/bin/chromium``),
against the 2 s target.

Run: ``.venv/bin/python benchmarks/bench_tiles.py --dir NATIONAL_DIAGNOSTIC [--browser]``
(the national diagnostic: ``quartiers demo --echelle france --out F`` then ``quartiers
diagnose --territory france`` on it, see docs/scale.md); without ``--dir``, the small
fictitious France (``france-essai``) is generated and diagnosed into a temporary folder.
The load generator shares the machine with the server: figures are an upper bound.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CLIENTS = 50
TARGET_PAGE_S = 2.0
ZOOMS = (6, 8, 10, 12, 14)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(directory: str, port: int) -> None:
    """Child process: the application plus the one-GeoJSON alternative."""
    import uvicorn
    from fastapi import Response

    from quartiers.settings import get_settings
    from quartiers.web import create_app
    from quartiers.web.app import app_state

    app = create_app([Path(directory)], settings=get_settings(), contributions=False)
    whole: dict[str, bytes] = {}

    @app.get("/bench/{code}/cells.geojson")
    def one_geojson(code: str) -> Response:  # the alternative: every cell at once
        if code not in whole:
            td = app_state(app).catalog.get(code)
            values, _ = td.values("index")
            coords = np.round(td.cell_bounds, 6)
            parts = []
            for v, (a, b, c, d) in zip(values, coords.tolist(), strict=True):
                value = "null" if not math.isfinite(v) else repr(round(float(v), 6))
                ring = f"[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]"
                parts.append(
                    f'{{"type":"Feature","properties":{{"v":{value}}},'
                    f'"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}'
                )
            whole[code] = (
                '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
            ).encode()
        return Response(whole[code], media_type="application/geo+json")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _wait(base: str, proc: subprocess.Popen[bytes]) -> float:
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < 1800:
        if proc.poll() is not None:
            raise SystemExit("le serveur s'est arrêté au démarrage")
        try:
            if httpx.get(base + "/api/territories", timeout=5).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("le serveur n'a pas répondu en 30 min")


async def _client(port: int, urls: list[str], out: list[float], sizes: list[int]) -> None:
    """One keep-alive connection sending its GET requests one after the other."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for url in urls:
            start = time.perf_counter()
            writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            left = length
            while left:  # read and drop: 50 copies of a 400 MB GeoJSON would not fit
                chunk = await reader.read(min(left, 2**20))
                if not chunk:
                    raise RuntimeError(f"{url} : connexion fermée par le serveur")
                left -= len(chunk)
            out.append(time.perf_counter() - start)
            sizes.append(length)
            if head[9:12] != b"200":
                raise RuntimeError(f"{url} : HTTP {head[9:12].decode()}")
    finally:
        writer.close()


def run_load(
    port: int, urls: list[str], *, clients: int = CLIENTS
) -> tuple[np.ndarray, np.ndarray, float]:
    """Share ``urls`` among concurrent clients; return latencies (s), sizes, duration."""
    latencies: list[float] = []
    sizes: list[int] = []

    async def main() -> None:
        await asyncio.gather(
            *(_client(port, urls[k::clients], latencies, sizes) for k in range(clients))
        )

    start = time.perf_counter()
    asyncio.run(main())
    return np.asarray(latencies), np.asarray(sizes), time.perf_counter() - start


def _tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2**z
    x = (lon + 180) / 360 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return x, y


def tile_urls(code: str, centres: list[tuple[float, float]]) -> list[str]:
    """Return the tiles a 1366×768 map (512 px tiles) shows around each centre, per zoom."""
    urls: list[str] = []
    for lon, lat in centres:
        for z in ZOOMS:
            fx, fy = _tile(lon, lat, z)
            n = 2**z
            for dx in range(-2, 2):  # 1366 px ≈ 2.7 tiles, 768 px ≈ 1.5 tiles of 512 px
                for dy in range(-1, 1):
                    x, y = int(fx) + dx, int(fy) + dy
                    if 0 <= x < n and 0 <= y < n:
                        urls.append(f"/api/territories/{code}/tiles/{z}/{x}/{y}.mvt")
    return list(dict.fromkeys(urls))


def _line(name: str, lat: np.ndarray, sizes: np.ndarray, seconds: float) -> None:
    ms = lat * 1000
    print(
        f"{name:<34} {len(lat):>6} {np.percentile(ms, 50):>8.1f} {np.percentile(ms, 95):>8.1f} "
        f"{np.percentile(ms, 99):>8.1f} {ms.max():>8.1f} {sizes.mean() / 1024:>10.1f} "
        f"{len(lat) / seconds:>8.0f}"
    )


def _essai() -> Path:
    from quartiers.demo.national import FILES, generate_france
    from quartiers.diagnostic import RobustnessOptions
    from quartiers.diagnostic.pipeline import diagnose
    from quartiers.settings import get_settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-tiles-"))
    generate_france(tmp / "essai", echelle="france-essai")
    settings = get_settings(offline=True, cache_dir=tmp / "c", workspace_dir=tmp / "w")
    sources = {k: tmp / "essai" / rel for k, rel in FILES.items()}
    skip = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo")
    fast = RobustnessOptions(uncertainty=False, hotspots=False)
    diagnose("france", sources=sources, skip=skip, settings=settings, robustness=fast).write(
        tmp / "out"
    )
    return tmp / "out"


def pages(base: str, code: str, region: str | None) -> None:
    """Print the server time of the three pages, rendered then cached, and their size."""
    import httpx

    paths = ["/", f"/territoires/{code}"]
    if region:
        paths.append(f"/territoires/{code}/regions/{region}")
    print(f"\n{'page':<40} {'1re (s)':>8} {'suivante (s)':>13} {'Ko':>8} {'Ko gzip':>8}")
    with httpx.Client(base_url=base, timeout=120) as http:
        for path in paths:
            times, size = [], 0
            for _ in range(2):
                start = time.perf_counter()
                r = http.get(path, headers={"Accept-Encoding": "identity"})
                times.append(time.perf_counter() - start)
                size = len(r.content)
            gz = http.get(path, headers={"Accept-Encoding": "gzip"})
            zipped = int(gz.headers.get("content-length", len(gz.content)))
            kb, kb_gz = size / 1024, zipped / 1024
            print(f"{path:<40} {times[0]:>8.2f} {times[1]:>13.3f} {kb:>8.0f} {kb_gz:>8.0f}")


def browser(base: str, code: str, region: str | None, shots: Path) -> None:
    """Print the time until each map page's map is drawn in headless Chromium."""
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
    ]
    paths = ["/", f"/territoires/{code}"] + (
        [f"/territoires/{code}/regions/{region}"] if region else []
    )
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        print(f"\n{'page (Chromium, 1366×768)':<40} {'chargée (s)':>12} {'carte prête (s)':>16}")
        for path in paths:
            start = time.perf_counter()
            page.goto(base + path, wait_until="load")
            loaded = time.perf_counter() - start
            ready = float("nan")
            if page.locator("#carte").count():
                page.wait_for_selector("#carte[data-etat=prete]", timeout=120_000)
                ready = time.perf_counter() - start
            name = path.strip("/").replace("/", "-") or "accueil"
            page.screenshot(path=str(shots / f"{name}.png"))
            verdict = (
                "tenu"
                if max(loaded, 0 if math.isnan(ready) else ready) <= TARGET_PAGE_S
                else "NON tenu"
            )
            print(f"{path:<40} {loaded:>12.2f} {ready:>16.2f}  ({verdict} : ≤ {TARGET_PAGE_S:g} s)")
        chromium.close()
    print(f"captures : {shots}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="dossier du diagnostic national (défaut : france-essai)")
    parser.add_argument("--views", type=int, default=40, help="QPV regardés (défaut 40)")
    parser.add_argument("--port", type=int, default=0, help="port du serveur (défaut : libre)")
    parser.add_argument("--browser", action="store_true", help="mesurer aussi dans Chromium")
    parser.add_argument("--skip-geojson", action="store_true", help="sans l'alternative GeoJSON")
    parser.add_argument("--shots", default=str(Path(tempfile.gettempdir()) / "bench-tiles"))
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    directory = Path(args.dir) if args.dir else _essai()
    import geopandas as gpd

    qpv = gpd.read_parquet(directory / "qpv.parquet").to_crs(4326)
    rng = np.random.default_rng(16)
    picked = rng.choice(len(qpv), size=min(args.views, len(qpv)), replace=False)
    centres = [(p.x, p.y) for p in qpv.geometry.iloc[np.sort(picked)].representative_point()]
    code = _code(directory)
    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"charge de la machine au début : {os.getloadavg()[0]:.1f} (2 cœurs)")
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(directory), str(port)])
    try:
        print(f"serveur prêt en {_wait(base, proc):.1f} s ({len(qpv)} QPV)")
        pages(base, code, _region(qpv))
        if args.browser:
            browser(base, code, _region(qpv), Path(args.shots))
        urls = tile_urls(code, centres)
        print(
            f"\n{CLIENTS} clients, {len(urls)} tuiles distinctes "
            f"(zooms {', '.join(map(str, ZOOMS))})"
        )
        print(
            f"{'mesure':<34} {'requêtes':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'max ms':>8} {'Ko moy.':>10} {'req/s':>8}"
        )
        cold = run_load(port, urls)
        _line("tuiles MVT, 1re demande", *cold)
        warm = run_load(port, urls * 3)
        _line("tuiles MVT, en cache", *warm)
        if args.skip_geojson:
            return
        start = time.perf_counter()
        first = run_load(port, [f"/bench/{code}/cells.geojson"])
        built = time.perf_counter() - start
        # one client at a time: 50 at once would buffer 50 copies in the server (OOM here)
        whole = run_load(port, [f"/bench/{code}/cells.geojson"], clients=1)
        _line("un GeoJSON de tous les carreaux", *whole)
        size = first[1][0] / 2**20
        print(
            f"  GeoJSON : {size:.0f} Mo, construit et envoyé en {built:.1f} s "
            f"({built / (np.percentile(cold[0], 95)):.1f}× le p95 des tuiles en 1re demande à "
            f"{CLIENTS} clients) ; {CLIENTS} clients à la fois demanderaient "
            f"{CLIENTS * size / 1024:.1f} Gio de tampons au serveur (non mesuré)"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"charge de la machine à la fin : {os.getloadavg()[0]:.1f}")


def _code(directory: Path) -> str:
    import json

    run = json.loads((directory / "run.json").read_text(encoding="utf-8"))
    return str(run.get("territory", {}).get("code") or directory.name)


def _region(qpv: object) -> str | None:
    from quartiers.sources.territory_codes import DEPARTEMENTS, departement_code

    coms = qpv["insee_com"].astype(str)  # type: ignore[index]
    regions = [DEPARTEMENTS.get(departement_code(c), ("", ""))[1] for c in coms]
    return max(set(regions), key=regions.count) if regions else None


if __name__ == "__main__":
    main()
