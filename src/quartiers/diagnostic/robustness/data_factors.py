"""Plain-French statements of the two data factors of the uncertainty analysis (issue 22).

The allocation rule (area or residential buildings) and the OpenStreetMap coverage of the
canopy vary only when the run's data allow it: :func:`data_factors` says, for ``run.json``,
the method page and the sheets, whether each one was varied and, when not, why.
"""

from __future__ import annotations

from typing import Any

from quartiers.method.choices import Uncertainty
from quartiers.method.osm_coverage import BLOCK_M
from quartiers.method.problem import RankingProblem
from quartiers.method.spec_parts import ALLOCATIONS

__all__ = ["data_factors"]


def _share(x: float) -> str:
    return f"{round(100 * x):d} %"


def _allocation(problem: RankingProblem, settings: Uncertainty, has_buildings: bool) -> Any:
    rules = problem.allocation_rules
    if rules:
        return {
            "varied": True,
            "rules": list(rules),
            "text": (
                "variée : chaque tirage répartit les habitants des carreaux entre les QPV "
                f"soit {ALLOCATIONS[rules[0]]} (règle du diagnostic), soit "
                f"{ALLOCATIONS[rules[1]]}, avec une chance sur deux"
            ),
        }
    if not settings.allocations or len(settings.allocations) < 2:
        reason = "la méthode ne déclare pas de règle alternative (uncertainty.allocations)"
    elif not has_buildings:
        reason = (
            "pas de bâtiments résidentiels dans les données du territoire, seule la "
            "répartition par surface est possible"
        )
    else:
        reason = "une seule règle d'allocation possible"
    return {"varied": False, "rules": [], "text": f"non variée : {reason}"}


def _osm(problem: RankingProblem, settings: Uncertainty, reason: str) -> Any:
    if problem.osm_column >= 0:
        low, high = problem.osm_range
        return {
            "varied": True,
            "completeness": [low, high],
            "block_m": BLOCK_M,
            "text": (
                "variée : OpenStreetMap ne cartographie qu'une partie des arbres ; chaque "
                f"tirage suppose, par carré de {BLOCK_M / 1000:g} km, qu'entre "
                f"{_share(low)} et {_share(high)} de la canopée réelle est cartographiée "
                "et corrige la canopée des carreaux en conséquence"
            ),
        }
    if settings.osm_completeness is None or settings.osm_completeness[0] >= 1:
        reason = "la méthode ne déclare pas d'intervalle (uncertainty.osm_completeness)"
    text = f"non variée : {reason}"
    return {"varied": False, "completeness": None, "block_m": None, "text": text}


def data_factors(
    problem: RankingProblem,
    settings: Uncertainty,
    *,
    has_buildings: bool,
    canopy_mapped: bool,
    canopy_in_index: bool,
) -> dict[str, Any]:
    """Return the ``allocation`` and ``osm_coverage`` factor statements of ``run.json``.

    Parameters
    ----------
    problem
        The Monte Carlo problem (which factors the data let vary).
    settings
        The uncertainty settings of the run.
    has_buildings
        The territory has residential buildings (the buildings allocation exists).
    canopy_mapped
        ``canopy_share`` counts mapped features (no tree-cover raster).
    canopy_in_index
        ``canopy_share`` is one of the index's indicators in this run.
    """
    if not canopy_in_index:
        reason = "la canopée n'entre pas dans l'indice de ce diagnostic (pas de données d'arbres)"
    elif not canopy_mapped:
        reason = "la canopée vient d'un raster de couvert arboré (--source couvert_arbore)"
    else:
        reason = "aucune canopée cartographiée à faire varier"
    return {
        "allocation": _allocation(problem, settings, has_buildings),
        "osm_coverage": _osm(problem, settings, reason),
    }
