"""Drive the moderation pages with Debian chromium: keyboard login, publish, public at once."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.store import ContributionStore

from .helpers import PASSWORD, TERRITORIES, add_moderator, cheap_passwords, make_app, submit


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, ContributionStore]]:
    store = ContributionStore.open(
        f"sqlite:///{tmp_path / 'c.sqlite3'}", TERRITORIES, passwords=cheap_passwords()
    )
    # Plain HTTP on loopback: Secure cookies would not come back over http://127.0.0.1.
    app = make_app(store, ParticipationConfig(secure_cookies=False))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield base, store
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.mark.browser
def test_moderator_publishes_with_the_keyboard(
    served: tuple[str, ContributionStore], tmp_path: Path, browser: Any
) -> None:
    base, store = served
    add_moderator(store, "alice", ["85191"])
    with httpx.Client(base_url=base) as client:
        receipt = submit(client, text="<b>Dalle</b> brûlante devant l'école")
    page = browser.new_page()
    try:
        page.goto(f"{base}/moderation")
        assert page.url.endswith("/moderation/connexion")
        page.keyboard.press("Tab")  # skip link first
        assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
        page.get_by_label("Identifiant").fill("alice")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/moderation")
        article = page.get_by_role("article")
        assert "<b>Dalle</b>" in article.inner_text()  # shown as text, not markup
        page.get_by_label("Motif").fill("Relu en réunion")
        page.get_by_role("button", name=f"Publier la contribution n° {receipt['id']}").focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**fait=publish**")
        assert (
            f"La contribution n° {receipt['id']} est publiée."
            in page.get_by_role("status").inner_text()
        )
        page.screenshot(path=str(tmp_path / "file.png"), full_page=True)
    finally:
        page.context.close()

    public = httpx.get(f"{base}/api/contributions/{receipt['id']}").json()
    assert public["text"] == "<b>Dalle</b> brûlante devant l'école"


@pytest.mark.browser
def test_facilitator_opens_a_vote_on_a_phone(
    served: tuple[str, ContributionStore], browser: Any
) -> None:
    """The facilitators' page at 390 px: no sideways scroll, the form works without script."""
    from quartiers.participation import priorities as p

    base, store = served
    add_moderator(store, "anim", ["85191"])
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{base}/moderation/connexion")
        page.get_by_label("Identifiant").fill("anim")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("link", name="Votes de priorités").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Code du QPV").fill("QN08503I")
        page.get_by_label("Titre du vote").fill("Atelier du Pont-Morineau")
        page.get_by_label("Planter des arbres d'ombrage").check()
        page.get_by_label("Installer des fontaines à boire").check()
        page.get_by_role("button", name="Ouvrir le vote").click()
        page.wait_for_url("**ouvert=**")
        assert "est ouvert" in page.get_by_role("status").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        (info,) = p.scoped_sessions(store.db, None)
        assert [o.id for o in info.options] == ["shade_trees", "drinking_fountains"]
        page.get_by_role("button", name=f"Clore le vote n° {info.id}").click()
        page.wait_for_url("**clos=**")
        assert p.get_session(store.db, info.id).closed
    finally:
        context.close()
