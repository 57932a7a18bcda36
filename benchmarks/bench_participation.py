"""Time the contributions store: what durability and the one-writer rule cost on SQLite.

Prints, for SQLite with ``synchronous=FULL`` (what the store uses: an acknowledged contribution
survives a power cut) against ``synchronous=NORMAL`` (the obvious faster alternative, which
may lose the last commits on a power cut), and for PostgreSQL when
``QUARTIERS_TEST_POSTGRES_URL`` is set:

- sequential submissions per second through the store;
- submissions per second and p50/p95 latency through a real uvicorn server on loopback with
  8 concurrent clients;
- the time of one argon2id password check with the default costs (each login pays it).

Run: ``.venv/bin/python benchmarks/bench_participation.py``.
"""

from __future__ import annotations

import os
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import event, text

from quartiers.participation.api import build_router
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.schemas import ContributionCreate
from quartiers.participation.security import Passwords
from quartiers.participation.store import ContributionStore

TERRITORIES = {"85191": (-1.50, 46.62, -1.36, 46.72)}
SEQUENTIAL = 300
CONCURRENT = 800
CLIENTS = 8


def _open(url: str, *, synchronous: str | None = None) -> ContributionStore:
    store = ContributionStore.open(url, TERRITORIES)
    if synchronous is not None:

        @event.listens_for(store.db.engine, "connect")
        def _pragma(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

        store.db.engine.dispose()  # new connections take the pragma
    return store


def _payload(i: int) -> dict[str, Any]:
    return {
        "territory": "85191",
        "lon": -1.43,
        "lat": 46.67,
        "category": "trop_chaud",
        "text": f"Contribution de mesure numéro {i}",
    }


def sequential_rate(store: ContributionStore) -> float:
    """Return submissions per second, one after the other, through the store."""
    items = [ContributionCreate.model_validate(_payload(i)) for i in range(SEQUENTIAL)]
    start = time.perf_counter()
    for item in items:
        store.create(item)
    return SEQUENTIAL / (time.perf_counter() - start)


def served_rate(store: ContributionStore) -> tuple[float, float, float]:
    """Return (submissions/s, p50 ms, p95 ms) through uvicorn with concurrent clients."""
    app = FastAPI()
    config = ParticipationConfig(submit_burst=10**9, submit_per_minute=10**9)
    app.include_router(build_router(store, secret_key="k" * 32, config=config))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    latencies: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        with httpx.Client(base_url=base) as http:
            for i in range(CONCURRENT // CLIENTS):
                t0 = time.perf_counter()
                response = http.post("/api/contributions", json=_payload(k * 10_000 + i))
                elapsed = time.perf_counter() - t0
                assert response.status_code == 201, response.text
                with lock:
                    latencies.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    total = time.perf_counter() - start
    server.should_exit = True
    thread.join()
    cuts = statistics.quantiles(latencies, n=20)
    return len(latencies) / total, statistics.median(latencies) * 1000, cuts[18] * 1000


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, str, str | None]] = [
            ("SQLite, synchronous=FULL (store)", f"sqlite:///{Path(tmp) / 'full.db'}", None),
            ("SQLite, synchronous=NORMAL", f"sqlite:///{Path(tmp) / 'normal.db'}", "NORMAL"),
        ]
        postgres = os.environ.get("QUARTIERS_TEST_POSTGRES_URL")
        if postgres:
            cases.append(("PostgreSQL", postgres, None))
        rates: dict[str, float] = {}
        print(f"{'moteur':36} {'séquentiel/s':>13} {'servi/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
        for label, url, synchronous in cases:
            store = _open(url, synchronous=synchronous)
            try:
                if label == "PostgreSQL":
                    with store.db.writing() as session:  # start from an empty table
                        session.execute(text("DELETE FROM contributions"))
                seq = sequential_rate(store)
                served, p50, p95 = served_rate(store)
            finally:
                store.close()
            rates[label] = seq
            print(f"{label:36} {seq:13.0f} {served:9.0f} {p50:8.1f} {p95:8.1f}")
        full, normal = rates[cases[0][0]], rates[cases[1][0]]
        print(f"coût de la durabilité (FULL / NORMAL, séquentiel) : ×{normal / full:.2f} plus lent")
    passwords = Passwords()
    stored = passwords.hash("un-mot-de-passe-solide")
    start = time.perf_counter()
    for _ in range(5):
        passwords.verify(stored, "un-mot-de-passe-solide")
    each_ms = (time.perf_counter() - start) / 5 * 1000
    print(f"vérification argon2id (coûts par défaut) : {each_ms:.0f} ms")


if __name__ == "__main__":
    main()
