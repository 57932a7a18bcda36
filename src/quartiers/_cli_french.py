"""Put the few English words typer prints in help pages into French.

Typer (≥ 0.20) vendors click and translates its help words with :func:`gettext.gettext`,
which has no French catalogue here. Users read these pages, so the words are swapped once
at start-up; ``tests/test_cli.py`` fails loudly if a typer upgrade moves them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HELP_TEXT", "install"]

HELP_TEXT = "Afficher cette aide et quitter."

_WORDS = {
    "required": "obligatoire",
    "Options": "Options",
    "Arguments": "Arguments",
    "Commands": "Commandes",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(dynamique)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "No such command {name!r}.",  # parsed by cli._french_usage
}

_installed = False


def _french(message: str) -> str:
    return _WORDS.get(message, message)


def install() -> None:
    """Patch typer's help words (idempotent)."""
    global _installed
    if _installed:
        return
    from typer import core as typer_core
    from typer._click import core as click_core
    from typer._click import formatting

    typer_core._ = _french  # type: ignore[attr-defined]

    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, "Utilisation : " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    original_help = click_core.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    click_core.Command.get_help_option = get_help_option  # type: ignore[method-assign]
    _installed = True
