"""One small exception hierarchy; messages are in French because users read them.

Only the CLI turns these into exit codes and the web layer into HTTP statuses.
"""

from __future__ import annotations

__all__ = ["InputError", "MethodError", "QuartiersError", "SourceError"]


class QuartiersError(Exception):
    """Base of every error the project raises on purpose (message in French)."""

    exit_code: int = 1


class InputError(QuartiersError):
    """Bad input given by the user: a file, a field, an option, a territory code."""

    exit_code = 1


class MethodError(InputError):
    """A method file (YAML) that does not validate."""


class SourceError(QuartiersError):
    """An official source cannot be reached, downloaded or verified."""

    exit_code = 2
