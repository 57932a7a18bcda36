"""Closed vocabularies of the action catalogue: types, pillars, partners, levers, groups.

Identifiers are English (they are data keys); every label is the French text users read.
"""

from __future__ import annotations

__all__ = [
    "ACTION_TYPES",
    "BENEFICIARIES",
    "COST_UNITS",
    "CO_BENEFITS",
    "LEVERS",
    "PARTNERS",
    "PILLARS",
]

#: Kinds of adaptation solution (the green / blue / grey / soft split used by ADEME and
#: CEREMA guidance).
ACTION_TYPES: dict[str, str] = {
    "green": "solution verte (végétal, pleine terre)",
    "blue": "solution bleue (eau)",
    "grey": "solution grise (aménagement, bâti, matériaux)",
    "soft": "solution douce (organisation, accompagnement, information)",
}

#: Pillars of the contrats de ville, plus the transitions axis of the 2024 generation.
PILLARS: dict[str, str] = {
    "social_cohesion": "Cohésion sociale",
    "living_environment": "Cadre de vie et renouvellement urbain",
    "economic_development": "Développement économique et emploi",
    "transitions": "Transitions (écologique, climatique)",
}

#: Co-benefits of an action across the transitions (issue 21), id → French label.
CO_BENEFITS: dict[str, str] = {
    "cooling": "Rafraîchissement",
    "biodiversity": "Biodiversité",
    "food": "Alimentation",
    "energy": "Énergie",
    "health": "Santé",
}

#: Who can lead or join an action.
PARTNERS: dict[str, str] = {
    "city": "Ville",
    "epci": "Intercommunalité (EPCI)",
    "social_landlord": "Bailleur social",
    "ccas": "CCAS",
    "ars": "Agence régionale de santé (ARS)",
    "prefecture": "Préfecture (délégué du préfet)",
    "department": "Conseil départemental",
    "schools": "Éducation nationale et écoles",
    "associations": "Associations de quartier",
    "social_centre": "Centre social",
    "residents": "Conseil citoyen et habitants",
    "health_professionals": "Professionnels de santé (CPTS, pharmacies)",
    "water_utility": "Service des eaux",
    "ademe": "ADEME (appui technique et financier)",
    "anru": "ANRU (renouvellement urbain)",
}

#: How the what-if models an action (``none``: not represented in the index).
LEVERS: dict[str, str] = {
    "canopy": "canopée ajoutée dans les carreaux choisis (part de la surface du carreau)",
    "green": "surface végétalisée sans arbres ajoutée (part de la surface du carreau)",
    "deseal": "chaussée désimperméabilisée dans les carreaux choisis (part de la surface "
    "de voirie du carreau), rendue à la pleine terre",
    "place": "lieu ressource ouvert à un point choisi (distance à pied recalculée)",
    "none": "effet non représenté dans l'indice (action d'accompagnement)",
}

#: Residents an action is meant for → the QPV column giving their share of the population
#: (``None``: every resident).
BENEFICIARIES: dict[str, tuple[str, str | None]] = {
    "all": ("tous les habitants", None),
    "65p": ("habitants de 65 ans et plus", "share_65p"),
    "80p": ("habitants de 80 ans et plus", "share_80p"),
    "0_3": ("enfants de 0 à 3 ans", "share_0_3"),
    "single_person": ("personnes vivant seules", "share_single_person"),
    "social_housing": ("ménages du parc social", "share_social_housing"),
    "poor": ("ménages pauvres", "poverty_rate"),
}

#: Unit of a cost range.
COST_UNITS: dict[str, str] = {
    "site": "par site",
    "tree": "par arbre",
    "m2": "par m²",
    "dwelling": "par logement",
    "year": "par an",
}
