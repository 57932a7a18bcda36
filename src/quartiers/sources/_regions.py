"""Which regional file covers a département: Geofabrik OSM extracts, Filosofi files."""

from __future__ import annotations

from collections.abc import Iterable

from quartiers.errors import SourceError

__all__ = ["departement_of", "filosofi_zone", "geofabrik_region"]

# Geofabrik still cuts France along the regions of before 2016.
_GEOFABRIK: dict[str, tuple[str, ...]] = {
    "alsace": ("67", "68"),
    "aquitaine": ("24", "33", "40", "47", "64"),
    "auvergne": ("03", "15", "43", "63"),
    "basse-normandie": ("14", "50", "61"),
    "bourgogne": ("21", "58", "71", "89"),
    "bretagne": ("22", "29", "35", "56"),
    "centre": ("18", "28", "36", "37", "41", "45"),
    "champagne-ardenne": ("08", "10", "51", "52"),
    "corse": ("2A", "2B"),
    "franche-comte": ("25", "39", "70", "90"),
    "haute-normandie": ("27", "76"),
    "ile-de-france": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "languedoc-roussillon": ("11", "30", "34", "48", "66"),
    "limousin": ("19", "23", "87"),
    "lorraine": ("54", "55", "57", "88"),
    "midi-pyrenees": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "nord-pas-de-calais": ("59", "62"),
    "pays-de-la-loire": ("44", "49", "53", "72", "85"),
    "picardie": ("02", "60", "80"),
    "poitou-charentes": ("16", "17", "79", "86"),
    "provence-alpes-cote-d-azur": ("04", "05", "06", "13", "83", "84"),
    "rhone-alpes": ("01", "07", "26", "38", "42", "69", "73", "74"),
    "guadeloupe": ("971",),
    "martinique": ("972",),
    "guyane": ("973",),
    "reunion": ("974",),
    "mayotte": ("976",),
}
_BY_DEP = {dep: region for region, deps in _GEOFABRIK.items() for dep in deps}
_FILOSOFI = {"972": "mart", "974": "reun"}


def departement_of(insee_com: str) -> str:
    """Return the département code of a commune (``85191`` → ``85``, ``97411`` → ``974``)."""
    return insee_com[:3] if insee_com.startswith("97") else insee_com[:2]


def geofabrik_region(codes: Iterable[str]) -> str:
    """Return the single Geofabrik region covering all these communes.

    Raises
    ------
    SourceError
        Communes spread over two regions (give a merged extract with ``--source osm=``)
        or a département Geofabrik does not cover.
    """
    regions = set()
    for code in codes:
        dep = departement_of(code)
        if dep not in _BY_DEP:
            raise SourceError(
                f"département {dep} sans extrait Geofabrik connu — donnez un fichier OSM avec "
                "--source osm=CHEMIN"
            )
        regions.add(_BY_DEP[dep])
    if len(regions) != 1:
        raise SourceError(
            f"territoire à cheval sur plusieurs extraits Geofabrik ({', '.join(sorted(regions))})"
            " — donnez un extrait fusionné avec --source osm=CHEMIN"
        )
    return regions.pop()


def filosofi_zone(codes: Iterable[str]) -> str:
    """Return the Filosofi file zone (``met``, ``mart``, ``reun``) of these communes."""
    zones = {_FILOSOFI.get(departement_of(c), "met") for c in codes}
    deps = {departement_of(c) for c in codes}
    if deps & {"971", "973", "976"}:
        raise SourceError(
            "Filosofi carroyé ne couvre pas la Guadeloupe, la Guyane ni Mayotte — "
            "aucune donnée sociale carroyée pour ce territoire"
        )
    if len(zones) != 1:
        listed = ", ".join(sorted(zones))
        raise SourceError(f"territoire sur plusieurs fichiers Filosofi ({listed})")
    return zones.pop()
