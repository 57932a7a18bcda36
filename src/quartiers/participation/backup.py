"""Backup and restore of the whole store as one JSON document (gzip when the name ends in .gz).

The document is engine-neutral: a SQLite store can be restored into PostgreSQL and back. It
holds everything, e-mails and password hashes included, so it is written with mode 0600 and
must be kept like the database itself. It is read from one snapshot of the database, so it is
consistent even while the server keeps accepting contributions.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, text

from quartiers.errors import InputError
from quartiers.participation import audit
from quartiers.participation.db import Database
from quartiers.participation.models import Base, Contribution, Moderator, UTCDateTime, utcnow

__all__ = ["FORMAT", "VERSION", "read_backup", "restore", "snapshot", "write_backup"]

FORMAT = "quartiers-contributions"
VERSION = 1


def _tables() -> list[Table]:
    # the rate limiters' buckets are transient state, not data worth restoring
    return [t for t in Base.metadata.sorted_tables if t.name != "rate_limit_buckets"]


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def snapshot(db: Database) -> dict[str, Any]:
    """Return the whole store as a JSON-ready document (one consistent read)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with db.reading(snapshot=True) as session:
        for table in _tables():
            order = [column for column in table.primary_key.columns]
            rows = session.execute(select(table).order_by(*order)).mappings().all()
            tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    return {
        "format": FORMAT,
        "version": VERSION,
        "revision": db.current_revision(),
        "created_at": utcnow().isoformat(),
        "tables": tables,
    }


def write_backup(db: Database, path: Path) -> dict[str, int]:
    """Write a backup of ``db`` to ``path`` (atomically, mode 0600); return rows per table."""
    document = snapshot(db)
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partiel")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    return {name: len(rows) for name, rows in document["tables"].items()}


def read_backup(path: Path) -> dict[str, Any]:
    """Read and check a backup document written by :func:`write_backup`."""
    if not path.is_file():
        raise InputError(f"{path} : fichier de sauvegarde introuvable")
    raw = path.read_bytes()
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        document = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} : sauvegarde illisible ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f"{path} : ce n'est pas une sauvegarde de contributions ({FORMAT})")
    if document.get("version") != VERSION or not isinstance(document.get("tables"), dict):
        raise InputError(
            f"{path} : version de sauvegarde {document.get('version')} non prise en charge"
        )
    return document


def _decode(table: Table, row: dict[str, Any], source: Path) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and isinstance(column.type, UTCDateTime):
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError) as exc:
                raise InputError(
                    f"{source} : table {table.name}, colonne {column.name} : date ISO attendue"
                ) from exc
        values[column.name] = value
    return values


def restore(db: Database, path: Path, *, force: bool = False, actor: str = "cli") -> dict[str, int]:
    """Load a backup into ``db`` in one transaction; refuse a non-empty store unless ``force``.

    With ``force`` every existing row is deleted first (in the same transaction: on failure the
    store is left as it was). Returns rows per table.
    """
    document = read_backup(path)
    current = db.current_revision()
    if document.get("revision") != current:
        raise InputError(
            f"{path} : sauvegarde au schéma {document.get('revision')}, base au schéma {current} "
            "(restaurez avec la version du logiciel qui l'a produite)"
        )
    tables = _tables()
    counts: dict[str, int] = {}
    with db.writing() as session:
        used = (session.scalar(select(func.count()).select_from(Contribution)) or 0) + (
            session.scalar(select(func.count()).select_from(Moderator)) or 0
        )
        if used and not force:
            raise InputError(
                "restauration : la base contient déjà des données "
                "(ajoutez --force pour les remplacer)"
            )
        for table in reversed(tables):
            session.execute(delete(table))
        for table in tables:
            rows = document["tables"].get(table.name, [])
            if not isinstance(rows, list):
                raise InputError(f"{path} : table {table.name} : liste de lignes attendue")
            decoded = [_decode(table, row, path) for row in rows if isinstance(row, dict)]
            if decoded:
                session.execute(insert(table), decoded)
            counts[table.name] = len(decoded)
        if db.dialect == "postgresql":
            for table in tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].autoincrement is True:
                    # Identifiers come from the models, never from the backup file.
                    name, column = table.name, pk[0].name
                    session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                            f"COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {name}"
                        )
                    )
        audit.record(
            session,
            actor=actor,
            action="restore",
            target=path.name[:64],
            details={"rows": counts, "created_at": document.get("created_at")},
        )
    return counts
