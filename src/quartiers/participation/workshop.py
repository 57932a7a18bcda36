"""Workshop mode: read a CSV of sticky notes typed after a consultation meeting.

One row per note. Columns (French headers, any order, extra columns ignored):

========== ============================================================================
column     content
========== ============================================================================
categorie  ``trop_chaud``, ``frais``, ``besoin``, ``ressource``, ``idee`` or the French
           label (« Lieu trop chaud », « Idée d'action »…), case and accents ignored
texte      the note, 3 to 1,000 characters
lon, lat   WGS84 degrees (a decimal comma is accepted); optional if ``code_qp`` is given
code_qp    QPV code; alone, the note is placed at the QPV's representative point
territoire optional; defaults to the territory given on the command line
tranche_age, moment   optional, ids or French labels
adresse    resolved against the territory's OpenStreetMap addresses when an address index
           is given (``quartiers contributions import --osm``), else refused: no online
           geocoder is reachable; lon/lat, when present, win over the address
========== ============================================================================

Separator ``,`` or ``;``; encoding UTF-8 (with or without BOM) or Windows-1252 (spreadsheet
exports). Parsing is pure; every faulty row is reported at once, with its line number.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from quartiers.errors import InputError
from quartiers.validation_fr import french_message

if TYPE_CHECKING:
    from quartiers.sources.addresses import AddressIndex
from quartiers.errors import FieldError
from quartiers.participation.schemas import ContributionCreate
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import (
    AGE_BAND_LABELS,
    CATEGORY_LABELS,
    PERIOD_LABELS,
)
from quartiers.text import fold

__all__ = ["MAX_ROWS", "import_workshop", "parse_workshop_csv", "read_workshop_file"]

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
_MAX_REPORTED = 20
E = TypeVar("E", bound=StrEnum)


def _choice(value: str, labels: Mapping[E, str], column: str) -> E | None:
    if not value.strip():
        return None
    folded = fold(value, sep="")
    for member, label in labels.items():
        if folded in (fold(member.value, sep=""), fold(label, sep="")):
            return member
    known = ", ".join(member.value for member in labels)
    raise ValueError(f"{column} : « {value.strip()} » inconnu (attendu : {known})")


def _number(value: str, column: str) -> float | None:
    text = value.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{column} : nombre attendu (reçu : « {value.strip()} »)") from None


def _row(
    row: Mapping[str, str], territory: str, addresses: AddressIndex | None = None
) -> ContributionCreate:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    lon, lat = _number(cell("lon"), "lon"), _number(cell("lat"), "lat")
    if lon is None and lat is None and cell("adresse"):
        if addresses is not None:
            found = addresses.resolve(cell("adresse"))
            lon, lat = found.lon, found.lat
            if not found.exact:
                logger.warning(
                    "adresse « %s » : numéro absent d'OpenStreetMap, placée au %s",
                    cell("adresse"),
                    found.matched,
                )
        elif not cell("code_qp"):
            raise ValueError(
                "adresse non localisée : donnez les adresses OpenStreetMap du territoire "
                "(--osm) ou ajoutez lon/lat ou code_qp"
            )
    if lon is None and lat is None and not cell("code_qp"):
        raise ValueError("localisation : lon/lat, adresse ou code_qp attendu")
    category = _choice(cell("categorie"), CATEGORY_LABELS, "categorie")
    if category is None:
        raise ValueError("categorie : valeur obligatoire")
    return ContributionCreate(
        territory=cell("territoire") or territory,
        code_qp=cell("code_qp") or None,
        lon=lon,
        lat=lat,
        category=category,
        text=cell("texte"),
        age_band=_choice(cell("tranche_age"), AGE_BAND_LABELS, "tranche_age"),
        period=_choice(cell("moment"), PERIOD_LABELS, "moment"),
    )


def _message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        text = french_message(error)
        where = ".".join(str(p) for p in error["loc"])
        parts.append(text if text.startswith(where) or not where else f"{where} : {text}")
    return " ; ".join(parts)


def _report(source: str, errors: list[str]) -> InputError:
    shown = "\n  ".join(errors[:_MAX_REPORTED])
    more = len(errors) - _MAX_REPORTED
    tail = f"\n  … et {more} autre(s)" if more > 0 else ""
    return InputError(
        f"{source} : {len(errors)} ligne(s) invalide(s), rien n'est importé\n  {shown}{tail}"
    )


def parse_workshop_csv(
    text: str, *, territory: str, source: str = "CSV", addresses: AddressIndex | None = None
) -> list[tuple[int, ContributionCreate]]:
    """Parse a workshop CSV into ``(line, contribution)``; raise :class:`InputError` on bad rows.

    Parameters
    ----------
    text
        The decoded CSV content.
    territory
        Territory of rows whose ``territoire`` cell is empty.
    source
        File name used in error messages.
    addresses
        The territory's OSM addresses, to place notes that only give an ``adresse``.
    """
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = {"categorie", "texte"} - headers
    if missing:
        raise InputError(
            f"{source} : colonne(s) {', '.join(sorted(missing))} absente(s) "
            "(attendu : categorie, texte, et lon/lat, adresse ou code_qp)"
        )
    items: list[tuple[int, ContributionCreate]] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise InputError(f"{source} : {MAX_ROWS} lignes au plus par import")
        row = {(k or "").strip().lower(): v or "" for k, v in raw.items() if isinstance(v, str)}
        if not any(value.strip() for value in row.values()):
            continue
        try:
            items.append((line, _row(row, territory, addresses)))
        except ValidationError as exc:
            errors.append(f"ligne {line} : {_message(exc)}")
        except ValueError as exc:
            errors.append(f"ligne {line} : {exc}")
    if errors:
        raise _report(source, errors)
    if not items:
        raise InputError(f"{source} : aucune contribution dans le fichier")
    return items


def read_workshop_file(
    path: Path, *, territory: str, addresses: AddressIndex | None = None
) -> list[tuple[int, ContributionCreate]]:
    """Read and parse a workshop CSV file (UTF-8, or Windows-1252 as spreadsheets save it)."""
    if not path.is_file():
        raise InputError(f"{path} : fichier introuvable")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.warning("%s : pas en UTF-8, lu en Windows-1252", path)
        text = data.decode("cp1252", errors="replace")
    return parse_workshop_csv(text, territory=territory, source=str(path), addresses=addresses)


def import_workshop(
    store: ContributionStore,
    rows: list[tuple[int, ContributionCreate]],
    *,
    source: str,
    actor: str = "cli",
    dry_run: bool = False,
) -> list[int]:
    """Check every row against its territory, then store them all in one transaction.

    Returns the new ids (empty on a dry run). Nothing is written when any row is refused.
    """
    errors = []
    for line, item in rows:
        try:
            store.locate(item)
        except FieldError as exc:
            errors.append(f"ligne {line} : {exc}")
    if errors:
        raise _report(source, errors)
    if dry_run:
        return []
    return store.create_many(
        [item for _, item in rows], source="workshop", actor=actor, label=Path(source).name
    )
