"""Errors of the contributions store; all are :class:`~quartiers.errors.InputError` (exit 1).

The web layer maps them to HTTP statuses: :class:`FieldError` → 422, :class:`NotFoundError`
→ 404, :class:`ForbiddenError` → 403. Messages are French.
"""

from __future__ import annotations

from quartiers.errors import InputError

__all__ = ["FieldError", "ForbiddenError", "NotFoundError"]


class FieldError(InputError):
    """A value that does not validate; ``field`` names it (``text``, ``lon``, ``territory``…)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(InputError):
    """No such contribution, or one the caller may not see."""


class ForbiddenError(InputError):
    """The moderator has no role on the contribution's territory."""
