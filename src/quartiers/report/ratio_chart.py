"""The ratio chart of the sheets: each indicator of the QPV against the rest (log scale)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.lines import Line2D

from quartiers.outputs.formatting import format_value
from quartiers.report._plot import OKABE_ITO, new_figure, to_chart, wrap
from quartiers.report.chart_data import Compared
from quartiers.report.model import Chart

__all__ = ["RATIO_LIMITS", "SAME_TOLERANCE", "ratio_chart"]

#: Ratios are drawn between these bounds (log scale); beyond, at the bound with an arrow.
RATIO_LIMITS = (0.125, 8.0)

# Side of a ratio: colour and marker (shape differs too, for colour-blind readers).
_SIDES = {
    "worse": (OKABE_ITO["vermillion"], "^"),
    "better": (OKABE_ITO["blue"], "o"),
    "same": ("#555555", "D"),
}
#: Ratios within this relative distance of 1 count as the same value.
SAME_TOLERANCE = 0.01


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _side(ratio: float, direction: int) -> str:
    if abs(ratio - 1.0) <= SAME_TOLERANCE:
        return "same"
    return "worse" if (ratio - 1.0) * direction > 0 else "better"


def _ratio(own: float | None, other: float | None) -> float | None:
    if own is None or other is None or other <= 0 or own < 0:
        return None
    return own / other if own > 0 else RATIO_LIMITS[0]


def ratio_chart(
    items: Sequence[Compared], *, title: str, others: Sequence[str], names: dict[str, str]
) -> Chart:
    """Return one row per indicator: the QPV's value divided by the rest's (log scale).

    A point right of 1 means the QPV has more of it than the rest of its commune. Points
    are vermillion triangles when that side means more vulnerable, blue circles when it
    means less; hollow markers compare with the rest of the EPCI when given.

    Parameters
    ----------
    items
        Indicators with values for ``qpv`` and the keys of ``others``.
    title
        Chart title.
    others
        Compared zones (``commune``, then optionally ``epci``).
    names
        Zone key → label for the legend and the text alternative.
    """
    low, high = RATIO_LIMITS
    labels = [wrap(i.label, 48) for i in items]
    rows = sum(0.1 + 0.14 * label.count("\n") for label in labels)
    fig = new_figure(7.0, 0.8 + 0.22 * len(items) + rows)
    ax = fig.add_subplot()
    y = np.arange(len(items))[::-1]
    ax.axvline(1.0, color="#555555", lw=0.8)
    alt_parts = []
    for yy, item in zip(y, items, strict=True):
        alt_parts.append(_ratio_row(ax, yy, item, others, names))
    ax.set_xscale("log")
    ax.set_xlim(low / 1.2, high * 1.2)
    ticks = [0.125, 0.25, 0.5, 1, 2, 4, 8]
    ax.set_xticks(ticks, ["÷8", "÷4", "÷2", "1", "×2", "×4", "×8"])
    ax.minorticks_off()
    ax.set_yticks(y, labels, fontsize=6.5)
    ax.set_ylim(-0.7, len(items) - 0.3)
    ax.set_xlabel(
        f"rapport QPV / {_lower_first(names[others[0]])} (échelle logarithmique ; 1 = même valeur)",
        fontsize=7,
    )
    ax.tick_params(labelsize=6.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=9, loc="left")
    handles = _ratio_handles(others, names)
    fig.legend(
        handles=handles, loc="outside lower center", ncols=len(handles), fontsize=6.5, frameon=False
    )
    alt = f"{title}. " + " ; ".join(alt_parts) + "."
    return to_chart(fig, title=title, alt=alt)


def _ratio_row(
    ax: Any, yy: float, item: Compared, others: Sequence[str], names: dict[str, str]
) -> str:
    """Draw one indicator's ratios on row ``yy``; return its text alternative."""
    low, high = RATIO_LIMITS
    own = item.values.get("qpv")
    texts = [f"QPV {format_value(own, item.unit)}"]
    for k, zone in enumerate(others):
        other = item.values.get(zone)
        texts.append(f"{names[zone]} {format_value(other, item.unit)}")
        r = _ratio(own, other)
        if r is None:
            continue
        shown = min(max(r, low), high)
        colour, marker = _SIDES[_side(r, item.direction)]
        ax.plot(
            [shown],
            [yy],
            marker,
            ms=6 if k == 0 else 5,
            color=colour,
            markerfacecolor=colour if k == 0 else "white",
            zorder=3,
        )
        if k == 0:
            ax.plot([1.0, shown], [yy, yy], color=colour, lw=1.2, zorder=2)
        if shown != r:
            ax.annotate("▶" if r > high else "◀", (shown, yy), fontsize=6, va="center")
    return f"{item.label} : " + ", ".join(texts)


def _ratio_handles(others: Sequence[str], names: dict[str, str]) -> list[Line2D]:
    """Return the legend entries: the three sides, and hollow markers for the EPCI."""
    handles = [
        Line2D([], [], marker=_SIDES[side][1], ls="", color=_SIDES[side][0], label=label)
        for side, label in (
            ("worse", "QPV plus vulnérable sur ce point"),
            ("better", "QPV moins vulnérable"),
            ("same", "même valeur (à 1 % près)"),
        )
    ]
    if len(others) > 1:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color="black",
                markerfacecolor="white",
                label=f"creux : rapport au {_lower_first(names[others[1]])}",
            )
        )
    return handles
