"""Command ``quartiers serve``: the web application over one or several diagnostics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quartiers.cli import app, console
from quartiers.errors import InputError

if TYPE_CHECKING:
    from quartiers.settings import Settings

__all__ = ["serve_command"]


def _settings(basemap_url: str | None) -> Settings:
    from quartiers.settings import get_settings

    # an invalid --basemap-url is refused by get_settings, naming the option, in French
    return get_settings(**({"basemap_url": basemap_url} if basemap_url is not None else {}))


@app.command(
    "serve",
    help=(
        "Ouvrir l'application web (carte, fiches des QPV, comparaison, méthode, API) sur un ou "
        "plusieurs dossiers de diagnostic."
    ),
)
def serve_command(
    dirs: Annotated[
        list[Path],
        typer.Argument(
            help="Dossiers de diagnostic (sortie de « quartiers diagnose » ou de la démo).",
            show_default=False,
        ),
    ],
    host: Annotated[
        str, typer.Option("--host", help="Adresse d'écoute (127.0.0.1 : cette machine seule).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port d'écoute.")] = 8000,
    basemap_url: Annotated[
        str | None,
        typer.Option(
            "--basemap-url",
            help=(
                "Fond de carte en ligne : modèle d'URL de tuiles https://…/{z}/{x}/{y}.png "
                "(par défaut aucun : l'application marche hors connexion)."
            ),
            show_default=False,
        ),
    ] = None,
    no_contributions: Annotated[
        bool,
        typer.Option(
            "--sans-contributions",
            help="Ne pas ouvrir la base des contributions des habitants.",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        list[str] | None,
        typer.Option(
            "--forwarded-allow-ips",
            metavar="IP",
            help=(
                "Mandataires (reverse proxy) dont l'en-tête X-Forwarded-For est cru : adresses "
                "ou réseaux, séparés par des virgules (répétable ; * : tous). Sans cette "
                "option l'en-tête est ignoré."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load the diagnostics, then serve the application until Ctrl+C."""
    import uvicorn

    from quartiers.web import create_app
    from quartiers.web.limits import parse_trusted

    settings = _settings(basemap_url)
    if forwarded_allow_ips is not None:
        try:
            parse_trusted(forwarded_allow_ips)
        except ValueError as exc:
            raise InputError(f"--forwarded-allow-ips : {exc}") from None
    # Plain HTTP: session cookies marked Secure only when served beyond this machine (then
    # behind an HTTPS proxy); on loopback browsers would drop them and moderators could not log in.
    loopback = host in ("127.0.0.1", "localhost", "::1")
    web_app = create_app(
        dirs,
        settings=settings,
        contributions=not no_contributions,
        secure_cookies=not loopback,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    # a workshop page opened starts its what-if baseline in the background (not in tests)
    web_app.state.warm_workshops = True
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"Application prête : http://{shown}:{port}/  (Ctrl+C pour arrêter)")
    # uvicorn's own proxy-header handling trusts 127.0.0.1 by default and does not check
    # that the forwarded address is an IP: off; the app's ForwardedFor layer does it.
    uvicorn.run(web_app, host=host, port=port, log_level="warning", proxy_headers=False)
