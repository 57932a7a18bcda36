"""Alembic environment: run on a connection handed over by :meth:`Database.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from quartiers.participation.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):  # pragma: no cover - only the API calls Alembic
    raise RuntimeError("migrations are run through quartiers.participation.db.Database.upgrade")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
