"""Benchmark: latency of the QPV endpoints under 50 concurrent clients on loopback.

Serves diagnostics with uvicorn (one worker, in a child process, as ``quartiers serve``
does) and drives it with an asynchronous load generator: 50 clients, each sending requests
back to back on its own keep-alive connection. The generator is a minimal asyncio HTTP/1.1
client (so that the figures measure the server, not the client); the same load is also sent
with httpx's async client, whose own cost per request is much higher, as a cross-check.
Prints, per endpoint mix, requests per second and latency percentiles (p50, p95, p99, max),
against the target p95 < 50 ms, and the ratio to the obvious alternative: building the QPV
payload at every request (pydantic model validated and serialised from the diagnostic)
instead of sending the bytes cached at startup.

Server-rendered pages (issue 15): the territory page's throughput at 50 clients (target
≥ 300 req/s) against the page rendered at every request, and the API p95 under mixed load
(25 clients on the API and 25 on pages at once) against the API alone with 25 clients
(target: within 2×), with cached pages and with pages rendered at every request.

Run: ``.venv/bin/python benchmarks/bench_api.py [--dir DIAGNOSTIC ...] [--requests 10000] [--wrk]``
(``--pages-only``: only the page and mixed-load part). The machine's load average is printed
at the start and the end: on a shared machine the figures are only indicative.
(without ``--dir``, the demo territory is generated into a temporary folder first, ~30 s).
The load generator shares the machine with the server: figures are an upper bound of what a
client on another machine would see.

With Debian's ``wrk`` installed (``apt-get install wrk``), ``--wrk`` also prints wrk's own
latency distribution for the QPV detail endpoint, as a cross-check of the Python generator.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

TARGET_P95_MS = 50.0
TARGET_PAGE_RPS = 300
CLIENTS = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(dirs: list[str], port: int) -> None:
    """Child process: the application plus an uncached variant of the QPV endpoint."""
    import uvicorn
    from fastapi import Response

    from quartiers.settings import get_settings
    from quartiers.web import create_app
    from quartiers.web.app import app_state
    from quartiers.web.payloads import qpv_detail
    from quartiers.web.schemas import QpvDetail

    app = create_app([Path(d) for d in dirs], settings=get_settings(), contributions=False)
    state = app_state(app)

    @app.get("/bench/uncached/{code}/qpv/{code_qp}")
    async def uncached(code: str, code_qp: str) -> Response:
        td, _ = state.territory(code)
        body = QpvDetail.model_validate(qpv_detail(td, td.qpv_position(code_qp)))
        return Response(body.model_dump_json(), media_type="application/json")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def _raw_client(
    port: int, urls: list[str], count: int, out: list[float], *, gzip: bool = False
) -> None:
    """One keep-alive connection sending ``count`` GET requests one after the other.

    ``gzip``: send ``Accept-Encoding: gzip`` as every browser does.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = "Accept-Encoding: gzip, deflate, br\r\n" if gzip else ""
    try:
        for i in range(count):
            url = urls[i % len(urls)]
            start = time.perf_counter()
            writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            out.append(time.perf_counter() - start)
            if head[9:12] != b"200":
                raise RuntimeError(f"{url} : HTTP {head[9:12].decode()}")
    finally:
        writer.close()


async def _httpx_client(
    http: httpx.AsyncClient, urls: list[str], count: int, out: list[float]
) -> None:
    for i in range(count):
        start = time.perf_counter()
        response = await http.get(urls[i % len(urls)])
        await response.aread()
        out.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"{urls[i % len(urls)]} : HTTP {response.status_code}")


async def load(
    base: str,
    port: int,
    urls: list[str],
    total: int,
    *,
    generator: str = "asyncio",
    gzip: bool = False,
) -> tuple[np.ndarray, float]:
    """Send ``total`` requests from 50 concurrent clients; return latencies (s) and duration."""
    per_client = max(1, total // CLIENTS)
    latencies: list[float] = []
    warm: list[float] = []
    if generator == "asyncio":
        await asyncio.gather(
            *(_raw_client(port, urls, 10, warm, gzip=gzip) for _ in range(CLIENTS))
        )
        start = time.perf_counter()
        await asyncio.gather(
            *(
                _raw_client(
                    port,
                    urls[k % len(urls) :] + urls[: k % len(urls)],
                    per_client,
                    latencies,
                    gzip=gzip,
                )
                for k in range(CLIENTS)
            )
        )
        return np.asarray(latencies), time.perf_counter() - start
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(*(_httpx_client(http, urls, 10, warm) for _ in range(CLIENTS)))
        start = time.perf_counter()
        await asyncio.gather(
            *(_httpx_client(http, urls, per_client, latencies) for _ in range(CLIENTS))
        )
        return np.asarray(latencies), time.perf_counter() - start


async def mixed(
    port: int,
    groups: dict[str, tuple[list[str], int]],
    per_client: int,
    *,
    gzip: frozenset[str] = frozenset(),
) -> dict[str, tuple[np.ndarray, float]]:
    """Run several groups of clients at once (e.g. pages and API); latencies per group.

    Groups named in ``gzip`` send ``Accept-Encoding: gzip`` (browsers loading pages).
    """
    results: dict[str, list[float]] = {name: [] for name in groups}
    warm: list[float] = []
    await asyncio.gather(
        *(
            _raw_client(port, urls, 5, warm, gzip=name in gzip)
            for name, (urls, clients) in groups.items()
            for _ in range(clients)
        )
    )
    ends = dict.fromkeys(groups, 0.0)

    async def client(name: str, urls: list[str], k: int) -> None:
        rotated = urls[k % len(urls) :] + urls[: k % len(urls)]
        await _raw_client(port, rotated, per_client, results[name], gzip=name in gzip)
        ends[name] = max(ends[name], time.perf_counter())

    start = time.perf_counter()
    await asyncio.gather(
        *(client(name, urls, k) for name, (urls, clients) in groups.items() for k in range(clients))
    )
    # each group's rate over its own duration (the API clients may finish first)
    return {name: (np.asarray(lat), ends[name] - start) for name, lat in results.items()}


def _pages(base: str, port: int, territories: list[dict[str, str]], api: list[str], n: int) -> None:
    """Territory page throughput (target ≥ 300 req/s at 50 clients) and API p95 under mixed load.

    The alternative is the page rendered at every request (distinct ``ordre`` values beyond
    the cache's bound, so every request misses), as before the cache.
    """
    code = territories[0]["code"]
    page = [f"/territoires/{code}", f"/territoires/{code}?tri=indice"]
    uncached = [f"/territoires/{code}?ordre=x{i}" for i in range(2000)]
    print(f"\npages rendues côté serveur (cible : page territoire ≥ {TARGET_PAGE_RPS} req/s) :")
    latencies, seconds = asyncio.run(load(base, port, page, n))
    _report("GET /territoires/{code} (en cache)", latencies, seconds)
    rps = len(latencies) / seconds
    print(f"  page territoire : {rps:.0f} req/s ({'atteint' if rps >= 300 else 'MANQUÉ'})")
    latencies, seconds = asyncio.run(load(base, port, page, n, gzip=True))
    _report("  idem, Accept-Encoding: gzip (navigateur)", latencies, seconds)
    rps = len(latencies) / seconds
    print(f"  page territoire gzip : {rps:.0f} req/s ({'atteint' if rps >= 300 else 'MANQUÉ'})")
    latencies, seconds = asyncio.run(load(base, port, uncached, max(n // 10, 500)))
    _report("alternative : page rendue à chaque requête", latencies, seconds)
    half = CLIENTS // 2
    per_client = max(1, n // CLIENTS)
    alone = asyncio.run(mixed(port, {"api": (api, half)}, per_client))["api"]
    base_p95 = _report(f"API seule ({half} clients)", *alone)
    full = asyncio.run(mixed(port, {"api": (api, CLIENTS)}, per_client))["api"]
    full_p95 = _report(f"API seule ({CLIENTS} clients, même concurrence)", *full)
    for label, urls, gzip in (
        ("pages en cache", page, frozenset[str]()),
        ("pages en cache, gzip", page, frozenset({"pages"})),
        ("pages rendues à chaque fois", uncached, frozenset[str]()),
    ):
        groups = {"api": (api, half), "pages": (urls, half)}
        both = asyncio.run(mixed(port, groups, per_client, gzip=gzip))
        p95 = _report(f"API + {label} ({half} + {half} clients)", *both["api"])
        _report(f"  dont pages ({label})", *both["pages"])
        verdict = "atteint" if p95 <= 2 * base_p95 else "MANQUÉ"
        print(
            f"  p95 API en charge mixte / API seule ({half} clients) : {p95 / base_p95:.2f} "
            f"(cible ≤ 2 : {verdict})"
        )
        print(
            f"  p95 API en charge mixte / API seule ({CLIENTS} clients) : "
            f"{p95 / full_p95:.2f} (effet des pages à concurrence égale)"
        )
    print(
        "  NB : serveur saturé, clients en boucle fermée : latence moyenne ≈ clients / débit "
        "(loi de Little), donc passer de 25 à 50 clients l'augmente d'autant que le débit ne "
        "suit pas ; le second rapport, à nombre de clients égal, isole le coût des pages."
    )


def _report(name: str, latencies: np.ndarray, seconds: float) -> float:
    ms = latencies * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    verdict = "atteint" if p95 < TARGET_P95_MS else "MANQUÉ"
    print(
        f"  {name:<46} {len(ms) / seconds:6.0f} req/s  p50 {p50:5.1f} ms  p95 {p95:5.1f} ms  "
        f"p99 {p99:5.1f} ms  max {ms.max():6.1f} ms  (p95 < 50 ms : {verdict})"
    )
    return float(p95)


def _load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("le serveur s'est arrêté au démarrage")
        try:
            if httpx.get(f"{base}/api/territories", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("le serveur n'a pas répondu en 120 s")


def _wrk(base: str, url: str) -> None:
    if shutil.which("wrk") is None:
        print("wrk absent : apt-get install wrk pour le contrôle croisé")
        return
    print(f"\nwrk -t2 -c{CLIENTS} -d10s --latency {base}{url}")
    subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", "-d10s", "--latency", f"{base}{url}"], check=False
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", action="append", default=[], help="dossier de diagnostic")
    parser.add_argument("--requests", type=int, default=10_000, help="requêtes par mesure")
    parser.add_argument("--wrk", action="store_true", help="contrôle croisé avec wrk")
    parser.add_argument(
        "--pages-only", action="store_true", help="ne mesurer que les pages et la charge mixte"
    )
    parser.add_argument("--serve", nargs=2, metavar=("DIRS", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0].split(os.pathsep), int(args.serve[1]))
        return
    dirs = list(args.dir)
    tmp = None
    if not dirs:
        from quartiers.demo.pipeline import run_demo

        tmp = tempfile.TemporaryDirectory(prefix="bench-api-")
        print("génération du territoire de démonstration…", flush=True)
        run_demo(Path(tmp.name) / "demo")
        dirs = [str(Path(tmp.name) / "demo")]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", os.pathsep.join(dirs), str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait(base, proc)
        territories = httpx.get(f"{base}/api/territories").json()["items"]
        detail: list[str] = []
        uncached: list[str] = []
        lists: list[str] = []
        for t in territories:
            lists.append(f"/api/territories/{t['code']}/qpv")
            for q in httpx.get(f"{base}/api/territories/{t['code']}/qpv").json()["items"]:
                detail.append(f"/api/territories/{t['code']}/qpv/{q['code_qp']}")
                uncached.append(f"/bench/uncached/{t['code']}/qpv/{q['code_qp']}")
        n_qpv = len(detail)
        print(
            f"{len(territories)} territoire(s), {n_qpv} QPV ; {CLIENTS} clients simultanés, "
            f"{args.requests} requêtes par mesure, serveur uvicorn 1 processus, "
            f"{os.cpu_count()} cœurs partagés avec le générateur de charge ; "
            f"charge moyenne de la machine au départ : {_load_average()}\n"
        )
        if args.pages_only:
            _pages(base, port, territories, detail, args.requests)
            print(f"\ncharge moyenne de la machine à la fin : {_load_average()}")
            return
        mixes = {
            "GET /api/territories/{code}/qpv/{code_qp}": detail,
            "GET /api/territories/{code}/qpv (liste)": lists,
            "mélange liste + fiches QPV": lists + detail,
        }
        p95: dict[str, float] = {}
        print("générateur asyncio (HTTP/1.1 minimal) :")
        for name, urls in mixes.items():
            latencies, seconds = asyncio.run(load(base, port, urls, args.requests))
            p95[name] = _report(name, latencies, seconds)
        latencies, seconds = asyncio.run(load(base, port, uncached, args.requests))
        alt = _report("alternative : fiche reconstruite à chaque fois", latencies, seconds)
        cached = p95["GET /api/territories/{code}/qpv/{code_qp}"]
        print(f"rapport p95 reconstruite / en cache : {alt / cached:.2f}")
        print("\ngénérateur httpx.AsyncClient (contrôle ; le client coûte plus que le serveur) :")
        latencies, seconds = asyncio.run(load(base, port, detail, args.requests, generator="httpx"))
        _report("GET /api/territories/{code}/qpv/{code_qp}", latencies, seconds)
        _pages(base, port, territories, detail, args.requests)
        print(f"\ncharge moyenne de la machine à la fin : {_load_average()}")
        if args.wrk:
            _wrk(base, detail[0])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
