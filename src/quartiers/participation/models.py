"""Tables of the contributions store (SQLAlchemy 2 ORM, identical on SQLite and PostgreSQL).

The Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares
them. Coordinates are WGS84 degrees in two float columns (no PostGIS needed); times are stored
as naive UTC and read back as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "Base",
    "Contact",
    "Contribution",
    "ModerationEvent",
    "Moderator",
    "ModeratorRole",
    "ModeratorSession",
    "PriorityBallot",
    "PriorityPoint",
    "PrioritySession",
    "RateBucket",
    "UTCDateTime",
    "utcnow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as naive UTC; read them back as aware UTC (same on every engine)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC before it is written."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach the UTC time zone to a naive datetime read from the database."""
        if value is None:
            return None
        result: datetime = value
        return result.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so that migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING)


class Contribution(Base):
    """One resident's remark about a place."""

    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint(
            "category IN ('trop_chaud', 'frais', 'besoin', 'ressource', 'idee')", name="category"
        ),
        CheckConstraint("status IN ('pending', 'published', 'rejected')", name="status"),
        CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name="lonlat"),
        Index("ix_contributions_territory_status", "territory", "status"),
        Index("ix_contributions_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    territory: Mapped[str] = mapped_column(String(20))
    code_qp: Mapped[str | None] = mapped_column(String(40), index=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    age_band: Mapped[str | None] = mapped_column(String(10))
    period: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(20))
    located_by: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Contact(Base):
    """E-mail left for follow-up: kept apart, never in a public schema, an export or a page."""

    __tablename__ = "contribution_contacts"

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ModerationEvent(Base):
    """One step of a contribution's moderation history (publish, reject, edit)."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Moderator(Base):
    """A moderator account; only the argon2 hash of the password is stored."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ModeratorRole(Base):
    """Role of a moderator on one territory (``*`` stands for every territory)."""

    __tablename__ = "moderator_roles"
    __table_args__ = (CheckConstraint("role IN ('moderator', 'admin')", name="role"),)

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True
    )
    territory: Mapped[str] = mapped_column(String(20), primary_key=True)
    role: Mapped[str] = mapped_column(String(12))


class ModeratorSession(Base):
    """A login session; the cookie carries a signed random token, the table its SHA-256."""

    __tablename__ = "moderator_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Append-only security log: logins, moderation, accounts, imports, restores."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    territory: Mapped[str | None] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RateBucket(Base):
    """One token bucket of a rate limiter, shared by every server process (not backed up).

    ``updated`` is wall-clock time in seconds since the epoch: processes share it, so it
    cannot be a per-process monotonic clock.
    """

    __tablename__ = "rate_limit_buckets"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float, index=True)


class PrioritySession(Base):
    """A dot-voting session of a workshop: the options a QPV's residents share points over.

    ``options`` is the list ``[{"id": action id, "label": French title}]`` as offered, so that
    results read the same whatever the catalogue becomes.
    """

    __tablename__ = "priority_sessions"
    __table_args__ = (CheckConstraint("points >= 1 AND points <= 20", name="points"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    territory: Mapped[str] = mapped_column(String(20))
    code_qp: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(Integer)
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PriorityBallot(Base):
    """One participant's ballot in a session; ``voter_hash`` is the SHA-256 of the random
    token of the participant's signed cookie (one ballot per participant, replaced on revote)."""

    __tablename__ = "priority_ballots"
    __table_args__ = (UniqueConstraint("session_id", "voter_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("priority_sessions.id", ondelete="CASCADE"), index=True
    )
    voter_hash: Mapped[str] = mapped_column(String(64))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PriorityPoint(Base):
    """Points a ballot gives one option (only options with at least one point are kept)."""

    __tablename__ = "priority_points"
    __table_args__ = (CheckConstraint("points >= 1", name="points"),)

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("priority_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    option: Mapped[str] = mapped_column(String(40), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
