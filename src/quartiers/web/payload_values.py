"""Plain JSON values read from a diagnostic's table cells (missing → ``None`` or ``""``)."""

from __future__ import annotations

from typing import Any

from quartiers.web.geojson import clean_value

__all__ = ["as_int", "num", "split_text", "text"]


def num(value: Any) -> float | None:
    """Return ``value`` as a float, or ``None`` when it is missing or not a number."""
    out = clean_value(value)
    return float(out) if isinstance(out, int | float) and not isinstance(out, bool) else None


def as_int(value: Any) -> int | None:
    """Return ``value`` as an int, or ``None`` when it is missing or not a number."""
    number = num(value)
    return int(number) if number is not None else None


def text(value: Any) -> str:
    """Return ``value`` as text, ``""`` when it is missing."""
    out = clean_value(value)
    return "" if out is None else str(out)


def split_text(value: Any) -> list[str]:
    """Return the non-empty comma-separated parts of ``value``."""
    return [p.strip() for p in text(value).split(",") if p.strip()]
