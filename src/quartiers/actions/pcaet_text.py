"""Fixed French texts of the PCAET chapter: its regulatory frame, its method, its limits.

What the texts say of the regulation was checked, in December 2026, against public pages
quoting the code de l'environnement and the ADEME PCAET resource centre (listed in
``docs/reports.md``, « Chapitre PCAET »); what could not be checked is said in
:data:`UNVERIFIED`, printed in the document.
"""

from __future__ import annotations

__all__ = ["FRAME", "METHOD", "UNVERIFIED", "limits"]

#: The regulatory frame, one paragraph per item (verified through the pages cited).
FRAME: tuple[str, ...] = (
    "Le plan climat-air-énergie territorial (PCAET, code de l'environnement, art. L229-26 et "
    "R229-51, dans leur rédaction issue du décret n° 2016-849 du 28 juin 2016) comprend un "
    "diagnostic, une stratégie territoriale, un programme d'actions et un dispositif de suivi "
    "et d'évaluation. Le diagnostic comprend une analyse de la vulnérabilité du territoire "
    "aux effets du changement climatique.",
    "Le programme d'actions précise, pour les principales actions envisagées, les moyens à "
    "mettre en œuvre, les publics concernés, les partenariats souhaités et les résultats "
    "attendus (art. R229-51). Le dispositif de suivi et d'évaluation décrit les indicateurs "
    "à suivre au regard des objectifs fixés et des actions à conduire ; le plan fait l'objet "
    "d'un rapport mis à la disposition du public après trois ans d'application.",
    "L'arrêté du 4 août 2016 relatif au PCAET fixe les polluants atmosphériques, les secteurs "
    "d'activité, les unités et le dépôt sur la plateforme nationale de l'ADEME ; il ne "
    "détaille pas le contenu de l'analyse de vulnérabilité.",
    "La méthode de l'ADEME (centre de ressources des PCAET) croise l'exposition du territoire "
    "aux aléas climatiques et sa sensibilité : connaître le passé (arrêtés de catastrophe "
    "naturelle, îlots de chaleur), étudier l'avenir (projections climatiques régionalisées, "
    "DRIAS), puis établir des niveaux de vulnérabilité qui orientent le programme d'actions ; "
    "pour les enjeux les plus élevés (vies humaines), les projections les plus pessimistes "
    "sont à privilégier.",
)

#: How the chapter reads exposure and sensitivity (the tool's method, not the regulation's).
METHOD: tuple[str, ...] = (
    "Exposition : pour les aléas à zonage (inondation, submersion marine, argiles, cumul de "
    "deux aléas), la part des habitants dont le logement est dans la zone d'aléa (carreaux de "
    "200 m pondérés par l'emprise des bâtiments d'habitation en zone) ; pour la chaleur, les "
    "jours de vague de chaleur, nuits chaudes et journées très chaudes de la commune à "
    "l'horizon du diagnostic, la sensibilité à la chaleur des zones climatiques locales "
    "(LCZ), la chaleur nocturne quand un raster est fourni et l'imperméabilisation ; pour la "
    "chaleur dans les logements, la part des logements diagnostiqués (DPE) au confort d'été "
    "insuffisant.",
    "Sensibilité : qui est exposé. Pour les aléas à zonage, la part des ménages pauvres, des "
    "enfants de 0 à 3 ans et des 65 ans et plus qui vivent dans la zone ; pour la chaleur, "
    "la pauvreté, l'âge, l'isolement ; pour la chaleur dans les logements, les passoires "
    "énergétiques (DPE F ou G) et l'approche de la précarité énergétique.",
    "Chaque valeur est comparée au reste de la commune et au reste de l'intercommunalité (hors "
    "{plural}) : l'écart est en points pour une part. Les valeurs sont celles du diagnostic "
    "(fichier qpv.csv), jamais recalculées ; le nombre d'habitants exposés est la part "
    "exposée multipliée par la population carroyée.",
)

#: What stays unverified, printed in the document and in docs/reports.md.
UNVERIFIED: tuple[str, ...] = (
    "Le texte consolidé de l'article R229-51 n'a pas été relu sur Légifrance (pas d'accès "
    "pendant la rédaction) : la numérotation des éléments du diagnostic et d'éventuelles "
    "modifications postérieures à 2016 restent à vérifier.",
    "Aucun texte n'impose de chapitre propre aux quartiers prioritaires dans un PCAET : ce "
    "chapitre est une contribution au diagnostic de vulnérabilité et au programme d'actions, "
    "dans l'ordre du décret ; son insertion est à convenir avec le service qui porte le PCAET.",
    "Le format de dépôt sur la plateforme nationale de l'ADEME (données par secteur "
    "d'activité) n'est pas suivi : les tableaux CSV sont destinés au document du plan.",
    "Les niveaux de vulnérabilité de la méthode ADEME ne sont pas attribués ici : le chapitre "
    "donne les mesures d'exposition et de sensibilité, à hiérarchiser par le comité du PCAET.",
)


def limits(unit_plural: str) -> list[str]:
    """Return the limits of the chapter, in French."""
    return [
        "L'indice de vulnérabilité à la chaleur situe chaque unité parmi les carreaux du "
        "territoire : il mesure une vulnérabilité relative, pas un risque sanitaire.",
        "Les zones d'aléa sont celles publiées (Géorisques, PPR, BRGM) : une zone non publiée "
        "ou non fournie n'est pas une absence d'aléa (« non disponible » et sa raison).",
        "Le DPE ne couvre que les logements vendus ou loués depuis juillet 2021 : les parts "
        "issues du DPE sont à lire avec la couverture de l'échantillon (section logement des "
        "fiches).",
        f"Les actions retenues sont les premières suggestions du catalogue pour chaque unité "
        f"({unit_plural}) ; coûts en fourchettes hors taxes, le plus souvent estimations "
        "d'expert, à confirmer en atelier et par devis.",
    ]
