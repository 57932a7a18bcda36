"""French display of numbers, indicator values, gaps and ratios (pure functions).

French typography: decimal comma, narrow no-break space (U+202F) between thousands,
no-break space (U+00A0) before a unit or ``%``. Missing values read « non disponible ».
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MISSING",
    "UnitStyle",
    "as_float",
    "format_date",
    "format_gap",
    "format_number",
    "format_ratio",
    "format_value",
    "is_number",
    "ordinal",
    "unit_style",
]

MISSING = "non disponible"
NBSP = "\u00a0"
THIN = "\u202f"


@dataclass(frozen=True)
class UnitStyle:
    """How values of one unit are shown.

    Attributes
    ----------
    scale
        Factor applied before display (100 turns a share into a percentage).
    decimals
        Decimals shown.
    suffix
        Unit written after the value (empty for none).
    gap_suffix
        Unit of a difference between two values (percentage points for shares).
    """

    scale: float
    decimals: int
    suffix: str
    gap_suffix: str


# Units of the indicator registry (``Indicator.unit``) and of the web's own columns.
_STYLES: dict[str, UnitStyle] = {
    "part (0–1)": UnitStyle(100.0, 1, "%", "pts"),
    "0–1": UnitStyle(100.0, 1, "%", "pts"),
    "m² par personne": UnitStyle(1.0, 1, "m²", "m²"),
    "€ par an et par personne": UnitStyle(1.0, 0, "€", "€"),
    "score 0–4": UnitStyle(1.0, 2, "", ""),
    "jours par an": UnitStyle(1.0, 1, "j/an", "j/an"),
    "nuits par an": UnitStyle(1.0, 1, "nuits/an", "nuits/an"),
    "m": UnitStyle(1.0, 0, "m", "m"),
    "min": UnitStyle(1.0, 0, "min", "min"),
    "indice 0–1": UnitStyle(1.0, 2, "", ""),
    "habitants": UnitStyle(1.0, 0, "", ""),
    "lieux": UnitStyle(1.0, 1, "", ""),
}


def unit_style(unit: str) -> UnitStyle:
    """Return the display style of a unit (3 decimals and the unit itself when unknown)."""
    return _STYLES.get(unit, UnitStyle(1.0, 3, unit, unit))


def is_number(value: object) -> bool:
    """Tell whether ``value`` is a finite real number (not None, NaN, NA or text)."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def as_float(value: object) -> float | None:
    """Return ``value`` as a float when it is a finite number, else None."""
    return float(value) if is_number(value) else None  # type: ignore[arg-type]


def format_number(value: object, decimals: int = 0, *, sign: bool = False) -> str:
    """Format a number the French way (``12 345,6``), « non disponible » when missing."""
    if not is_number(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    text = f"{abs(number):,.{decimals}f}".replace(",", THIN).replace(".", ",")
    if number < 0 and any(ch not in "0,\u202f" for ch in text):
        text = "−" + text
    elif sign and any(ch not in "0,\u202f" for ch in text):
        text = "+" + text
    return text


def _with_unit(text: str, suffix: str) -> str:
    return f"{text}{NBSP}{suffix}" if suffix and text != MISSING else text


def format_value(value: object, unit: str) -> str:
    """Format an indicator value with its unit (a share 0.347 reads ``34,7 %``)."""
    style = unit_style(unit)
    if not is_number(value):
        return MISSING
    scaled = float(value) * style.scale  # type: ignore[arg-type]
    return _with_unit(format_number(scaled, style.decimals), style.suffix)


def format_gap(value: object, unit: str) -> str:
    """Format a difference between two values, signed (a share gap reads ``+12,3 pts``)."""
    style = unit_style(unit)
    if not is_number(value):
        return MISSING
    scaled = float(value) * style.scale  # type: ignore[arg-type]
    return _with_unit(format_number(scaled, style.decimals, sign=True), style.gap_suffix)


def format_ratio(value: object) -> str:
    """Format a ratio between two values (``×1,45``)."""
    if not is_number(value):
        return MISSING
    return "×" + format_number(value, 2)


def ordinal(rank: object) -> str:
    """Return a French ordinal (``1er``, ``2e``), « non classé » when missing."""
    if not is_number(rank):
        return "non classé"
    n = int(float(rank))  # type: ignore[arg-type]
    return f"{n}er" if n == 1 else f"{n}e"


def format_date(value: object) -> str:
    """Return an ISO date or timestamp as ``JJ/MM/AAAA`` (« non disponible » when unreadable)."""
    text = str(value or "")[:10]
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return MISSING
    return f"{parts[2]}/{parts[1]}/{parts[0]}"
