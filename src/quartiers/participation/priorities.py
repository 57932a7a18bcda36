"""Dot-voting priorities of a workshop, stored in the contributions database.

A facilitator opens a **session** for a QPV (:func:`open_session`: a title, the number of
points each participant has, the options — the roadmap's actions, id and French title). Each
participant distributes their points over the options (:func:`cast_ballot`). Participants are
anonymous, as contributors are: a participant is the random token of a signed cookie, of
which the database keeps only the SHA-256 (as for moderator sessions); voting again from the
same browser **replaces** the ballot, so a participant is never counted twice. The public
route is also rate-limited per client address like contributions.

:func:`session_results` and :func:`qpv_priorities` add the points up (per session, and over
every session of a QPV for the roadmap's « Priorités exprimées en atelier »).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from quartiers.errors import FieldError, NotFoundError
from quartiers.participation import audit
from quartiers.participation.db import Database
from quartiers.participation.models import (
    PriorityBallot,
    PriorityPoint,
    PrioritySession,
    utcnow,
)

__all__ = [
    "MAX_OPTIONS",
    "MAX_POINTS",
    "Option",
    "OptionResult",
    "SessionInfo",
    "SessionResults",
    "cast_ballot",
    "close_session",
    "get_session",
    "open_session",
    "qpv_priorities",
    "qpv_sessions",
    "read_votes",
    "scoped_sessions",
    "session_results",
    "voter_hash",
]

#: Largest number of points per participant, and of options per session.
MAX_POINTS = 20
MAX_OPTIONS = 20


@dataclass(frozen=True)
class Option:
    """One option of a session: an action id and its French title."""

    id: str
    label: str


@dataclass(frozen=True)
class SessionInfo:
    """A session as participants see it."""

    id: int
    territory: str
    code_qp: str
    title: str
    points: int
    options: tuple[Option, ...]
    closed: bool


@dataclass(frozen=True)
class OptionResult:
    """Points an option received, and from how many participants."""

    id: str
    label: str
    points: int
    voters: int


@dataclass(frozen=True)
class SessionResults:
    """Results of one session (or of every session of a QPV): options by points, then order."""

    participants: int
    points_cast: int
    options: tuple[OptionResult, ...]
    sessions: int = 1


def voter_hash(token: str) -> str:
    """Return what the database keeps of a participant's token (its SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    db: Database,
    *,
    territory: str,
    code_qp: str,
    title: str,
    points: int,
    options: Sequence[Option],
    actor: str | None = None,
    client: str | None = None,
) -> int:
    """Open a dot-voting session and return its id; with ``actor`` (a facilitator logged in
    on the web) the opening is written to the audit log in the same transaction.

    Raises
    ------
    FieldError
        Empty title, points outside 1–20, no option, an option twice or more than 20.
    """
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise FieldError("title", "titre : 1 à 200 caractères attendus")
    if not 1 <= points <= MAX_POINTS:
        raise FieldError("points", f"points : un nombre entier de 1 à {MAX_POINTS} attendu")
    ids = [o.id for o in options]
    if not ids or len(ids) > MAX_OPTIONS:
        raise FieldError("options", f"options : 1 à {MAX_OPTIONS} actions attendues")
    if len(set(ids)) != len(ids):
        raise FieldError("options", "options : une action est proposée deux fois")
    with db.writing() as session:
        row = PrioritySession(
            territory=territory,
            code_qp=code_qp,
            title=title,
            points=points,
            options=[{"id": o.id, "label": o.label} for o in options],
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        if actor is not None:
            audit.record(
                session,
                actor=actor,
                action="priorities_open",
                territory=territory,
                target=str(row.id),
                client=client,
                details={"code_qp": code_qp, "options": ids, "points": points},
            )
        return int(row.id)


def get_session(db: Database, session_id: int) -> SessionInfo:
    """Return a session, or raise :class:`NotFoundError` (French)."""
    with db.reading() as session:
        row = session.get(PrioritySession, session_id)
        if row is None:
            raise NotFoundError(f"vote de priorités n° {session_id} introuvable")
        return SessionInfo(
            id=int(row.id),
            territory=row.territory,
            code_qp=row.code_qp,
            title=row.title,
            points=int(row.points),
            options=tuple(Option(str(o["id"]), str(o["label"])) for o in row.options),
            closed=row.closed_at is not None,
        )


def close_session(
    db: Database, session_id: int, *, actor: str | None = None, client: str | None = None
) -> None:
    """Close a session: its ballots are kept, no new one is accepted (``actor``: audited)."""
    with db.writing() as session:
        row = session.get(PrioritySession, session_id)
        if row is None:
            raise NotFoundError(f"vote de priorités n° {session_id} introuvable")
        if row.closed_at is None:
            row.closed_at = utcnow()
            if actor is not None:
                audit.record(
                    session,
                    actor=actor,
                    action="priorities_close",
                    territory=row.territory,
                    target=str(session_id),
                    client=client,
                )


def _checked(info: SessionInfo, allocation: Mapping[str, int]) -> dict[str, int]:
    known = {o.id for o in info.options}
    kept: dict[str, int] = {}
    for option, points in allocation.items():
        if option not in known:
            raise FieldError("points", f"action « {option} » : pas proposée dans ce vote")
        if isinstance(points, bool) or not isinstance(points, int) or points < 0:
            raise FieldError("points", f"action « {option} » : nombre entier de points attendu")
        if points:
            kept[option] = points
    total = sum(kept.values())
    if total == 0:
        raise FieldError("points", "répartissez au moins un point")
    if total > info.points:
        raise FieldError(
            "points", f"{total} points répartis : {info.points} au plus par participant"
        )
    return kept


def cast_ballot(
    db: Database, session_id: int, token: str, allocation: Mapping[str, int]
) -> SessionInfo:
    """Record (or replace) a participant's ballot; return the session.

    Parameters
    ----------
    db
        The contributions database.
    session_id
        The session voted in.
    token
        The participant's random token (from their signed cookie); only its hash is kept.
    allocation
        Option id → points (0 or absent: none); at most the session's points in all.

    Raises
    ------
    NotFoundError
        Unknown session.
    FieldError
        Closed session, unknown option, negative points, none or too many points in all.
    """
    info = get_session(db, session_id)
    if info.closed:
        raise FieldError("points", "ce vote est clos")
    kept = _checked(info, allocation)
    digest = voter_hash(token)
    with db.writing() as session:
        session.execute(
            delete(PriorityBallot).where(
                PriorityBallot.session_id == session_id, PriorityBallot.voter_hash == digest
            )
        )
        ballot = PriorityBallot(session_id=session_id, voter_hash=digest, cast_at=utcnow())
        session.add(ballot)
        session.flush()
        for option, points in kept.items():
            session.add(PriorityPoint(ballot_id=ballot.id, option=option, points=points))
    return info


def _tally(db: Database, session_ids: Sequence[int], options: Sequence[Option]) -> SessionResults:
    with db.reading() as session:
        rows = session.execute(
            select(
                PriorityPoint.option,
                func.sum(PriorityPoint.points),
                func.count(PriorityPoint.ballot_id),
            )
            .join(PriorityBallot, PriorityBallot.id == PriorityPoint.ballot_id)
            .where(PriorityBallot.session_id.in_(session_ids))
            .group_by(PriorityPoint.option)
        ).all()
        participants = session.scalar(
            select(func.count(PriorityBallot.id)).where(PriorityBallot.session_id.in_(session_ids))
        )
    totals = {str(o): (int(p), int(n)) for o, p, n in rows}
    order = {o.id: k for k, o in enumerate(options)}
    results = sorted(
        (OptionResult(o.id, o.label, *totals.get(o.id, (0, 0))) for o in options),
        key=lambda r: (-r.points, order[r.id]),
    )
    return SessionResults(
        participants=int(participants or 0),
        points_cast=sum(r.points for r in results),
        options=tuple(results),
        sessions=len(session_ids),
    )


def session_results(db: Database, session_id: int) -> SessionResults:
    """Return the results of one session (every option, most points first)."""
    info = get_session(db, session_id)
    return _tally(db, [info.id], info.options)


def qpv_priorities(db: Database, territory: str, code_qp: str) -> SessionResults | None:
    """Return the points of every session of a QPV added up, or None without any ballot.

    Options keep the order and title of their first session; an option offered in several
    sessions adds its points.
    """
    with db.reading() as session:
        rows = session.execute(
            select(PrioritySession.id, PrioritySession.options)
            .where(PrioritySession.territory == territory, PrioritySession.code_qp == code_qp)
            .order_by(PrioritySession.id)
        ).all()
    if not rows:
        return None
    options: dict[str, Option] = {}
    for _, offered in rows:
        for o in offered:
            options.setdefault(str(o["id"]), Option(str(o["id"]), str(o["label"])))
    results = _tally(db, [int(r[0]) for r in rows], list(options.values()))
    return results if results.participants else None


def qpv_sessions(db: Database, territory: str, code_qp: str) -> list[SessionInfo]:
    """Return the sessions of a QPV, newest first (the workshop page links to them)."""
    with db.reading() as session:
        ids = session.scalars(
            select(PrioritySession.id)
            .where(PrioritySession.territory == territory, PrioritySession.code_qp == code_qp)
            .order_by(PrioritySession.id.desc())
        ).all()
    return [get_session(db, int(i)) for i in ids]


def scoped_sessions(db: Database, scope: frozenset[str] | None) -> list[SessionInfo]:
    """Return the sessions of the territories in ``scope`` (None: every one), newest first
    (the facilitators' page lists them)."""
    query = select(PrioritySession.id).order_by(PrioritySession.id.desc())
    if scope is not None:
        query = query.where(PrioritySession.territory.in_(sorted(scope)))
    with db.reading() as session:
        ids = session.scalars(query).all()
    return [get_session(db, int(i)) for i in ids]


def read_votes(url: str, territory: str, code_qp: str) -> SessionResults | None:
    """Open the database at ``url`` (migrated: an older one gets the priorities tables, its
    data untouched), return the QPV's votes added up (None without any), and close it."""
    db = Database(url)
    try:
        return qpv_priorities(db, territory, code_qp)
    finally:
        db.close()
