"""Match a QPV's needs with catalogue actions and rank them by effect on residents and cost.

For every indicator of a QPV that some catalogue action targets, its *need* combines where
it stands in the territory (the oriented, population-weighted percentile of its value among
the territory's cells: 1 = worse than every cell) and how far it lags behind the rest of its
commune (the oriented relative gap, clipped to 0–1)::

    need = 0.5 × position + 0.5 × min(max(direction × (ratio − 1), 0), 1)

An action's *need* is the largest need among the indicators it targets. Its expected
effect on residents and its score, used only to order suggestions, are ::

    effect = need × impact / 3 × residents concerned
    score  = effect / (1 + log10(1 + cost over the contract in k€))

where residents concerned are the QPV's population times the share of its target group
(65+, social housing…), and the cost over the contract is the mid-range investment plus
the mid-range running cost times :data:`CONTRACT_YEARS` (for yearly actions, mid cost ×
years). The logarithm lets cost order actions of similar effect without letting a cheap
action of little relevance outrank a needed one. Every suggestion carries an editable
default :class:`~quartiers.actions.choices.Choice` (the worst-served cells, the point where
a place is missing most).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import Transformer

from quartiers.actions.catalogue import Action, Catalogue, resolve_indicator
from quartiers.actions.choices import Choice, planned_quantity
from quartiers.actions.vocabulary import BENEFICIARIES
from quartiers.defaults import DEFAULT_CHOSEN
from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.indicators.registry import REGISTRY
from quartiers.method.normalise import normalise_column
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M

__all__ = [
    "CONTRACT_YEARS",
    "DEFAULT_CHOSEN",
    "Need",
    "Suggestion",
    "answered_indicators",
    "default_choice",
    "lever_indicator",
    "qpv_cells",
    "qpv_needs",
    "qpv_row",
    "suggest",
]


#: Years of a contrat de ville counted in the cost of recurring actions (2025–2030).
CONTRACT_YEARS = 6


@dataclass(frozen=True)
class Need:
    """How badly a QPV fares on one indicator.

    Attributes
    ----------
    indicator, label, unit, direction
        Registry id and metadata.
    value
        The QPV's value (the diagnostic's number).
    rest
        The value of the rest of its commune (NaN when not published).
    position
        Oriented population-weighted percentile among the territory's cells (0–1, 1 worst).
    gap
        Oriented relative gap to the rest of the commune (``direction × (ratio − 1)``).
    need
        ``0.5 × position + 0.5 × clip(gap, 0, 1)``.
    """

    indicator: str
    label: str
    unit: str
    direction: int
    value: float
    rest: float
    position: float
    gap: float
    need: float


@dataclass(frozen=True)
class Suggestion:
    """An action suggested for a QPV, with why, for whom, at what cost, and its settings."""

    action: Action
    need: float
    driver: Need | None
    residents: float
    effect: float
    cost_low: float
    cost_high: float
    running_low: float
    running_high: float
    score: float
    choice: Choice


def qpv_row(diagnostic: Diagnostic, code_qp: str) -> pd.Series:
    """Return the QPV's row of the diagnostic or raise a French :class:`InputError`."""
    table = diagnostic.qpv
    hit = table[table["code_qp"].astype(str) == str(code_qp)]
    if hit.empty:
        known = ", ".join(table["code_qp"].astype(str))
        if diagnostic.record.input_notes.get("zones"):
            raise InputError(
                f"zone inconnue « {code_qp} » dans ce diagnostic (zones présentes : {known})"
            )
        raise InputError(f"QPV inconnu « {code_qp} » dans ce diagnostic (QPV présents : {known})")
    row: pd.Series = hit.iloc[0]
    return row


def qpv_cells(diagnostic: Diagnostic, code_qp: str) -> pd.DataFrame:
    """Return the inhabited cells mostly inside the QPV (``code_qp`` column of ``cells``)."""
    cells = diagnostic.cells
    pop = pd.to_numeric(cells["population"], errors="coerce").fillna(0.0)
    mask = (cells["code_qp"].astype(str) == str(code_qp)) & (pop > 0)
    # A copy, in one block per type: the diagnostic's cells layer keeps one block per
    # column (no national-size copy), a few hundred cells can be gathered.
    return pd.DataFrame(cells.loc[mask].drop(columns="geometry", errors="ignore")).copy()


def _number(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def answered_indicators(catalogue: Catalogue) -> set[str]:
    """Return the indicators that at least one action of ``catalogue`` targets."""
    return {target for action in catalogue.actions for target in action.targets}


def qpv_needs(diagnostic: Diagnostic, code_qp: str, *, catalogue: Catalogue) -> list[Need]:
    """Return the needs of a QPV, worst first.

    Only indicators the QPV has a value for and that some action of ``catalogue`` targets
    are needs: a need no action answers would be listed in a roadmap without a remedy.
    """
    row = qpv_row(diagnostic, code_qp)
    cells = diagnostic.cells
    pop = pd.to_numeric(cells["population"], errors="coerce").to_numpy(dtype="float64")
    pop = np.nan_to_num(pop, nan=0.0)
    answered = answered_indicators(catalogue)
    needs = []
    for ind_id, ind in REGISTRY.items():
        if ind_id not in answered or ind_id not in row.index or ind_id not in cells.columns:
            continue
        value = _number(row[ind_id])
        if not math.isfinite(value):
            continue
        ref = pd.to_numeric(cells[ind_id], errors="coerce").to_numpy(dtype="float64")
        position = float(
            normalise_column(
                np.asarray([value]), ref, pop, kind="percentile", direction=ind.direction
            )[0]
        )
        gap_col, ratio_col = f"gap_commune_{ind_id}", f"ratio_commune_{ind_id}"
        rest = value - _number(row[gap_col]) if gap_col in row.index else math.nan
        ratio = _number(row[ratio_col]) if ratio_col in row.index else math.nan
        gap = ind.direction * (ratio - 1.0) if math.isfinite(ratio) else 0.0
        position = position if math.isfinite(position) else 0.5
        need = 0.5 * position + 0.5 * min(max(gap, 0.0), 1.0)
        needs.append(
            Need(
                indicator=ind_id,
                label=ind.label,
                unit=ind.unit,
                direction=ind.direction,
                value=value,
                rest=rest,
                position=position,
                gap=gap,
                need=need,
            )
        )
    needs.sort(key=lambda n: (-n.need, n.indicator))
    return needs


def lever_indicator(action: Action) -> str | None:
    """Return the indicator an action's lever changes first (None for ``none``)."""
    lever = action.lever
    if lever.kind == "canopy":
        return "canopy_share"
    if lever.kind == "green":
        return "green_share"
    if lever.kind == "deseal":
        return "impervious_share"
    if lever.kind == "place" and lever.category is not None:
        return resolve_indicator(f"dist_{lever.category}")
    return None


def _worst_cells(cells: pd.DataFrame, column: str, direction: int, n: int) -> pd.DataFrame:
    """Return the ``n`` cells worst on ``column`` (ties: most populated first)."""
    values = pd.to_numeric(cells[column], errors="coerce")
    frame = cells.assign(
        _v=values * direction, _p=pd.to_numeric(cells["population"], errors="coerce")
    )
    # an unreachable place (NaN distance) is the worst of all
    frame["_v"] = frame["_v"].fillna(np.inf)
    frame = frame.sort_values(["_v", "_p", "idcar_200m"], ascending=[False, False, True])
    return frame.head(n)


_TO_WGS84 = Transformer.from_crs(CELL_CRS, "EPSG:4326", always_xy=True)


def default_choice(diagnostic: Diagnostic, code_qp: str, action: Action) -> Choice:
    """Return the default settings of an action in a QPV.

    Area levers treat the ``lever.cells`` inhabited cells of the QPV worst on the lever's
    indicator; a place opens at the centre of the inhabited cell farthest from that kind of
    place (an unreachable cell first).
    """
    lever = action.lever
    column = lever_indicator(action)
    if column is None:
        return Choice(action=action.id)
    cells = qpv_cells(diagnostic, code_qp)
    if column not in cells.columns or cells.empty:
        return Choice(action=action.id)
    direction = REGISTRY[column].direction
    if lever.kind == "place":
        worst = _worst_cells(cells, column, direction, 1)
        x = float(worst["x_sw"].iloc[0]) + CELL_SIZE_M / 2
        y = float(worst["y_sw"].iloc[0]) + CELL_SIZE_M / 2
        lon, lat = _TO_WGS84.transform(x, y)
        return Choice(action=action.id, points=[(round(lon, 6), round(lat, 6))])
    worst = _worst_cells(cells, column, direction, lever.cells)
    return Choice(action=action.id, cells=[str(c) for c in worst["idcar_200m"]])


def _residents(row: pd.Series, action: Action) -> float:
    population = _number(row.get("population"))
    if not math.isfinite(population):
        return 0.0
    _, column = BENEFICIARIES[action.beneficiaries]
    if column is None or column not in row.index:
        return population
    share = _number(row[column])
    return population * share if math.isfinite(share) else population


def _costs(action: Action, quantity: float) -> tuple[float, float, float, float]:
    """Return (investment low, high, running low, high per year) for a quantity."""
    cost = action.cost
    if cost.per == "year":
        return 0.0, 0.0, cost.low * quantity, cost.high * quantity
    running = action.running_cost
    run_q = quantity if cost.per in ("site", "tree") else 1.0
    run_low = running.low * run_q if running else 0.0
    run_high = running.high * run_q if running else 0.0
    return cost.low * quantity, cost.high * quantity, run_low, run_high


def suggest(
    diagnostic: Diagnostic,
    code_qp: str,
    catalogue: Catalogue,
    *,
    limit: int | None = None,
) -> list[Suggestion]:
    """Return catalogue actions ranked for a QPV (see the module docstring for the score).

    Parameters
    ----------
    diagnostic
        The territory's diagnostic.
    code_qp
        The QPV.
    catalogue
        Validated actions.
    limit
        Keep the first ``limit`` suggestions (all when None).
    """
    row = qpv_row(diagnostic, code_qp)
    needs = {n.indicator: n for n in qpv_needs(diagnostic, code_qp, catalogue=catalogue)}
    out = []
    for action in catalogue.actions:
        driving = [needs[t] for t in action.targets if t in needs]
        driver = max(driving, key=lambda n: n.need) if driving else None
        need = driver.need if driver else 0.0
        choice = default_choice(diagnostic, code_qp, action)
        quantity = planned_quantity(action, choice)
        inv_low, inv_high, run_low, run_high = _costs(action, quantity)
        over_contract = (inv_low + inv_high) / 2 + CONTRACT_YEARS * (run_low + run_high) / 2
        residents = _residents(row, action)
        effect = need * action.impact / 3 * residents
        score = effect / (1.0 + math.log10(1.0 + over_contract / 1000.0))
        out.append(
            Suggestion(
                action=action,
                need=need,
                driver=driver,
                residents=residents,
                effect=effect,
                cost_low=inv_low,
                cost_high=inv_high,
                running_low=run_low,
                running_high=run_high,
                score=score,
                choice=choice,
            )
        )
    out.sort(key=lambda s: (-s.score, s.action.id))
    return out if limit is None else out[:limit]
