"""Registry entries of the housing and indoor-heat indicators (ADEME DPE, INSEE Filosofi).

The per-cell computation is in :mod:`quartiers.indicators.housing`. The DPE covers only
dwellings sold or let since July 2021 (plus voluntary certificates): every share is a
share of the certified dwellings, and ``dpe_coverage`` says how many they are.
"""

from __future__ import annotations

from quartiers.indicators._indicator import Indicator

__all__ = ["HOUSING_IDS", "HOUSING_INDICATORS"]

_DPE = "ADEME, DPE logements existants depuis juillet 2021 (dpe03existant)"
_SHARE = "part (0–1)"
_ALLOCATION = (
    "chaque DPE est rattaché au bâtiment d'habitation qui le contient (ou le plus proche à "
    "moins de 30 m de son adresse BAN), puis réparti entre carreaux au prorata de l'emprise "
    "du bâtiment ; sans bâtiment, au carreau de son adresse. Un DPE d'immeuble compte ses "
    "nombre_appartement logements"
)

HOUSING_INDICATORS: list[Indicator] = [
    Indicator(
        id="share_dpe_fg",
        label="Part des logements diagnostiqués classés F ou G (« passoires »)",
        unit=_SHARE,
        dimension="sensitivity",
        direction=1,
        formula=f"logements DPE d'étiquette F ou G / logements DPE ; {_ALLOCATION}",
        source=_DPE,
        min_population=50.0,
        weighting="somme des logements F ou G / somme des logements diagnostiqués",
    ),
    Indicator(
        id="share_summer_comfort_poor",
        label="Part des logements diagnostiqués au confort d'été insuffisant",
        unit=_SHARE,
        dimension="exposure",
        direction=1,
        formula=(
            "logements DPE dont indicateur_confort_ete = « insuffisant » / logements DPE où "
            f"l'indicateur est renseigné ; {_ALLOCATION}"
        ),
        source=_DPE,
        min_population=50.0,
        weighting="somme des logements « insuffisant » / somme des logements renseignés",
    ),
    Indicator(
        id="dpe_coverage",
        label="Couverture de l'échantillon DPE (logements diagnostiqués par ménage)",
        unit="rapport",
        dimension="sensitivity",
        direction=-1,
        formula=(
            "logements DPE / men ; le DPE ne couvre que les logements vendus ou loués depuis "
            "juillet 2021 : une couverture faible rend les parts ci-dessus fragiles. Indicateur "
            f"de fiabilité, hors indices ; {_ALLOCATION}"
        ),
        source=f"{_DPE} ; INSEE Filosofi",
        min_population=50.0,
        weighting="somme des logements diagnostiqués / somme des ménages",
    ),
    Indicator(
        id="energy_poverty_proxy",
        label="Approche de la précarité énergétique : ménages pauvres × part de passoires",
        unit=_SHARE,
        dimension="sensitivity",
        direction=1,
        formula=(
            "men_pauv × (part des logements DPE F ou G du carreau) / men, sur les carreaux "
            "ayant au moins un DPE ; suppose pauvreté et étiquette indépendantes dans le "
            "carreau (approche, pas une mesure)"
        ),
        source=f"INSEE Filosofi ; {_DPE}",
        min_population=50.0,
        weighting="somme des ménages pauvres estimés en passoire / somme des ménages",
    ),
    Indicator(
        id="share_heating_fuel_oil",
        label="Part des logements diagnostiqués chauffés au fioul",
        unit=_SHARE,
        dimension="sensitivity",
        direction=1,
        formula=(
            "logements DPE dont type_energie_principale_chauffage = « Fioul domestique » / "
            f"logements DPE où l'énergie est renseignée ; {_ALLOCATION}"
        ),
        source=_DPE,
        min_population=50.0,
        weighting="somme des logements au fioul / somme des logements renseignés",
    ),
    Indicator(
        id="share_heating_electric",
        label="Part des logements diagnostiqués chauffés à l'électricité",
        unit=_SHARE,
        dimension="sensitivity",
        direction=1,
        formula=(
            "logements DPE dont type_energie_principale_chauffage = « Électricité » / "
            f"logements DPE où l'énergie est renseignée ; {_ALLOCATION}"
        ),
        source=_DPE,
        min_population=50.0,
        weighting="somme des logements à l'électricité / somme des logements renseignés",
    ),
]

#: Ids of the housing indicators, in publication order.
HOUSING_IDS: tuple[str, ...] = tuple(i.id for i in HOUSING_INDICATORS)
