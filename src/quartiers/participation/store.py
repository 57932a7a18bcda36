"""The contributions store: validate and place contributions, list them, moderate them.

Only ``published`` contributions ever leave through the public methods. Moderation methods
take the caller's ``scope`` (territory codes, None for all) and refuse other territories.
Every query goes through the ORM (bound parameters only).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from quartiers.errors import FieldError, NotFoundError
from quartiers.participation import audit
from quartiers.participation import validation as v
from quartiers.participation.accounts import Accounts
from quartiers.participation.db import Database
from quartiers.participation.models import Contact, Contribution, utcnow
from quartiers.participation.moderation import MAX_PAGE, ModerationMixin
from quartiers.participation.schemas import (
    ContributionCreate,
    ContributionPublic,
    ContributionReceipt,
    Page,
)
from quartiers.participation.security import Passwords
from quartiers.participation.territories import Territory, TerritorySource, territory_lookup
from quartiers.participation.vocab import Category, Status
from quartiers.schemas import BBox

__all__ = ["MAX_PAGE", "ContributionStore", "Placement"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """Where a contribution goes once checked against its territory."""

    territory: str
    code_qp: str | None
    lon: float
    lat: float
    located_by: str


class ContributionStore(ModerationMixin):
    """Contributions, their moderation and the moderator accounts, in one database.

    Placing and public reading are here; moderation methods come from
    :class:`~quartiers.participation.moderation.ModerationMixin`.

    Parameters
    ----------
    db
        An open, migrated :class:`~quartiers.participation.db.Database`.
    territories
        Mapping ``code → Territory | bbox | geometry`` (WGS84) or a callback returning one
        (or None for an unknown code); contributions must fall inside their territory.
    passwords
        Password hasher for moderator accounts (argon2id with default costs when omitted).
    """

    def __init__(
        self, db: Database, territories: TerritorySource, *, passwords: Passwords | None = None
    ) -> None:
        self.db = db
        self._lookup = territory_lookup(territories)
        self.accounts = Accounts(db, passwords or Passwords())

    @classmethod
    def open(
        cls, url: str, territories: TerritorySource, *, passwords: Passwords | None = None
    ) -> ContributionStore:
        """Open (and migrate) the database at ``url`` and return a store on it."""
        return cls(Database(url), territories, passwords=passwords)

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    # -- placing -------------------------------------------------------------------------

    def territory(self, code: str) -> Territory:
        """Return a known territory or raise :class:`FieldError`."""
        territory = self._lookup(code)
        if territory is None:
            raise FieldError("territory", f"territoire : « {code} » inconnu de ce diagnostic")
        return territory

    def locate(self, data: ContributionCreate) -> Placement:
        """Check the territory, the QPV and the point; infer the QPV or the point when missing.

        A point inside a QPV gets that QPV's code when none was given. A contribution with only
        a ``code_qp`` is placed at the QPV's representative point (there is no geocoder).
        """
        territory = self.territory(data.territory)
        code_qp = data.code_qp
        if code_qp is not None and territory.qpv and code_qp not in territory.qpv:
            raise FieldError(
                "code_qp",
                f"code_qp : le quartier {code_qp} n'est pas dans le territoire {territory.code} "
                "(ni QPV ni zone du diagnostic)",
            )
        if data.lon is not None and data.lat is not None:
            try:
                lon, lat = v.validate_coordinates(data.lon, data.lat)
                v.check_in_territory(territory, lon, lat)
            except ValueError as exc:
                raise FieldError("lon", str(exc)) from exc
            if code_qp is None:
                code_qp = territory.qpv_at(lon, lat)
            return Placement(territory.code, code_qp, lon, lat, "point")
        point = territory.qpv_point(code_qp) if code_qp is not None else None
        if code_qp is None or point is None:
            raise FieldError(
                "code_qp",
                f"localisation : périmètre du quartier {code_qp} inconnu, "
                "un point (lon, lat) est nécessaire",
            )
        return Placement(territory.code, code_qp, point[0], point[1], "qpv")

    @staticmethod
    def _insert(session: Session, data: ContributionCreate, place: Placement, source: str) -> int:
        now = utcnow()
        row = Contribution(
            territory=place.territory,
            code_qp=place.code_qp,
            lon=place.lon,
            lat=place.lat,
            category=data.category.value,
            text=data.text,
            age_band=data.age_band.value if data.age_band else None,
            period=data.period.value if data.period else None,
            status=Status.PENDING.value,
            source=source,
            located_by=place.located_by,
            created_at=now,
        )
        session.add(row)
        session.flush()
        if data.email:
            session.add(Contact(contribution_id=row.id, email=data.email, created_at=now))
        return row.id

    def create(self, data: ContributionCreate, *, source: str = "web") -> ContributionReceipt:
        """Store one contribution (pending moderation); committed when this returns."""
        place = self.locate(data)
        with self.db.writing() as session:
            new_id = self._insert(session, data, place, source)
        logger.info("contribution %d reçue (%s, %s)", new_id, place.territory, source)
        return ContributionReceipt(
            id=new_id,
            status=Status.PENDING,
            territory=place.territory,
            code_qp=place.code_qp,
            lon=place.lon,
            lat=place.lat,
            located_by="qpv" if place.located_by == "qpv" else "point",
        )

    def create_many(
        self, items: Sequence[ContributionCreate], *, source: str, actor: str, label: str = ""
    ) -> list[int]:
        """Store a batch in one transaction (all or nothing); checked before anything is written."""
        places = [self.locate(item) for item in items]
        with self.db.writing() as session:
            ids = [
                self._insert(session, item, place, source)
                for item, place in zip(items, places, strict=True)
            ]
            for territory in sorted({p.territory for p in places}):
                audit.record(
                    session,
                    actor=actor,
                    action="import",
                    territory=territory,
                    target=label[:64] or None,
                    details={"count": sum(p.territory == territory for p in places)},
                )
        return ids

    # -- public reading ------------------------------------------------------------------

    @staticmethod
    def _published(
        territory: str | None = None,
        code_qp: str | None = None,
        category: Category | None = None,
        bbox: BBox | None = None,
    ) -> Select[Contribution]:
        query = select(Contribution).where(Contribution.status == Status.PUBLISHED.value)
        if territory is not None:
            query = query.where(Contribution.territory == territory)
        if code_qp is not None:
            query = query.where(Contribution.code_qp == code_qp)
        if category is not None:
            query = query.where(Contribution.category == category.value)
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            query = query.where(
                Contribution.lon.between(min_lon, max_lon),
                Contribution.lat.between(min_lat, max_lat),
            )
        return query

    def get_public(self, contribution_id: int) -> ContributionPublic:
        """Return a published contribution; any other is "not found"."""
        with self.db.reading() as session:
            row = session.get(Contribution, contribution_id)
            if row is None or row.status != Status.PUBLISHED.value:
                raise NotFoundError(f"contribution {contribution_id} introuvable")
            return ContributionPublic.from_row(row)

    def list_public(
        self,
        *,
        territory: str | None = None,
        code_qp: str | None = None,
        category: Category | None = None,
        bbox: BBox | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[ContributionPublic]:
        """Return one page of published contributions, oldest first."""
        limit = max(1, min(limit, MAX_PAGE))
        query = self._published(territory, code_qp, category, bbox)
        with self.db.reading() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(Contribution.id).limit(limit).offset(max(0, offset))
            ).all()
            items = [ContributionPublic.from_row(row) for row in rows]
        return Page[ContributionPublic](items=items, total=total, limit=limit, offset=offset)

    def published(self, *, territory: str | None = None) -> list[ContributionPublic]:
        """Return every published contribution (for exports), oldest first."""
        with self.db.reading() as session:
            rows = session.scalars(self._published(territory).order_by(Contribution.id)).all()
            return [ContributionPublic.from_row(row) for row in rows]

    def summary_by_qpv(self, territory: str) -> dict[str | None, dict[Category, int]]:
        """Count published contributions per QPV (None: outside any QPV) and category."""
        query = (
            select(Contribution.code_qp, Contribution.category, func.count())
            .where(
                Contribution.status == Status.PUBLISHED.value,
                Contribution.territory == territory,
            )
            .group_by(Contribution.code_qp, Contribution.category)
        )
        summary: dict[str | None, dict[Category, int]] = {}
        with self.db.reading() as session:
            for code_qp, category, count in session.execute(query).all():
                summary.setdefault(code_qp, {})[Category(category)] = int(count)
        return summary
