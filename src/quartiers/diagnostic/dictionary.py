"""The data dictionary of a diagnostic: French label, unit, direction and source of columns."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from quartiers.diagnostic.robustness.columns import DICTIONARY_ENTRIES
from quartiers.indicators.registry import ACCESS_CATEGORIES, DIMENSIONS, REGISTRY

__all__ = ["DICTIONARY_COLUMNS", "build_dictionary", "describe"]

#: Columns of ``dictionnaire.csv``.
DICTIONARY_COLUMNS = ["colonne", "libelle", "unite", "sens", "source", "fichiers"]

_FILOSOFI = "INSEE, Filosofi, données carroyées à 200 m"
_COMPUTED = "calculé par Quartiers en transition"
_MORE = "plus élevé = plus vulnérable"

# column -> (label, unit, direction, source)
_FIXED: dict[str, tuple[str, str, str, str]] = {
    "code_qp": ("Code du quartier prioritaire (QPV 2024)", "", "", "ANCT, QPV 2024"),
    "lib_qp": ("Nom du quartier prioritaire", "", "", "ANCT, QPV 2024"),
    "insee_com": ("Code INSEE de la commune (la première si plusieurs)", "", "", "INSEE, COG"),
    "insee_coms": ("Codes INSEE de toutes les communes, séparés par des virgules", "", "", "ANCT"),
    "siren_epci": ("SIREN de l'intercommunalité (EPCI)", "", "", "INSEE, BANATIC"),
    "territory": (
        "Code du territoire de la ligne (commune INSEE, SIREN d'EPCI, dep:CODE, reg:CODE ou "
        "france) : un diagnostic peut couvrir plusieurs territoires (--territory répété)",
        "",
        "",
        _COMPUTED,
    ),
    "territory_name": ("Nom du territoire de la ligne", "", "", _COMPUTED),
    "status": (
        "Statut : « ok », « non significatif » (population sous le seuil : publié, non classé) "
        "ou « incomplet » (indice sans une dimension que les autres ont : publié à part, "
        "non classé)",
        "",
        "",
        _COMPUTED,
    ),
    "index_label": (
        "Ce que mesure l'indice de cette ligne (dimensions mesurées, absentes ou imputées)",
        "",
        "",
        _COMPUTED,
    ),
    "index_note": (
        "Données absentes pour cet indice et option de « quartiers diagnose » qui les ajoute",
        "",
        "",
        _COMPUTED,
    ),
    "missing_dimensions": (
        "Dimensions de l'indice que les autres lignes du territoire ont et que celle-ci n'a "
        "pas (séparées par des virgules)",
        "",
        "",
        _COMPUTED,
    ),
    "status_detail": ("Explication du statut et des valeurs vides", "", "", _COMPUTED),
    "population": (
        "Population (somme des carreaux × part de recouvrement)",
        "personnes",
        "",
        _FILOSOFI,
    ),
    "population_area": (
        "Population répartie au prorata de la surface des carreaux dans le QPV "
        "(allocation « area »)",
        "personnes",
        "",
        _FILOSOFI,
    ),
    "population_buildings": (
        "Population répartie au prorata de la surface de plancher résidentielle des "
        "bâtiments (allocation « buildings » ; vide sans bâtiments ; carreaux sans bâtiment "
        "résidentiel : au prorata de la surface)",
        "personnes",
        "",
        _FILOSOFI + " ; bâtiments OpenStreetMap ou IGN BD TOPO",
    ),
    "households": ("Ménages fiscaux (somme des carreaux × part)", "ménages", "", _FILOSOFI),
    "poor_households": (
        "Ménages pauvres (sous 60 % du niveau de vie médian)",
        "ménages",
        "",
        _FILOSOFI,
    ),
    "imputed_population_share": (
        "Part de la population dans des carreaux estimés (imputés) par l'INSEE",
        "part (0–1)",
        "",
        _FILOSOFI,
    ),
    "index": (
        "Indice composite de vulnérabilité aux vagues de chaleur",
        "score 0–1 (rang centile / min–max ; z-score : écarts-types)",
        _MORE,
        _COMPUTED,
    ),
    "hazard_level": (
        "Niveau d'aléa climatique à l'horizon choisi : moyenne des indicateurs communaux "
        "Climadiag (vagues de chaleur, nuits chaudes, journées très chaudes) placés entre les "
        "bornes fixes de la méthode ; hors classement",
        "score 0–1",
        _MORE,
        "Météo-France, Climadiag Commune (TRACC) ou DRIAS",
    ),
    "exposure_level": (
        "Niveau d'exposition : score d'exposition × niveau d'aléa de l'horizon (augmente avec "
        "un horizon plus chaud ; ne change pas le classement)",
        "score 0–1",
        _MORE,
        _COMPUTED,
    ),
    "rank": (
        "Rang du QPV (1 = le plus vulnérable ; vide si non significatif)",
        "rang",
        "",
        _COMPUTED,
    ),
    "quintile": (
        "Classe de l'indice parmi les habitants du territoire (1 = 20 % les moins vulnérables, "
        "5 = 20 % les plus vulnérables)",
        "classe 1–5",
        _MORE,
        _COMPUTED,
    ),
    "index_dimensions": ("Dimensions entrées dans l'indice de cette ligne", "", "", _COMPUTED),
    "missing_indicators": (
        "Indicateurs de la méthode absents pour cette ligne "
        "(donnée absente ou population trop faible)",
        "",
        "",
        _COMPUTED,
    ),
    "idcar_200m": ("Identifiant INSEE du carreau de 200 m", "", "", _FILOSOFI),
    "x_sw": ("Abscisse du coin sud-ouest du carreau (EPSG:3035)", "m", "", _FILOSOFI),
    "y_sw": ("Ordonnée du coin sud-ouest du carreau (EPSG:3035)", "m", "", _FILOSOFI),
    "imputed": (
        "Carreau estimé par l'INSEE (moins de 11 ménages, valeurs réparties)",
        "oui/non",
        "",
        _FILOSOFI,
    ),
    "qpv_share": ("Part de la surface du carreau située en QPV", "part (0–1)", "", _COMPUTED),
    "lcz_coverage": (
        "Part de la surface du carreau couverte par les LCZ",
        "part (0–1)",
        "",
        "Cerema, LCZ",
    ),
    "rp_iris_coverage": (
        "Part de la surface du carreau couverte par les contours des IRIS (recensement)",
        "part (0–1)",
        "",
        "IGN, contours des IRIS",
    ),
    "connected": ("Carreau relié au réseau piéton", "oui/non", "", "OpenStreetMap"),
    "canopy_warning": (
        "Alerte sur la canopée lue dans OpenStreetMap : aucun arbre isolé cartographié dans "
        "le QPV, ou moins du quart de la densité des carreaux habités du territoire (vide "
        "sinon, et avec un raster de couvert arboré)",
        "texte",
        "",
        "OpenStreetMap (natural=tree)",
    ),
    "hazards_present": (
        "Aléas dont la zone touche des habitants du QPV (inondation, submersion marine, "
        "argiles ; « aucun » si aucun des aléas renseignés ; vide si aucun aléa renseigné)",
        "texte",
        "",
        "Géorisques, PPR, BRGM ; INSEE Filosofi",
    ),
    "multi_hazard_population": (
        "Habitants du QPV exposés à au moins deux aléas (inondation, submersion, argiles)",
        "habitants",
        "plus élevé = plus vulnérable",
        "Géorisques, PPR, BRGM ; INSEE Filosofi",
    ),
    "share_beyond_300m_cool_outdoor": (
        "Part des habitants reliés à plus de 300 m à pied d'un lieu frais extérieur "
        "(règle 3-30-300)",
        "part (0–1)",
        "plus élevé = plus vulnérable",
        "OpenStreetMap, INSEE BPE",
    ),
    "share_beyond_500m_fresh_food": (
        "Part des habitants reliés à plus de 500 m à pied d'un commerce d'alimentation "
        "fraîche ou d'un marché",
        "part (0–1)",
        "plus élevé = plus vulnérable",
        "OpenStreetMap, INSEE BPE",
    ),
    "share_beyond_300m_green_1ha": (
        "Part des habitants reliés à plus de 300 m à pied d'un espace vert d'au moins 1 ha "
        "(règle 3-30-300)",
        "part (0–1)",
        "plus élevé = plus vulnérable",
        "OpenStreetMap",
    ),
    "share_not_connected": (
        "Part des habitants dont le logement n'est pas relié au réseau piéton principal",
        "part (0–1)",
        "",
        "OpenStreetMap",
    ),
    "connected_share": (
        "Part (pondérée) des points de départ du carreau reliés au réseau piéton",
        "part (0–1)",
        "",
        "OpenStreetMap",
    ),
    "zone_id": (
        "Identifiant de la zone (code QPV, commune:<INSEE>, epci:<SIREN>)",
        "",
        "",
        _COMPUTED,
    ),
    "zone_type": ("Type de zone : qpv, reste_commune, reste_epci", "", "", _COMPUTED),
    "code": ("Code de la zone (QPV, commune ou EPCI)", "", "", _COMPUTED),
    "label": ("Nom de la zone", "", "", _COMPUTED),
    "reference_population": (
        "Population légale de la commune ou de l'EPCI entier (vide pour un QPV)",
        "personnes",
        "",
        "INSEE, populations légales",
    ),
    "geometry": ("Géométrie (EPSG:3035, LAEA Europe)", "", "", _COMPUTED),
}

_FIXED.update(DICTIONARY_ENTRIES)  # rank intervals, Sobol indices, hotspots

# INSEE's own per-QPV figures (quartiers.diagnostic._insee_check)
_INSEE: dict[str, tuple[str, str]] = {
    "insee_population": ("Population du QPV", "personnes"),
    "insee_poverty_rate": (
        "Taux de pauvreté des personnes (pas des ménages : comparer les rangs)",
        "part (0–1)",
    ),
    "insee_share_65p": ("Part des 65 ans ou plus", "part (0–1)"),
    "insee_share_social_housing": (
        "Part des résidences principales en logement social",
        "part (0–1)",
    ),
}

_ZONE_WORD = {"commune": "du reste de la commune", "epci": "du reste de l'intercommunalité"}


def _indicator_entry(ind_id: str) -> tuple[str, str, str, str] | None:
    ind = REGISTRY.get(ind_id)
    if ind is None:
        return None
    return (ind.label, ind.unit, ind.direction_label, ind.source)


def describe(column: str) -> tuple[str, str, str, str]:
    """Return ``(label, unit, direction, source)`` of an output column (French)."""
    if column in _FIXED:
        return _FIXED[column]
    entry = _indicator_entry(column)
    if entry is not None:
        return entry
    m = re.fullmatch(r"(gap|ratio)_(commune|epci)_(.+)", column)
    if m:
        kind, zone, base = m.groups()
        label, unit, _, source = describe(base)
        if kind == "gap":
            return (
                f"Écart à la valeur {_ZONE_WORD[zone]} (QPV − reste) : {label}",
                unit,
                "",
                source,
            )
        return (
            f"Rapport à la valeur {_ZONE_WORD[zone]} (QPV / reste) : {label}",
            "rapport",
            "",
            source,
        )
    if column in _INSEE:
        label, unit = _INSEE[column]
        return (
            f"{label} — chiffre publié par l'INSEE pour le QPV (--source insee_qpv, "
            "référence de validation, docs/validation.md)",
            unit,
            "",
            "INSEE, données sur les quartiers 2024 de la politique de la ville",
        )
    m = re.fullmatch(r"score_(.+)", column)
    if m and m.group(1) in DIMENSIONS:
        return (
            f"Score de la dimension « {DIMENSIONS[m.group(1)]} »",
            "score 0–1 (comme l'indice)",
            _MORE,
            _COMPUTED,
        )
    m = re.fullmatch(r"dist_(.+)_m", column)
    if m and m.group(1) in ACCESS_CATEGORIES:
        return (
            f"Distance à pied médiane des habitants reliés au plus proche "
            f"{ACCESS_CATEGORIES[m.group(1)]} (ceux qui n'en atteignent aucun comptent comme "
            "les plus éloignés)",
            "m",
            "plus élevé = plus vulnérable",
            "OpenStreetMap, INSEE BPE",
        )
    m = re.fullmatch(r"(time|count)_(.+?)_(min|300m|10min)", column)
    if m and m.group(2) in ACCESS_CATEGORIES:
        what = ACCESS_CATEGORIES[m.group(2)]
        if m.group(1) == "time":
            return (f"Temps de marche au plus proche {what}", "minutes", "", "OpenStreetMap")
        within = "300 m" if m.group(3) == "300m" else "10 minutes"
        return (
            f"Nombre moyen de lieux ({what}) à moins de {within} à pied",
            "lieux",
            "",
            "OpenStreetMap, INSEE BPE",
        )
    return (column, "", "", _COMPUTED)


def build_dictionary(layers: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Return one row per distinct column of the given files/layers.

    Parameters
    ----------
    layers
        File or layer name (``qpv.csv``, ``cells``…) → its columns.
    """
    where: dict[str, list[str]] = {}
    for name, columns in layers.items():
        for col in columns:
            where.setdefault(col, []).append(name)
    rows = []
    for col, names in where.items():
        label, unit, direction, source = describe(col)
        rows.append([col, label, unit, direction, source, ", ".join(names)])
    return pd.DataFrame(rows, columns=DICTIONARY_COLUMNS)
