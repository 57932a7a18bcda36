"""Create the contributions store: contributions, contacts, history, moderators, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from quartiers.participation.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the first version."""
    _create_contributions()
    _create_contacts_and_history()
    _create_moderators()
    _create_audit_log()


def _create_contributions() -> None:
    """The contributions (public part) and their indexes."""
    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("territory", sa.String(20), nullable=False),
        sa.Column("code_qp", sa.String(12), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("age_band", sa.String(10), nullable=True),
        sa.Column("period", sa.String(12), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("located_by", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status_changed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "category IN ('trop_chaud', 'frais', 'besoin', 'ressource', 'idee')",
            name=op.f("ck_contributions_category"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'published', 'rejected')", name=op.f("ck_contributions_status")
        ),
        sa.CheckConstraint(
            "lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90",
            name=op.f("ck_contributions_lonlat"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributions")),
    )
    op.create_index(op.f("ix_contributions_code_qp"), "contributions", ["code_qp"])
    op.create_index("ix_contributions_territory_status", "contributions", ["territory", "status"])
    op.create_index("ix_contributions_status_created_at", "contributions", ["status", "created_at"])


def _create_contacts_and_history() -> None:
    """Private e-mails and the moderation history of each contribution."""
    op.create_table(
        "contribution_contacts",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_contribution_contacts_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_contribution_contacts")),
    )

    op.create_table(
        "moderation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(12), nullable=False),
        sa.Column("to_status", sa.String(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_moderation_events_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_events")),
    )
    op.create_index(
        op.f("ix_moderation_events_contribution_id"), "moderation_events", ["contribution_id"]
    )


def _create_moderators() -> None:
    """Moderator accounts, their roles per territory and their sessions."""
    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderators")),
        sa.UniqueConstraint("login", name=op.f("uq_moderators_login")),
    )

    op.create_table(
        "moderator_roles",
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("territory", sa.String(20), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.CheckConstraint("role IN ('moderator', 'admin')", name=op.f("ck_moderator_roles_role")),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_moderator_roles_moderator_id_moderators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("moderator_id", "territory", name=op.f("pk_moderator_roles")),
    )

    op.create_table(
        "moderator_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_moderator_sessions_moderator_id_moderators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_moderator_sessions")),
    )
    op.create_index(
        op.f("ix_moderator_sessions_moderator_id"), "moderator_sessions", ["moderator_id"]
    )


def _create_audit_log() -> None:
    """The audit log."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("territory", sa.String(20), nullable=True),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])


def downgrade() -> None:
    """Drop every table of the first version."""
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_moderator_sessions_moderator_id"), table_name="moderator_sessions")
    op.drop_table("moderator_sessions")
    op.drop_table("moderator_roles")
    op.drop_table("moderators")
    op.drop_index(op.f("ix_moderation_events_contribution_id"), table_name="moderation_events")
    op.drop_table("moderation_events")
    op.drop_table("contribution_contacts")
    op.drop_index("ix_contributions_status_created_at", table_name="contributions")
    op.drop_index("ix_contributions_territory_status", table_name="contributions")
    op.drop_index(op.f("ix_contributions_code_qp"), table_name="contributions")
    op.drop_table("contributions")
