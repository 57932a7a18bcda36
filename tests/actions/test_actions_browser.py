"""Browser test: run a what-if on the demo territory through the workshop page, then
download the roadmap (Playwright + Debian chromium; skipped cleanly without them)."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from quartiers.actions.workshop import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(demo_workshop: Workshop) -> Iterator[str]:
    """Serve the actions router over the demo on 127.0.0.1 (a small FastAPI app)."""
    uvicorn = pytest.importorskip("uvicorn")
    from fastapi import FastAPI

    from quartiers.actions.api import router, serve_workshops
    from quartiers.web.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    serve_workshops(app, {demo_workshop.code: demo_workshop})
    app.include_router(router)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("le serveur de test n'a pas démarré")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_whatif_then_roadmap_download(
    server: str, demo_workshop: Workshop, tmp_path: Path, browser: Any
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    code_qp = str(demo_workshop.diagnostic.qpv["code_qp"].iloc[0])
    shots = Path(os.environ.get("QUARTIERS_SCREENSHOT_DIR", tmp_path))
    page = browser.new_page(accept_downloads=True, viewport={"width": 1100, "height": 1400})
    try:
        page.goto(f"{server}/territoires/{demo_workshop.code}/qpv/{code_qp}/atelier")
        assert page.locator("h1").inner_text().startswith("Atelier")
        # choose exactly: trees (15 % of two cells) and a cool room at its default point
        for box in page.locator('input[name="actions"]').all():
            box.set_checked(False)
        page.get_by_label("Planter des arbres d'ombrage").check()
        page.locator("#part-shade_trees").fill("15")
        page.get_by_label("Ouvrir une salle rafraîchie pendant les vigilances canicule").check()
        page.get_by_role("button", name="Simuler les actions cochées").click()
        status = page.locator("#etat")
        sync_api.expect(status).to_have_text("Simulation terminée.", timeout=240_000)
        result = page.locator("#resultat")
        text = result.inner_text()
        assert "Indice de vulnérabilité" in text
        assert "Part de canopée arborée" in text
        assert "lieu(x) ouvert(s)" in text
        page.screenshot(path=str(shots / "atelier-simulation.png"), full_page=True)
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="Télécharger la feuille de route (DOCX)").click()
        download = info.value
        assert download.suggested_filename == f"feuille-de-route-{code_qp}.docx"
        data = Path(download.path()).read_bytes()
    finally:
        page.context.close()
    doc = Document(io.BytesIO(data))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Indicateur"
                 and t.rows[0].cells[1].text.startswith("Situation de départ"))  # fmt: skip
    rows = {r.cells[0].text: r.cells for r in table.rows[1:]}
    canopy = rows["Part de canopée arborée du QPV"]
    assert "simulation" in canopy[3].text and "\u00a0pt" in canopy[2].text
    stored = float(demo_workshop.diagnostic.qpv.set_index("code_qp").at[code_qp, "canopy_share"])
    assert canopy[1].text.replace("\u00a0", " ") == f"{stored * 100:.1f} %".replace(".", ",")
