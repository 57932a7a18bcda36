"""Rate limiters' token buckets in the database, shared by every server process.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``rate_limit_buckets`` table."""
    op.create_table(
        "rate_limit_buckets",
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_rate_limit_buckets")),
    )
    op.create_index(
        op.f("ix_rate_limit_buckets_updated"), "rate_limit_buckets", ["updated"], unique=False
    )


def downgrade() -> None:
    """Drop the ``rate_limit_buckets`` table."""
    op.drop_index(op.f("ix_rate_limit_buckets_updated"), table_name="rate_limit_buckets")
    op.drop_table("rate_limit_buckets")
