"""Map classes: population-weighted quintile breaks, colours and French legends (pure).

The breaks are those of the diagnostic (:func:`quartiers.method.rank.weighted_breaks` over the
cells, weighted by residents): each class holds about a fifth of the territory's residents.
A value equal to a break falls in the lower class, as in :func:`quartiers.method.rank.classify`.
Equal breaks (a per-commune climate value shared by many cells) merge into fewer classes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from quartiers.method.rank import weighted_breaks
from quartiers.outputs.formatting import format_value
from quartiers.outputs.quantities import IndicatorInfo

__all__ = [
    "NO_DATA_COLOUR",
    "NO_DATA_LABEL",
    "PALETTES",
    "Legend",
    "class_breaks",
    "class_of",
    "equal_breaks",
    "make_legend",
]

FloatArray = NDArray[np.float64]

#: Sequential palettes (ColorBrewer YlOrRd, colour-blind safe), light = less vulnerable.
PALETTES: dict[int, tuple[str, ...]] = {
    1: ("#fd8d3c",),
    2: ("#fecc5c", "#e31a1c"),
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
}
#: Colour of cells without value (too few residents, not computed).
NO_DATA_COLOUR = "#d0d0d0"
NO_DATA_LABEL = "non disponible ou non significatif"


@dataclass(frozen=True)
class Legend:
    """Classes of one indicator at one horizon, ready for the map and the page.

    Attributes
    ----------
    indicator, horizon
        What is mapped.
    title
        French title (label and unit).
    breaks
        Upper bounds of every class but the last (strictly increasing).
    colours
        One colour per class, ordered like the values (dark = more vulnerable).
    labels
        One French label per class (« jusqu'à 12,3 % », « 12,3 % à 20,1 % »…).
    note
        How the classes were made, or why there are none.
    """

    indicator: str
    horizon: str
    title: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    labels: tuple[str, ...]
    note: str

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (used by the map script)."""
        return {
            "indicator": self.indicator,
            "horizon": self.horizon,
            "title": self.title,
            "breaks": list(self.breaks),
            "colours": list(self.colours),
            "labels": list(self.labels),
            "no_data_colour": NO_DATA_COLOUR,
            "no_data_label": NO_DATA_LABEL,
            "note": self.note,
        }


def class_breaks(values: FloatArray, weights: FloatArray) -> tuple[float, ...]:
    """Return the distinct population-weighted quintile breaks of ``values``."""
    raw = weighted_breaks(np.asarray(values, "float64"), np.asarray(weights, "float64"))
    finite = [float(b) for b in raw if np.isfinite(b)]
    out: list[float] = []
    for b in finite:
        if not out or b > out[-1]:
            out.append(b)
    ok = np.isfinite(values) & (np.asarray(weights, "float64") > 0)
    if out and ok.any() and out[-1] >= float(np.max(np.asarray(values)[ok])):
        # a last break equal to the maximum would leave the top class empty
        out.pop()
    return tuple(out)


def _nice_ceiling(value: float) -> float:
    """Return the smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) ≥ value > 0."""
    exponent = np.floor(np.log10(value))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        candidate = float(step * 10.0**exponent)
        if candidate >= value * (1 - 1e-12):
            return candidate
    return float(10.0 ** (exponent + 1))  # pragma: no cover - the loop always returns


def equal_breaks(values: FloatArray, n_classes: int = 5) -> tuple[float, ...]:
    """Return equal-interval breaks from 0 to a round ceiling of the largest value.

    Used for the per-commune climate indicators, pooled over every horizon, so that the
    classes stay the same when the horizon changes and the map shows the warming.
    """
    finite = np.asarray(values, dtype="float64")
    finite = finite[np.isfinite(finite)]
    if not finite.size or float(finite.max()) <= 0 or float(finite.min()) < 0:
        return ()
    top = _nice_ceiling(float(finite.max()))
    return tuple(top * k / n_classes for k in range(1, n_classes))


def class_of(values: FloatArray, breaks: tuple[float, ...]) -> NDArray[np.int64]:
    """Return the class (0-based) of each value, -1 where missing; equal → lower class."""
    values = np.asarray(values, dtype="float64")
    out = np.full(values.shape, -1, dtype=np.int64)
    ok = np.isfinite(values)
    out[ok] = np.searchsorted(np.asarray(breaks, dtype="float64"), values[ok], side="left")
    return out


def _labels(breaks: tuple[float, ...], unit: str) -> tuple[str, ...]:
    shown = [format_value(b, unit) for b in breaks]
    if not shown:
        return ("toutes les valeurs",)
    labels = [f"jusqu'à {shown[0]}"]
    labels += [f"{lo} à {hi}" for lo, hi in itertools.pairwise(shown)]
    labels.append(f"plus de {shown[-1]}")
    return tuple(labels)


def make_legend(
    info: IndicatorInfo,
    values: FloatArray,
    weights: FloatArray,
    *,
    horizon: str,
    horizon_label: str,
    fixed_breaks: tuple[float, ...] | None = None,
    fixed_note: str | None = None,
) -> Legend:
    """Return the legend of ``info`` given the cells' values and residents.

    ``fixed_breaks`` (equal intervals, see :func:`equal_breaks`) replace the quintiles;
    ``fixed_note`` then replaces the words on how the classes were made.
    """
    title = info.label + (f" — {horizon_label}" if info.climate else "")
    finite = np.isfinite(np.asarray(values, "float64"))
    if not info.available or not finite.any():
        reason = info.missing_reason or "aucune valeur"
        return Legend(info.id, horizon, title, (), (), (), f"non disponible : {reason}")
    if fixed_breaks:
        breaks = fixed_breaks
        note = fixed_note or (
            "Classes : intervalles égaux, les mêmes à tous les horizons pour montrer "
            "l'évolution ; couleur foncée = plus vulnérable"
        )
    else:
        breaks = class_breaks(values, weights)
        note = (
            "Classes : quintiles de la population des carreaux (chaque classe regroupe environ "
            "un cinquième des habitants) ; couleur foncée = plus vulnérable"
        )
        if len(breaks) < 4:
            count = "une seule classe" if not breaks else f"{len(breaks) + 1} classes seulement"
            note += f" ; {count}, les valeurs se répétant"
    colours = PALETTES[len(breaks) + 1]
    if info.direction < 0:
        colours = tuple(reversed(colours))
        note += " (ici, les valeurs basses)"
    return Legend(info.id, horizon, title, breaks, colours, _labels(breaks, info.unit), note)
