"""Charts of the sheets: indicators compared by zone, heat horizons, ranks (matplotlib).

Every chart has a title, units on its value axis, French number notation and a text
alternative; colours come from the Okabe–Ito palette and every series is also named on
the axis, so nothing depends on telling colours apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from quartiers.outputs.formatting import MISSING, SHARE_UNIT, display_unit, format_value
from quartiers.report._plot import OKABE_ITO, SERIES, french_axis, new_figure, to_chart, wrap
from quartiers.report.chart_data import Compared, RankedUnit
from quartiers.report.model import Chart
from quartiers.report.ratio_chart import ratio_chart

__all__ = [
    "Compared",
    "RankedUnit",
    "climate_chart",
    "compared_chart",
    "grouped_chart",
    "horizon_lines",
    "rank_chart",
    "ratio_chart",
]

#: Names of the compared zones, in drawing order.
ZONE_NAMES = {"qpv": "QPV", "commune": "Reste commune", "epci": "Reste EPCI"}


def _scaled(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return value * 100 if unit == SHARE_UNIT else value


def compared_chart(
    items: Sequence[Compared],
    *,
    title: str,
    zones: Sequence[str],
    names: dict[str, str],
    colours: dict[str, str] | None = None,
) -> Chart:
    """Return small multiples, one panel per indicator, one bar per zone.

    Parameters
    ----------
    items
        Indicators with their values per zone.
    title
        Title of the whole figure.
    zones
        Zone keys to draw (``qpv``, ``commune``, ``epci`` or territory codes), top to bottom.
    names
        Zone key → label on the axis.
    colours
        Zone key → colour (default: QPV vermillion, rest of commune blue, rest of EPCI sky).
    """
    ncols = 3
    nrows = max(1, math.ceil(len(items) / ncols))
    height = 0.35 + nrows * (0.55 + 0.2 * len(zones))
    fig = new_figure(7.0, height)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    chosen = colours or SERIES
    fallback = list(OKABE_ITO.values())
    fills = [chosen.get(z) or fallback[i % len(fallback)] for i, z in enumerate(zones)]
    alt_parts = []
    for k, ax in enumerate(axes.ravel()):
        if k >= len(items):
            ax.set_axis_off()
            continue
        item = items[k]
        values = [_scaled(item.values.get(z), item.unit) for z in zones]
        y = np.arange(len(zones))[::-1]
        shown = [v if v is not None else 0.0 for v in values]
        bars = ax.barh(y, shown, color=fills, height=0.7)
        for bar, v in zip(bars, values, strict=True):
            if v is None:
                bar.set_visible(False)
        ax.set_yticks(y, [names[z] for z in zones], fontsize=6.5)
        ax.set_title(wrap(item.label, 36), fontsize=7, loc="left")
        ax.set_xlabel(display_unit(item.unit), fontsize=6.5)
        french_axis(ax)
        top = max([v for v in values if v is not None] or [1.0])
        ax.set_xlim(0, top * 1.35 if top > 0 else 1.0)
        for yy, v, z in zip(y, values, zones, strict=True):
            raw = item.values.get(z)
            text = format_value(raw, item.unit) if v is not None else MISSING
            ax.text(v or 0.0, yy, " " + text, va="center", fontsize=6)
        alt_parts.append(
            f"{item.label} : "
            + ", ".join(f"{names[z]} {format_value(item.values.get(z), item.unit)}" for z in zones)
        )
    fig.suptitle(title, fontsize=9)
    return to_chart(fig, title=title, alt=f"{title}. " + " ; ".join(alt_parts) + ".")


def climate_chart(
    series: dict[str, list[tuple[float | None, float | None, float | None]]],
    *,
    horizons: Sequence[str],
    title: str,
    unit: str = "jours (ou nuits) par an",
) -> Chart:
    """Return grouped bars per horizon, one series per climate indicator, with spreads.

    Parameters
    ----------
    series
        Indicator label → per horizon ``(value, low, high)`` (None when missing).
    horizons
        Horizon labels, in order (x axis).
    title
        Chart title.
    unit
        Unit of the value axis.
    """
    fig = new_figure(7.0, 2.9)
    ax = fig.add_subplot()
    colours = [OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["vermillion"]]
    hatches = ["", "//", ".."]
    width = 0.8 / max(1, len(series))
    x = np.arange(len(horizons))
    alt_parts = []
    for k, (label, points) in enumerate(series.items()):
        values = np.array([np.nan if p[0] is None else p[0] for p in points], dtype="float64")
        low = np.array([np.nan if p[1] is None else p[1] for p in points], dtype="float64")
        high = np.array([np.nan if p[2] is None else p[2] for p in points], dtype="float64")
        pos = x - 0.4 + width * (k + 0.5)
        ax.bar(
            pos,
            np.nan_to_num(values),
            width=width * 0.92,
            color=colours[k % 3],
            hatch=hatches[k % 3],
            edgecolor="white",
            label=label,
        )
        spread = np.isfinite(low) & np.isfinite(high) & np.isfinite(values)
        if spread.any():
            err = np.vstack([values - low, high - values])[:, spread]
            ax.errorbar(pos[spread], values[spread], yerr=err, fmt="none", ecolor="black", lw=0.8)
        alt_parts.append(
            f"{label} : "
            + ", ".join(
                f"{h} {format_value(p[0], '')}" for h, p in zip(horizons, points, strict=True)
            )
        )
    ax.set_xticks(x, [wrap(h, 18) for h in horizons], fontsize=7)
    ax.set_ylabel(unit, fontsize=7)
    ax.set_title(title, fontsize=9)
    french_axis(ax, axis="y")
    ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    alt = f"{title}. " + " ; ".join(alt_parts) + ". Traits noirs : fourchette des modèles."
    return to_chart(fig, title=title, alt=alt)


def _rank_text(rank: float | None) -> str:
    if rank is None:
        return "non classé — "
    r = int(rank)
    return ("1er" if r == 1 else f"{r}e") + " — "


def rank_chart(units: Sequence[RankedUnit], *, highlight: str | None, title: str) -> Chart:
    """Return the QPV ranks with their uncertainty interval, or their index when none.

    With intervals (``low``/``high``), each QPV is a point at its median rank and a line
    over its 5–95 % interval (x axis: rank, 1 = most vulnerable). Without them, a bar of
    the index per QPV.
    """
    with_interval = any(u.low is not None and u.high is not None for u in units)
    order = sorted(units, key=lambda u: (u.rank is None, u.rank or 0, -(u.index or 0)))
    fig = new_figure(7.0, 0.9 + 0.22 * len(order))
    ax = fig.add_subplot()
    y = np.arange(len(order))[::-1]
    colours = [OKABE_ITO["vermillion"] if u.code == highlight else OKABE_ITO["blue"] for u in order]
    labels = [wrap(f"{_rank_text(u.rank)}{u.name} ({u.code})", 44) for u in order]
    if with_interval:
        for yy, u, c in zip(y, order, colours, strict=True):
            if u.low is not None and u.high is not None:
                ax.plot([u.low, u.high], [yy, yy], color=c, lw=2.5, solid_capstyle="butt")
            centre = u.median if u.median is not None else u.rank
            if centre is not None:
                ax.plot([centre], [yy], "o", color="black", ms=4)
        ax.set_xlabel(
            "rang parmi les QPV du territoire (1 = le plus vulnérable)\n"
            "point : rang médian ; trait : intervalle de 5 % à 95 % des tirages",
            fontsize=7,
        )
        worst = max([u.high or u.rank or 1.0 for u in order] + [1.0])
        ax.set_xlim(worst + 0.5, 0.5)
        french_axis(ax, integer=True)
        alt_items = [
            f"{u.name} rang {format_value(u.median or u.rank, '')} "
            f"(intervalle {format_value(u.low, '')} à {format_value(u.high, '')})"
            for u in order
        ]
    else:
        values = [u.index if u.index is not None else 0.0 for u in order]
        bars = ax.barh(y, values, color=colours, height=0.7)
        for bar, u, yy in zip(bars, order, y, strict=True):
            if u.index is None:
                bar.set_visible(False)
                ax.text(0, yy, " " + MISSING, va="center", fontsize=6)
            else:
                ax.text(u.index, yy, " " + format_value(u.index, ""), va="center", fontsize=6)
        ax.set_xlabel("indice de vulnérabilité (plus élevé = plus vulnérable)", fontsize=7)
        french_axis(ax)
        alt_items = [f"{u.name} indice {format_value(u.index, '')}" for u in order]
    ax.set_yticks(y, labels, fontsize=6.5)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_title(title, fontsize=9)
    alt = f"{title}. " + " ; ".join(alt_items) + "."
    if highlight:
        alt += f" Le QPV {highlight} est en vermillon."
    return to_chart(fig, title=title, alt=alt)


def horizon_lines(
    series: dict[str, list[float | None]], *, horizons: Sequence[str], title: str, unit: str
) -> Chart:
    """Return one line per series (e.g. a commune) across the climate horizons."""
    fig = new_figure(7.0, 2.8)
    ax = fig.add_subplot()
    colours = list(OKABE_ITO.values())
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    x = np.arange(len(horizons))
    alt_parts = []
    for k, (label, values) in enumerate(series.items()):
        y = np.array([np.nan if v is None else v for v in values], dtype="float64")
        ax.plot(
            x,
            y,
            marker=markers[k % len(markers)],
            color=colours[k % len(colours)],
            label=label,
            lw=1.4,
            ms=4,
        )
        alt_parts.append(
            f"{label} : "
            + ", ".join(f"{h} {format_value(v, '')}" for h, v in zip(horizons, values, strict=True))
        )
    ax.set_xticks(x, [wrap(h, 18) for h in horizons], fontsize=7)
    ax.set_ylabel(unit, fontsize=7)
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=9)
    french_axis(ax, axis="y")
    ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    return to_chart(fig, title=title, alt=f"{title}. " + " ; ".join(alt_parts) + ".")


def _two_lines(text: str, width: int = 20) -> str:
    lines = wrap(text, width).split("\n")
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def grouped_chart(
    items: Sequence[Compared],
    *,
    title: str,
    groups: Sequence[str],
    names: dict[str, str],
    series: dict[str, tuple[str, str]],
) -> Chart:
    """Return small multiples with, per group (territory), one bar per series.

    Parameters
    ----------
    items
        Indicators; ``values`` keys are ``"<group>:<series>"``.
    title
        Title of the figure.
    groups
        Group keys, top to bottom.
    names
        Group key → short label (shown on the first column only).
    series
        Series key → (label in the legend, colour), in drawing order.
    """
    ncols = 3
    nrows = max(1, math.ceil(len(items) / ncols))
    n_series = len(series)
    fig = new_figure(7.0, 0.6 + nrows * (0.45 + 0.3 * len(groups)))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    height = 0.8 / n_series
    hatches = ["", "//", "..", "xx"]
    alt_parts = []
    for k, ax in enumerate(axes.ravel()):
        if k >= len(items):
            ax.set_axis_off()
            continue
        item = items[k]
        base = np.arange(len(groups))[::-1].astype("float64")
        top = 0.0
        texts = []
        for j, (key, (label, colour)) in enumerate(series.items()):
            pos = base + 0.4 - height * (j + 0.5)
            raw = [item.values.get(f"{g}:{key}") for g in groups]
            vals = [_scaled(v, item.unit) for v in raw]
            shown = [v if v is not None else 0.0 for v in vals]
            top = max([top, *[v for v in vals if v is not None]])
            bars = ax.barh(
                pos,
                shown,
                height=height * 0.9,
                color=colour,
                hatch=hatches[j % 4],
                edgecolor="white",
                label=label,
            )
            for bar, v, yy in zip(bars, vals, pos, strict=True):
                bar.set_visible(v is not None)
                if v is None:
                    ax.text(0, yy, " " + MISSING, va="center", fontsize=5.5)
            texts += [
                f"{names[g]} {label.lower()} {format_value(v, item.unit)}"
                for g, v in zip(groups, raw, strict=True)
            ]
        ax.set_yticks(base, [_two_lines(names[g]) for g in groups], fontsize=6.5)
        ax.set_title(wrap(item.label, 34), fontsize=7, loc="left")
        ax.set_xlabel(display_unit(item.unit), fontsize=6.5)
        ax.set_xlim(0, top * 1.1 if top > 0 else 1.0)
        french_axis(ax)
        alt_parts.append(f"{item.label} : " + ", ".join(texts))
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=n_series, fontsize=7, frameon=False
    )
    fig.suptitle(title, fontsize=9)
    return to_chart(fig, title=title, alt=f"{title}. " + " ; ".join(alt_parts) + ".")
