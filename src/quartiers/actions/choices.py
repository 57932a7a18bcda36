"""The workshop's editable choices: which actions, where, how much, led by whom, when.

A :class:`Choice` is what a workshop changes in a suggestion (the cells planted, the point
where a cool room opens, the share of canopy added, the pilot…); :func:`check_choices`
validates a list of them against the catalogue with French messages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from quartiers.actions.catalogue import Action, Catalogue
from quartiers.actions.vocabulary import PARTNERS
from quartiers.errors import InputError
from quartiers.spatial.grid import CELL_SIZE_M

__all__ = ["Choice", "check_choices", "planned_quantity"]

_CELL_AREA_M2 = float(CELL_SIZE_M * CELL_SIZE_M)


class Choice(BaseModel):
    """One chosen action and its workshop settings (every setting optional).

    Attributes
    ----------
    action
        Catalogue id.
    amount
        Share for ``canopy``/``green`` (of each cell's area) or ``deseal`` (of each cell's
        roadway surface); the catalogue default when None.
    cells
        ``idcar_200m`` of the treated cells (area levers).
    points
        ``(lon, lat)`` WGS84 degrees of the places opened (``place`` lever).
    quantity
        Quantity for the budget (trees, m², sites, dwellings, years) when set by hand.
    pilot, partners
        Partner ids (see :data:`quartiers.actions.vocabulary.PARTNERS`); catalogue's when None.
    start_year
        Year the action starts (the roadmap's first year when None).
    note
        Free French text kept in the roadmap.
    """

    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1)
    amount: float | None = Field(default=None, gt=0, le=1)
    cells: list[str] | None = None
    points: list[tuple[float, float]] | None = None
    quantity: float | None = Field(default=None, gt=0)
    pilot: str | None = None
    partners: list[str] | None = None
    start_year: int | None = Field(default=None, ge=2020, le=2050)
    note: str = Field(default="", max_length=2000)


def _check_one(choice: Choice, action: Action) -> None:
    where = f"action « {action.id} »"
    kind = action.lever.kind
    if choice.amount is not None:
        if kind not in ("canopy", "green", "deseal"):
            raise InputError(f"{where} : pas de part à choisir (champ amount) pour ce levier")
        if choice.amount > action.lever.limit:
            raise InputError(
                f"{where} : part {choice.amount:g} trop grande dans le champ amount "
                f"(au plus {action.lever.limit:g})"
            )
    if choice.cells is not None and kind not in ("canopy", "green", "deseal"):
        raise InputError(f"{where} : des carreaux (champ cells) ne s'appliquent pas à ce levier")
    if choice.points is not None:
        if kind != "place":
            raise InputError(f"{where} : des points (champ points) ne s'appliquent qu'à un lieu")
        for lon, lat in choice.points:
            ok = math.isfinite(lon) and math.isfinite(lat)
            if not ok or not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise InputError(
                    f"{where} : point ({lon}, {lat}) invalide dans le champ points "
                    "(longitude puis latitude en degrés WGS84)"
                )
    for partner in [*(choice.partners or []), *([choice.pilot] if choice.pilot else [])]:
        if partner not in PARTNERS:
            raise InputError(
                f"{where} : partenaire inconnu « {partner} » (attendu : {', '.join(PARTNERS)})"
            )


def check_choices(choices: Sequence[Choice], catalogue: Catalogue) -> list[Action]:
    """Validate choices against the catalogue and return their actions, in order.

    Raises
    ------
    InputError
        Unknown action, an action chosen twice, or a setting that does not fit its lever.
    """
    seen: set[str] = set()
    actions = []
    for choice in choices:
        action = catalogue.get(choice.action)
        if choice.action in seen:
            raise InputError(f"action « {choice.action} » choisie deux fois")
        seen.add(choice.action)
        _check_one(choice, action)
        actions.append(action)
    return actions


def planned_quantity(action: Action, choice: Choice, *, area_m2: float | None = None) -> float:
    """Return the budget quantity of a chosen action, in its cost unit.

    Parameters
    ----------
    action, choice
        The action and its settings.
    area_m2
        Area actually treated (m², from the what-if) for area levers; otherwise estimated
        as cells × share × 40 000 m².

    Notes
    -----
    A hand-set ``quantity`` wins. Area levers priced per m² count the area; priced per tree,
    the area divided by ``lever.m2_per_unit``. A place lever counts its points.
    """
    if choice.quantity is not None:
        return float(choice.quantity)
    lever = action.lever
    per = action.cost.per
    if lever.kind in ("canopy", "green", "deseal"):
        if area_m2 is None and lever.kind != "deseal":
            n_cells = len(choice.cells) if choice.cells is not None else lever.cells
            area_m2 = n_cells * (choice.amount or lever.amount or 0.0) * _CELL_AREA_M2
        if area_m2 is not None:
            if per == "m2":
                return float(area_m2)
            if per == "tree" and lever.m2_per_unit:
                return float(math.ceil(round(area_m2 / lever.m2_per_unit, 6)))
    if lever.kind == "place" and per == "site" and choice.points:
        return float(len(choice.points))
    return float(action.default_quantity)
