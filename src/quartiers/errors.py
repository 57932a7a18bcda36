"""One small exception hierarchy; messages are in French because users read them.

Each error carries its exit code (the CLI turns it into one, ``docs/erreurs.md``) and its
HTTP status (every router of the web app answers with it, through :func:`http_detail`).
"""

from __future__ import annotations

__all__ = [
    "UNAVAILABLE",
    "ClusterError",
    "FieldError",
    "ForbiddenError",
    "InputError",
    "MethodError",
    "NotFoundError",
    "QuartiersError",
    "SourceError",
    "http_detail",
]

#: What a web client reads when a source or the database is down (details go to the log).
UNAVAILABLE = "service momentanément indisponible, réessayez plus tard"


class QuartiersError(Exception):
    """Base of every error the project raises on purpose (message in French)."""

    exit_code: int = 1
    http_status: int = 500


class InputError(QuartiersError):
    """Bad input given by the user: a file, a field, an option, a territory code."""

    exit_code = 1
    http_status = 400


class MethodError(InputError):
    """A method file (YAML) that does not validate."""


class NotFoundError(InputError):
    """An unknown territory, QPV, indicator or contribution (or one the caller may not see)."""

    http_status = 404


class ForbiddenError(InputError):
    """The caller has no role on what it asks for (e.g. a moderator on another territory)."""

    http_status = 403


class FieldError(InputError):
    """A value that does not validate; ``field`` names it (``text``, ``lon``, ``territory``…)."""

    http_status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SourceError(QuartiersError):
    """An official source, or the database, cannot be reached, downloaded or verified."""

    exit_code = 2
    http_status = 503


class ClusterError(QuartiersError):
    """A Dask cluster (``--scheduler``, ``--workers``) that cannot be reached or fails."""

    exit_code = 2
    http_status = 503


def http_detail(exc: QuartiersError) -> tuple[int, object]:
    """Return the HTTP status and the JSON ``detail`` of an error, the same for every router.

    A :class:`FieldError` gives a validation-style list naming the field; an unavailable
    source gives :data:`UNAVAILABLE` (its details are for the log, not the client).
    """
    if isinstance(exc, FieldError):
        return exc.http_status, [
            {"loc": ["body", exc.field], "msg": str(exc), "type": "value_error"}
        ]
    if isinstance(exc, SourceError):
        return exc.http_status, UNAVAILABLE
    return exc.http_status, str(exc)
