"""French README of the fictitious France: what the files are and that they are fictitious."""

from __future__ import annotations

from quartiers.demo.national._layout import Scale

__all__ = ["readme_text"]


def readme_text(scale: Scale, seed: int, counts: dict[str, int]) -> str:
    """Return the README.txt of a generated fictitious France (French, for users)."""
    n = counts
    return "\n".join(
        [
            "FRANCE FICTIVE — TERRITOIRE FICTIF À L'ÉCHELLE NATIONALE",
            "========================================================",
            "",
            "Toutes les données de ce dossier sont INVENTÉES par le programme « quartiers »",
            f"(commande « quartiers demo --echelle {scale.name} »). Les communes, les EPCI, les",
            "quartiers, leurs habitants et leurs équipements n'existent pas : ils ne décrivent",
            "aucun lieu ni aucune personne réels et ne doivent jamais être présentés comme tels.",
            "",
            "Les départements et régions reprennent les codes du COG (pour que --territory reg:52",
            "ou dep:85 fonctionne), mais chaque département est un carré fictif découpé en",
            "communes carrées. Codes des communes : département + 901 à 964 (ils peuvent",
            "coïncider avec une commune réelle, qu'ils ne décrivent pas) ; QPV : préfixe QZ,",
            "qu'aucun QPV réel n'utilise ; EPCI : SIREN commençant par 29.",
            "",
            f"Effectifs : {n['carreaux']} carreaux habités, {n['qpv']} QPV, "
            f"{n['communes']} communes,",
            f"{n['epci']} EPCI, {n['departements']} départements, {n['regions']} régions,",
            f"{n['equipements']} équipements.",
            f"Graine : {seed} (la même graine et la même échelle redonnent les mêmes fichiers).",
            "",
            "Fichiers (formats officiels) :",
            "- filosofi/carreaux_200m_met.csv : carreaux INSEE de 200 m, CSV Filosofi 2021",
            "- qpv/QP2024_France_FICTIVE_WGS84.geojson : périmètres QPV au format ANCT (CRS84)",
            "- admin/ADE-COG_4-0_GPKG_WGS84G_FRA-FICTIVE.gpkg : communes et EPCI (ADMIN EXPRESS)",
            "- climadiag/entities.jsonl : projections Climadiag Commune, une par commune",
            "- bpe/BPE24.csv : équipements au format BPE 2024 de l'INSEE",
            "- lcz/LCZ_SPOT_2022_France-fictive.gpkg : zones climatiques locales (format CEREMA,",
            "  Lambert-93) autour de la plus grande ville de chaque département",
            "- osm/<code région>.osm.pbf : un extrait OpenStreetMap (PBF) par région",
            "  (ex. osm/52.osm.pbf) avec les rues, bâtiments, arbres et lieux (soins, fraîcheur,",
            "  information, alimentation, parcs) autour de chaque QPV (+ 2 km), et une route",
            f"  entre les villes d'une région : {n.get('osm_noeuds', 0)} nœuds, "
            f"{n.get('osm_voies', 0)} voies au total.",
            "Diagnostic national avec l'accès à pied : --source osm=… une fois par extrait ; il",
            "est calculé région par région. Sans accès à pied : --skip osm.",
            "",
            "empreinte.json : empreinte du générateur et des paramètres ; tant qu'elle ne change",
            "pas, la commande réutilise ces fichiers au lieu de les réécrire.",
            "",
        ]
    )
