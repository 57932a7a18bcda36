"""Small accessible SVG charts drawn on the server (no JavaScript, no external library).

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (referenced by
``aria-labelledby``); the same figures are always in a table next to it. Text is escaped.
Colours keep a 3:1 contrast with the white background (WCAG non-text contrast).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from quartiers.outputs.formatting import (
    as_float,
    format_number,
    format_ratio,
    format_value,
    is_number,
)

__all__ = [
    "ClimateBar",
    "DotGroup",
    "RankRow",
    "RatioRow",
    "ScoreRow",
    "climate_chart",
    "dot_plot",
    "rank_interval_chart",
    "ratio_chart",
    "score_chart",
]

MORE_VULNERABLE = "#b34000"
LESS_VULNERABLE = "#3558a2"
NEUTRAL = "#666666"
HIGHLIGHT = "#000091"
TEXT = "#161616"
GRID = "#929292"
FONT = 'font-family="system-ui, Arial, sans-serif"'
LABEL_CHARS = 44


def _short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def _label(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    weight: str = "",
    chars: int = LABEL_CHARS,
) -> str:
    full = escape(text)
    bold = ' font-weight="bold"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="13" fill="{TEXT}"'
        f"{bold}><title>{full}</title>{escape(_short(text, chars))}</text>"
    )


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(
        f'<svg class="graphique" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-titre {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{escape(chart_id)}-titre">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


# ---------------------------------------------------------------- ratios


@dataclass(frozen=True)
class RatioRow:
    """One indicator: the QPV value divided by the rest's value, and its direction."""

    label: str
    ratio: float | None
    direction: int


def ratio_chart(rows: Sequence[RatioRow], *, chart_id: str, title: str, desc: str) -> Markup:
    """Draw diverging bars of ratios on a log scale around 1 (clamped to ÷8 … ×8)."""
    shown = [r for r in rows if is_number(r.ratio) and float(r.ratio or 0) > 0]
    left, width, row_h = 330, 720, 24
    plot_w = width - left - 70
    mid = left + plot_w / 2
    span = math.log2(8.0)
    height = 40 + row_h * max(len(shown), 1)
    body = [
        f'<line x1="{mid:.1f}" y1="18" x2="{mid:.1f}" y2="{height - 8}" stroke="{GRID}"/>',
        _label(mid, 13, "×1 (égal au reste)", anchor="middle"),
        _label(left, 13, "÷8", anchor="start"),
        _label(left + plot_w, 13, "×8", anchor="end"),
    ]
    if not shown:
        body.append(_label(left, 40, "aucun rapport calculable"))
    for i, row in enumerate(shown):
        ratio = float(row.ratio or 1.0)
        y = 26 + i * row_h
        pos = max(-1.0, min(1.0, math.log2(ratio) / span))
        x0, x1 = sorted((mid, mid + pos * plot_w / 2))
        worse = (ratio > 1) == (row.direction > 0)
        colour = MORE_VULNERABLE if worse else LESS_VULNERABLE
        if math.isclose(ratio, 1.0, rel_tol=0.005):
            colour = NEUTRAL
        body.append(_label(left - 8, y + 13, row.label, anchor="end"))
        body.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1.5):.1f}" height="14" '
            f'fill="{colour}"/>'
        )
        tx = x1 + 4 if pos >= 0 else x0 - 4
        body.append(_label(tx, y + 14, format_ratio(ratio), anchor="start" if pos >= 0 else "end"))
    return _svg(chart_id, width, height, title, desc, "".join(body))


# ---------------------------------------------------------------- scores


@dataclass(frozen=True)
class ScoreRow:
    """A dimension score (0–1) of the QPV and of its comparison zones."""

    label: str
    values: tuple[tuple[str, float | None], ...]


_SERIES = (HIGHLIGHT, "#8d8d8d", "#4f4f4f")


def score_chart(rows: Sequence[ScoreRow], *, chart_id: str, title: str, desc: str) -> Markup:
    """Draw grouped horizontal bars of dimension scores on a 0–1 axis."""
    left, width = 170, 720
    plot_w = width - left - 60
    series = rows[0].values if rows else ()
    group_h = 14 * max(len(series), 1) + 14
    legend_h = 24
    height = legend_h + 40 + group_h * max(len(rows), 1)
    body = []
    x = left
    for k, (name, _) in enumerate(series):
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{_SERIES[k % 3]}"/>')
        body.append(_label(x + 16, 15, name))
        x += 16 + 8 * len(name) + 24
    for tick in (0.0, 0.5, 1.0):
        tx = left + tick * plot_w
        body.append(
            f'<line x1="{tx:.1f}" y1="{legend_h + 10}" x2="{tx:.1f}" y2="{height - 22}" '
            f'stroke="{GRID}" stroke-dasharray="2 3"/>'
        )
        body.append(_label(tx, height - 6, format_number(tick, 1), anchor="middle"))
    for i, row in enumerate(rows):
        y0 = legend_h + 16 + i * group_h
        body.append(_label(left - 8, y0 + group_h / 2, row.label, anchor="end"))
        for k, (_, value) in enumerate(row.values):
            y = y0 + k * 14
            if is_number(value):
                w = max(0.0, min(1.0, float(value or 0))) * plot_w
                body.append(
                    f'<rect x="{left}" y="{y}" width="{max(w, 1.5):.1f}" height="11" '
                    f'fill="{_SERIES[k % 3]}"/>'
                )
                body.append(_label(left + w + 4, y + 10, format_number(value, 2)))
            else:
                body.append(_label(left + 4, y + 10, "non disponible"))
    return _svg(chart_id, width, height, title, desc, "".join(body))


# ---------------------------------------------------------------- ranks


@dataclass(frozen=True)
class RankRow:
    """A QPV's rank interval (low … high) and median rank."""

    label: str
    low: float | None
    median: float | None
    high: float | None
    highlight: bool = False


def rank_interval_chart(
    rows: Sequence[RankRow], n_ranks: int, *, chart_id: str, title: str, desc: str
) -> Markup:
    """Draw each QPV's rank interval as a segment with its median rank (1 on the left)."""
    left, width, row_h = 260, 720, 24
    plot_w = width - left - 30
    n = max(n_ranks, 1)
    height = 40 + row_h * max(len(rows), 1)

    def x_of(rank: float) -> float:
        return left + (plot_w * (rank - 1) / (n - 1) if n > 1 else plot_w / 2)

    body = [
        _label(left, 13, "rang 1 (plus vulnérable)", anchor="start"),
        _label(left + plot_w, 13, f"rang {n}", anchor="end"),
    ]
    for i, row in enumerate(rows):
        y = 30 + i * row_h
        colour = HIGHLIGHT if row.highlight else NEUTRAL
        body.append(
            _label(
                left - 8,
                y + 4,
                row.label,
                anchor="end",
                weight="b" if row.highlight else "",
                chars=32,
            )
        )
        if is_number(row.low) and is_number(row.high):
            x0, x1 = x_of(float(row.low or 1)), x_of(float(row.high or 1))
            body.append(
                f'<line x1="{x0:.1f}" y1="{y}" x2="{x1:.1f}" y2="{y}" stroke="{colour}" '
                f'stroke-width="{5 if row.highlight else 3}" stroke-linecap="round"/>'
            )
        if is_number(row.median):
            body.append(
                f'<circle cx="{x_of(float(row.median or 1)):.1f}" cy="{y}" r="6" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
            )
    return _svg(chart_id, width, height, title, desc, "".join(body))


# ---------------------------------------------------------------- climate


@dataclass(frozen=True)
class ClimateBar:
    """A climate value at one horizon with its spread."""

    label: str
    value: float | None
    low: float | None
    high: float | None


def climate_chart(
    bars: Sequence[ClimateBar], unit: str, *, chart_id: str, title: str, desc: str
) -> Markup:
    """Draw vertical bars per horizon with the spread between models as whiskers."""
    width, height, bottom, top = 420, 230, 190, 24
    values = [v for b in bars for v in (as_float(b.value), as_float(b.high)) if v is not None]
    vmax = max(values) * 1.1 if values and max(values) > 0 else 1.0
    slot = (width - 40) / max(len(bars), 1)
    body = [f'<line x1="30" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="{GRID}"/>']

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / vmax

    for i, bar in enumerate(bars):
        cx = 40 + slot * (i + 0.5)
        body.append(_label(cx, bottom + 18, bar.label, anchor="middle"))
        if not is_number(bar.value):
            body.append(_label(cx, bottom - 8, "—", anchor="middle"))
            continue
        v = float(bar.value or 0)
        body.append(
            f'<rect x="{cx - slot * 0.3:.1f}" y="{y_of(v):.1f}" width="{slot * 0.6:.1f}" '
            f'height="{bottom - y_of(v):.1f}" fill="{MORE_VULNERABLE}"/>'
        )
        if is_number(bar.low) and is_number(bar.high):
            lo, hi = y_of(float(bar.low or 0)), y_of(float(bar.high or 0))
            body.append(
                f'<line x1="{cx:.1f}" y1="{lo:.1f}" x2="{cx:.1f}" y2="{hi:.1f}" '
                f'stroke="{TEXT}" stroke-width="2"/>'
                f'<line x1="{cx - 6:.1f}" y1="{hi:.1f}" x2="{cx + 6:.1f}" y2="{hi:.1f}" '
                f'stroke="{TEXT}" stroke-width="2"/>'
                f'<line x1="{cx - 6:.1f}" y1="{lo:.1f}" x2="{cx + 6:.1f}" y2="{lo:.1f}" '
                f'stroke="{TEXT}" stroke-width="2"/>'
            )
        high = as_float(bar.high)
        top_y = y_of(high) if high is not None else y_of(v)
        body.append(_label(cx, top_y - 5, format_value(v, unit), anchor="middle"))
    return _svg(chart_id, width, height, title, desc, "".join(body))


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class DotGroup:
    """One territory: its QPV values and the value of the rest of its EPCI or commune."""

    label: str
    points: tuple[tuple[str, float | None], ...]
    reference: float | None


def dot_plot(
    groups: Sequence[DotGroup], unit: str, *, chart_id: str, title: str, desc: str
) -> Markup:
    """Draw one row per territory: a dot per QPV and a tick for the rest of the territory."""
    left, width, row_h = 290, 760, 40
    plot_w = width - left - 40
    values = [v for g in groups for _, p in g.points if (v := as_float(p)) is not None]
    values += [v for g in groups if (v := as_float(g.reference)) is not None]
    lo = min(values) if values else 0.0
    hi = max(values) if values else 1.0
    lo = min(lo, 0.0)
    if hi <= lo:
        hi = lo + 1.0
    height = 44 + row_h * max(len(groups), 1)

    def x_of(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    body = [
        _label(left, 14, format_value(lo, unit), anchor="start"),
        _label(left + plot_w, 14, format_value(hi, unit), anchor="end"),
    ]
    for i, group in enumerate(groups):
        y = 40 + i * row_h
        body.append(_label(left - 10, y + 4, group.label, anchor="end", chars=34))
        body.append(
            f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="{GRID}" '
            'stroke-dasharray="2 3"/>'
        )
        if is_number(group.reference):
            rx = x_of(float(group.reference or 0))
            body.append(
                f'<line x1="{rx:.1f}" y1="{y - 11}" x2="{rx:.1f}" y2="{y + 11}" '
                f'stroke="{TEXT}" stroke-width="3"><title>reste du territoire : '
                f"{escape(format_value(group.reference, unit))}</title></line>"
            )
        for name, value in group.points:
            if is_number(value):
                body.append(
                    f'<circle cx="{x_of(float(value or 0)):.1f}" cy="{y}" r="7" '
                    f'fill="{MORE_VULNERABLE}" fill-opacity="0.75" stroke="{TEXT}">'
                    f"<title>{escape(name)} : {escape(format_value(value, unit))}</title></circle>"
                )
    return _svg(chart_id, width, height, title, desc, "".join(body))
