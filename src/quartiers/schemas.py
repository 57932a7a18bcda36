"""Normalised schemas shared by the sources (producers) and the diagnostic (reader).

Readers in :mod:`quartiers.sources` turn each official format into these tables; nothing
downstream reads an official file directly. CRS are stated per table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.input_notes import BBox, InputNotes, TerritoryNote, TerritoryRecord, ZonesNote

__all__ = [
    "BPE_COLUMNS",
    "BUILDING_COLUMNS",
    "CLIMATE_COLUMNS",
    "COMMUNE_COLUMNS",
    "FILOSOFI_COLUMNS",
    "FILOSOFI_COUNTS",
    "HAZARD_COLUMNS",
    "HAZARD_SCENARIOS",
    "HORIZONS",
    "HOUSING_COLUMNS",
    "LCZ_COLUMNS",
    "NIGHT_HEAT_COLUMNS",
    "PAVED_COLUMNS",
    "PLACE_COLUMNS",
    "QPV_COLUMNS",
    "ROAD_COLUMNS",
    "RP_IRIS_COLUMNS",
    "TREE_COLUMNS",
    "TREE_COVER_COLUMNS",
    "VEGETATION_COLUMNS",
    "WATER_COLUMNS",
    "BBox",
    "InputNotes",
    "Provenance",
    "TerritoryInputs",
    "TerritoryNote",
    "TerritoryRecord",
    "ZonesNote",
]

#: QPV perimeters, EPSG:2154. ``insee_com`` is the first commune code, ``insee_coms`` all
#: of them joined by ``,`` (a QPV may straddle communes).
QPV_COLUMNS = ["code_qp", "lib_qp", "insee_com", "insee_coms", "siren_epci", "geometry"]

#: Filosofi 200 m counts (INSEE 2021 names, lower case), float (imputed cells are fractional).
FILOSOFI_COUNTS = [
    "ind", "men", "men_pauv", "men_1ind", "men_5ind", "men_prop", "men_fmp", "ind_snv",
    "men_surf", "men_coll", "men_mais", "log_av45", "log_45_70", "log_70_90", "log_ap90",
    "log_inc", "log_soc", "ind_0_3", "ind_4_5", "ind_6_10", "ind_11_17", "ind_18_24",
    "ind_25_39", "ind_40_54", "ind_55_64", "ind_65_79", "ind_80p", "ind_inc",
]  # fmt: skip

#: Filosofi cells, EPSG:3035 squares. ``x_sw``/``y_sw`` south-west corner (int metres);
#: ``imputed`` True where INSEE estimated the cell (``i_est_200`` = 1); ``lcog_geo`` the
#: commune codes the cell touches (5-char chunks), empty when the vintage lacks it.
FILOSOFI_COLUMNS = [
    "idcar_200m",
    "x_sw",
    "y_sw",
    "imputed",
    "lcog_geo",
    *FILOSOFI_COUNTS,
    "geometry",
]

#: Communes, EPSG:2154: INSEE code, name, legal population, SIREN of the EPCI ('' if none).
COMMUNE_COLUMNS = ["insee_com", "nom", "population", "siren_epci", "geometry"]

#: BPE facilities, EPSG:2154 points: equipment type code, commune, name, our resource
#: category (see :mod:`quartiers.sources.bpe`), INSEE geolocation quality.
BPE_COLUMNS = ["typequ", "depcom", "nomrs", "category", "qualite_xy", "geometry"]

#: LCZ blocks, EPSG:2154: ``lcz`` as published ("1"…"10", "A"…"G"), ``lcz_int`` 1–17.
LCZ_COLUMNS = ["lcz", "lcz_int", "geometry"]

#: Buildings, EPSG:2154 polygons (OSM ``building=*`` or BD TOPO BATIMENT); ``height_m`` may be NaN,
#: ``residential`` True when the use is (or may be) housing.
BUILDING_COLUMNS = ["height_m", "residential", "source", "geometry"]

#: Roads and other sealed linear ways, EPSG:2154 lines with an estimated paved width (m).
ROAD_COLUMNS = ["highway", "width_m", "geometry"]

#: Vegetation and open green spaces, EPSG:2154 polygons. ``kind`` one of ``wood``,
#: ``park``, ``garden``, ``grass``, ``tree_row``, ``hedge`` (BD TOPO: ``wood``, ``hedge``…);
#: ``public`` True where people may enter (parks, gardens, public woods).
VEGETATION_COLUMNS = ["kind", "public", "name", "geometry"]

#: Single trees, EPSG:2154 points; ``crown_m`` crown diameter when tagged, else NaN.
TREE_COLUMNS = ["crown_m", "geometry"]

#: Open sealed surfaces, EPSG:2154 polygons: open-air car parks and paved squares (``kind``
#: ``parking`` or ``square``); with buildings and roadways they make the sealed share.
PAVED_COLUMNS = ["kind", "geometry"]

#: Water surfaces and water fronts, EPSG:2154 polygons or lines.
WATER_COLUMNS = ["kind", "geometry"]

#: Resource places people can walk to, EPSG:2154 points (polygons are given as points on
#: their edge by the access module). ``category`` one of ``cool_outdoor``, ``cool_indoor``,
#: ``care``, ``information``, ``drinking_water``; ``source`` osm / bpe / city.
PLACE_COLUMNS = ["place_id", "category", "kind", "name", "source", "geometry"]

#: Night-time heat per 200 m cell (raster source ``chaleur_nuit`` averaged by
#: :mod:`quartiers.sources.raster`): mean of the raster over the cell (NaN when less than
#: half of it has valid pixels) and the share of the cell with valid pixels.
NIGHT_HEAT_COLUMNS = ["idcar_200m", "night_heat", "night_heat_coverage"]

#: Tree cover per 200 m cell (raster source ``couvert_arbore``, 0–100 % averaged by
#: :mod:`quartiers.sources.raster`): share of the cell under tree cover (0–1, NaN when less
#: than half of it has valid pixels) and the share of the cell with valid pixels.
TREE_COVER_COLUMNS = ["idcar_200m", "tree_cover", "tree_cover_coverage"]

#: Hazard zones, EPSG:2154 polygons (sources ``tri``, ``eaip``, ``ppr``, ``argiles``).
#: ``hazard`` one of ``inondation`` (river, run-off, groundwater), ``submersion`` (sea),
#: ``argiles`` (clay shrink-swell); ``scenario`` one of :data:`HAZARD_SCENARIOS`; ``level``
#: the published intensity (clay exposure 1 faible, 2 moyenne, 3 forte; PPR hazard level
#: 1 faible … 4 fort, 5 très fort; 0 where the layer has none, e.g. TRI and EAIP envelopes);
#: ``source`` the catalogue id; ``ref`` the publisher's id of the study (TRI ``id_tri``,
#: PPR ``id_gaspar``, clay ``DPT``…).
HAZARD_COLUMNS = ["hazard", "scenario", "level", "source", "ref", "geometry"]

#: Housing energy certificates, EPSG:2154 points (source ``dpe``: ADEME DPE logements
#: existants since July 2021, one row per current geocoded certificate). ``dwellings`` the
#: dwellings it covers (1, or the flats of a building certificate); ``energy_class`` A–G;
#: ``summer_comfort`` « bon », « moyen », « insuffisant » or ``''`` (not assessed);
#: ``building_type`` « appartement », « maison », « immeuble »; ``period`` the published
#: construction period; ``heating`` the main heating energy as published; ``rnb_id`` the
#: national building register id when given; ``insee_com`` the BAN commune.
HOUSING_COLUMNS = [
    "record_id", "dwellings", "energy_class", "summer_comfort", "building_type", "period",
    "heating", "rnb_id", "insee_com", "source", "geometry",
]  # fmt: skip

#: Hazard scenarios: TRI frequent / medium / medium with climate change / extreme, the EAIP
#: envelope, PPR hazard zoning, clay exposure map.
HAZARD_SCENARIOS: dict[str, str] = {
    "frequent": "Scénario fréquent (TRI)",
    "moyen": "Scénario moyen (TRI)",
    "moyen_cc": "Scénario moyen avec changement climatique (TRI, submersion marine)",
    "extreme": "Scénario extrême (TRI)",
    "eaip": "Enveloppe approchée des inondations potentielles (EAIP)",
    "ppr": "Zone d'aléa d'un plan de prévention des risques (PPR)",
    "exposition": "Exposition au retrait-gonflement des argiles (BRGM)",
}

#: Census counts per IRIS (source ``rp_iris``, INSEE « bases infracommunales » joined to the
#: IGN IRIS contours, EPSG:2154): people aged 80+ living alone, people and rooms of main
#: residences (NaN when no table given holds the variable).
RP_IRIS_COLUMNS = ["code_iris", "pop80p_alone", "rp_persons", "rp_rooms", "geometry"]

#: Climate projections at commune level, long table: one row per commune × indicator × horizon.
#: ``indicator`` is the publisher's id (Climadiag S1, S2, S3…; DRIAS NORTXHWD…),
#: ``horizon`` one of :data:`HORIZONS`; ``value`` the mean, ``low``/``high`` the spread.
CLIMATE_COLUMNS = ["insee_com", "indicator", "horizon", "value", "low", "high", "source"]

#: Climate horizons: reference 1976–2005 and the TRACC warming levels.
HORIZONS: dict[str, str] = {
    "ref": "Référence 1976–2005",
    "2030": "2030 (+2 °C, TRACC)",
    "2050": "2050 (+2,7 °C, TRACC)",
    "2100": "2100 (+4 °C, TRACC)",
}


@dataclass(frozen=True)
class Provenance:
    """Where one input came from, for ``run.json``."""

    source_id: str
    location: str  # URL or local path
    vintage: str
    licence: str
    sha256: str
    retrieved: str  # ISO 8601 date-time


@dataclass
class TerritoryInputs:
    """Everything the diagnostic reads for one territory, already normalised.

    Optional layers are ``None`` when absent; the diagnostic then says which dimensions
    are missing instead of inventing values.
    """

    code: str
    name: str
    qpv: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    climate: pd.DataFrame | None = None
    lcz: gpd.GeoDataFrame | None = None
    bpe: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    paved: gpd.GeoDataFrame | None = None
    vegetation: gpd.GeoDataFrame | None = None
    trees: gpd.GeoDataFrame | None = None
    water: gpd.GeoDataFrame | None = None
    night_heat: pd.DataFrame | None = None
    tree_cover: pd.DataFrame | None = None
    rp_iris: gpd.GeoDataFrame | None = None
    places: gpd.GeoDataFrame | None = None
    hazards: gpd.GeoDataFrame | None = None
    housing: gpd.GeoDataFrame | None = None
    osm_path: Path | None = None
    extra_places: pd.DataFrame | None = None
    #: INSEE's own per-QPV figures (``--source insee_qpv``), a reference for validation.
    insee_qpv: pd.DataFrame | None = None
    #: Health outcomes by IRIS, commune or QPV (``--source sante``), for validation.
    health: pd.DataFrame | None = None
    provenance: list[Provenance] = field(default_factory=list)
    notes: InputNotes = field(default_factory=InputNotes)
