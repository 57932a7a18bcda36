"""``quartiers contributions``: workshop import, export, backup, restore, moderator accounts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quartiers.cli import app, console, err_console
from quartiers.errors import InputError
from quartiers.participation.vocab import Role

if TYPE_CHECKING:
    from quartiers.participation.store import ContributionStore

# The participation modules (SQLAlchemy, Alembic, shapely…) are imported inside the commands so
# that ``quartiers --help`` and the other commands start fast.

__all__ = ["contributions_app"]

contributions_app = typer.Typer(
    help="Contributions des habitants : import d'atelier, export, sauvegarde, modérateurs.",
    no_args_is_help=True,
)
moderator_app = typer.Typer(help="Comptes des modérateurs.", no_args_is_help=True)
contributions_app.add_typer(moderator_app, name="moderator")
app.add_typer(contributions_app, name="contributions")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="URL de la base (défaut : QUARTIERS_DATABASE_URL, sinon sqlite:///contributions.sqlite3).",
    ),
]


def _open(database: str | None) -> ContributionStore:
    from quartiers.participation.store import ContributionStore
    from quartiers.settings import get_settings

    url = database or get_settings().database_url
    return ContributionStore.open(url, {})


@contributions_app.command("import")
def import_command(
    csv_file: Annotated[Path, typer.Argument(help="CSV des post-it de l'atelier.")],
    territory: Annotated[str, typer.Option("--territory", help="Code du territoire.")],
    perimeter: Annotated[
        Path,
        typer.Option(
            "--perimeter",
            help="Fichier du périmètre (GeoJSON, GeoPackage… ; entités dont insee_com, "
            "siren_epci ou code vaut le code du territoire).",
        ),
    ],
    qpv: Annotated[
        Path | None,
        typer.Option("--qpv", help="Fichier des QPV (colonne code_qp) pour les notes sans point."),
    ] = None,
    osm: Annotated[
        Path | None,
        typer.Option(
            "--osm",
            metavar="FICHIER",
            help="Extrait OpenStreetMap du territoire : localise les notes données par leur "
            "adresse (adresses OSM, hors ligne).",
        ),
    ] = None,
    database: DatabaseOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vérifier le fichier sans rien enregistrer.")
    ] = False,
) -> None:
    """Importer les contributions d'un atelier (en attente de modération)."""
    from quartiers.participation.store import ContributionStore
    from quartiers.participation.territories import load_territory
    from quartiers.participation.workshop import import_workshop, read_workshop_file
    from quartiers.settings import get_settings

    area = load_territory(territory, perimeter, qpv=qpv)
    addresses = None
    if osm is not None:
        from quartiers.sources.addresses import AddressIndex, read_osm_addresses

        addresses = AddressIndex(read_osm_addresses(osm), source=f"OpenStreetMap ({osm.name})")
        console.print(f"{len(addresses)} adresses OpenStreetMap lues dans {osm}")
    rows = read_workshop_file(csv_file, territory=territory, addresses=addresses)
    store = ContributionStore.open(database or get_settings().database_url, {territory: area})
    try:
        ids = import_workshop(store, rows, source=str(csv_file), dry_run=dry_run)
    finally:
        store.close()
    if dry_run:
        console.print(f"{len(rows)} contribution(s) valides, rien n'est enregistré (--dry-run).")
    else:
        console.print(
            f"{len(ids)} contribution(s) importée(s) (n° {ids[0]} à {ids[-1]}), "
            "en attente de modération."
        )


@contributions_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="Fichier à écrire (.csv ou .geojson).")],
    territory: Annotated[
        str | None, typer.Option("--territory", help="Seulement ce territoire.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv ou geojson (défaut : selon l'extension).")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Exporter les contributions publiées (jamais les e-mails ni les autres contributions)."""
    from quartiers.participation.exports import write_export

    chosen = fmt or {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}.get(
        out.suffix.lower(), ""
    )
    if chosen not in ("csv", "geojson"):
        raise InputError(f"{out} : format inconnu (attendu : --format csv ou geojson)")
    store = _open(database)
    try:
        items = store.published(territory=territory)
    finally:
        store.close()
    write_export(items, out, fmt=chosen)
    console.print(f"{len(items)} contribution(s) publiée(s) exportée(s) dans {out}.")


@contributions_app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", help="Fichier de sauvegarde (.json ou .json.gz).")],
    database: DatabaseOption = None,
) -> None:
    """Sauvegarder toute la base (e-mails et comptes compris : fichier à protéger)."""
    from quartiers.participation.backup import write_backup

    store = _open(database)
    try:
        counts = write_backup(store.db, out)
    finally:
        store.close()
    console.print(
        f"Sauvegarde écrite dans {out} : {counts.get('contributions', 0)} contribution(s), "
        f"{counts.get('moderators', 0)} modérateur(s)."
    )


@contributions_app.command("restore")
def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="Fichier de sauvegarde.")],
    database: DatabaseOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer les données déjà présentes.")
    ] = False,
) -> None:
    """Restaurer une sauvegarde dans une base vide (ou la remplacer avec --force)."""
    from quartiers.participation.backup import restore

    store = _open(database)
    try:
        counts = restore(store.db, backup_file, force=force)
    finally:
        store.close()
    console.print(
        f"Restauration terminée : {counts.get('contributions', 0)} contribution(s), "
        f"{counts.get('moderators', 0)} modérateur(s)."
    )


@moderator_app.command("add")
def moderator_add(
    login: Annotated[str, typer.Argument(help="Identifiant du modérateur.")],
    territories: Annotated[
        list[str],
        typer.Option("--territory", help="Territoire modéré (répétable ; « * » pour tous)."),
    ],
    role: Annotated[
        Role, typer.Option("--role", help="moderator ou admin (lit aussi le journal d'audit).")
    ] = Role.MODERATOR,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Lire le mot de passe sur l'entrée standard.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Créer un compte de modérateur (mot de passe demandé, jamais en argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    store = _open(database)
    try:
        identity = store.accounts.add_moderator(login, password, territories=territories, role=role)
    finally:
        store.close()
    scopes = ", ".join(sorted(identity.roles))
    err_console.print(f"Modérateur « {identity.login} » créé ({role.value} : {scopes}).")


priorities_app = typer.Typer(
    help="Votes de priorités d'un atelier (chaque habitant répartit ses points).",
    no_args_is_help=True,
)
contributions_app.add_typer(priorities_app, name="priorities")


@priorities_app.command("open")
def priorities_open(
    territory: Annotated[str, typer.Option("--territory", help="Code du territoire.")],
    qpv: Annotated[str, typer.Option("--qpv", help="Code du QPV (code_qp).")],
    title: Annotated[str, typer.Option("--title", help="Titre du vote, lu par les habitants.")],
    actions: Annotated[
        str,
        typer.Option(
            "--actions",
            help="Actions soumises au vote : identifiants du catalogue séparés par des virgules.",
        ),
    ],
    points: Annotated[
        int, typer.Option("--points", min=1, max=20, help="Points par participant.")
    ] = 5,
    database: DatabaseOption = None,
) -> None:
    """Ouvrir un vote de priorités pour un QPV ; affiche l'adresse de la page de vote."""
    from quartiers.actions.catalogue import default_catalogue
    from quartiers.participation.priorities import Option, open_session

    catalogue = default_catalogue()
    ids = [i.strip() for i in actions.split(",") if i.strip()]
    options = [Option(i, catalogue.get(i).title) for i in ids]
    store = _open(database)
    try:
        number = open_session(
            store.db, territory=territory, code_qp=qpv, title=title, points=points, options=options
        )
    finally:
        store.close()
    console.print(
        f"Vote de priorités n° {number} ouvert ({len(options)} actions, {points} points par "
        f"participant). Page de vote : /priorites/{number} (sur le site de « quartiers serve »)."
    )


@priorities_app.command("close")
def priorities_close(
    number: Annotated[int, typer.Argument(help="Numéro du vote.")],
    database: DatabaseOption = None,
) -> None:
    """Clore un vote de priorités : la page ne montre plus que les résultats."""
    from quartiers.participation.priorities import close_session

    store = _open(database)
    try:
        close_session(store.db, number)
    finally:
        store.close()
    console.print(f"Vote de priorités n° {number} clos.")
