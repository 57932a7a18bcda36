"""Fixtures of the web tests: real diagnostics (demo, one of its communes, La Roche-sur-Yon),
the application, a live uvicorn server on 127.0.0.1 and a fresh page of the session's headless
Chromium (``browser``, in ``tests/conftest.py``)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from quartiers.outputs.quantities import ACCESS_EXTRAS
from quartiers.settings import Settings, get_settings


@pytest.fixture(scope="session")
def demo_dir(demo_run: Any) -> Path:
    """Return the demo diagnostic directory (read-only)."""
    return Path(demo_run.out_dir)


@pytest.fixture(scope="session")
def commune_dir(demo_run: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Diagnose only the commune Ville-Témoin (00001) from the demo inputs: a second territory
    sharing its QPV codes with the agglomeration."""
    from quartiers.demo.generator import FILES
    from quartiers.diagnostic import run_diagnostic
    from quartiers.sources.load import load_inputs

    out = tmp_path_factory.mktemp("commune")
    inputs_dir = Path(demo_run.inputs_dir)
    sources = {k: inputs_dir / rel for k, rel in FILES.items() if k != "places"}
    settings = get_settings(workspace_dir=out / ".espace", cache_dir=out / ".espace" / "cache")
    inputs = load_inputs("00001", sources, settings=settings, use_workspace=False)
    run_diagnostic(inputs).write(out)
    return out


#: Optional outputs of other modules (uncertainty, Sobol, hotspots, walking-access summaries;
#: every `dist_*_m` and access share is dropped too, see `bare_dir`).
OPTIONAL_QPV_COLUMNS = (
    "rank_median",
    "rank_low",
    "rank_high",
    "p_top_quintile",
    "p_top_quintile_se",
    "robust_top_quintile",
    "share_residents_top_quintile_cells",
    "share_residents_top_quintile_cells_low",
    "share_residents_top_quintile_cells_high",
    "main_driver",
    "sobol_total_normalisation",
    "sobol_total_aggregation",
    "sobol_total_weights",
    "sobol_total_dimension_weights",
    "sobol_total_indicators",
    "sobol_total_imputed",
    "hotspot_cell_share",
    "hotspot_population_share",
    "hotspot_draw_share",
    "dist_cool_outdoor_m",
    "dist_cool_indoor_m",
    "dist_care_m",
    "dist_information_m",
    "dist_drinking_water_m",
    "share_beyond_300m_cool_outdoor",
    "share_not_connected",
)


@pytest.fixture(scope="session")
def bare_dir(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copy of the demo without the optional outputs of other modules (no uncertainty,
    no hotspots layer, no walking-access summaries), as an older diagnostic would be."""
    out = tmp_path_factory.mktemp("nu")
    for path in demo_dir.iterdir():
        if path.is_file() and path.name != "hotspots.parquet":
            shutil.copy2(path, out / path.name)
    qpv = gpd.read_parquet(out / "qpv.parquet")
    access = [
        c for c in qpv.columns if (c.startswith("dist_") and c.endswith("_m")) or c in ACCESS_EXTRAS
    ]
    optional = [c for c in OPTIONAL_QPV_COLUMNS if c in qpv.columns]
    qpv.drop(columns=list(dict.fromkeys([*optional, *access]))).to_parquet(out / "qpv.parquet")
    return out


@pytest.fixture(scope="session")
def national_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fictitious France (``france-essai``: 6,500 cells, 26 QPV, 13 régions)
    diagnosed without the optional sources, served at national size once thresholds are
    lowered (``test_national_web``, ``test_national_browser``)."""
    from quartiers.demo.national import FILES, generate_france
    from quartiers.diagnostic import RobustnessOptions
    from quartiers.diagnostic.pipeline import diagnose

    tmp = tmp_path_factory.mktemp("national-web")
    generate_france(tmp / "essai", echelle="france-essai")
    settings = get_settings(offline=True, cache_dir=tmp / "cache", workspace_dir=tmp / "ws")
    sources = {k: tmp / "essai" / rel for k, rel in FILES.items()}
    fast = RobustnessOptions(uncertainty=False, hotspots=False)
    skip = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo")
    diag = diagnose("france", sources=sources, skip=skip, settings=settings, robustness=fast)
    diag.write(tmp / "out")
    return tmp / "out"


def lower_national_thresholds(mp: pytest.MonkeyPatch) -> None:
    """Serve ``national_dir`` as a national run: tiles above 1,000 cells, 10 QPV a page."""
    from quartiers.web import payloads, qpv_list, state, views

    mp.setattr(views, "TILE_THRESHOLD", 1000)
    mp.setattr(payloads, "TILE_THRESHOLD", 1000)
    mp.setattr(state, "TILE_THRESHOLD", 1000)  # grids of every zoom built at startup
    mp.setattr(qpv_list, "QPV_PAGE", 10)


def web_settings(tmp: Path, **overrides: Any) -> Settings:
    """Settings that write nothing outside ``tmp`` (contributions database, tile cache)."""
    overrides.setdefault("cache_dir", tmp / "cache")
    return get_settings(database_url=f"sqlite:///{tmp / 'contributions.sqlite3'}", **overrides)


@pytest.fixture(scope="session")
def demo_app(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The application over the demo alone."""
    from quartiers.web import create_app

    return create_app([demo_dir], settings=web_settings(tmp_path_factory.mktemp("app")))


@pytest.fixture(scope="session")
def client(demo_app: FastAPI) -> Iterator[TestClient]:
    """A test client of the demo application."""
    with TestClient(demo_app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def multi_client(
    demo_dir: Path, commune_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """A test client over two territories: the agglomeration and its main commune."""
    from quartiers.web import create_app

    app = create_app(
        [demo_dir, commune_dir], settings=web_settings(tmp_path_factory.mktemp("multi"))
    )
    with TestClient(app) as test_client:
        yield test_client


class LiveServer:
    """Uvicorn serving an app on 127.0.0.1 in a background thread."""

    def __init__(self, app: FastAPI, config: Any = None) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = config or uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.app = app
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("le serveur uvicorn de test n'a pas démarré")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
def live_server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo served by uvicorn on a random free port."""
    from quartiers.web import create_app

    # plain HTTP on loopback: cookies without Secure, as « quartiers serve » does there
    app = create_app(
        [demo_dir], settings=web_settings(tmp_path_factory.mktemp("live")), secure_cookies=False
    )
    with LiveServer(app) as server:
        yield server


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; console errors and failed requests are collected in ``page.problems``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"erreur JS : {exc}"))
    pg.on(
        "console",
        lambda msg: problems.append(f"console : {msg.text}") if msg.type == "error" else None,
    )
    pg.on("requestfailed", lambda req: problems.append(f"échec : {req.url}"))
    pg.problems = problems
    try:
        yield pg
    finally:
        context.close()
