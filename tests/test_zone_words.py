"""With ``--zones``, messages and published texts speak of zones, not of QPV (issue 21)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import shapely

from _synthetic import X0, Y0, make_territory, qpv_layer
from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.choices import Choice
from quartiers.actions.export import roadmap_html
from quartiers.actions.matching import qpv_row
from quartiers.actions.roadmap import build_roadmap
from quartiers.diagnostic import Diagnostic, run_diagnostic
from quartiers.diagnostic._zone_words import TEXT_COLUMNS
from quartiers.errors import InputError
from quartiers.participation.validation import validate_code_qp
from quartiers.schemas import ZonesNote
from quartiers.spatial.zones import check_qpv_extent
from quartiers.text import zone_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ville-Témoin hors QPV", "Ville-Témoin hors zones"),
        ("Part de canopée du QPV", "Part de canopée de la zone"),
        ("que les autres QPV ont", "que les autres zones ont"),
        ("2 sur 3 QPV classés", "2 sur 3 zones classées"),
        ("aucun arbre cartographié sur le QPV", "aucun arbre cartographié sur la zone"),
        ("QPVX et AQPV", "QPVX et AQPV"),  # whole words only
        ("Rang 1 = le QPV le plus vulnérable", "Rang 1 = la zone la plus vulnérable"),
        ("Les QPV du territoire", "Les zones du territoire"),
        ("3 QPV (dont 1 QPV publié à part)", "3 zones (dont 1 zone publié à part)"),
        ("12 QPV", "12 zones"),
        ('<th class="nombre">QPV</th>', '<th class="nombre">Zone</th>'),
        ("l'indice de ce QPV ; Ces QPV", "l'indice de cette zone ; Ces zones"),
        ("la commune hors de tout QPV", "la commune hors de toute zone"),
        ("choisissez le QPV concerné.", "choisissez la zone concernée."),
        ("<span>QPV sélectionné : ", "<span>Zone sélectionnée : "),
        ("un QPV sélectionné", "une zone sélectionnée"),
        ("les QPV concernés", "les zones concernés"),  # plural agreement is left to the text
    ],
)
def test_zone_words(text: str, expected: str) -> None:
    assert zone_words(text) == expected


def test_filosofi_coverage_error_speaks_of_zones() -> None:
    xy = np.array([[X0, Y0], [X0 + 200, Y0]], dtype=np.int64)
    zone = qpv_layer().iloc[[0]].copy()
    zone["geometry"] = [shapely.box(X0 + 10, Y0 + 10, X0 + 390, Y0 + 290)]
    with pytest.raises(InputError) as caught:
        check_qpv_extent(zone, xy, source="carreaux.csv", zones=True)
    message = str(caught.value)
    assert "zones hors de l'emprise du carroyage" in message
    assert "couvrant ces zones" in message and "QPV" not in message
    with pytest.raises(InputError, match="QPV hors de l'emprise"):
        check_qpv_extent(zone, xy, source="carreaux.csv")


@pytest.fixture(scope="module")
def runs() -> tuple[Diagnostic, Diagnostic]:
    """The synthetic territory diagnosed as QPV, then as the zones of a ``--zones`` file."""
    inputs = make_territory()
    as_zones = replace(inputs, notes=replace(inputs.notes, zones=ZonesNote("z.geojson", 2, 2)))
    return run_diagnostic(inputs), run_diagnostic(as_zones)


def test_zones_run_publishes_zone_words_and_a_qpv_run_is_untouched(
    runs: tuple[Diagnostic, Diagnostic],
) -> None:
    qpv_run, zones_run = runs
    labels = zones_run.zones["label"].astype(str)
    rest = labels[zones_run.zones["zone_type"] != "qpv"]
    assert rest.str.endswith(" hors zones").all()
    assert (
        qpv_run.zones.loc[qpv_run.zones["zone_type"] != "qpv", "label"]
        .str.endswith(" hors QPV")
        .all()
    )
    for table in (zones_run.qpv, zones_run.zones):
        for column in TEXT_COLUMNS:
            if column in table.columns:
                texts = table[column].dropna().astype(str)
                assert not texts.str.contains(r"\bQPV\b").any(), column
    # the numbers are the same: only words change
    assert zones_run.qpv["index"].equals(qpv_run.qpv["index"])


def test_contributions_accept_zone_ids() -> None:
    assert validate_code_qp(" qn08503i ") == "QN08503I"  # a QPV code, upper-cased as before
    assert validate_code_qp("LRY-NORD") == "LRY-NORD"
    assert validate_code_qp("iris_851910101") == "iris_851910101"  # kept as written
    with pytest.raises(ValueError, match="identifiant de zone attendu"):
        validate_code_qp("zone avec espaces")
    with pytest.raises(ValueError, match="40 caractères au plus"):
        validate_code_qp("Z" * 41)


def test_roadmap_of_a_zone_speaks_of_the_zone(runs: tuple[Diagnostic, Diagnostic]) -> None:
    qpv_run, zones_run = runs
    code = str(zones_run.qpv["code_qp"].iloc[0])
    choices = [Choice(action="heatwave_register"), Choice(action="shade_trees")]
    catalogue = default_catalogue()
    zone = build_roadmap(zones_run, code, choices, catalogue=catalogue)
    assert (zone.unit_label, zone.unit_short) == ("Zone étudiée", "Zone")
    assert "QPV" not in zone.rank_text and "QPV" not in " ".join(zone.notes)
    assert all("QPV" not in i.label for i in zone.indicators)
    html = roadmap_html(zone)
    assert "Zone étudiée" in html and "aux vagues de chaleur de la zone" in html
    qpv = build_roadmap(qpv_run, code, choices, catalogue=catalogue)
    assert (qpv.unit_label, qpv.unit_of) == ("Quartier prioritaire", "du QPV")
    assert "QPV classés" in qpv.rank_text or qpv.rank_text == "non classé"
    with pytest.raises(InputError, match="zone inconnue « X1 » dans ce diagnostic"):
        qpv_row(zones_run, "X1")
    with pytest.raises(InputError, match="QPV inconnu « X1 »"):
        qpv_row(qpv_run, "X1")


def test_data_dictionary_of_a_zones_run(runs: tuple[Diagnostic, Diagnostic]) -> None:
    qpv_run, zones_run = runs
    zones = zones_run.dictionary().set_index("colonne")
    assert zones.loc["code_qp", "libelle"] == "Identifiant de la zone (fichier --zones)"
    assert not zones["libelle"].astype(str).str.contains(r"\bQPV\b").any()
    qpv = qpv_run.dictionary().set_index("colonne")
    assert qpv.loc["code_qp", "libelle"] == "Code du quartier prioritaire (QPV 2024)"
    assert list(qpv.index) == list(zones.index)
