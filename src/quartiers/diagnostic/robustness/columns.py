"""Columns, ``run.json`` thresholds and data dictionary entries of the robustness results.

The ``qpv`` columns (rank intervals, top-quintile probability, Sobol indices, hotspot shares)
and the ``hotspots`` layer columns that :func:`quartiers.diagnostic.robustness.add_robustness`
adds, and their French dictionary entries (read by :mod:`quartiers.diagnostic.dictionary`).
"""

from __future__ import annotations

from quartiers.method.uncertainty import ROBUST_THRESHOLD, Z_ROBUST
from quartiers.method.variants import GROUPS

__all__ = [
    "DICTIONARY_ENTRIES",
    "FEW_RANKED",
    "HOTSPOT_COLUMNS",
    "OPTIONAL_GROUPS",
    "QPV_COLUMNS",
]

#: Under this many ranked QPV, rank intervals say little: the share of residents living in
#: top-quintile cells (with its interval) is shown instead.
FEW_RANKED = 5

#: Sobol groups whose column appears only when the group was explored (an imputed dimension,
#: « variable » LCZ classes present in the territory, residential buildings for the
#: allocation rule, a canopy from mapped features for the OSM coverage).
OPTIONAL_GROUPS = ("missing", "lcz_scores", "allocation", "osm_coverage")

#: Columns added to the ``qpv`` layer and ``qpv.csv`` (after ``quintile``).
QPV_COLUMNS = (
    "rank_median",
    "rank_low",
    "rank_high",
    "p_top_quintile",
    "p_top_quintile_se",
    "robust_top_quintile",
    "share_residents_top_quintile_cells",
    "share_residents_top_quintile_cells_low",
    "share_residents_top_quintile_cells_high",
    "main_driver",
    *(f"sobol_total_{g}" for g in GROUPS if g not in OPTIONAL_GROUPS),
    "hotspot_cell_share",
    "hotspot_population_share",
    "hotspot_draw_share",
)

#: Columns of the ``hotspots`` layer.
HOTSPOT_COLUMNS = (
    "idcar_200m",
    "insee_com",
    "code_qp",
    "population",
    "index",
    "local_i",
    "p_value",
    "q_value",
    "cluster",
    "hotspot_draw_share",
)


_COMPUTED = "calculé par Quartiers en transition"
_THRESHOLD_FR = f"{ROBUST_THRESHOLD:g}".replace(".", ",")
_MC = " (tirages Monte Carlo des choix de méthode)"
_Z_FR = f"{Z_ROBUST:g}".replace(".", ",")

#: Data dictionary entries of the new columns: column → (label, unit, direction, source).
DICTIONARY_ENTRIES: dict[str, tuple[str, str, str, str]] = {
    "rank_median": ("Rang médian du QPV" + _MC, "rang", "", _COMPUTED),
    "rank_low": (
        "Borne basse de l'intervalle de rang à 90 % : 5 % des tirages donnent un rang plus "
        "petit (plus vulnérable)",
        "rang",
        "",
        _COMPUTED,
    ),
    "rank_high": (
        "Borne haute de l'intervalle de rang à 90 % : 5 % des tirages donnent un rang plus "
        "grand (moins vulnérable)",
        "rang",
        "",
        _COMPUTED,
    ),
    "p_top_quintile": (
        "Probabilité d'être dans le quintile des 20 % d'habitants les plus vulnérables du "
        "territoire (part des tirages)",
        "probabilité (0–1)",
        "plus élevé = plus vulnérable",
        _COMPUTED,
    ),
    "p_top_quintile_se": (
        "Erreur type Monte Carlo de la probabilité d'être dans le quintile le plus vulnérable "
        "(racine de p (1 − p) / nombre de tirages)",
        "probabilité (0–1)",
        "",
        _COMPUTED,
    ),
    "robust_top_quintile": (
        f"Robustement dans le quintile le plus vulnérable (probabilité ≥ {_THRESHOLD_FR} "
        f"même en retranchant {_Z_FR} erreurs types)",
        "oui/non",
        "",
        _COMPUTED,
    ),
    "share_residents_top_quintile_cells": (
        "Part des habitants du QPV vivant dans des carreaux du quintile le plus vulnérable "
        "du territoire (méthode par défaut)",
        "part (0–1)",
        "plus élevé = plus vulnérable",
        _COMPUTED,
    ),
    "share_residents_top_quintile_cells_low": (
        "Borne basse (5 % des tirages) de la part des habitants du QPV vivant dans des "
        "carreaux du quintile le plus vulnérable" + _MC,
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "share_residents_top_quintile_cells_high": (
        "Borne haute (95 % des tirages) de la part des habitants du QPV vivant dans des "
        "carreaux du quintile le plus vulnérable" + _MC,
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "main_driver": (
        "Choix de méthode qui fait le plus varier la place du QPV (plus grand indice de Sobol "
        "total ; « indéterminé (A ou B) » quand les intervalles à 95 % des deux premiers se "
        "recoupent)",
        "",
        "",
        _COMPUTED,
    ),
    **{
        f"sobol_total_{g}": (
            f"Indice de Sobol total du choix « {label} » : part de la variance de la place du "
            "QPV due à ce choix, interactions comprises (vide : choix non exploré)",
            "part (0–1)",
            "",
            _COMPUTED,
        )
        for g, label in GROUPS.items()
    },
    "hotspot_cell_share": (
        "Part de la surface carroyée du QPV située dans des points chauds (agrégats de "
        "carreaux à indice élevé entourés de carreaux à indice élevé, I de Moran local)",
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "hotspot_population_share": (
        "Part des habitants du QPV vivant dans des points chauds de l'indice",
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "local_i": ("I de Moran local de l'indice du carreau", "sans unité", "", _COMPUTED),
    "p_value": (
        "p-valeur de permutation du I de Moran local (unilatérale)",
        "probabilité (0–1)",
        "",
        _COMPUTED,
    ),
    "q_value": (
        "p-valeur ajustée par la procédure de Benjamini–Hochberg (taux de fausses découvertes)",
        "probabilité (0–1)",
        "",
        _COMPUTED,
    ),
    "cluster": ("Numéro de l'agrégat de points chauds (carreaux contigus)", "", "", _COMPUTED),
    "hotspot_draw_share": (
        "Part des tirages Monte Carlo de la méthode où le carreau est un point chaud (pour un "
        "QPV : moyenne sur ses habitants) ; vide : carreau non testé ou analyse non faite",
        "part (0–1)",
        "",
        _COMPUTED,
    ),
}
