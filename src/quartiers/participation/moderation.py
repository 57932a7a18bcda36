"""Moderation service: the moderators' view of contributions, decisions and corrections.

Mixed into :class:`~quartiers.participation.store.ContributionStore`. Every method takes the
caller's ``scope`` (territory codes, None for all) and refuses other territories; each decision
writes the contribution's history and the audit log in the same transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quartiers.errors import FieldError, ForbiddenError, NotFoundError
from quartiers.participation import audit
from quartiers.participation.db import Database
from quartiers.participation.models import Contact, Contribution, ModerationEvent, utcnow
from quartiers.participation.schemas import ContributionModeration, ContributionUpdate, Page
from quartiers.participation.territories import Territory
from quartiers.participation.vocab import Status

__all__ = ["MAX_PAGE", "ModerationMixin"]

MAX_PAGE = 500


def _check_scope(row: Contribution, scope: frozenset[str] | None) -> None:
    if scope is not None and row.territory not in scope:
        raise ForbiddenError(
            f"contribution {row.id} : aucun rôle de modération sur le territoire {row.territory}"
        )


class ModerationMixin(ABC):
    """Moderation methods over ``self.db``; the host class provides :meth:`territory`."""

    db: Database

    @abstractmethod
    def territory(self, code: str) -> Territory:
        """Return a known territory or raise (implemented by the store)."""

    @staticmethod
    def _moderation_views(session: Session, rows: Sequence[Contribution]) -> list[Any]:
        ids = [row.id for row in rows]
        if not ids:
            return []
        contacts = set(
            session.scalars(select(Contact.contribution_id).where(Contact.contribution_id.in_(ids)))
        )
        events: dict[int, list[ModerationEvent]] = {}
        for event in session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.contribution_id.in_(ids))
            .order_by(ModerationEvent.id)
        ):
            events.setdefault(event.contribution_id, []).append(event)
        return [
            ContributionModeration.from_rows(
                row, has_contact=row.id in contacts, events=events.get(row.id, [])
            )
            for row in rows
        ]

    def get_for_moderation(
        self, contribution_id: int, *, scope: frozenset[str] | None
    ) -> ContributionModeration:
        """Return any contribution of the caller's territories, with its history."""
        with self.db.reading() as session:
            row = session.get(Contribution, contribution_id)
            if row is None:
                raise NotFoundError(f"contribution {contribution_id} introuvable")
            _check_scope(row, scope)
            view: ContributionModeration = self._moderation_views(session, [row])[0]
            return view

    def list_for_moderation(
        self,
        *,
        scope: frozenset[str] | None,
        status: Status | None = Status.PENDING,
        territory: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ContributionModeration]:
        """Return one page of contributions of the caller's territories, oldest first."""
        limit = max(1, min(limit, MAX_PAGE))
        query = select(Contribution)
        if scope is not None:
            query = query.where(Contribution.territory.in_(sorted(scope)))
        if territory is not None:
            query = query.where(Contribution.territory == territory)
        if status is not None:
            query = query.where(Contribution.status == status.value)
        with self.db.reading() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(Contribution.id).limit(limit).offset(max(0, offset))
            ).all()
            items = self._moderation_views(session, rows)
        return Page[ContributionModeration](items=items, total=total, limit=limit, offset=offset)

    def counts(self, *, scope: frozenset[str] | None) -> dict[Status, int]:
        """Count the caller's contributions per status."""
        query = select(Contribution.status, func.count()).group_by(Contribution.status)
        if scope is not None:
            query = query.where(Contribution.territory.in_(sorted(scope)))
        result = dict.fromkeys(Status, 0)
        with self.db.reading() as session:
            for status, count in session.execute(query).all():
                result[Status(status)] = int(count)
        return result

    def territories_in_use(self, *, scope: frozenset[str] | None) -> list[str]:
        """Return the territory codes of the caller's scope, with those holding contributions."""
        found = set(scope or ())
        query = select(Contribution.territory).distinct()
        if scope is not None:
            query = query.where(Contribution.territory.in_(sorted(scope)))
        with self.db.reading() as session:
            found.update(session.scalars(query))
        return sorted(found)

    def _locked(self, session: Session, contribution_id: int) -> Contribution:
        row = session.get(
            Contribution, contribution_id, with_for_update=self.db.dialect == "postgresql"
        )
        if row is None:
            raise NotFoundError(f"contribution {contribution_id} introuvable")
        return row

    def moderate(
        self,
        contribution_id: int,
        status: Status,
        *,
        actor: str,
        scope: frozenset[str] | None,
        note: str | None = None,
        client: str | None = None,
    ) -> ContributionModeration:
        """Publish or reject a contribution; history and audit log are written with it."""
        if status is Status.PENDING:
            raise FieldError("status", "statut : « published » ou « rejected » attendu")
        action = "publish" if status is Status.PUBLISHED else "reject"
        with self.db.writing() as session:
            row = self._locked(session, contribution_id)
            _check_scope(row, scope)
            if row.status != status.value:
                now = utcnow()
                session.add(
                    ModerationEvent(
                        contribution_id=row.id,
                        at=now,
                        actor=actor,
                        action=action,
                        from_status=row.status,
                        to_status=status.value,
                        note=note,
                    )
                )
                row.status = status.value
                row.status_changed_at = now
                audit.record(
                    session,
                    actor=actor,
                    action=action,
                    territory=row.territory,
                    target=f"contribution:{row.id}",
                    client=client,
                )
            session.flush()
            view: ContributionModeration = self._moderation_views(session, [row])[0]
            return view

    def update(
        self,
        contribution_id: int,
        data: ContributionUpdate,
        *,
        actor: str,
        scope: frozenset[str] | None,
        client: str | None = None,
    ) -> ContributionModeration:
        """Correct a contribution; previous values are kept in its history (never public)."""
        with self.db.writing() as session:
            row = self._locked(session, contribution_id)
            _check_scope(row, scope)
            if data.code_qp is not None:
                territory = self.territory(row.territory)
                if territory.qpv and data.code_qp not in territory.qpv:
                    raise FieldError(
                        "code_qp",
                        f"code_qp : le quartier {data.code_qp} n'est pas dans le territoire "
                        f"{row.territory} (ni QPV ni zone du diagnostic)",
                    )
            previous: dict[str, Any] = {}
            changes = {
                "category": data.category.value if data.category else None,
                "text": data.text,
                "code_qp": data.code_qp,
            }
            for name, value in changes.items():
                if value is not None and getattr(row, name) != value:
                    previous[name] = getattr(row, name)
                    setattr(row, name, value)
            if previous:
                session.add(
                    ModerationEvent(
                        contribution_id=row.id,
                        at=utcnow(),
                        actor=actor,
                        action="edit",
                        from_status=row.status,
                        to_status=row.status,
                        note=data.note,
                        details={"previous": previous},
                    )
                )
                audit.record(
                    session,
                    actor=actor,
                    action="edit",
                    territory=row.territory,
                    target=f"contribution:{row.id}",
                    client=client,
                    details={"fields": sorted(previous)},
                )
            session.flush()
            view: ContributionModeration = self._moderation_views(session, [row])[0]
            return view
