"""The words of the diagnostic in plain French: one glossary for the web and the sheets.

Each technical term shown to a user (« Monte Carlo », « quintile », « intervalle de rang »…)
has one short definition here. The web serves them on ``/glossaire`` and as ``<abbr>``
tooltips; the sheets print them at the end. Method values stored in English in ``run.json``
(``percentile``, ``arithmetic``) are written in French through :func:`method_value`.
"""

from __future__ import annotations

from dataclasses import dataclass

from quartiers.text import fold

__all__ = ["GLOSSARY", "Term", "cell_place", "method_value", "term", "term_id"]


@dataclass(frozen=True)
class Term:
    """A term of the glossary and its definition in plain French."""

    word: str
    definition: str


GLOSSARY: tuple[Term, ...] = (
    Term(
        "Carreau de 200 m",
        "Un carré de 200 m de côté du quadrillage de l'INSEE ; les données sociales (revenus, "
        "âges, logements) sont publiées par carreau, jamais par personne.",
    ),
    Term(
        "Carroyage partiel",
        "Une partie du quartier n'est couverte par aucun carreau habité : l'INSEE ne publie pas "
        "les carreaux sans ménage fiscal ; les chiffres décrivent les habitants des carreaux "
        "publiés.",
    ),
    Term(
        "Carreau estimé (imputé)",
        "Carreau de moins de 11 ménages : pour protéger le secret statistique, l'INSEE y "
        "répartit des valeurs estimées ; ce sont des estimations, pas des comptages.",
    ),
    Term(
        "Indice de vulnérabilité",
        "Note de 0 à 1 qui combine la sensibilité des habitants, l'exposition du quartier à la "
        "chaleur et les ressources à pied ; 1 = le plus vulnérable du territoire étudié. Il "
        "compare les quartiers entre eux, ce n'est pas une mesure absolue.",
    ),
    Term(
        "Quintile",
        "Une des cinq classes qui regroupent chacune environ un cinquième des habitants du "
        "territoire, des moins vulnérables (classe 1) aux plus vulnérables (classe 5).",
    ),
    Term(
        "Rang",
        "Place du quartier parmi les QPV classés du territoire : rang 1 = le plus vulnérable.",
    ),
    Term(
        "Intervalle de rang",
        "Les rangs que le quartier obtient quand on fait varier les choix de méthode "
        "raisonnables (poids, façon de combiner les indicateurs…) : s'il va « du 1er au 3e "
        "rang », son rang exact dépend de ces choix, sa position élevée non.",
    ),
    Term(
        "Monte Carlo",
        "Méthode qui recalcule l'indice des milliers de fois en tirant au hasard des choix de "
        "méthode différents, pour voir si le classement tient.",
    ),
    Term(
        "Indice de Sobol",
        "Part de la variation du rang due à un choix de méthode donné (de 0 à 100 %) : il dit "
        "quel choix fait le plus bouger le classement.",
    ),
    Term(
        "Statut",
        "« classé » : le quartier a un indice complet et assez d'habitants pour être comparé ; "
        "« incomplet » : une dimension manque (la raison est donnée) ; sous le seuil : trop peu "
        "d'habitants carroyés pour un rang fiable (ses chiffres restent publiés).",
    ),
    Term(
        "Reste de la commune",
        "La partie de la commune hors de tout QPV, à laquelle le quartier est comparé.",
    ),
    Term(
        "Point d'écart (pt)",
        "Différence entre deux pourcentages : 27 % contre 12 % font un écart de +15 pt.",
    ),
    Term(
        "Normalisation",
        "Mise de chaque indicateur sur une même échelle de 0 à 1 avant de les combiner "
        "(par exemple la place du carreau parmi ceux du territoire).",
    ),
    Term(
        "Point chaud",
        "Groupe de carreaux voisins tous très vulnérables, plus groupés que le hasard ne le "
        "ferait (test statistique de Moran local).",
    ),
    Term(
        "Zone climatique locale (LCZ)",
        "Type de tissu urbain (tours, pavillons, zones d'activité, parcs…) classé selon sa "
        "tendance à garder la chaleur ; cartographié par le Cerema.",
    ),
    Term(
        "Horizon climatique",
        "Niveau de réchauffement pour lequel les jours chauds sont donnés : référence "
        "1976–2005, puis +2 °C, +2,7 °C et +4 °C en France (trajectoire TRACC).",
    ),
)

_BY_KEY = {fold(t.word): t for t in GLOSSARY}

#: Method values of ``run.json`` and the method file, in French.
_METHOD_VALUES = {
    "percentile": "rang centile (place parmi les carreaux du territoire)",
    "minmax": "min–max (du plus faible au plus fort carreau)",
    "zscore": "écart à la moyenne (score z)",
    "bounds": "entre deux bornes fixes",
    "arithmetic": "moyenne arithmétique",
    "geometric": "moyenne géométrique",
}


def term_id(word: str) -> str:
    """Return the anchor of a term on ``/glossaire`` (``intervalle-de-rang``)."""
    return fold(word, sep="-")


def term(word: str) -> Term:
    """Return the glossary entry of ``word`` (case and accents ignored).

    Raises
    ------
    KeyError
        The word is not in the glossary (a template names a term it must define).
    """
    return _BY_KEY[fold(word)]


def method_value(value: object) -> str:
    """Return a method value (``percentile``, ``arithmetic``…) in French; others unchanged."""
    text = str(value or "")
    return _METHOD_VALUES.get(text, text)


def cell_place(commune: str | None) -> str:
    """Return how a user is told where a cell is: « carreau de 200 m » and its commune."""
    return f"carreau de 200 m à {commune}" if commune else "carreau de 200 m"
