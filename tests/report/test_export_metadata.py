"""ISO 19139 and DCAT-AP metadata of an export: valid against the ISO schemas, true to run.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from lxml import etree

from quartiers.diagnostic import Diagnostic
from quartiers.outputs.exports import export_open_data
from quartiers.settings import get_settings

GMD = "{http://www.isotc211.org/2005/gmd}"
GCO = "{http://www.isotc211.org/2005/gco}"
SIDES = ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")
NS = {"gmd": GMD[1:-1], "gco": GCO[1:-1]}


@pytest.fixture(scope="module")
def export(demo_diag: Diagnostic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("meta")
    settings = get_settings(
        contact_organisation="Agglomération de Ville-Témoin", contact_email="sig@exemple.fr"
    )
    export_open_data(demo_diag, out, settings=settings)
    return out


@pytest.fixture(scope="module")
def iso_schema() -> etree.XMLSchema:
    """ISO 19139 schemas (2006) shipped by pycsw, which validates harvested records with them."""
    pycsw = pytest.importorskip("pycsw", reason="pycsw (schémas ISO 19139) non installé")
    root = Path(pycsw.__file__).parent / "plugins/profiles/apiso/schemas/ogc/iso/19139"
    xsd = root / "20060504" / "gmd" / "gmd.xsd"
    if not xsd.is_file():
        pytest.skip(f"schémas ISO 19139 absents de pycsw : {xsd}")
    return etree.XMLSchema(etree.parse(str(xsd)))


def _text(doc: etree._ElementTree, path: str) -> list[str]:
    return [str(t) for t in doc.xpath(f"{path}/gco:CharacterString/text()", namespaces=NS)]


def test_iso_record_is_valid_and_a_broken_one_is_not(
    export: Path, iso_schema: etree.XMLSchema
) -> None:
    doc = etree.parse(str(export / "metadonnees.xml"))
    assert iso_schema.validate(doc), iso_schema.error_log
    # the validator does reject a record without the mandatory abstract
    for node in doc.xpath("//gmd:abstract", namespaces=NS):
        node.getparent().remove(node)
    assert not iso_schema.validate(doc)


def test_iso_record_says_what_run_json_says(export: Path, demo_diag: Diagnostic) -> None:
    doc = etree.parse(str(export / "metadonnees.xml"))
    run = json.loads((export / "run.json").read_text(encoding="utf-8"))
    name = run["territory"]["name"]
    assert name in _text(doc, "//gmd:citation/gmd:CI_Citation/gmd:title")[0]
    assert _text(doc, "//gmd:RS_Identifier/gmd:code") == [
        "http://www.opengis.net/def/crs/EPSG/0/3035"
    ]
    assert _text(doc, "/gmd:MD_Metadata/gmd:contact//gmd:organisationName") == [
        "Agglomération de Ville-Témoin"
    ]
    assert _text(doc, "/gmd:MD_Metadata/gmd:contact//gmd:electronicMailAddress") == [
        "sig@exemple.fr"
    ]
    box = [float(doc.xpath(f"//gmd:{side}/gco:Decimal/text()", namespaces=NS)[0]) for side in SIDES]
    cells = demo_diag.cells.to_crs("OGC:CRS84").total_bounds
    np.testing.assert_allclose(box, cells, atol=1e-3)
    lineage = _text(doc, "//gmd:LI_Lineage/gmd:statement")[0]
    sources = _text(doc, "//gmd:LI_Source/gmd:description")
    assert len(sources) == len(run["sources"])
    for src in run["sources"]:
        assert src["source_id"] in lineage
        assert any(src["sha256"] in s for s in sources)
    limits = " ".join(_text(doc, "//gmd:useLimitation"))
    assert "ODbL" in limits  # OpenStreetMap went into the demo: the export is ODbL


def test_dcat_record_reads_as_rdf(export: Path) -> None:
    rdflib = pytest.importorskip("rdflib")
    graph = rdflib.Graph().parse(export / "metadonnees.jsonld", format="json-ld")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dct = rdflib.namespace.DCTERMS
    datasets = list(graph.subjects(rdflib.RDF.type, dcat.Dataset))
    main = [d for d in datasets if (d, dcat.distribution, None) in graph]
    assert len(main) == 1
    dataset = main[0]
    title = graph.value(dataset, dct.title)
    assert title is not None and title.language == "fr" and "Ville-Témoin" in str(title)
    assert graph.value(dataset, dct.license) is not None
    provenance = graph.value(dataset, dct.provenance)
    assert provenance is not None
    run = json.loads((export / "run.json").read_text(encoding="utf-8"))
    assert len(list(graph.objects(dataset, dct.source))) == len(run["sources"])
    files = {str(graph.value(d, dct.title)) for d in graph.objects(dataset, dcat.distribution)}
    assert {"diagnostic.gpkg", "qpv.csv", "qpv.parquet"} <= files
    contact = graph.value(dataset, dcat.contactPoint)
    email = graph.value(contact, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))
    assert str(email) == "mailto:sig@exemple.fr"
    spatial = graph.value(dataset, dct.spatial)
    assert str(graph.value(spatial, dcat.bbox)).startswith("POLYGON((")


def test_exported_metadata_are_hashed_in_run_json(export: Path) -> None:
    run = json.loads((export / "run.json").read_text(encoding="utf-8"))
    assert {"metadonnees.xml", "metadonnees.jsonld"} <= set(run["outputs"])
