"""What-if: apply chosen actions to the inputs and rerun the real diagnostic, before/after.

:func:`run_whatif` applies each chosen action's lever (:mod:`quartiers.actions.levers`),
and reruns :func:`quartiers.diagnose` with the same method and horizon: walking access is
recomputed on the baseline's street network when a place opens (otherwise the baseline
access table is reused), the baseline's overlap weights are reused, and so are its
indicator steps whose layers the actions left as they were
(:class:`~quartiers.diagnostic.IndicatorMemo`); the method's uncertainty analysis (Monte
Carlo rank intervals, Sobol indices, hotspot permutations) is not run
(:data:`WHATIF_ROBUSTNESS`, said in French by :data:`WHATIF_SCOPE`). The result compares the
two runs per QPV and per cell. Actions whose lever is ``none`` are carried along (for the
roadmap) but change nothing.

Note that the index places every unit in the distribution of the territory's cells: when
cells improve, the others' relative positions move too. Indicator changes are absolute.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from pyproj import Transformer

from quartiers.actions.catalogue import Action, Catalogue
from quartiers.actions.choices import Choice, check_choices, planned_quantity
from quartiers.actions.levers import PlaceOpening, Treated, add_surface, deseal, open_places
from quartiers.actions.matching import default_choice
from quartiers.actions.whatif_result import COMPARED, Applied, WhatIfResult, column_label
from quartiers.diagnostic import Diagnostic, IndicatorMemo
from quartiers.diagnostic.pipeline import diagnose, has_streets
from quartiers.diagnostic.robustness import RobustnessOptions
from quartiers.errors import InputError
from quartiers.method.spec import Method
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import TerritoryInputs
from quartiers.spatial.grid import CELL_CRS

__all__ = [
    "COMPARED",
    "NO_STREETS",
    "WHATIF_ROBUSTNESS",
    "WHATIF_SCOPE",
    "Applied",
    "WhatIfResult",
    "column_label",
    "complete_choices",
    "run_whatif",
]

logger = logging.getLogger(__name__)


def complete_choices(
    diagnostic: Diagnostic, code_qp: str, choices: Sequence[Choice], catalogue: Catalogue
) -> list[Choice]:
    """Fill each choice's missing cells, points and share with the QPV's defaults."""
    out = []
    for choice, action in zip(choices, check_choices(choices, catalogue), strict=True):
        lever = action.lever
        update: dict[str, Any] = {}
        if lever.kind in ("canopy", "green", "deseal"):
            if choice.amount is None:
                update["amount"] = lever.amount
            if choice.cells is None:
                update["cells"] = default_choice(diagnostic, code_qp, action).cells
        elif lever.kind == "place" and choice.points is None:
            update["points"] = default_choice(diagnostic, code_qp, action).points
        out.append(choice.model_copy(update=update))
    return out


#: What-ifs compare indicators, scores, the index and the rank: the method's uncertainty
#: analysis (Monte Carlo rank intervals, Sobol indices, hotspot permutations) is not run.
WHATIF_ROBUSTNESS = RobustnessOptions(uncertainty=False, hotspots=False)

#: What a simulation computes, said to the workshop (page) and to the roadmap's ``--simulate``.
WHATIF_SCOPE = (
    "simulation sans analyse d'incertitude : l'indice, les scores et le rang sont recalculés "
    "avant et après les actions, sans les tirages Monte Carlo, les indices de Sobol ni le test "
    "des points chauds (l'intervalle de rang affiché reste celui du diagnostic)"
)

#: Why a place opening is not simulated on a territory without walking access.
NO_STREETS = (
    "non simulée : pas de rues pour calculer l'accès à pied dans ce territoire (extrait "
    "OpenStreetMap absent), l'ouverture d'un lieu ne peut pas être représentée"
)

_TO_WGS84 = Transformer.from_crs(CELL_CRS, "EPSG:4326", always_xy=True)


def _apply(
    inputs: TerritoryInputs, action: Action, choice: Choice, method: Method
) -> tuple[TerritoryInputs, Treated | None, list[PlaceOpening]]:
    lever = action.lever
    if lever.kind in ("canopy", "green", "deseal"):
        if not choice.cells:
            raise InputError(f"action « {action.id} » : aucun carreau choisi (champ cells)")
        amount = choice.amount if choice.amount is not None else float(lever.amount or 0.0)
        if lever.kind == "deseal":
            new, treated = deseal(inputs, choice.cells, amount)
        else:
            new, treated = add_surface(
                inputs,
                choice.cells,
                amount,
                kind=lever.kind,
                default_crown_m=method.default_crown_m,
            )
        return new, treated, []
    if lever.kind == "place":
        if not choice.points:
            raise InputError(f"action « {action.id} » : aucun point choisi (champ points)")
        openings = [
            PlaceOpening(
                category=str(lever.category),
                kind=str(lever.place_kind or ""),
                name=f"{action.title} (simulation)",
                lon=lon,
                lat=lat,
            )
            for lon, lat in choice.points
        ]
        return inputs, None, openings
    return inputs, None, []


def _apply_all(
    inputs: TerritoryInputs,
    actions: Sequence[Action],
    choices: Sequence[Choice],
    method: Method,
) -> tuple[TerritoryInputs, list[Applied], list[PlaceOpening]]:
    """Apply each action's lever in turn; return the changed inputs, what was done, openings."""
    changed = inputs
    applied: list[Applied] = []
    openings: list[PlaceOpening] = []
    for action, choice in zip(actions, choices, strict=True):
        changed, treated, opened = _apply(changed, action, choice, method)
        openings += opened
        notes = list(treated.notes) if treated else []
        if action.lever.kind == "none":
            notes.append("effet non représenté dans l'indice (action d'accompagnement)")
        area = treated.total_m2 if treated else None
        applied.append(
            Applied(
                action=action,
                choice=choice,
                area_m2=area,
                places=len(opened),
                quantity=planned_quantity(action, choice, area_m2=area),
                notes=tuple(notes),
            )
        )
    return changed, applied, openings


def run_whatif(
    inputs: TerritoryInputs,
    choices: Sequence[Choice],
    *,
    catalogue: Catalogue,
    method: Method,
    horizon: str,
    access: pd.DataFrame | None,
    before: Diagnostic | None = None,
    progress: Progress | None = None,
) -> WhatIfResult:
    """Apply chosen actions and rerun the diagnostic.

    Parameters
    ----------
    inputs
        The territory's normalised inputs (not modified).
    choices
        Chosen actions with their cells (area levers) and points (place levers), e.g.
        from :func:`complete_choices`.
    catalogue
        Validated actions.
    method, horizon
        The diagnostic's method and horizon (both runs use them).
    access
        Baseline walking access (:func:`quartiers.access.compute_access` of ``inputs``), or
        None when the territory has none (a place lever is then refused).
    before
        The baseline run of the same code on ``inputs`` (computed when None); its street
        network, overlap weights and indicator steps (``memo``) are reused after the actions.
    progress
        Receives the steps (French labels).

    Raises
    ------
    InputError
        Bad choice or a point outside the territory. A place opened on a territory without
        walking access is not an error: that action is « non simulée » (``Applied.simulated``
        False, with the reason in its notes) and the others are simulated.
    """
    progress = progress or NullProgress()
    changed, applied, openings = _apply_all(
        inputs, check_choices(choices, catalogue), choices, method
    )
    if before is None:
        before = diagnose(
            inputs,
            method=method,
            horizon=horizon,
            access=access if access is not None else False,
            robustness=WHATIF_ROBUSTNESS,
            progress=progress,
            memo=IndicatorMemo(),
        )
    access_after: pd.DataFrame | bool = access if access is not None else False
    walkable = access is not None and (before.network is not None or has_streets(inputs))
    if openings and not walkable:
        # the rest runs: the openings are shown « non simulées », never a failure as a whole
        applied = [
            replace(a, places=0, simulated=False, notes=(*a.notes, NO_STREETS)) if a.places else a
            for a in applied
        ]
        openings = []
    if openings:
        changed = open_places(changed, openings)
        access_after = True  # recomputed on the same streets, with the new places
    after = diagnose(
        changed,
        method=method,
        horizon=horizon,
        access=access_after,
        network=before.network,
        overlaps=before.overlaps,
        robustness=WHATIF_ROBUSTNESS,
        progress=progress,
        memo=None if before.memo is None else before.memo.fork(),
    )
    notes = [n for a in applied for n in (f"{a.action.title} : {x}" for x in a.notes)]
    return WhatIfResult(applied=applied, before=before, after=after, notes=notes)
