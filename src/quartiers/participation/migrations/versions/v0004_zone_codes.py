"""Zone codes: ``code_qp`` holds the id of a ``--zones`` zone as well as a QPV code (issue 21).

A zone id has up to 40 letters, digits, « _ » or « - » (``quartiers.sources.zones``); the
column grows from 12 to 40 characters in ``contributions`` and ``priority_sessions``. Values
are kept; the downgrade refuses nothing but would cut nothing either (a longer id stays).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("contributions", "priority_sessions")


def upgrade() -> None:
    """Widen ``code_qp`` to 40 characters."""
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "code_qp", existing_type=sa.String(12), type_=sa.String(40), existing_nullable=None
            )


def downgrade() -> None:
    """Narrow ``code_qp`` back to 12 characters."""
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "code_qp", existing_type=sa.String(40), type_=sa.String(12), existing_nullable=None
            )
