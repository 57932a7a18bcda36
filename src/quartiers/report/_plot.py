"""Drawing helpers shared by the figures: palettes, French tick labels, PNG embedding.

Figures are :class:`matplotlib.figure.Figure` objects drawn with the Agg canvas (no pyplot
state, no display, no network). Palettes are colour-blind safe: Okabe–Ito for categories,
ColorBrewer YlOrRd classes for the index maps (:mod:`quartiers.outputs.classes`).
"""

from __future__ import annotations

import base64
import io
import textwrap
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from quartiers.outputs.classes import NO_DATA_COLOUR
from quartiers.outputs.formatting import format_number
from quartiers.report.model import Chart

__all__ = [
    "DPI",
    "NO_DATA",
    "OKABE_ITO",
    "SERIES",
    "french_axis",
    "new_figure",
    "to_chart",
    "wrap",
]

#: Okabe–Ito palette (colour-blind safe), by name.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
#: Colours of the compared zones (QPV, rest of commune, rest of EPCI).
SERIES = {
    "qpv": OKABE_ITO["vermillion"],
    "commune": OKABE_ITO["blue"],
    "epci": OKABE_ITO["sky"],
}
#: Fill of cells and bars without a value.
NO_DATA = NO_DATA_COLOUR  # the grey of the web map and carte.html
#: Resolution of embedded figures (dots per inch): sharp on paper, light in HTML.
DPI = 150

_FONT = 8.0


def new_figure(width_in: float, height_in: float) -> Figure:
    """Return an empty figure with the sheets' font sizes (inches, constrained layout)."""
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    return fig


def wrap(text: str, width: int = 34) -> str:
    """Return ``text`` wrapped on several lines for a panel title or tick label."""
    return "\n".join(textwrap.wrap(text, width)) or text


def _fr_tick(value: float, _pos: Any) -> str:
    """Return a tick label with the decimals it needs (``0,25``, ``0,3``, ``20``)."""
    if abs(value) >= 1000:
        return format_number(value, 0)
    text = format_number(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def french_axis(ax: Axes, *, axis: str = "x", integer: bool = False) -> None:
    """Use French number notation (decimal comma) on an axis and the sheets' font size."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(FuncFormatter(_fr_tick))
    target.set_major_locator(MaxNLocator(nbins=5, integer=integer))
    ax.tick_params(labelsize=_FONT - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def to_chart(fig: Figure, *, title: str, alt: str) -> Chart:
    """Render ``fig`` to PNG and return it as an embeddable :class:`Chart`."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Chart(title=title, alt=alt, data_uri=f"data:image/png;base64,{data}")
