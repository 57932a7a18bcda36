"""Shared fixtures: paths to the real extracts (skipped cleanly when absent) and the one
headless Chromium of the browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Speed is measured in benchmarks/, never asserted by a test: Hypothesis's per-example
# deadline would fail tests on a loaded machine for reasons that are not bugs.
settings.register_profile("quartiers", deadline=None)
settings.load_profile("quartiers")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # WebGL for MapLibre in headless mode: ANGLE on the SwiftShader software renderer
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright, one per test process (xdist worker).

    Every browser test takes this fixture (or ``page`` in ``tests/web``) rather than opening
    its own ``sync_playwright``: Playwright's sync API refuses to start a second time in a
    process where one is running (« Sync API inside the asyncio loop »). Skipped, with the
    reason, when Chromium or Playwright is absent or Chromium cannot start.
    """
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium absent : {CHROMIUM} introuvable")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright non installé")
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:  # chromium present but not runnable here
            pytest.skip(f"Chromium ne démarre pas : {exc}")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ``../shared/data``, or skip when this clone has no real extracts beside it."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip("extraits réels absents : ../shared/data introuvable à côté du projet")
    return SHARED_DATA


#: Hand-drawn zones of La Roche-sur-Yon (centre, north, south-west), for the ``--zones`` tests.
LA_ROCHE_ZONES = Path(__file__).parent / "fixtures" / "zones_la_roche_sur_yon.geojson"


@pytest.fixture(scope="session")
def la_roche_zones_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Diagnose the real La Roche-sur-Yon extract with hand-drawn ``--zones`` once per session.

    Return the output directory (read-only for the tests).
    """
    from quartiers.cli import main

    tmp = tmp_path_factory.mktemp("la-roche-zones")
    out = tmp / "out"
    filosofi = shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv"
    code = main(
        ["diagnose", "--territory", "85191", "--out", str(out), "--offline",
         "--workspace", str(tmp / "ws"),
         "--source", f"qpv={shared_data / 'qpv/qpv2024_4territories.geojson'}",
         "--source", f"filosofi={filosofi}",
         "--source", f"communes={shared_data / 'admin/communes_4epci.geojson'}",
         "--source", f"climadiag={shared_data / 'climate/climadiag_tracc_4communes.csv'}",
         "--skip", "bpe", "--skip", "osm", "--skip", "lcz", "--skip", "drias", "--skip", "bdtopo",
         "--zones", str(LA_ROCHE_ZONES), "--no-uncertainty"]
    )  # fmt: skip
    assert code == 0
    return out


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Run the whole demo once per test session and return its :class:`DemoRun`.

    Tests must treat the output directory as read-only (copy it to change it).
    """
    from quartiers.demo.pipeline import run_demo

    return run_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def lry_dir(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Diagnose La Roche-sur-Yon (85191) from the real extracts once per session.

    QPV, Filosofi 2021, communes and Climadiag only: the environmental layers are absent,
    so the resources dimension is missing and exposure is partial. Tests treat the folder
    as read-only (the golden outputs are compared with it).
    """
    from golden._territories import diagnose_la_roche

    return diagnose_la_roche(shared_data, tmp_path_factory.mktemp("lry"))


@pytest.fixture(scope="session")
def essai(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fictitious France (``france-essai``, 13 régions, extracts and LCZ), generated
    once per test session; read only (tests regenerate elsewhere to test the generator)."""
    from quartiers.demo.national import generate_france

    out = tmp_path_factory.mktemp("france") / "essai"
    generate_france(out, echelle="france-essai")
    return out


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children forked during the test (other children of this process,
    e.g. servers started by other tests of the same worker, are not looked at)."""
    pids: list[int] = []
    real_fork = os.fork

    def recording_fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return pids
