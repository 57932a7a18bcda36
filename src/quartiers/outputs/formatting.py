"""French display of numbers, indicator values, gaps, ratios and amounts (pure functions).

The one formatter of every surface: web pages and API, QPV sheets (HTML/PDF) and roadmaps
(DOCX/PDF, workshop page), so that a value reads the same everywhere.

French typography:

- decimal comma, narrow no-break space (U+202F) between thousands, typographic minus (U+2212),
  never « −0,0 » (a value that rounds to zero has no sign);
- no-break space (U+00A0) between a value and its unit or ``%``;
- a signed gap reads ``+12,3 pt`` (shares in percentage points, unit symbols are invariable);
- a ratio reads ``×1,35`` (the multiplication sign is attached, like a sign);
- a missing value (None, NaN, NA, ±inf, text) reads « non disponible », never 0 or empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MISSING",
    "NBSP",
    "SHARE_UNIT",
    "THIN",
    "UnitStyle",
    "as_float",
    "display_unit",
    "format_date",
    "format_euro_range",
    "format_euros",
    "format_gap",
    "format_number",
    "format_ratio",
    "format_share",
    "format_value",
    "is_number",
    "ordinal",
    "unit_style",
]

#: What every surface prints instead of a missing value.
MISSING = "non disponible"
#: No-break space, between a value and its unit.
NBSP = "\u00a0"
#: Narrow no-break space, the thousands separator.
THIN = "\u202f"
#: Unit of the registry's shares (shown in %).
SHARE_UNIT = "part (0–1)"
_MINUS = "\u2212"


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
        Short unit written after the value (empty for none).
    gap_suffix
        Unit of a difference between two values (percentage points for shares).
    """

    scale: float
    decimals: int
    suffix: str
    gap_suffix: str


# Units of the indicator registry (``Indicator.unit``), of the dictionary and of the surfaces'
# own columns: the one table of decimals and short units.
_STYLES: dict[str, UnitStyle] = {
    SHARE_UNIT: UnitStyle(100.0, 1, "%", "pt"),
    "m² par personne": UnitStyle(1.0, 1, "m²/pers.", "m²/pers."),
    "€ par an et par personne": UnitStyle(1.0, 0, "€/an", "€/an"),
    "score 0–4": UnitStyle(1.0, 2, "sur 4", "sur 4"),
    "jours par an": UnitStyle(1.0, 1, "j/an", "j/an"),
    "nuits par an": UnitStyle(1.0, 1, "nuits/an", "nuits/an"),
    "m": UnitStyle(1.0, 0, "m", "m"),
    "min": UnitStyle(1.0, 0, "min", "min"),
    "indice 0–1": UnitStyle(1.0, 2, "", ""),
    "0–1": UnitStyle(1.0, 2, "", ""),
    "": UnitStyle(1.0, 2, "", ""),
    "rang": UnitStyle(1.0, 0, "", ""),
    "habitants": UnitStyle(1.0, 0, "", ""),
    "personnes": UnitStyle(1.0, 0, "personnes", "personnes"),
    "ménages": UnitStyle(1.0, 0, "ménages", "ménages"),
    "lieux": UnitStyle(1.0, 1, "", ""),
}


def unit_style(unit: str) -> UnitStyle:
    """Return the display style of a unit (1 decimal and the unit itself when unknown)."""
    return _STYLES.get(unit, UnitStyle(1.0, 1, unit, unit))


def display_unit(unit: str) -> str:
    """Return the short unit printed next to a value (a share becomes ``%``)."""
    return unit_style(unit).suffix


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
    """Format a number the French way (``−12 345,6``), « non disponible » when missing.

    Parameters
    ----------
    value
        Any value; a missing or non-finite one gives :data:`MISSING`.
    decimals
        Decimals shown (rounded half to even, as Python's ``format``).
    sign
        Write ``+`` before a positive value (a gap). A value that rounds to zero never
        carries a sign.
    """
    if not is_number(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    text = f"{abs(number):,.{decimals}f}".replace(",", THIN).replace(".", ",")
    if any(ch not in "0," + THIN for ch in text):
        if number < 0:
            text = _MINUS + text
        elif sign:
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


def format_share(value: object, decimals: int = 1) -> str:
    """Format a share (0–1) as a percentage with ``decimals`` decimals (``35 %``)."""
    if not is_number(value):
        return MISSING
    return _with_unit(format_number(float(value) * 100.0, decimals), "%")  # type: ignore[arg-type]


def format_gap(value: object, unit: str) -> str:
    """Format a difference between two values, signed (a share gap reads ``+12,3 pt``)."""
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


def format_euros(value: object) -> str:
    """Format an amount in euros, rounded to the hundred from ten thousand (``12 300 €``)."""
    amount = as_float(value)
    if amount is None:
        return MISSING
    rounded = round(amount, -2) if abs(amount) >= 10_000 else round(amount)
    return _with_unit(format_number(rounded, 0), "€")


def format_euro_range(low: object, high: object) -> str:
    """Format a cost range (``1 200 € à 3 400 €``; one amount when both ends are equal)."""
    if as_float(low) == as_float(high):
        return format_euros(low)
    return f"{format_euros(low)} à {format_euros(high)}"


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
