"""Fixtures of the participation tests: the same suite runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from ``QUARTIERS_TEST_POSTGRES_URL`` (``bash .ci/postgres`` starts one and
prints it); without it the PostgreSQL half is skipped. Each xdist worker gets its own database
(``<name>_<worker>``), reset to an empty schema before each test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from quartiers.participation.store import ContributionStore

from .helpers import TERRITORIES, cheap_passwords, make_app

POSTGRES_ENV = "QUARTIERS_TEST_POSTGRES_URL"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    """Return this worker's own PostgreSQL database URL (created once), or skip."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL absent : {POSTGRES_ENV} non défini (voir .ci/postgres)")
    parsed = make_url(base)
    name = f"{parsed.database}_{re.sub(r'[^a-z0-9]', '', worker_id.lower())}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return an empty database URL, once per engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contributions.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[ContributionStore]:
    """Return a migrated store over the test territories."""
    opened = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def client(store: ContributionStore) -> Iterator[TestClient]:
    """Return an HTTPS test client (secure cookies) on the router with default limits."""
    with TestClient(make_app(store), base_url="https://testserver") as test_client:
        yield test_client
