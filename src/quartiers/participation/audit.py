"""Append-only audit log, written in the same transaction as the action it records."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quartiers.participation.models import AuditEntry, utcnow

__all__ = ["list_entries", "record"]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    territory: str | None = None,
    target: str | None = None,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one line to the audit log (committed with the caller's transaction)."""
    session.add(
        AuditEntry(
            at=utcnow(),
            actor=actor[:64],
            action=action[:40],
            territory=territory,
            target=None if target is None else target[:64],
            client=None if client is None else client[:64],
            details=details,
        )
    )


def list_entries(
    session: Session,
    *,
    territories: Collection[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEntry], int]:
    """Return the newest entries first and their total.

    ``territories=None`` means every entry (global administrators); otherwise only the entries
    about those territories (logins, which concern no territory, are left out).
    """
    query = select(AuditEntry)
    if territories is not None:
        query = query.where(AuditEntry.territory.in_(sorted(territories)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
