"""French README written next to the demo files: what they are and that they are fictitious."""

from __future__ import annotations

from pathlib import Path

__all__ = ["readme_text"]

_DESCRIPTIONS = {
    "qpv": "périmètres des 2 QPV fictifs, GeoJSON CRS84 au format ANCT (QP2024)",
    "filosofi": "carreaux INSEE de 200 m, CSV au format Filosofi 2021 (carreaux_200m_met.csv)",
    "bpe": "équipements, CSV « ; » au format BPE 2024 de l'INSEE (BPE24.csv)",
    "osm": "extrait OpenStreetMap PBF : rues, bâtiments, arbres, parcs, bois, eau, équipements",
    "lcz": "zones climatiques locales, shapefile au format CEREMA LCZ SPOT 2022 (Lambert-93)",
    "climadiag": "projections Climadiag Commune de Météo-France (entities.jsonl)",
    "communes": "communes et EPCI, GeoPackage au format IGN ADMIN EXPRESS COG 4.0 (WGS84)",
    "places": "salles rafraîchies de la ville, CSV « ; » (nom;type;lon;lat;ouverture)",
    "tri": (
        "zones inondables (rivière : scénarios fréquent, moyen, extrême) et de submersion "
        "marine (moyen, moyen avec changement climatique, extrême), archive au format "
        "Géorisques « rapportage 2020 » des TRI (shapefiles COVADIS, Lambert-93)"
    ),
    "insee_qpv": (
        "chiffres « INSEE » par QPV (population, taux de pauvreté des personnes, parts des "
        "65 ans ou plus et des logements sociaux), CSV « ; » ; calculés sur les ménages "
        "fictifs de la démonstration, comme l'INSEE le fait sur les logements géolocalisés "
        "(référence de validation : --source insee_qpv)"
    ),
    "argiles": (
        "exposition au retrait-gonflement des argiles (niveaux 1 à 3), shapefile au format "
        "BRGM ExpoArgile_Fxx_L93 (Lambert-93)"
    ),
    "dpe": (
        "diagnostics de performance énergétique des logements, CSV au format de l'export "
        "ADEME dpe03existant (étiquette, confort d'été, période, chauffage, adresse BAN)"
    ),
}


def readme_text(seed: int, paths: dict[str, Path], out_dir: Path) -> str:
    """Return the README.txt of a generated demo territory (French, for users)."""
    lines = [
        "VILLE-TÉMOIN — TERRITOIRE FICTIF",
        "================================",
        "",
        "Toutes les données de ce dossier sont INVENTÉES par le programme « quartiers »",
        "(commande « quartiers demo »). Ville-Témoin, ses communes voisines, ses quartiers,",
        "ses habitants, ses rues et ses équipements n'existent pas. Elles ne décrivent",
        "aucun lieu ni aucune personne réels et ne doivent jamais être présentées comme telles.",
        "",
        "Chaque fichier suit le format officiel de sa source, pour que les mêmes lecteurs",
        "chargent la démonstration et les vraies données. Codes choisis pour ne jamais",
        "coïncider avec des codes réels : département 00, région 00, communes 00001 à 00004,",
        "EPCI 200000001, QPV QN00001A et QN00001B, codes postaux 00100 à 00130.",
        "",
        f"Graine : {seed} (la même graine redonne exactement les mêmes fichiers).",
        "",
        "Fichiers :",
    ]
    for key, path in paths.items():
        lines.append(f"- {path.relative_to(out_dir.resolve())} : {_DESCRIPTIONS[key]}")
    lines += [
        "",
        "Description détaillée : docs/demo.md dans le dépôt du projet.",
        "",
    ]
    return "\n".join(lines)
