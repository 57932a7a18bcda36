"""Rule builders of the value validation (see :mod:`quartiers.sources.validation`).

Each builder returns pandera checks with a French message saying what is wrong and what
was expected; :func:`quartiers.sources.validation.schema` assembles them per source. Row
rules (:class:`Relation`, :class:`RowRule`) compare several columns of a row.
pandera is imported on first use only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas as pa

__all__ = [
    "AT_MOST_TOLERANCE",
    "DAYS_PER_YEAR",
    "Relation",
    "RowRule",
    "at_most",
    "count",
    "days",
    "identifier",
    "latitude",
    "longitude",
    "number",
    "one_of",
    "share",
]

#: Upper bound of a count of days in one year (leap years included).
DAYS_PER_YEAR = 366

#: Relative tolerance of :func:`at_most` (published values are exact; only float noise).
AT_MOST_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Relation:
    """A rule between two columns of a row: ``column`` ≤ ``bound`` (with float tolerance).

    ``column`` is the column the message names; ``text`` says what is wrong, in French.
    """

    column: str
    bound: str
    text: str

    def check(self) -> pa.Check:
        """Return the pandera wide check of this relation (NaN on either side passes)."""
        import pandera.pandas as pa

        column, bound = self.column, self.bound

        def holds(frame: pd.DataFrame) -> pd.Series:
            if column not in frame.columns or bound not in frame.columns:
                return pd.Series(True, index=frame.index)  # a field this vintage lacks
            left = frame[column].to_numpy(dtype="float64")
            right = frame[bound].to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                over = left > right + AT_MOST_TOLERANCE * np.maximum(np.abs(right), 1.0)
            return pd.Series(~over, index=frame.index)

        return pa.Check(holds, name=f"{column}:relation:{bound}", error=self.text)


def _finite(name: str) -> pa.Check:
    import pandera.pandas as pa

    def finite(values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        return pd.Series(np.isfinite(numbers.to_numpy()), index=values.index)

    return pa.Check(
        finite,
        name=f"{name}:finite",
        error="valeur infinie ou non numérique — attendu un nombre fini",
    )


def _text(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:g}".replace(".", ",")


def number(
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
    why_maximum: str = "",
    nullable: bool = True,
) -> list[pa.Check]:
    """Return the checks of a finite number within ``[minimum, maximum]``.

    Parameters
    ----------
    minimum, maximum
        Bounds (inclusive); ``None`` for no bound.
    unit
        French unit shown in the message (``personnes``, ``jours``).
    why_maximum
        French reason of the upper bound (``plafond plausible d'un carreau de 200 m``).
    nullable
        Whether an empty value is accepted (it then means « non renseigné »).
    """
    import pandera.pandas as pa

    suffix = f" {unit}" if unit else ""
    checks = [_finite("number")]
    if minimum is not None:
        text = "valeur négative" if minimum == 0 else f"valeur inférieure à {_text(minimum)}"
        checks.append(
            pa.Check.ge(
                minimum, name="number:minimum", error=f"{text} — attendu ≥ {_text(minimum)}"
            )
        )
    if maximum is not None:
        reason = f" ({why_maximum})" if why_maximum else ""
        checks.append(
            pa.Check.le(
                maximum,
                name="number:maximum",
                error=f"valeur supérieure à {_text(maximum)}{suffix}{reason} — "
                f"attendu ≤ {_text(maximum)}",
            )
        )
    if not nullable:
        checks.append(
            pa.Check(
                lambda s: s.notna(),
                name="number:required",
                ignore_na=False,
                error="valeur manquante — attendu un nombre",
            )
        )
    return checks


def count(*, maximum: float | None = None, unit: str = "", why_maximum: str = "") -> list[pa.Check]:
    """Return the checks of a count: finite, ≥ 0, at most ``maximum``."""
    return number(minimum=0, maximum=maximum, unit=unit, why_maximum=why_maximum)


def share() -> list[pa.Check]:
    """Return the checks of a share (proportion) in [0, 1]."""
    import pandera.pandas as pa

    return [
        _finite("share"),
        pa.Check.in_range(0, 1, name="share:range", error="part hors de [0, 1] — attendu 0 à 1"),
    ]


def days(*, maximum: int = DAYS_PER_YEAR) -> list[pa.Check]:
    """Return the checks of a number of days in a year (or a season): 0 to ``maximum``."""
    return number(minimum=0, maximum=maximum, unit="jours", why_maximum="jours d'une année")


def longitude() -> list[pa.Check]:
    """Return the checks of a WGS84 longitude in degrees."""
    return number(minimum=-180, maximum=180, unit="degrés", why_maximum="longitude")


def latitude() -> list[pa.Check]:
    """Return the checks of a WGS84 latitude in degrees."""
    return number(minimum=-90, maximum=90, unit="degrés", why_maximum="latitude")


def identifier() -> list[pa.Check]:
    """Return the checks of an identifier column: present (not empty) and unique."""
    import pandera.pandas as pa

    def present(values: pd.Series) -> pd.Series:
        return values.notna() & (values.astype("string").str.strip() != "")

    return [
        pa.Check(present, name="id:present", ignore_na=False, error="identifiant vide"),
        pa.Check(
            lambda s: ~s.duplicated(keep="first"),
            name="id:unique",
            ignore_na=False,
            error="identifiant en double — attendu une ligne par identifiant",
        ),
    ]


def at_most(
    column: str, bound: str, what: str = "", what_bound: str = "", *, text: str = ""
) -> Relation:
    """Return the rule ``column ≤ bound`` (e.g. poor households within households).

    ``what`` and ``what_bound`` name both quantities in French (plural), for the message
    « ménages pauvres plus nombreux que les ménages (men_pauv > men) »; ``text`` replaces
    that sentence (« minimum supérieur à la moyenne (min > mean) »).
    """
    said = text or f"{what} plus nombreux que {what_bound} ({column} > {bound})"
    return Relation(column, bound, f"{said} — attendu {column} ≤ {bound}")


def one_of(
    allowed: Collection[str], expected: str, *, what: str = "valeur", required: bool = False
) -> list[pa.Check]:
    """Return the check of a code among ``allowed`` (compared as trimmed text).

    ``expected`` says in French what is accepted (« 1 à 10 ou A à G »); ``what`` names the
    value in the message (« classe LCZ »). An empty value passes unless ``required``.
    """
    import pandera.pandas as pa

    accepted = frozenset(str(a) for a in allowed)

    def known(values: pd.Series) -> pd.Series:
        text = values.astype("string").str.strip().fillna("")
        return text.isin(accepted) | ((text == "") & (not required))

    return [
        pa.Check(
            known,
            name=f"one_of:{expected}",
            ignore_na=False,
            error=f"{what} {'absente ou inconnue' if required else 'inconnue'} — attendu "
            f"{expected}",
        )
    ]


@dataclass(frozen=True)
class RowRule:
    """A rule on several columns of a row, reported on ``column`` with the French ``text``.

    ``holds`` returns, per row, whether the rule is met (e.g. « un lieu à ouvrir a ses
    coordonnées »).
    """

    column: str
    text: str
    holds: Callable[[pd.DataFrame], pd.Series]

    def check(self) -> pa.Check:
        """Return the pandera wide check of this rule."""
        import pandera.pandas as pa

        return pa.Check(self.holds, name=f"{self.column}:row", error=self.text)
