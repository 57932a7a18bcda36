"""Moderator accounts, roles per territory and login sessions (database side)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quartiers.errors import FieldError, NotFoundError
from quartiers.participation import audit
from quartiers.participation import validation as v
from quartiers.participation.db import Database
from quartiers.participation.models import Moderator, ModeratorRole, ModeratorSession, utcnow
from quartiers.participation.security import Passwords, hash_token, new_token
from quartiers.participation.vocab import Role

__all__ = ["ALL_TERRITORIES", "Accounts", "Identity"]

logger = logging.getLogger(__name__)

ALL_TERRITORIES = "*"


@dataclass(frozen=True)
class Identity:
    """An authenticated moderator and their roles (territory code or ``*`` → role)."""

    id: int
    login: str
    roles: dict[str, Role] = field(default_factory=dict)

    def can_moderate(self, territory: str) -> bool:
        """Tell whether the moderator may publish or reject in ``territory``."""
        return ALL_TERRITORIES in self.roles or territory in self.roles

    def is_admin(self, territory: str | None = None) -> bool:
        """Tell whether the moderator administers ``territory`` (or any, when None)."""
        if self.roles.get(ALL_TERRITORIES) is Role.ADMIN:
            return True
        if territory is None:
            return Role.ADMIN in self.roles.values()
        return self.roles.get(territory) is Role.ADMIN

    def scope(self) -> frozenset[str] | None:
        """Territories the moderator works on; None means every territory."""
        return None if ALL_TERRITORIES in self.roles else frozenset(self.roles)

    def admin_scope(self) -> frozenset[str] | None:
        """Territories whose audit log the moderator reads; None means every one."""
        if self.roles.get(ALL_TERRITORIES) is Role.ADMIN:
            return None
        return frozenset(t for t, role in self.roles.items() if role is Role.ADMIN)


def _identity(session: Session, moderator: Moderator) -> Identity:
    rows = session.scalars(
        select(ModeratorRole).where(ModeratorRole.moderator_id == moderator.id)
    ).all()
    return Identity(
        id=moderator.id, login=moderator.login, roles={r.territory: Role(r.role) for r in rows}
    )


def _territory_or_all(code: str) -> str:
    return code if code == ALL_TERRITORIES else v.validate_territory_code(code)


class Accounts:
    """Moderator accounts stored beside the contributions.

    Parameters
    ----------
    db
        The migrated database.
    passwords
        Password hasher (argon2id).
    """

    def __init__(self, db: Database, passwords: Passwords) -> None:
        self.db = db
        self.passwords = passwords

    def add_moderator(
        self,
        login: str,
        password: str,
        *,
        territories: Iterable[str],
        role: Role = Role.MODERATOR,
        actor: str = "cli",
    ) -> Identity:
        """Create a moderator with ``role`` on each territory (``*`` for all); login is unique."""
        try:
            role = Role(role)
            login = v.validate_login(login)
            password = v.validate_password(password)
            codes = sorted({_territory_or_all(code) for code in territories})
        except ValueError as exc:
            raise FieldError("moderator", str(exc)) from exc
        if not codes:
            raise FieldError("territory", "territoire : au moins un territoire attendu (ou « * »)")
        password_hash = self.passwords.hash(password)
        with self.db.writing() as session:
            if session.scalar(select(Moderator.id).where(Moderator.login == login)) is not None:
                raise FieldError("login", f"identifiant : « {login} » existe déjà")
            moderator = Moderator(
                login=login, password_hash=password_hash, active=True, created_at=utcnow()
            )
            session.add(moderator)
            session.flush()
            for code in codes:
                session.add(ModeratorRole(moderator_id=moderator.id, territory=code, role=role))
                audit.record(
                    session,
                    actor=actor,
                    action="moderator_add",
                    territory=None if code == ALL_TERRITORIES else code,
                    target=login,
                    details={"role": role.value, "territory": code},
                )
            session.flush()
            return _identity(session, moderator)

    def set_password(self, login: str, password: str, *, actor: str = "cli") -> None:
        """Replace a moderator's password and close their open sessions."""
        try:
            password = v.validate_password(password)
        except ValueError as exc:
            raise FieldError("password", str(exc)) from exc
        password_hash = self.passwords.hash(password)
        with self.db.writing() as session:
            moderator = self._get(session, login)
            moderator.password_hash = password_hash
            session.execute(
                delete(ModeratorSession).where(ModeratorSession.moderator_id == moderator.id)
            )
            audit.record(session, actor=actor, action="moderator_password", target=login)

    def set_active(self, login: str, active: bool, *, actor: str = "cli") -> None:
        """Enable or disable an account (disabling closes its sessions at once)."""
        with self.db.writing() as session:
            moderator = self._get(session, login)
            moderator.active = active
            if not active:
                session.execute(
                    delete(ModeratorSession).where(ModeratorSession.moderator_id == moderator.id)
                )
            audit.record(
                session,
                actor=actor,
                action="moderator_enable" if active else "moderator_disable",
                target=login,
            )

    def list_moderators(self) -> list[tuple[Identity, bool]]:
        """Return every moderator with their roles and whether the account is active."""
        with self.db.reading() as session:
            rows = session.scalars(select(Moderator).order_by(Moderator.login)).all()
            return [(_identity(session, row), row.active) for row in rows]

    @staticmethod
    def _get(session: Session, login: str) -> Moderator:
        moderator = session.scalar(select(Moderator).where(Moderator.login == login.lower()))
        if moderator is None:
            raise NotFoundError(f"modérateur « {login} » inconnu")
        return moderator

    def authenticate(self, login: str, password: str, *, client: str | None) -> Identity | None:
        """Check credentials; record the attempt in the audit log; None when refused."""
        try:
            login = v.validate_login(login)
        except ValueError:
            login = ""
        with self.db.reading() as session:
            moderator = (
                session.scalar(select(Moderator).where(Moderator.login == login)) if login else None
            )
            stored = moderator.password_hash if moderator and moderator.active else None
        ok = self.passwords.verify(stored, password)
        with self.db.writing() as session:
            audit.record(
                session,
                actor=login or "?",
                action="login" if ok else "login_failed",
                client=client,
            )
            if not ok or moderator is None:
                return None
            row = session.get(Moderator, moderator.id)
            if row is None or not row.active:
                return None
            row.last_login_at = utcnow()
            if self.passwords.needs_rehash(row.password_hash):
                row.password_hash = self.passwords.hash(password)
            return _identity(session, row)

    def open_session(self, identity: Identity, *, max_age_s: int) -> str:
        """Start a session for ``identity``; return the token to put (signed) in the cookie."""
        token = new_token()
        now = utcnow()
        with self.db.writing() as session:
            # Expired sessions are purged here, on the rare path (a login).
            session.execute(delete(ModeratorSession).where(ModeratorSession.expires_at < now))
            session.add(
                ModeratorSession(
                    token_hash=hash_token(token),
                    moderator_id=identity.id,
                    created_at=now,
                    expires_at=now + timedelta(seconds=max_age_s),
                )
            )
        return token

    def resolve_session(self, token: str | None) -> Identity | None:
        """Return the moderator behind a live session token, or None."""
        if not token:
            return None
        with self.db.reading() as session:
            row = session.get(ModeratorSession, hash_token(token))
            if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
                return None
            moderator = session.get(Moderator, row.moderator_id)
            if moderator is None or not moderator.active:
                return None
            return _identity(session, moderator)

    def close_session(self, token: str | None, *, actor: str, client: str | None) -> None:
        """End a session (logout); unknown tokens are ignored."""
        if not token:
            return
        with self.db.writing() as session:
            row = session.get(ModeratorSession, hash_token(token))
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()
                audit.record(session, actor=actor, action="logout", client=client)
