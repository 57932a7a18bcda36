"""French number formatting for the sheets: decimal comma, thin-space thousands, units.

Every function takes a value that may be missing (None, NaN, ``pd.NA``) and then returns
:data:`NOT_AVAILABLE` — a sheet never prints a missing value as 0.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "NOT_AVAILABLE",
    "SHARE_UNIT",
    "SHORT_UNITS",
    "as_float",
    "count",
    "display_unit",
    "display_value",
    "gap",
    "number",
    "percent",
    "ratio",
]

#: What a sheet prints instead of a missing value.
NOT_AVAILABLE = "non disponible"
#: Unit of the registry's shares (shown in %).
SHARE_UNIT = "part (0–1)"
# Narrow no-break space: the French thousands separator (and before %, €).
_NNBSP = "\u202f"


def as_float(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None when missing or not finite."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def number(value: Any, digits: int = 1) -> str:
    """Return ``value`` in French notation (``12 345,6``), :data:`NOT_AVAILABLE` if missing."""
    v = as_float(value)
    if v is None:
        return NOT_AVAILABLE
    if round(v, digits) == 0:
        v = 0.0  # no "-0,0"
    text = f"{v:,.{digits}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", _NNBSP)
    return text.replace("-", "\u2212")  # typographic minus


def count(value: Any) -> str:
    """Return a count rounded to the unit (``1 495``)."""
    return number(value, 0)


def percent(value: Any, digits: int = 1) -> str:
    """Return a share (0–1) as a percentage (``34,9 %``)."""
    v = as_float(value)
    if v is None:
        return NOT_AVAILABLE
    return f"{number(v * 100, digits)}{_NNBSP}%"


def ratio(value: Any) -> str:
    """Return a ratio QPV / rest (``× 1,35``)."""
    v = as_float(value)
    if v is None:
        return NOT_AVAILABLE
    return f"×{_NNBSP}{number(v, 2)}"


#: Short forms of the registry's units, printed next to values in tables.
SHORT_UNITS = {
    SHARE_UNIT: "%",
    "€ par an et par personne": "€/an",
    "m² par personne": "m²/pers.",
    "jours par an": "j/an",
    "nuits par an": "nuits/an",
    "score 0–4": "sur 4",
}


def display_unit(unit: str) -> str:
    """Return the short unit printed next to a value (shares become ``%``)."""
    return SHORT_UNITS.get(unit, unit)


def _digits(unit: str, v: float) -> int:
    if unit.startswith("€") or unit in ("m", "personnes", "ménages"):
        return 0
    if unit.startswith("score"):
        return 2
    return 1 if abs(v) < 1000 else 0


def display_value(value: Any, unit: str) -> str:
    """Return an indicator value with its unit (``34,9 %``, ``23 436 € par an…``)."""
    v = as_float(value)
    if v is None:
        return NOT_AVAILABLE
    if unit == SHARE_UNIT:
        return percent(v)
    short = display_unit(unit)
    return f"{number(v, _digits(unit, v))}{_NNBSP}{short}" if unit else number(v, 2)


def gap(value: Any, unit: str) -> str:
    """Return a signed gap QPV − rest (shares in percentage points)."""
    v = as_float(value)
    if v is None:
        return NOT_AVAILABLE
    if unit == SHARE_UNIT:
        shown = number(abs(v) * 100, 1)
    elif unit:
        shown = number(abs(v), _digits(unit, abs(v)))
    else:
        shown = number(abs(v), 2)
    # No sign on a gap that rounds to zero ("0,0", never "−0,0").
    sign = "" if shown.strip("0,") == "" else ("+" if v > 0 else "−")
    if unit == SHARE_UNIT:
        return f"{sign}{shown}{_NNBSP}pt"
    short = display_unit(unit)
    return f"{sign}{shown}{_NNBSP}{short}" if unit else f"{sign}{shown}"
