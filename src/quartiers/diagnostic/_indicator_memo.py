"""Indicator steps kept from a run for a rerun whose layers did not change (what-ifs).

A what-if changes a few layers of a territory's inputs — vegetation for a planting, the
places for a cool room — and reruns the whole diagnostic. Most indicator steps (flood and
clay zones, buildings, LCZ, DPE…) and the building allocation read layers the actions did
not touch: an :class:`IndicatorMemo` keeps what each step gave in the baseline run, keyed by
the layer objects it read, and hands it back when the rerun gives the *same objects* on the
same cells and method. The levers build new layers (they never modify one in place), which is what
makes the identity a safe key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.indicators.base import CellIndicator
from quartiers.method.spec import Method

__all__ = ["CellIndicators", "IndicatorMemo", "run_step"]

T = TypeVar("T")


@dataclass
class CellIndicators:
    """Indicators computed on the cells, and what could not be computed.

    Attributes
    ----------
    values
        Indicator id → :class:`CellIndicator`, in registry order.
    missing
        Indicator id → French reason, for every registry indicator not computed.
    extra
        Informative per-cell columns (LCZ coverage, walking times…).
    climate
        Long climate table of the territory (all horizons), see
        :func:`quartiers.indicators.exposure.climate_long`.
    notes
        French remarks on partial inputs (e.g. roads absent: sealing underestimated).
    lcz_variable
        Per LCZ class of « variable » heat sensitivity, its share of each cell's scored LCZ
        area (the Monte Carlo draws these classes' scores).
    canopy_mapped
        ``canopy_share`` counts mapped features (OpenStreetMap or BD TOPO trees and woods),
        not a tree-cover raster: its mapping completeness is drawn in the Monte Carlo.
    """

    values: dict[str, CellIndicator]
    missing: dict[str, str]
    extra: dict[str, NDArray[np.float64] | NDArray[np.bool_]] = field(default_factory=dict)
    climate: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    lcz_variable: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    canopy_mapped: bool = False


@dataclass
class _Frame:
    """What every step also depends on: the cells, their corners and population, the method."""

    xy: NDArray[np.int64]
    population: NDArray[np.float64]
    cells: pd.DataFrame
    method: Method

    def same(self, other: _Frame) -> bool:
        """Return True when ``other`` describes the same cells and method."""
        return (
            np.array_equal(self.xy, other.xy)
            and np.array_equal(self.population, other.population, equal_nan=True)
            and self.cells.equals(other.cells)
            and self.method == other.method
        )


@dataclass
class IndicatorMemo:
    """What each indicator step added in a run, keyed by the layer objects it read.

    Pass one to :func:`quartiers.diagnose` (``memo=``) for the baseline of a what-if, then
    :meth:`fork` it for each rerun: the rerun recomputes only the steps whose layers changed,
    and the baseline's entries stay as they were for the next what-if.
    """

    _steps: dict[str, tuple[tuple[object, ...], object]] = field(default_factory=dict)
    _frame: _Frame | None = None

    def bind(
        self, xy: NDArray[np.int64], population: NDArray[np.float64], cells: pd.DataFrame,
        method: Method,
    ) -> None:  # fmt: skip
        """Start a run on these cells and method (forget everything if they differ)."""
        frame = _Frame(xy=xy, population=population, cells=cells, method=method)
        if self._frame is None or not self._frame.same(frame):
            self._steps.clear()
            self._frame = frame

    def get(self, step: str, layers: tuple[object, ...], kind: type[T]) -> T | None:
        """Return what ``step`` gave (a ``kind``) when it last read these very ``layers``."""
        kept = self._steps.get(step)
        if kept is None or len(kept[0]) != len(layers) or not isinstance(kept[1], kind):
            return None
        return kept[1] if all(a is b for a, b in zip(kept[0], layers, strict=True)) else None

    def put(self, step: str, layers: tuple[object, ...], part: object) -> None:
        """Keep what ``step`` added from ``layers``."""
        self._steps[step] = (layers, part)

    def fork(self) -> IndicatorMemo:
        """Return a copy whose new entries do not reach this memo."""
        return IndicatorMemo(_steps=dict(self._steps), _frame=self._frame)


def run_step(
    found: CellIndicators,
    memo: IndicatorMemo,
    name: str,
    layers: tuple[object, ...],
    compute: Callable[[CellIndicators], None],
) -> None:
    """Add what step ``name`` adds to ``found``: computed on ``layers``, or from ``memo``.

    Parameters
    ----------
    found
        The run's indicators so far (changed in place).
    memo
        Steps of a previous run; receives this step when it is computed.
    name
        The step.
    layers
        The input layers the step reads (compared by identity).
    compute
        Writes the step's indicators, missing reasons, columns and notes into its argument.

    The step writes into an empty :class:`CellIndicators`, merged into ``found`` as the step
    would have written it (same keys in the same order, notes appended).
    """
    part = memo.get(name, layers, CellIndicators)
    if part is None:
        part = CellIndicators(values={}, missing={})
        compute(part)
        memo.put(name, layers, part)
    found.values.update(part.values)
    found.missing.update(part.missing)
    found.extra.update(part.extra)
    found.notes += part.notes
    if part.lcz_variable:
        found.lcz_variable = dict(part.lcz_variable)
    if part.canopy_mapped:
        found.canopy_mapped = True
