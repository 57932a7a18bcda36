"""A real server for the crash test: uvicorn on 127.0.0.1, random port printed on stdout.

Run as ``python crash_server.py DATABASE_URL``; the test kills it with SIGKILL mid-burst.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from fastapi import FastAPI

from quartiers.participation.api import build_router
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.security import Passwords
from quartiers.participation.store import ContributionStore


def main() -> None:
    """Serve the participation router over the database given as first argument."""
    store = ContributionStore.open(
        sys.argv[1],
        {"85191": (-1.50, 46.62, -1.36, 46.72)},
        passwords=Passwords(time_cost=1, memory_cost_kib=1024, parallelism=1),
    )
    app = FastAPI()
    config = ParticipationConfig(submit_burst=1_000_000, submit_per_minute=1_000_000)
    app.include_router(build_router(store, secret_key="k" * 32, config=config))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
