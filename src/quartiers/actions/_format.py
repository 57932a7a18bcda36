"""French number formatting shared by the roadmap exports, the API and the workshop page."""

from __future__ import annotations

import math

__all__ = ["euro_range", "euros", "number", "share_points", "value_text", "with_article"]

NNBSP = "\u202f"  # narrow no-break space: French thousands separator


def number(value: float | None, digits: int = 0) -> str:
    """Return ``value`` with a decimal comma and thin-space thousands ('' when missing)."""
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:,.{digits}f}"
    if text.startswith("-"):
        text = "−" + text[1:]
    return text.replace(",", NNBSP).replace(".", ",")


def value_text(value: float | None, unit: str) -> str:
    """Return an indicator value in its unit, the way users read it.

    Shares (``part (0–1)``) become percentages with one decimal; distances and euros are
    whole numbers; scores keep two decimals; counts per year and m² per person one.
    """
    if value is None or not math.isfinite(value):
        return "non disponible"
    if unit.startswith("part"):
        return f"{number(value * 100, 1)}{NNBSP}%"
    if unit == "m":
        return f"{number(value, 0)}{NNBSP}m"
    if unit.startswith("€"):
        return f"{number(value, 0)}{NNBSP}€"
    if unit.startswith("score") or unit == "0–1":
        return number(value, 2)
    if unit == "rang":
        return number(value, 0)
    if unit.startswith("m²"):
        return f"{number(value, 1)}{NNBSP}m²"
    return f"{number(value, 1)}{NNBSP}{unit.split(' par ')[0]}".strip()


def share_points(delta: float, unit: str) -> str:
    """Return a signed change in the indicator's unit (percentage points for shares)."""
    if not math.isfinite(delta):
        return ""
    sign = "+" if delta > 0 else ""
    if unit.startswith("part"):
        return f"{sign}{number(delta * 100, 1)}{NNBSP}pts"
    text = value_text(delta, unit)
    return f"{sign}{text}"


def euros(value: float) -> str:
    """Return an amount in euros, rounded to the hundred when above ten thousand."""
    if not math.isfinite(value):
        return ""
    rounded = round(value, -2) if abs(value) >= 10_000 else round(value)
    return f"{number(rounded, 0)}{NNBSP}€"


def euro_range(low: float, high: float) -> str:
    """Return a cost range ('0 €' when both are zero)."""
    if low == high:
        return euros(low)
    return f"{euros(low)} à {euros(high)}"


_ARTICLES = {
    "part": "la ",
    "distance": "la ",
    "surface": "la ",
    "sensibilité": "la ",
    "indice": "l'",
    "taux": "le ",
    "niveau": "le ",
    "score": "le ",
    "rang": "le ",
    "jours": "les ",
    "nuits": "les ",
    "journées": "les ",
}


def with_article(label: str) -> str:
    """Return a label in lower case after its French definite article (« la part de… »)."""
    if not label:
        return label
    article = _ARTICLES.get(label.split()[0].lower(), "")
    return f"{article}{label[0].lower()}{label[1:]}"
