"""Database access: engines for SQLite (default) and PostgreSQL, one writer, Alembic migrations.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed contribution survives a crash of
the process and of the machine), ``busy_timeout`` for other processes (a CLI import while the
server runs) and ``BEGIN IMMEDIATE`` for writes, which take a process-wide lock first: SQLite
has one writer, so writes are serialised rather than left to fail with "database is locked".
PostgreSQL uses its own MVCC; no lock is taken.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from quartiers.errors import InputError, SourceError

__all__ = ["MIGRATIONS_DIR", "Database", "normalise_url"]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# Any 64-bit key shared by every process migrating the same PostgreSQL database.
_PG_MIGRATION_LOCK = 7_231_990_412


def normalise_url(url: str) -> str:
    """Return a SQLAlchemy URL using psycopg 3 for PostgreSQL (``postgresql://`` is accepted)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise InputError(
            "base de données : URL « sqlite:///chemin.sqlite3 » ou "
            "« postgresql+psycopg://utilisateur:motdepasse@hôte/base » attendue"
        )
    return url


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    memory = parsed.database in (None, "", ":memory:")
    if not memory and parsed.database is not None:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the driver's legacy mode skips it for SELECT/DDL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("quartiers_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """An engine plus the one-writer discipline; migrated to the latest schema when opened.

    Parameters
    ----------
    url
        ``sqlite:///path.sqlite3`` (default engine) or ``postgresql+psycopg://…``.
    migrate
        Apply the Alembic migrations (``upgrade head``) now; on by default.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        try:
            if self.url.startswith("sqlite"):
                self.engine = _sqlite_engine(self.url)
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10)
        except ArgumentError as exc:
            raise InputError(f"base de données : URL invalide ({exc})") from exc
        self.dialect = self.engine.dialect.name
        self._write_bind = self.engine.execution_options(quartiers_write=True)
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else None
        if migrate:
            self.upgrade()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    def upgrade(self, revision: str = "head") -> None:
        """Apply the Alembic migrations up to ``revision`` (idempotent; safe across processes)."""
        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Revert the Alembic migrations down to ``revision`` (``base``: drop every table)."""
        self._migrate(command.downgrade, revision)

    def _migrate(self, step: Callable[[Config, str], None], revision: str) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        try:
            with self._writing_lock(), self._write_bind.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                    )
                config.attributes["connection"] = connection
                step(config, revision)
        except OperationalError as exc:
            raise SourceError(
                f"base de données injoignable ({self!r}) : {exc.orig or exc}"
            ) from exc

    def current_revision(self) -> str | None:
        """Return the Alembic revision the database is at (None before any migration)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def _writing_lock(self) -> threading.Lock | nullcontext[None]:
        return self._write_lock if self._write_lock is not None else nullcontext()

    @contextmanager
    def reading(self, *, snapshot: bool = False) -> Iterator[Session]:
        """Open a session for reading, rolled back at the end.

        With ``snapshot``, every statement sees the same state of the database (a backup):
        SQLite transactions always do; PostgreSQL needs ``REPEATABLE READ``.
        """
        bind = self.engine
        if snapshot and self.dialect == "postgresql":
            bind = self.engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(bind, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """Open a write session, committed on success; writes are serialised on SQLite."""
        with (
            self._writing_lock(),
            Session(self._write_bind, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
