"""Dot-voting priorities of a workshop: sessions, one ballot per participant, points.

Only adds tables: existing contributions, accounts and logs are left as they are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from quartiers.participation.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``priority_sessions``, ``priority_ballots`` and ``priority_points``."""
    op.create_table(
        "priority_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("territory", sa.String(20), nullable=False),
        sa.Column("code_qp", sa.String(12), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "points >= 1 AND points <= 20", name=op.f("ck_priority_sessions_points")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_sessions")),
    )
    op.create_index(op.f("ix_priority_sessions_code_qp"), "priority_sessions", ["code_qp"])
    op.create_table(
        "priority_ballots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("voter_hash", sa.String(64), nullable=False),
        sa.Column("cast_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["priority_sessions.id"],
            name=op.f("fk_priority_ballots_session_id_priority_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_ballots")),
        sa.UniqueConstraint(
            "session_id", "voter_hash", name=op.f("uq_priority_ballots_session_id")
        ),
    )
    op.create_index(op.f("ix_priority_ballots_session_id"), "priority_ballots", ["session_id"])
    op.create_table(
        "priority_points",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 1", name=op.f("ck_priority_points_points")),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["priority_ballots.id"],
            name=op.f("fk_priority_points_ballot_id_priority_ballots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "option", name=op.f("pk_priority_points")),
    )


def downgrade() -> None:
    """Drop the priorities tables (the contributions are untouched)."""
    op.drop_table("priority_points")
    op.drop_index(op.f("ix_priority_ballots_session_id"), table_name="priority_ballots")
    op.drop_table("priority_ballots")
    op.drop_index(op.f("ix_priority_sessions_code_qp"), table_name="priority_sessions")
    op.drop_table("priority_sessions")
