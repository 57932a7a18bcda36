"""Registry entries of the hazard-exposure indicators (flood, sea, clay, several hazards).

Each is the share of a population group living in a hazard zone: residents, poor
households, children aged 0–3, people aged 65 and over. The per-cell computation is in
:mod:`quartiers.indicators.hazards`.
"""

from __future__ import annotations

from quartiers.indicators._indicator import Indicator

__all__ = ["HAZARD_GROUPS", "HAZARD_INDICATORS", "HAZARD_POPULATIONS", "hazard_indicator_id"]

#: Hazard group → French name of its zone.
HAZARD_GROUPS: dict[str, str] = {
    "flood": "en zone inondable (cours d'eau, ruissellement)",
    "sea": "en zone de submersion marine",
    "clay": "en zone d'exposition moyenne ou forte aux argiles",
    "multi_hazard": "exposés à au moins deux aléas (inondation, submersion, argiles)",
}

#: Population group → (French label, Filosofi formula of the count).
HAZARD_POPULATIONS: dict[str, tuple[str, str]] = {
    "residents": ("Part des habitants", "ind"),
    "poor": ("Part des ménages pauvres", "men_pauv"),
    "0_3": ("Part des enfants de 0 à 3 ans", "ind_0_3"),
    "65p": ("Part des 65 ans et plus", "(ind_65_79 + ind_80p)"),
}

_ZONES: dict[str, str] = {
    "flood": (
        "réunion des zones inondables publiées : TRI (tous scénarios, donc l'extrême), EAIP "
        "cours d'eau, zones d'aléa inondation des PPR"
    ),
    "sea": (
        "réunion des zones de submersion marine publiées : TRI (dont le scénario moyen avec "
        "changement climatique), EAIP submersion marine, zones d'aléa submersion des PPR"
    ),
    "clay": "zones d'exposition moyenne (2) ou forte (3) de la carte du BRGM",
    "multi_hazard": "parties du carreau couvertes par au moins deux des trois zones",
}
_SOURCES = {
    "flood": "Géorisques (TRI rapportage 2020, EAIP), PPR (COVADIS) ; INSEE Filosofi",
    "sea": "Géorisques (TRI rapportage 2020, EAIP), PPR (COVADIS) ; INSEE Filosofi",
    "clay": "BRGM, exposition au retrait-gonflement des argiles ; INSEE Filosofi",
    "multi_hazard": "Géorisques, PPR, BRGM ; INSEE Filosofi",
}


def hazard_indicator_id(group: str, population: str) -> str:
    """Return the indicator id of a hazard group and population (``flood_residents``…)."""
    return f"{group}_{population}"


HAZARD_INDICATORS: list[Indicator] = [
    Indicator(
        id=hazard_indicator_id(group, pop),
        label=f"{label} {where}",
        unit="part (0–1)",
        dimension="exposure",
        direction=1,
        formula=(
            f"{count} × part du carreau en zone / {count} ; zone = {_ZONES[group]} ; part "
            "du carreau = part de l'emprise des bâtiments d'habitation en zone (part de la "
            "surface du carreau sans bâtiments d'habitation connus)"
        ),
        source=_SOURCES[group],
        min_population=50.0,
        weighting=f"somme des {count} en zone / somme des {count}",
    )
    for group, where in HAZARD_GROUPS.items()
    for pop, (label, count) in HAZARD_POPULATIONS.items()
]
