"""Registry entries of the nature indicators (issue 21, point 2), outside the heat index."""

from __future__ import annotations

from quartiers.indicators._indicator import Indicator

__all__ = ["NATURE_INDICATORS"]

_POP_WEIGHTED = "moyenne pondérée par la population (ind) des carreaux"

NATURE_INDICATORS: list[Indicator] = [
    Indicator(
        id="green_network_ha",
        label="Continuité écologique : surface du plus grand réseau vert touchant le carreau",
        unit="ha",
        dimension="resources",
        direction=-1,
        formula=(
            "surface (ha) du plus grand ensemble continu d'espaces verts (parcs, jardins, "
            "pelouses, bois, friches arbustives, alignements d'arbres et haies élargis à un "
            "houppier) touchant le carreau ; deux pièces distantes de moins de 10 m sont "
            "continues ; 0 si aucun espace vert ne touche le carreau"
        ),
        source="OpenStreetMap (leisure=park, garden, landuse=grass, natural=wood, tree_row…)",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
    Indicator(
        id="desealable_share",
        label="Part de surfaces désimperméabilisables (parkings à ciel ouvert, places minérales)",
        unit="part (0–1)",
        dimension="resources",
        direction=1,
        formula=(
            "surface des parkings à ciel ouvert et des places piétonnes revêtues dans le "
            "carreau / 40 000 m² : gisement pour des solutions fondées sur la nature"
        ),
        source="OpenStreetMap (amenity=parking en surface, highway=pedestrian, place=square)",
        min_population=0.0,
        weighting=_POP_WEIGHTED,
    ),
]
