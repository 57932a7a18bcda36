"""Kill the server with SIGKILL during a burst: every acknowledged contribution must survive.

A real uvicorn process serves the router on loopback; eight clients post contributions as fast
as they can; the process is killed once enough have been acknowledged (201), while requests are
still in flight. The database is then reopened: it must be readable, hold every acknowledged
contribution with its exact text, and accept new ones.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from quartiers.participation.models import Contribution
from quartiers.participation.schemas import ContributionCreate
from quartiers.participation.store import ContributionStore

from .helpers import TERRITORIES, cheap_passwords

SERVER = Path(__file__).with_name("crash_server.py")
KILL_AFTER = 60
CLIENTS = 8


def _start(db_url: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(SERVER), db_url], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    assert port.isdigit(), "le serveur n'a pas démarré"
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/api/contributions/vocabulary", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()
    raise AssertionError("le serveur ne répond pas")


@pytest.mark.slow
def test_sigkill_mid_burst_loses_no_acknowledged_contribution(db_url: str) -> None:
    ContributionStore.open(db_url, TERRITORIES).close()  # migrate before the server starts
    process, base = _start(db_url)
    acknowledged: dict[int, str] = {}
    interrupted: list[int] = []
    lock = threading.Lock()
    enough = threading.Event()

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=5) as http:
            for i in range(10_000):
                body = f"rafale client {k} envoi {i}"
                payload = {
                    "territory": "85191",
                    "lon": -1.43,
                    "lat": 46.67,
                    "category": "trop_chaud",
                    "text": body,
                }
                try:
                    response = http.post("/api/contributions", json=payload)
                except httpx.TransportError:
                    interrupted.append(k)  # in flight when the server died
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged[response.json()["id"]] = body
                        if len(acknowledged) >= KILL_AFTER:
                            enough.set()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        assert enough.wait(timeout=60), "trop peu de contributions acquittées"
    finally:
        process.kill()  # SIGKILL: no shutdown handler runs
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    for thread in threads:
        thread.join(timeout=30)
    assert process.returncode == -9
    assert len(acknowledged) >= KILL_AFTER and interrupted  # killed mid-burst

    store = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        with store.db.reading() as session:
            if store.db.dialect == "sqlite":
                assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            stored = dict(session.query(Contribution.id, Contribution.text).all())
        missing = {i: body for i, body in acknowledged.items() if stored.get(i) != body}
        assert not missing, f"{len(missing)} contribution(s) acquittée(s) perdue(s)"
        after = store.create(
            ContributionCreate(territory="85191", code_qp="QN08503I", category="idee", text="Après")
        )
        assert after.id > max(acknowledged)
    finally:
        store.close()
