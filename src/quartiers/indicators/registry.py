"""Indicator registry: every indicator the diagnostic can compute, with its metadata.

Metadata is what users read (French labels, units, formulas, sources); the computations live
in :mod:`quartiers.indicators.sensitivity`, :mod:`~quartiers.indicators.exposure` and
:mod:`~quartiers.indicators.resources`. Every indicator is a ratio per 200 m cell whose
numerator and denominator add up over cells, so that a zone's value is the ratio of its
summed counts (see :mod:`quartiers.diagnostic.aggregate`).
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from quartiers.errors import InputError
from quartiers.indicators._indicator import Indicator
from quartiers.indicators._nature_registry import NATURE_INDICATORS
from quartiers.indicators.hazard_registry import HAZARD_INDICATORS
from quartiers.indicators.housing_registry import HOUSING_INDICATORS

__all__ = [
    "ACCESS_CATEGORIES",
    "DIMENSIONS",
    "HAZARD_IDS",
    "REGISTRY",
    "Indicator",
    "get_indicator",
    "indicator_ids",
    "registry_table",
]

#: Dimensions of the heat-wave vulnerability index (id → French label), in index order.
DIMENSIONS: dict[str, str] = {
    "sensitivity": "Sensibilité",
    "exposure": "Exposition",
    "resources": "Ressources",
}

#: Resource categories whose walking distances come from the accessibility module
#: (per-cell columns ``dist_<category>_m``), with their French labels.
ACCESS_CATEGORIES: dict[str, str] = {
    "cool_outdoor": "lieu frais extérieur (parc ou bois ≥ 0,5 ha, eau)",
    "cool_indoor": "lieu frais intérieur (bibliothèque, musée, lieu de culte, cinéma, piscine…)",
    "care": "lieu de soins (pharmacie, médecin, hôpital)",
    "information": "point d'information (mairie, centre social, France Services)",
    "drinking_water": "point d'eau potable",
    "fresh_food": "commerce d'alimentation fraîche (supermarché, épicerie, boulangerie, "
    "boucherie, primeur) ou marché",
    "shared_garden": "jardin partagé ou familial",
    "green_1ha": "espace vert d'au moins 1 ha (parc, jardin public, bois)",
}

_FILOSOFI = "INSEE, Filosofi, données carroyées à 200 m (millésime dans run.json)"
_SHARE = "part (0–1)"


def _filosofi_share(
    id_: str, label: str, num: str, den: str, den_label: str, direction: int = 1
) -> Indicator:
    return Indicator(
        id=id_,
        label=label,
        unit=_SHARE,
        dimension="sensitivity",
        direction=direction,
        formula=f"{num} / {den}",
        source=_FILOSOFI,
        min_population=50.0,
        weighting=f"somme des numérateurs / somme des {den_label} ({den})",
    )


_CENSUS = (
    "INSEE, recensement, bases infracommunales (IRIS), et IGN, contours des IRIS (--source rp_iris)"
)
_CENSUS_SPLIT = (
    " ; l'effectif de chaque IRIS est réparti sur ses carreaux au prorata de leurs "
    "habitants (ind × part de la surface du carreau dans l'IRIS)"
)
_PERSONS = "personnes"
_HOUSEHOLDS = "ménages"
_POP_WEIGHTED = "moyenne pondérée par la population (ind) des carreaux"

_INDICATORS: list[Indicator] = [
    _filosofi_share(
        "poverty_rate",
        "Taux de pauvreté des ménages",
        "men_pauv",
        "men",
        _HOUSEHOLDS,
    ),
    _filosofi_share("share_0_3", "Part des enfants de 0 à 3 ans", "ind_0_3", "ind", _PERSONS),
    _filosofi_share(
        "share_65p", "Part des 65 ans et plus", "(ind_65_79 + ind_80p)", "ind", _PERSONS
    ),
    _filosofi_share("share_80p", "Part des 80 ans et plus", "ind_80p", "ind", _PERSONS),
    _filosofi_share(
        "share_single_person",
        "Part des ménages d'une seule personne (isolement)",
        "men_1ind",
        "men",
        _HOUSEHOLDS,
    ),
    _filosofi_share(
        "share_single_parent",
        "Part des familles monoparentales",
        "men_fmp",
        "men",
        _HOUSEHOLDS,
    ),
    Indicator(
        id="floor_area_per_person",
        label="Surface de logement par personne",
        unit="m² par personne",
        dimension="sensitivity",
        direction=-1,
        formula="men_surf / ind",
        source=_FILOSOFI,
        min_population=50.0,
        weighting="somme des surfaces / somme des personnes (ind)",
    ),
    _filosofi_share(
        "share_social_housing",
        "Part des logements sociaux",
        "log_soc",
        "men",
        "logements (résidences principales = ménages)",
    ),
    _filosofi_share(
        "share_pre1970",
        "Part des logements construits avant 1970",
        "(log_av45 + log_45_70)",
        "men",
        "logements (résidences principales = ménages)",
    ),
    _filosofi_share(
        "share_pre1945",
        "Part des logements construits avant 1945 (maçonnerie ancienne)",
        "log_av45",
        "men",
        "logements (résidences principales = ménages)",
        direction=-1,
    ),
    _filosofi_share(
        "share_1945_1970",
        "Part des logements construits de 1945 à 1970 (grands ensembles)",
        "log_45_70",
        "men",
        "logements (résidences principales = ménages)",
    ),
    _filosofi_share(
        "share_collective",
        "Part des ménages en logement collectif",
        "men_coll",
        "men",
        _HOUSEHOLDS,
    ),
    Indicator(
        id="top_floor_share",
        label="Part de la surface habitable sous le toit (dernier étage)",
        unit=_SHARE,
        dimension="sensitivity",
        direction=1,
        formula=(
            "Σ emprise / Σ (emprise × étages) des bâtiments d'habitation de hauteur connue du "
            "carreau, étages = max(1, arrondi(hauteur / 3 m)) ; vide si moins de la moitié de "
            "l'emprise d'habitation a une hauteur"
        ),
        source="IGN BD TOPO (HAUTEUR) ou OpenStreetMap (height, building:levels)",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="living_standard",
        label="Niveau de vie moyen par personne",
        unit="€ par an et par personne",
        dimension="sensitivity",
        direction=-1,
        formula="ind_snv / ind (niveaux de vie winsorisés ; absent de certains millésimes)",
        source=_FILOSOFI,
        min_population=50.0,
        weighting="somme des niveaux de vie / somme des personnes (ind)",
    ),
    Indicator(
        id="share_80p_alone",
        label="Part des personnes de 80 ans et plus vivant seules",
        unit=_SHARE,
        dimension="sensitivity",
        direction=1,
        formula="P21_POP80P_PSEUL réparti / ind" + _CENSUS_SPLIT,
        source=_CENSUS,
        min_population=50.0,
        weighting="somme des personnes de 80 ans et plus seules / somme des personnes (ind)",
    ),
    Indicator(
        id="persons_per_room",
        label="Personnes par pièce des résidences principales (surpeuplement)",
        unit="personnes par pièce",
        dimension="sensitivity",
        direction=1,
        formula="P21_NPER_RP réparti / P21_NBPI_RP réparti" + _CENSUS_SPLIT,
        source=_CENSUS,
        min_population=50.0,
        weighting="somme des personnes / somme des pièces des résidences principales",
    ),
    Indicator(
        id="night_heat",
        label="Chaleur nocturne (îlot de chaleur urbain ou température de surface la nuit)",
        unit="°C (unité du raster fourni)",
        dimension="exposure",
        direction=1,
        formula=(
            "moyenne du raster de chaleur nocturne sur le carreau, pondérée par la surface "
            "(sous-carrés de 20 m, pixels sans donnée exclus) ; vide si moins de la moitié "
            "du carreau est couverte"
        ),
        source=(
            "raster fourni avec --source chaleur_nuit=FICHIER.tif (Cerema, CNES, Copernicus "
            "ou étude locale ; provenance dans run.json)"
        ),
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="lcz_heat",
        label="Sensibilité à la chaleur des zones climatiques locales (LCZ)",
        unit="score 0–4",
        dimension="exposure",
        direction=1,
        formula=(
            "moyenne, pondérée par la surface, du score de chaleur de chaque classe LCZ "
            "présente dans le carreau (table des scores dans la méthode) ; vide si moins "
            "de la moitié du carreau est couverte"
        ),
        source="Cerema, zones climatiques locales (LCZ) SPOT 2022",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="impervious_share",
        label="Part de surface imperméabilisée (bâti, voirie, parkings)",
        unit=_SHARE,
        dimension="exposure",
        direction=1,
        formula=(
            "surface de (emprise des bâtiments ∪ chaussées, tronçons élargis de la "
            "demi-largeur ∪ parkings à ciel ouvert et places revêtues) dans le carreau / "
            "surface du carreau (40 000 m²)"
        ),
        source=(
            "OpenStreetMap ou IGN BD TOPO (bâtiments, tronçons de route ; parkings et places : "
            "OpenStreetMap)"
        ),
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="built_share",
        label="Part de surface bâtie (emprise au sol)",
        unit=_SHARE,
        dimension="exposure",
        direction=1,
        formula="surface de l'emprise des bâtiments dans le carreau / 40 000 m²",
        source="OpenStreetMap ou IGN BD TOPO (bâtiments)",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="heat_wave_days",
        label="Jours de vague de chaleur (commune, horizon choisi)",
        unit="jours par an",
        dimension="exposure",
        direction=1,
        formula=(
            "valeur communale Climadiag (S3 ; à défaut DRIAS NORTXHWD) à l'horizon choisi, "
            "moyenne des communes du carreau pondérée par la surface"
        ),
        source="Météo-France, Climadiag Commune (TRACC) ou DRIAS",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="warm_nights",
        label="Nuits chaudes (commune, horizon choisi)",
        unit="nuits par an",
        dimension="exposure",
        direction=1,
        formula=(
            "valeur communale Climadiag (S2, Tn ≥ 20 °C, ou variante locale S10/S8/S5 ; à "
            "défaut DRIAS NORTR) à l'horizon choisi, moyenne des communes du carreau "
            "pondérée par la surface"
        ),
        source="Météo-France, Climadiag Commune (TRACC) ou DRIAS",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="very_hot_days",
        label="Journées très chaudes (commune, horizon choisi)",
        unit="jours par an",
        dimension="exposure",
        direction=1,
        formula=(
            "valeur communale Climadiag (S1, Tx ≥ 35 °C, ou variante locale S11/S9 ; à "
            "défaut DRIAS NORTX35) à l'horizon choisi, moyenne des communes du carreau "
            "pondérée par la surface"
        ),
        source="Météo-France, Climadiag Commune (TRACC) ou DRIAS",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="canopy_share",
        label="Part de canopée arborée",
        unit=_SHARE,
        dimension="resources",
        direction=-1,
        formula=(
            "surface de (houppiers des arbres isolés ∪ bois ∪ alignements et haies) dans le "
            "carreau / 40 000 m² ; houppier = disque du diamètre renseigné, sinon valeur "
            "par défaut de la méthode ; avec un raster de couvert arboré : sa densité "
            "moyenne sur le carreau (0–100 %) / 100"
        ),
        source=(
            "OpenStreetMap (natural=tree, wood, tree_row) ou IGN BD TOPO (végétation) ; "
            "raster --source couvert_arbore (Copernicus Tree Cover Density) s'il est fourni"
        ),
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="green_share",
        label="Part d'espaces verts et végétalisés",
        unit=_SHARE,
        dimension="resources",
        direction=-1,
        formula=(
            "surface de (parcs ∪ jardins ∪ pelouses ∪ bois ∪ alignements ∪ houppiers) dans "
            "le carreau / 40 000 m²"
        ),
        source="OpenStreetMap (leisure=park, garden, landuse=grass…) ou IGN BD TOPO",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    *[
        Indicator(
            id=f"dist_{cat}",
            label=f"Distance à pied au plus proche {label}",
            unit="m",
            dimension="resources",
            direction=1,
            formula=(
                f"distance à pied sur le réseau piéton depuis le carreau jusqu'au plus proche "
                f"{label}, calculée par le module d'accessibilité (colonne dist_{cat}_m) ; "
                "vide si aucun lieu n'est atteignable"
            ),
            source="OpenStreetMap, INSEE BPE ; réseau piéton OpenStreetMap",
            min_population=0.0,
            weighting=_POP_WEIGHTED,
        )
        for cat, label in ACCESS_CATEGORIES.items()
    ],
    *NATURE_INDICATORS,
    *HAZARD_INDICATORS,
    *HOUSING_INDICATORS,
]

#: All indicators by id, in publication order.
REGISTRY: dict[str, Indicator] = {ind.id: ind for ind in _INDICATORS}

#: Hazard-exposure indicators (flood, sea, clay, several hazards; not in the heat index).
HAZARD_IDS: frozenset[str] = frozenset(ind.id for ind in HAZARD_INDICATORS)


def indicator_ids(dimension: str | None = None) -> list[str]:
    """Return indicator ids in publication order, optionally of one dimension."""
    return [i for i, ind in REGISTRY.items() if dimension is None or ind.dimension == dimension]


def get_indicator(indicator_id: str) -> Indicator:
    """Return the metadata of one indicator or raise a French :class:`InputError`."""
    try:
        return REGISTRY[indicator_id]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise InputError(f"indicateur inconnu {indicator_id!r} (connus : {known})") from None


def registry_table() -> pd.DataFrame:
    """Return the registry as a table, one row per indicator (columns = metadata fields)."""
    rows = []
    for ind in REGISTRY.values():
        row = asdict(ind)
        row["dimension_label"] = DIMENSIONS[ind.dimension]
        row["direction_label"] = ind.direction_label
        rows.append(row)
    return pd.DataFrame(rows)
