"""Secrets handling: argon2 password hashes, signed session tokens, CSRF tokens.

A session cookie holds a random token signed with itsdangerous (tampering is detected before
any database access); the database keeps only the token's SHA-256, so a stolen backup does
not open sessions. CSRF tokens are HMACs of the session token (synchroniser pattern without
server state); before login, of a signed random nonce kept in its own cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = ["Passwords", "TokenSigner", "hash_token", "new_token"]


def new_token() -> str:
    """Return a fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Passwords:
    """Hash and verify passwords with argon2id (parameters of argon2-cffi's RFC 9106 profile).

    Parameters
    ----------
    time_cost, memory_cost_kib, parallelism
        argon2 cost parameters; the defaults are argon2-cffi's. Tests pass cheaper ones.
    """

    def __init__(
        self, *, time_cost: int = 3, memory_cost_kib: int = 65_536, parallelism: int = 4
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
        )
        # Verified when the login is unknown, so that both cases take the same time.
        self._dummy = self._hasher.hash(new_token())

    def hash(self, password: str) -> str:
        """Return the argon2id hash (with its salt and parameters) of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Tell whether ``password`` matches; a missing hash costs as much as a wrong one."""
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Tell whether a stored hash uses weaker parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class TokenSigner:
    """Sign cookie values and derive CSRF tokens from one secret key.

    Parameters
    ----------
    secret_key
        The application's secret (``Settings.secret_key``); at least 16 characters.
    """

    secret_key: str

    def __post_init__(self) -> None:
        if len(self.secret_key) < 16:
            raise ValueError("secret_key : au moins 16 caractères attendus")

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=f"quartiers.{purpose}")

    def sign(self, value: str, *, purpose: str) -> str:
        """Return ``value`` signed and time-stamped for one ``purpose`` (cookie name)."""
        signed: str = self._serializer(purpose).dumps(value)
        return signed

    def unsign(self, signed: str | None, *, purpose: str, max_age_s: int) -> str | None:
        """Return the value of a signed string, or None if absent, forged or older than allowed."""
        if not signed:
            return None
        try:
            value = self._serializer(purpose).loads(signed, max_age=max_age_s)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf_token(self, key: str) -> str:
        """Return the CSRF token bound to ``key`` (a session token or a pre-login nonce)."""
        digest = hmac.new(
            self.secret_key.encode("utf-8"), b"csrf:" + key.encode("utf-8"), hashlib.sha256
        )
        return digest.hexdigest()

    def check_csrf(self, key: str | None, token: str | None) -> bool:
        """Tell, in constant time, whether ``token`` is the CSRF token bound to ``key``."""
        if not key or not token:
            return False
        return hmac.compare_digest(self.csrf_token(key), token)
