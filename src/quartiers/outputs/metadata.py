"""Standard metadata of an export: ISO 19115/19139 XML (INSPIRE-style) and DCAT-AP JSON-LD.

Regional data portals (GeoNetwork catalogues such as GeoBretagne, CKAN or udata portals)
harvest one of these two records. Both are built from ``run.json`` (territory, method,
sources with vintage, licence and SHA-256), the layers' extent and the contact given in the
settings (``QUARTIERS_CONTACT_ORGANISATION``, ``QUARTIERS_CONTACT_EMAIL``). The XML uses no
GML element, so it is valid against the ISO 19139 schemas of 2006 and 2007 alike.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from quartiers.schemas import BBox

if TYPE_CHECKING:
    from quartiers.diagnostic.record import RunRecord

__all__ = [
    "METADATA_FILES",
    "Contact",
    "Record",
    "dcat_jsonld",
    "iso19139_xml",
    "record_from_run",
]

#: Files written by the export: ISO 19139 XML and DCAT-AP JSON-LD.
METADATA_FILES = ("metadonnees.xml", "metadonnees.jsonld")

_SOURCE_KEYS = ("source_id", "vintage", "licence", "sha256", "retrieved")
_CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
_EU = "http://publications.europa.eu/resource/authority/"
_LO2 = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
_ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"
_SPATIAL = "MD_SpatialRepresentationTypeCode"
_INSPIRE_THEME = "Répartition de la population — démographie"
_KEYWORDS = (
    "vulnérabilité",
    "vague de chaleur",
    "îlot de chaleur urbain",
    "adaptation au changement climatique",
    "quartier prioritaire de la politique de la ville",
    "QPV",
    "carroyage INSEE 200 m",
)
#: Distribution formats: file suffix → (format name, version, media type).
_FORMATS: dict[str, tuple[str, str, str]] = {
    ".gpkg": ("GeoPackage", "1.4", "application/geopackage+sqlite3"),
    ".parquet": ("GeoParquet", "1.1.0", "application/vnd.apache.parquet"),
    ".csv": ("CSV", "RFC 4180", "text/csv"),
    ".json": ("JSON", "RFC 8259", "application/json"),
    ".txt": ("Texte", "UTF-8", "text/plain"),
}


@dataclass(frozen=True)
class Contact:
    """Who answers questions on the data (from the settings)."""

    organisation: str
    email: str


@dataclass(frozen=True)
class Record:
    """Everything both metadata records say (French texts)."""

    identifier: str
    title: str
    abstract: str
    bbox: BBox
    crs_epsg: int
    created: date
    lineage: str
    sources: tuple[dict[str, str], ...]
    licence: str
    licence_url: str
    contact: Contact
    files: tuple[str, ...]


def _licence(run: RunRecord) -> tuple[str, str]:
    """Return the export's licence: ODbL when OpenStreetMap data went in, else Licence Ouverte."""
    if "osm" in run.source_ids():
        return (
            "ODbL 1.0 (base de données dérivée d'OpenStreetMap ; autres sources : "
            "Licence Ouverte 2.0)",
            _ODBL,
        )
    return ("Licence Ouverte 2.0 (Etalab)", _LO2)


def record_from_run(
    run: RunRecord,
    bbox: BBox,
    contact: Contact,
    files: Sequence[str],
    created: date,
) -> Record:
    """Build the record of an export from ``run.json`` and the layers' CRS84 extent."""
    territory, method = run.territory, run.method
    sources = tuple({k: str(getattr(s, k) or "") for k in _SOURCE_KEYS} for s in run.sources)
    name = territory.name or territory.code
    # the identifier hashes the sections as written in run.json (dumped back unchanged)
    as_written = [
        section.model_dump(mode="json", exclude_unset=True) for section in (territory, method)
    ]
    digest = hashlib.sha256(
        json.dumps([*as_written, sources], sort_keys=True, default=str).encode()
    ).hexdigest()
    lineage = (
        f"Diagnostic calculé par Quartiers en transition {run.code_version or ''} avec la "
        f"méthode {method.name} v{method.version} (SHA-256 "
        f"{(method.sha256 or '')[:16]}…), horizon climatique "
        f"{run.horizon.label}. Sources : "
        + "; ".join(
            f"{s['source_id']} (millésime {s['vintage']}, licence {s['licence']}, "
            f"récupérée le {s['retrieved'][:10]}, SHA-256 {s['sha256'][:16]}…)"
            for s in sources
        )
        + ". Provenance complète dans run.json."
    )
    licence, licence_url = _licence(run)
    return Record(
        identifier=str(uuid.uuid5(uuid.NAMESPACE_URL, f"quartiers:{digest}")),
        title=f"Vulnérabilité aux vagues de chaleur des quartiers prioritaires — {name}",
        abstract=(
            f"Diagnostic de vulnérabilité aux vagues de chaleur des quartiers prioritaires de la "
            f"politique de la ville (QPV) du territoire {name} ({territory.code}), "
            "sur la grille INSEE de 200 m : indicateurs d'exposition, de sensibilité et de "
            "ressources, indice composite et rang des QPV, comparaison au reste de la commune "
            "et de l'intercommunalité, points chauds. Couches : carreaux, QPV, zones de "
            "comparaison ; dictionnaire des données et provenance fournis."
        ),
        bbox=bbox,
        crs_epsg=int((run.crs or "EPSG:3035").split(":")[-1]),
        created=created,
        lineage=lineage,
        sources=sources,
        licence=licence,
        licence_url=licence_url,
        contact=contact,
        files=tuple(files),
    )


# ---------------------------------------------------------------- ISO 19139


def _cs(text: str) -> str:
    return f"<gco:CharacterString>{escape(text)}</gco:CharacterString>"


def _code(element: str, codelist: str, value: str) -> str:
    return (
        f"<gmd:{element} codeList={quoteattr(_CODELISTS + '#' + codelist)} "
        f"codeListValue={quoteattr(value)}>{escape(value)}</gmd:{element}>"
    )


def _party(contact: Contact, role: str) -> str:
    email = (
        ""
        if not contact.email
        else (
            f"<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>"
            f"<gmd:electronicMailAddress>{_cs(contact.email)}</gmd:electronicMailAddress>"
            f"</gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>"
        )
    )
    return (
        f"<gmd:CI_ResponsibleParty><gmd:organisationName>{_cs(contact.organisation)}"
        f"</gmd:organisationName>{email}<gmd:role>{_code('CI_RoleCode', 'CI_RoleCode', role)}"
        f"</gmd:role></gmd:CI_ResponsibleParty>"
    )


def _date(value: date, kind: str) -> str:
    return (
        f"<gmd:date><gmd:CI_Date><gmd:date><gco:Date>{value.isoformat()}</gco:Date></gmd:date>"
        f"<gmd:dateType>{_code('CI_DateTypeCode', 'CI_DateTypeCode', kind)}</gmd:dateType>"
        f"</gmd:CI_Date></gmd:date>"
    )


def _keywords(words: Sequence[str], thesaurus: tuple[str, date] | None = None) -> str:
    items = "".join(f"<gmd:keyword>{_cs(w)}</gmd:keyword>" for w in words)
    thes = ""
    if thesaurus:
        thes = (
            f"<gmd:thesaurusName><gmd:CI_Citation><gmd:title>{_cs(thesaurus[0])}</gmd:title>"
            f"{_date(thesaurus[1], 'publication')}</gmd:CI_Citation></gmd:thesaurusName>"
        )
    body = f"<gmd:MD_Keywords>{items}{thes}</gmd:MD_Keywords>"
    return f"<gmd:descriptiveKeywords>{body}</gmd:descriptiveKeywords>"


def _identification(rec: Record) -> str:
    west, south, east, north = rec.bbox
    constraints = (
        "<gmd:resourceConstraints><gmd:MD_LegalConstraints>"
        f"<gmd:useLimitation>{_cs(f'Licence : {rec.licence} — {rec.licence_url}')}"
        "</gmd:useLimitation>"
        "<gmd:accessConstraints>"
        f"{_code('MD_RestrictionCode', 'MD_RestrictionCode', 'otherRestrictions')}"
        "</gmd:accessConstraints>"
        f"<gmd:otherConstraints>{_cs('Pas de restriction d’accès public')}</gmd:otherConstraints>"
        "</gmd:MD_LegalConstraints></gmd:resourceConstraints>"
    )
    extent = (
        "<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>"
        f"<gmd:westBoundLongitude><gco:Decimal>{west:.6f}</gco:Decimal></gmd:westBoundLongitude>"
        f"<gmd:eastBoundLongitude><gco:Decimal>{east:.6f}</gco:Decimal></gmd:eastBoundLongitude>"
        f"<gmd:southBoundLatitude><gco:Decimal>{south:.6f}</gco:Decimal></gmd:southBoundLatitude>"
        f"<gmd:northBoundLatitude><gco:Decimal>{north:.6f}</gco:Decimal></gmd:northBoundLatitude>"
        "</gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>"
    )
    return (
        "<gmd:identificationInfo><gmd:MD_DataIdentification>"
        f"<gmd:citation><gmd:CI_Citation><gmd:title>{_cs(rec.title)}</gmd:title>"
        f"{_date(rec.created, 'creation')}"
        f"<gmd:identifier><gmd:MD_Identifier><gmd:code>{_cs(rec.identifier)}</gmd:code>"
        "</gmd:MD_Identifier></gmd:identifier></gmd:CI_Citation></gmd:citation>"
        f"<gmd:abstract>{_cs(rec.abstract)}</gmd:abstract>"
        f"<gmd:pointOfContact>{_party(rec.contact, 'pointOfContact')}</gmd:pointOfContact>"
        f"{_keywords(_KEYWORDS)}"
        f"{_keywords([_INSPIRE_THEME], ('GEMET - INSPIRE themes, version 1.0', date(2008, 6, 1)))}"
        f"{constraints}"
        "<gmd:spatialRepresentationType>"
        f"{_code('MD_SpatialRepresentationTypeCode', _SPATIAL, 'vector')}"
        "</gmd:spatialRepresentationType>"
        "<gmd:spatialResolution><gmd:MD_Resolution><gmd:distance>"
        '<gco:Distance uom="m">200</gco:Distance></gmd:distance></gmd:MD_Resolution>'
        "</gmd:spatialResolution>"
        f"<gmd:language>{_code('LanguageCode', 'LanguageCode', 'fre')}</gmd:language>"
        f"<gmd:characterSet>{_code('MD_CharacterSetCode', 'MD_CharacterSetCode', 'utf8')}"
        "</gmd:characterSet>"
        "<gmd:topicCategory><gmd:MD_TopicCategoryCode>society</gmd:MD_TopicCategoryCode>"
        "</gmd:topicCategory><gmd:topicCategory><gmd:MD_TopicCategoryCode>"
        "climatologyMeteorologyAtmosphere</gmd:MD_TopicCategoryCode></gmd:topicCategory>"
        f"{extent}</gmd:MD_DataIdentification></gmd:identificationInfo>"
    )


def _distribution(rec: Record) -> str:
    formats = []
    for suffix, (name, version, _) in _FORMATS.items():
        if any(f.endswith(suffix) for f in rec.files):
            formats.append(
                f"<gmd:distributionFormat><gmd:MD_Format><gmd:name>{_cs(name)}</gmd:name>"
                f"<gmd:version>{_cs(version)}</gmd:version></gmd:MD_Format>"
                "</gmd:distributionFormat>"
            )
    body = f"<gmd:MD_Distribution>{''.join(formats)}</gmd:MD_Distribution>"
    return f"<gmd:distributionInfo>{body}</gmd:distributionInfo>"


def _quality(rec: Record) -> str:
    sources = "".join(
        "<gmd:source><gmd:LI_Source><gmd:description>"
        + _cs(
            f"{s['source_id']} — millésime {s['vintage']} — licence {s['licence']} — "
            f"SHA-256 {s['sha256']}"
        )
        + "</gmd:description></gmd:LI_Source></gmd:source>"
        for s in rec.sources
    )
    return (
        "<gmd:dataQualityInfo><gmd:DQ_DataQuality><gmd:scope><gmd:DQ_Scope><gmd:level>"
        f"{_code('MD_ScopeCode', 'MD_ScopeCode', 'dataset')}</gmd:level></gmd:DQ_Scope>"
        "</gmd:scope><gmd:lineage><gmd:LI_Lineage>"
        f"<gmd:statement>{_cs(rec.lineage)}</gmd:statement>{sources}"
        "</gmd:LI_Lineage></gmd:lineage></gmd:DQ_DataQuality></gmd:dataQualityInfo>"
    )


def iso19139_xml(rec: Record) -> str:
    """Return the ISO 19115/19139 record (``gmd:MD_Metadata``) of an export."""
    crs = f"http://www.opengis.net/def/crs/EPSG/0/{rec.crs_epsg}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" '
        'xmlns:gco="http://www.isotc211.org/2005/gco" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">'
        f"<gmd:fileIdentifier>{_cs(rec.identifier)}</gmd:fileIdentifier>"
        f"<gmd:language>{_code('LanguageCode', 'LanguageCode', 'fre')}</gmd:language>"
        f"<gmd:characterSet>{_code('MD_CharacterSetCode', 'MD_CharacterSetCode', 'utf8')}"
        "</gmd:characterSet>"
        f"<gmd:hierarchyLevel>{_code('MD_ScopeCode', 'MD_ScopeCode', 'dataset')}"
        "</gmd:hierarchyLevel>"
        f"<gmd:contact>{_party(rec.contact, 'pointOfContact')}</gmd:contact>"
        f"<gmd:dateStamp><gco:Date>{rec.created.isoformat()}</gco:Date></gmd:dateStamp>"
        f"<gmd:metadataStandardName>{_cs('ISO 19115:2003/19139')}</gmd:metadataStandardName>"
        f"<gmd:metadataStandardVersion>{_cs('1.0')}</gmd:metadataStandardVersion>"
        "<gmd:referenceSystemInfo><gmd:MD_ReferenceSystem><gmd:referenceSystemIdentifier>"
        f"<gmd:RS_Identifier><gmd:code>{_cs(crs)}</gmd:code>"
        f"<gmd:codeSpace>{_cs('EPSG')}</gmd:codeSpace></gmd:RS_Identifier>"
        "</gmd:referenceSystemIdentifier></gmd:MD_ReferenceSystem></gmd:referenceSystemInfo>"
        f"{_identification(rec)}{_distribution(rec)}{_quality(rec)}"
        "</gmd:MD_Metadata>\n"
    )


# ---------------------------------------------------------------- DCAT-AP


_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "locn": "http://www.w3.org/ns/locn#",
    "adms": "http://www.w3.org/ns/adms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
}


def _fr(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "fr"}


def _distributions(rec: Record) -> list[dict[str, Any]]:
    out = []
    for name in rec.files:
        suffix = name[name.rfind(".") :]
        if suffix not in _FORMATS:
            continue
        fmt, _, media = _FORMATS[suffix]
        out.append(
            {
                "@type": "dcat:Distribution",
                "dct:title": _fr(name),
                # relative: resolved against where the export folder is published
                "dcat:accessURL": {"@id": name},
                "dcat:downloadURL": {"@id": name},
                "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
                "dct:format": _fr(fmt),
                "dct:license": {"@id": rec.licence_url},
            }
        )
    return out


def dcat_jsonld(rec: Record) -> dict[str, Any]:
    """Return the DCAT-AP record (JSON-LD, context inline) of an export."""
    west, south, east, north = rec.bbox
    wkt = f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
    return {
        "@context": _CONTEXT,
        "@id": f"urn:uuid:{rec.identifier}",
        "@type": "dcat:Dataset",
        "dct:identifier": rec.identifier,
        "dct:title": _fr(rec.title),
        "dct:description": _fr(rec.abstract),
        "dct:issued": {"@value": rec.created.isoformat(), "@type": "xsd:date"},
        "dct:language": {"@id": f"{_EU}language/FRA"},
        "dcat:theme": [{"@id": f"{_EU}data-theme/SOCI"}, {"@id": f"{_EU}data-theme/ENVI"}],
        "dcat:keyword": [_fr(k) for k in _KEYWORDS],
        "dct:spatial": {
            "@type": "dct:Location",
            "dcat:bbox": {"@value": wkt, "@type": "gsp:wktLiteral"},
        },
        "dct:conformsTo": {
            "@id": f"http://www.opengis.net/def/crs/EPSG/0/{rec.crs_epsg}",
            "@type": "dct:Standard",
        },
        "dcat:spatialResolutionInMeters": {"@value": "200", "@type": "xsd:decimal"},
        "dct:license": {"@id": rec.licence_url, "rdfs:label": _fr(rec.licence)},
        "dct:provenance": {"@type": "dct:ProvenanceStatement", "rdfs:label": _fr(rec.lineage)},
        "dct:source": [
            {
                "@type": "dcat:Dataset",
                "dct:title": _fr(f"{s['source_id']} — millésime {s['vintage']}"),
                "rdfs:comment": _fr(f"licence {s['licence']} ; SHA-256 {s['sha256']}"),
            }
            for s in rec.sources
        ],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": rec.contact.organisation},
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": rec.contact.organisation,
            **(
                {"vcard:hasEmail": {"@id": f"mailto:{rec.contact.email}"}}
                if rec.contact.email
                else {}
            ),
        },
        "dcat:distribution": _distributions(rec),
    }
