from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from quartiers.participation.db import MIGRATIONS_DIR, Database
from quartiers.participation.models import Base


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrations_create_exactly_the_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert db.current_revision() == _head()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            inspector = inspect(connection)
            tables = set(inspector.get_table_names()) - {"alembic_version"}
            assert tables == set(Base.metadata.tables)
            for table in Base.metadata.sorted_tables:
                expected = {
                    c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"
                }
                found = {c["name"] for c in inspector.get_check_constraints(table.name)}
                assert expected <= found, table.name
    finally:
        db.close()


def test_upgrade_is_idempotent_and_reversible(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.upgrade()  # second run: nothing to do
        db.downgrade("base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.upgrade()
        assert db.current_revision() == _head()
    finally:
        db.close()
