"""Declarative catalogue of the official sources: who publishes what, where, under which licence.

Each entry names the reader that turns the publisher's format into the normalised tables
of :mod:`quartiers.schemas`. ``download`` is the URL ``quartiers fetch`` uses (``None``:
no public bulk URL, the user gives a local copy with ``--source ID=PATH``); it may hold
``{region}`` (Geofabrik region) or ``{zone}`` (Filosofi file: ``met``, ``mart``, ``reun``).
For ``lcz`` it is the base of the data.gouv.fr datasets API, where the territory's urban
area is looked up (:mod:`quartiers.sources.lcz_fetch`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from quartiers.errors import InputError
from quartiers.sources._source_spec import SourceSpec

__all__ = ["CATALOG", "SOURCE_IDS", "SourceSpec", "get_source", "load_reader"]


CATALOG: tuple[SourceSpec, ...] = (
    SourceSpec(
        id="qpv",
        publisher="ANCT",
        title="Quartiers prioritaires de la politique de la ville 2024 (périmètres)",
        urls=("https://www.data.gouv.fr/fr/datasets/5a561801c751df42d7fca9b6/",),
        download="https://www.data.gouv.fr/api/1/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119",
        member="*QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson",
        vintage="2024",
        licence="Licence Ouverte 2.0",
        format="GeoJSON (CRS84) ; SHP/GPKG en Lambert-93",
        reader="quartiers.sources.qpv:read_qpv",
        required=True,
    ),
    SourceSpec(
        id="filosofi",
        publisher="INSEE",
        title="Revenus, pauvreté et niveau de vie — données carroyées 200 m (Filosofi)",
        urls=("https://www.insee.fr/fr/statistiques/8735162",),
        download="https://www.insee.fr/fr/statistiques/fichier/8735162/Filosofi2021_carreaux_200m_csv.zip",
        member="carreaux_200m_{zone}.csv",
        vintage="2021",
        licence="Licence Ouverte 2.0",
        format="CSV (« , », UTF-8) ou GeoPackage, carreaux EPSG:3035",
        reader="quartiers.sources.filosofi:read_filosofi",
        required=True,
        note="insee.fr peut refuser les téléchargements automatiques (HTTP 403).",
    ),
    SourceSpec(
        id="communes",
        publisher="IGN",
        title="ADMIN EXPRESS COG 4.0 — communes et EPCI",
        urls=("https://geoservices.ign.fr/adminexpress",),
        download=(
            "https://data.geopf.fr/telechargement/download/ADMIN-EXPRESS-COG/"
            "ADMIN-EXPRESS-COG_4-0__GPKG_WGS84G_FRA_2026-01-01/"
            "ADMIN-EXPRESS-COG_4-0__GPKG_WGS84G_FRA_2026-01-01.7z"
        ),
        member="*.gpkg",
        vintage="COG 2026",
        licence="Licence Ouverte 2.0",
        format="GeoPackage (WGS84, couche commune) ; SHP 3.x en Lambert-93",
        reader="quartiers.sources.communes:read_communes",
        required=True,
        note="Archive 7z (environ 600 Mo) lue par py7zr ; seul le GeoPackage est extrait.",
    ),
    SourceSpec(
        id="bpe",
        publisher="INSEE",
        title="Base permanente des équipements — équipements géolocalisés",
        urls=("https://www.insee.fr/fr/statistiques/8217525",),
        download="https://www.insee.fr/fr/statistiques/fichier/8217525/BPE24.zip",
        member="BPE24.csv",
        vintage="2024",
        licence="Licence Ouverte 2.0",
        format="CSV (« ; », UTF-8 ou Latin-1), coordonnées Lambert-93",
        reader="quartiers.sources.bpe:read_bpe",
    ),
    SourceSpec(
        id="osm",
        publisher="Contributeurs OpenStreetMap (extraits Geofabrik)",
        title="OpenStreetMap — extrait régional",
        urls=("https://download.geofabrik.de/europe/france.html",),
        download="https://download.geofabrik.de/europe/france/{region}-latest.osm.pbf",
        member=None,
        vintage="quotidien (date du téléchargement)",
        licence="ODbL 1.0",
        format="PBF ou XML OSM",
        reader="quartiers.sources.osm:read_osm_layers",
    ),
    SourceSpec(
        id="lcz",
        publisher="CEREMA",
        title="Zones climatiques locales (LCZ) SPOT 2022",
        urls=("https://www.data.gouv.fr/fr/datasets/6641c562e5acdb35c0e6051d/",),
        download="https://www.data.gouv.fr/api/1/datasets",
        member="LCZ_SPOT_2022_*.shp",
        vintage="2022",
        licence="Licence Ouverte 2.0",
        format="Shapefile/GeoPackage Lambert-93 (lcz, lcz_int) ; GeoJSON GeoClimate",
        reader="quartiers.sources.lcz:read_lcz",
        note=(
            "Une archive par agglomération, trouvée par l'API data.gouv.fr et la table de "
            "couverture par commune ; seul le shapefile est téléchargé (pas les rasters)."
        ),
    ),
    SourceSpec(
        id="chaleur_nuit",
        publisher="Fourni par l'utilisateur (Cerema, CNES, Copernicus, étude locale…)",
        title="Chaleur nocturne — intensité d'îlot de chaleur ou température de surface nocturne",
        urls=("https://cds.climate.copernicus.eu/datasets/sis-urban-climate-cities",),
        download=None,
        member=None,
        vintage="celui du fichier fourni (à noter dans la fiche)",
        licence="celle du producteur du raster (à vérifier)",
        format="GeoTIFF (ou NetCDF lisible par GDAL), une bande, SCR déclaré ; °C ou K",
        reader="quartiers.sources.raster:read_night_heat",
        note="Raster moyenné par carreau de 200 m (pondéré par la surface, nodata exclu).",
    ),
    SourceSpec(
        id="couvert_arbore",
        publisher="Copernicus Land Monitoring Service (AEE)",
        title="High Resolution Layer Tree Cover Density — densité du couvert arboré (0–100 %)",
        urls=("https://land.copernicus.eu/en/products/high-resolution-layer-tree-cover-density",),
        download=None,
        member=None,
        vintage="celui du fichier fourni (2018 : 10 m ; millésimes suivants à vérifier)",
        licence="Copernicus, accès libre et gratuit (à vérifier)",
        format="GeoTIFF une bande, 0–100 % (254, 255 : sans donnée), SCR déclaré",
        reader="quartiers.sources.raster:read_tree_cover",
        note="Remplace les arbres OpenStreetMap pour la canopée (canopy_share).",
    ),
    SourceSpec(
        id="rp_iris",
        publisher="INSEE (tables) et IGN (contours des IRIS)",
        title=(
            "Recensement de la population, bases infracommunales (IRIS) : couples-familles-"
            "ménages (80 ans et plus vivant seuls) et logement (personnes, pièces)"
        ),
        urls=(
            "https://www.insee.fr/fr/statistiques/8268828",
            "https://geoservices.ign.fr/contoursiris",
        ),
        download=None,
        member=None,
        vintage="RP 2021 (géographie au 1er janvier 2023) ; contours IRIS du même millésime",
        licence="Licence Ouverte / Etalab 2.0",
        format=(
            "CSV « ; » par IRIS (P21_POP80P_PSEUL ; P21_NPER_RP, P21_NBPI_RP), décompressé ; "
            "contours GeoPackage ou shapefile (CODE_IRIS)"
        ),
        reader="quartiers.sources.rp_iris:read_rp_iris",
        note="Répartis sur les carreaux de 200 m au prorata de leurs habitants (Filosofi).",
        every_member=True,
    ),
    SourceSpec(
        id="climadiag",
        publisher="Météo-France",
        title="Climadiag Commune — indicateurs aux niveaux de réchauffement TRACC",
        urls=("https://meteofrance.com/climadiag-commune",),
        download=None,
        member=None,
        vintage="2024",
        licence="Météo-France (conditions de réutilisation à vérifier)",
        format="JSONL (entities.jsonl) ou extrait CSV",
        reader="quartiers.sources.climadiag:read_climadiag",
        note="Pas d'URL publique de téléchargement en masse.",
    ),
    SourceSpec(
        id="drias",
        publisher="Météo-France",
        title="DRIAS — indicateurs DRIAS 2020 (EURO-CORDEX)",
        urls=("https://www.drias-climat.fr",),
        download=None,
        member=None,
        vintage="2020",
        licence="Météo-France DRIAS (conditions à vérifier)",
        format="Export texte (« # » puis « ; ») ou extrait CSV",
        reader="quartiers.sources.drias:read_drias",
        note="Commande sur le portail DRIAS (compte requis).",
    ),
    SourceSpec(
        id="georisques",
        publisher="BRGM / ministère de la Transition écologique",
        title="Géorisques — arrêtés CatNat et retrait-gonflement des argiles",
        urls=("https://www.georisques.gouv.fr/doc-api",),
        download="https://www.georisques.gouv.fr/api/v1",
        member=None,
        vintage="API v1 (date de la requête)",
        licence="Licence Ouverte 2.0 (à vérifier)",
        format="API JSON paginée",
        reader="quartiers.sources.georisques:read_catnat",
        auto=False,
        note="Interrogée seulement avec --with georisques.",
    ),
    SourceSpec(
        id="tri",
        publisher="Géorisques (ministère de la Transition écologique, DGPR)",
        title="Zonages inondation — rapportage 2020 : surfaces inondables des TRI",
        urls=(
            "https://www.georisques.gouv.fr/donnees/bases-de-donnees/"
            "zonages-inondation-rapportage-2020",
        ),
        download="https://files.georisques.fr/di_2020/tri_2020_sig_di_{dep}.zip",
        member="n_tri_*_inondable_*_s_*.shp",
        vintage="rapportage 2020 (Directive inondation, 2e cycle)",
        licence="Licence Ouverte 2.0",
        format="Shapefiles Lambert-93 au standard COVADIS DI, une archive par département",
        reader="quartiers.sources.flood:read_tri",
        auto=False,
        every_member=True,
        note="Téléchargée seulement avec --with tri ; scénarios fréquent, moyen, moyen avec "
        "changement climatique (submersion), extrême.",
    ),
    SourceSpec(
        id="eaip",
        publisher="Ministère de la Transition écologique (DGPR), diffusé par Géorisques",
        title="Enveloppes approchées des inondations potentielles (EAIP cours d'eau et "
        "submersion marine)",
        urls=("https://www.georisques.gouv.fr/donnees/bases-de-donnees",),
        download=None,
        member="*eaip_*",
        vintage="EAIP 2011 (évaluation préliminaire des risques d'inondation)",
        licence="Licence Ouverte 2.0 (à vérifier)",
        format="Shapefile ou GeoPackage Lambert-93 nommé EAIP_CE / EAIP_SM",
        reader="quartiers.sources.flood:read_eaip",
        note="Pas d'URL de téléchargement vérifiée : donnez le fichier avec --source eaip=….",
    ),
    SourceSpec(
        id="ppr",
        publisher="DDT(M) / Géorisques (PPR naturels)",
        title="Plans de prévention des risques naturels — zones d'aléa inondation (COVADIS)",
        urls=(
            "https://www.georisques.gouv.fr/donnees/bases-de-donnees/plans-de-prevention-des-risques",
        ),
        download=None,
        member="n_zone_alea_ppr*_s_*.shp",
        vintage="celui du PPR (date d'approbation)",
        licence="Licence Ouverte 2.0 (à vérifier)",
        format="Shapefiles Lambert-93 au standard COVADIS PPR (N_ZONE_ALEA_PPRN_*)",
        reader="quartiers.sources.flood:read_ppr",
        every_member=True,
        note="Un dossier ou une archive par PPR ; seuls les aléas inondation (11x) sont lus.",
    ),
    SourceSpec(
        id="argiles",
        publisher="BRGM (diffusé par Géorisques)",
        title="Exposition au retrait-gonflement des argiles",
        urls=(
            "https://www.georisques.gouv.fr/donnees/bases-de-donnees/"
            "retrait-gonflement-des-argiles",
        ),
        download="https://files.georisques.fr/argiles/AleaRG_Fxx_L93.zip",
        member="ExpoArgile_Fxx_L93.shp",
        vintage="2019 (fichier du 16/06/2021)",
        licence="Licence Ouverte 2.0 (à vérifier)",
        format="Shapefile national Lambert-93 (NIVEAU 1–3, ALEA), environ 620 Mo zippé",
        reader="quartiers.sources.clay:read_clay",
        auto=False,
        note="Téléchargée seulement avec --with argiles (fichier national volumineux).",
    ),
    SourceSpec(
        id="dpe",
        publisher="ADEME",
        title="DPE logements existants (depuis juillet 2021)",
        urls=(
            "https://data.ademe.fr/datasets/dpe03existant",
            "https://data.ademe.fr/data-fair/api/v1/datasets/dpe03existant/lines",
        ),
        download=None,
        member="*.csv",
        vintage="jeu dpe03existant (date de l'export)",
        licence="Licence Ouverte 2.0 (à vérifier)",
        format="Export CSV data-fair (UTF-8 avec BOM, « , », textes entre guillemets)",
        reader="quartiers.sources.dpe:read_dpe",
        auto=False,
        note="Exportez les DPE des communes du territoire depuis data.ademe.fr (format CSV) "
        "et donnez le fichier avec --source dpe=….",
    ),
    SourceSpec(
        id="bdtopo",
        publisher="IGN",
        title="BD TOPO v3 — bâtiments, végétation, surfaces en eau",
        urls=("https://geoservices.ign.fr/bdtopo",),
        download=None,
        member=None,
        vintage="v3",
        licence="Licence Ouverte 2.0",
        format="Shapefile ou GeoPackage Lambert-93 (par département)",
        reader="quartiers.sources.bdtopo:read_buildings",
        note="Donnez le dossier des shapefiles ou le GeoPackage du département.",
    ),
    SourceSpec(
        id="insee_qpv",
        publisher="INSEE",
        title="Données sur les quartiers 2024 de la politique de la ville (population, "
        "revenus et pauvreté 2021…), référence pour la validation",
        urls=("https://www.insee.fr/fr/statistiques/8243167",),
        download=None,
        member=None,
        vintage="QPV 2024 ; Filosofi 2021 (paru le 28/08/2024)",
        licence="Licence Ouverte 2.0",
        format="CSV (« ; » ou « , ») : code_qp ou CODGEO, puis population, poverty_rate "
        "(DISP_TP6021), share_65p, share_social_housing",
        reader="quartiers.sources.insee_qpv:read_insee_qpv",
        note="Facultative : sert à comparer nos chiffres par QPV à ceux de l'INSEE "
        "(docs/validation.md). Noms de colonnes INSEE en partie non vérifiés.",
    ),
    SourceSpec(
        id="sante",
        publisher="Partenaires de santé de la ville (Santé publique France, ARS, SAMU…)",
        title="Événements de santé par IRIS, commune ou QPV et période (validation de l'indice)",
        urls=("https://www.santepubliquefrance.fr",),
        download=None,
        member=None,
        vintage="celui des données fournies",
        licence="selon la convention avec le fournisseur (données souvent non publiques)",
        format="CSV : unit_type ; unit_code ; period ; outcome ; count ; population ; "
        "geometry_wkt (docs/validation.md)",
        reader="quartiers.sources.sante:read_health",
        note="Facultative : sert à valider l'indice (modèle de Poisson / binomiale négative).",
    ),
    SourceSpec(
        id="epci",
        publisher="INSEE / BANATIC",
        title="Liste des EPCI à fiscalité propre (noms, populations)",
        urls=("https://www.insee.fr/fr/information/2510634",),
        download=None,
        member=None,
        vintage="2026",
        licence="Licence Ouverte 2.0",
        format="CSV (« ; », BOM, CRLF, milliers séparés par des espaces)",
        reader="quartiers.sources.communes:read_epci_table",
        note="Facultative : sert à reconnaître un EPCI par son nom.",
    ),
)

#: Source identifiers, in catalogue order.
SOURCE_IDS: tuple[str, ...] = tuple(spec.id for spec in CATALOG)


def get_source(source_id: str) -> SourceSpec:
    """Return the catalogue entry of ``source_id`` or raise a French :class:`InputError`."""
    for spec in CATALOG:
        if spec.id == source_id:
            return spec
    raise InputError(f"source inconnue {source_id!r} — attendu l'un de : {', '.join(SOURCE_IDS)}")


def load_reader(spec: SourceSpec) -> Callable[..., Any]:
    """Import and return the reader function of a catalogue entry."""
    module_name, _, function = spec.reader.partition(":")
    module = importlib.import_module(module_name)
    reader: Callable[..., Any] = getattr(module, function)
    return reader
