"""Command ``quartiers methods``: the method files shipped with the package."""

from __future__ import annotations

from rich import box
from rich.table import Table

from quartiers.cli import app, console

__all__ = ["methods_command"]


@app.command(
    "methods",
    help="Lister les méthodes fournies (à passer à « quartiers diagnose --method NOM »).",
)
def methods_command() -> None:
    """Print the default method and every packaged method with its title and description."""
    from quartiers.method.spec import default_method, packaged_method, packaged_methods

    table = Table(
        title="Méthodes fournies",
        box=box.SIMPLE_HEAD,
        caption="Sans --method : méthode par défaut. Un chemin de fichier YAML est aussi accepté.",
    )
    table.add_column("Nom (--method)", no_wrap=True)
    table.add_column("Méthode", overflow="fold", ratio=2)
    table.add_column("Version", justify="right")
    table.add_column("Description", overflow="fold", ratio=4)
    rows = [("(défaut)", default_method())]
    rows += [(name, packaged_method(name)) for name in packaged_methods()]
    for name, method in rows:
        table.add_row(name, method.name, method.version, " ".join(method.description.split()))
    console.print(table)
