"""French summaries of the English details of parsing libraries.

GDAL, GEOS, libosmium (expat) and Arrow's Parquet reader. Users read French only: a
library's own words are translated when recognised and otherwise quoted after a French
summary (« GDAL signale : "…" »), so a message never starts in English. Pure functions on
message text.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["arrow_detail", "gdal_detail", "geos_detail", "osm_detail"]

# json-c (GDAL's GeoJSON parser) problems.
_JSON: Final = (
    ("unterminated object", "accolade « { » non fermée (fichier tronqué ?)"),
    ("unterminated array", "crochet « [ » non fermé (fichier tronqué ?)"),
    ("unterminated string", "guillemet non fermé (fichier tronqué ?)"),
    ("missing value", "valeur manquante (virgule en trop ?)"),
    ("unexpected character", "caractère inattendu"),
    ("unexpected state", "structure JSON invalide (virgule ou deux-points manquant ?)"),
    ("unexpected end of data", "fin de fichier inattendue (fichier tronqué ?)"),
    ("nesting too deep", "imbrication trop profonde"),
)

# GDAL problems (lower-case phrase → French), tested in order.
_GDAL: Final = (
    (
        "not recognized as being in a supported file format",
        "format non reconnu : ni GeoPackage, ni shapefile, ni GeoJSON lisible "
        "(fichier vide, tronqué ou d'un autre type ?)",
    ),
    ("not recognized as a supported file format", "format non reconnu par GDAL"),
    ("file is not a database", "ce n'est pas un GeoPackage (base SQLite) valide"),
    (
        "database disk image is malformed",
        "GeoPackage endommagé ou tronqué (copie interrompue ?)",
    ),
    (
        "set shape_restore_shx",
        "fichier .shx absent à côté du .shp (un shapefile se compose au moins des "
        "fichiers .shp, .shx et .dbf ; copiez-les ensemble)",
    ),
    ("unable to open", "fichier compagnon introuvable ou illisible"),
)

_GEOJSON = re.compile(r"failed to read geojson data; at line (\d+), character (\d+): (.*)", re.I)
_LAYER = re.compile(r"layer '([^']*)' could not be opened", re.I)
_COLUMN = re.compile(r"no such column: (\S+)", re.I)


def _json_problem(text: str) -> str:
    low = text.lower()
    return next((fr for en, fr in _JSON if en in low), f"JSON invalide ({text.strip()})")


def gdal_detail(message: str) -> str:
    """Return the French summary of a GDAL (pyogrio) error message."""
    text = message.strip()
    geojson = _GEOJSON.search(text)
    if geojson:
        line, char, problem = geojson.groups()
        return f"GeoJSON invalide ligne {line}, caractère {char} : {_json_problem(problem)}"
    layer = _LAYER.search(text)
    if layer:
        return f"couche « {layer.group(1)} » absente du fichier"
    column = _COLUMN.search(text)
    if column:
        return f"champ {column.group(1)} absent du fichier"
    low = text.lower()
    for phrase, french in _GDAL:
        if phrase in low:
            return french
    first = text.splitlines()[0].rstrip(".") if text else "erreur inconnue"
    return f"GDAL signale : « {first} »"


def geos_detail(message: str) -> str:
    """Return the French summary of a GEOS (shapely) geometry error."""
    low = message.lower()
    if "linearring" in low and "closed" in low:
        return "anneau de polygone non fermé (le dernier point doit répéter le premier)"
    if "linearring" in low and ("at least 4" in low or "must have" in low):
        return "anneau de polygone de moins de 4 points"
    first = message.strip().splitlines()[0] if message.strip() else "erreur inconnue"
    return f"géométrie illisible (GEOS signale : « {first} »)"


# expat (libosmium's XML parser) problems.
_XML: Final = (
    ("mismatched tag", "balise fermante qui ne correspond pas à la balise ouverte"),
    ("unclosed token", "balise non fermée (fichier tronqué ?)"),
    ("no element found", "fin de fichier inattendue (fichier tronqué ?)"),
    ("junk after document element", "contenu après la fin du document"),
    ("not well-formed", "XML mal formé (caractère interdit)"),
    ("partial character", "caractère incomplet (encodage non UTF-8 ou fichier tronqué ?)"),
    ("syntax error", "ce n'est pas du XML OpenStreetMap (fichier vide, compressé ou d'un "
     "autre format ?)"),
)  # fmt: skip

_XML_AT = re.compile(r"xml parsing error at line (\d+), column (\d+): (.*)", re.I)
_OSM: Final = (
    ("pbf error", "PBF invalide : fichier tronqué ou qui n'est pas un extrait .osm.pbf"),
    ("pbf field type", "PBF invalide : fichier tronqué ou qui n'est pas un extrait .osm.pbf"),
    ("bzip2 error", "archive .bz2 endommagée ou tronquée"),
    ("gzip error", "archive .gz endommagée ou tronquée"),
    ("unknown top-level element", "élément racine inconnu : <osm> attendu"),
    ("can not read file with version", "version de format OSM non prise en charge (0.6 attendu)"),
    ("wrong format for coordinate", "coordonnée d'un nœud mal écrite (nombre attendu)"),
    ("order", "objets non triés par type puis identifiant"),
)


def osm_detail(message: str) -> str:
    """Return the French summary of a libosmium (pyosmium) error message."""
    text = message.strip()
    xml = _XML_AT.search(text)
    if xml:
        line, column, problem = xml.groups()
        low = problem.lower()
        french = next((fr for en, fr in _XML if en in low), f"« {problem.strip()} »")
        return f"XML invalide ligne {line}, colonne {int(column) + 1} : {french}"
    low = text.lower()
    for phrase, french in _OSM:
        if phrase in low:
            return french
    first = text.splitlines()[0] if text else "erreur inconnue"
    return f"libosmium signale : « {first} »"


_PARQUET_SOURCE = re.compile(r"parquet input source '([^']+)'", re.I)
_ARROW: Final = (
    ("magic bytes not found", "fichier Parquet endommagé ou tronqué"),
    ("couldn't deserialize thrift", "fichier Parquet endommagé"),
    ("unexpected end of stream", "fichier Parquet tronqué"),
    ("invalid parquet file", "fichier Parquet invalide"),
    ("parquet file size is 0", "fichier Parquet vide (0 octet)"),
)


def arrow_detail(message: str) -> tuple[str | None, str | None]:
    """Return ``(path, French problem)`` of an Arrow (Parquet) read error, each None if unknown.

    A damaged Parquet file of a diagnostic folder is rewritten by running the diagnostic
    again: the problem says so.
    """
    source = _PARQUET_SOURCE.search(message)
    path = source.group(1) if source else None
    low = message.lower()
    problem = next((fr for en, fr in _ARROW if en in low), None)
    if problem is not None:
        problem += " : relancez le diagnostic (avec --force) pour le réécrire"
    return path, problem
