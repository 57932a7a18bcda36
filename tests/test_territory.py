"""Territory selection by code, SIREN or name; QPV membership; clip boxes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.sources.communes import read_communes, read_epci_table
from quartiers.sources.qpv import read_qpv
from quartiers.sources.territory import (
    DEFAULT_MARGIN_M,
    build_territory,
    name_keys,
    of_name,
    resolve_territory,
    select_communes,
)


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "insee_com": ["11111", "22222", "33333", "44444"],
            "nom": ["Saint-Martin", "Saint-Martin", "Bourg-Témoin", "Ville-Témoin"],
            "population": [100, 200, 300, 4000],
            "siren_epci": ["200000001", "200000002", "200000001", "200000001"],
        },
        geometry=[
            shapely.box(0, 6_600_000, 1000, 6_601_000),
            shapely.box(50_000, 6_600_000, 51_000, 6_601_000),
            shapely.box(1000, 6_600_000, 2000, 6_601_000),
            shapely.box(2000, 6_600_000, 4000, 6_602_000),
        ],
        crs="EPSG:2154",
    )


def _qpv() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code_qp": ["QN04401M", "QN04402M", "QN04403M"],
            "lib_qp": ["A", "B", "C"],
            "insee_com": ["44444", "22222", "33333"],
            "insee_coms": ["44444", "22222", "33333,44444"],
            "siren_epci": ["200000001", "200000002", "200000001"],
        },
        geometry=[shapely.box(2100, 6_600_100, 2200, 6_600_200)] * 3,
        crs="EPSG:2154",
    )


EPCI = pd.DataFrame(
    {
        "siren_epci": ["200000001", "200000002"],
        "nom": ["CA Pays Témoin (PATEM)", "CC Ailleurs"],
    }
)


def test_by_commune_code() -> None:
    territory = resolve_territory("44444", _communes(), _qpv())
    assert (territory.kind, territory.name, territory.siren_epci) == (
        "commune",
        "Ville-Témoin",
        "200000001",
    )
    assert territory.commune_codes == ["44444"]
    # A QPV straddling communes belongs to each of them.
    assert sorted(territory.qpv["code_qp"]) == ["QN04401M", "QN04403M"]
    minx, miny, maxx, _ = territory.bbox_2154
    assert (minx, maxx) == (2000 - DEFAULT_MARGIN_M, 4000 + DEFAULT_MARGIN_M)
    assert miny == 6_600_000 - DEFAULT_MARGIN_M


def test_by_epci_siren_and_names() -> None:
    territory = resolve_territory("200000001", _communes(), _qpv(), epci=EPCI)
    assert territory.kind == "epci" and territory.name == "CA Pays Témoin (PATEM)"
    assert territory.commune_codes == ["11111", "33333", "44444"]
    for name in ("pays temoin", "PATEM", "CA Pays Témoin (PATEM)"):
        assert select_communes(name, _communes(), epci=EPCI).code == "200000001"
    assert select_communes("ville temoin", _communes()).code == "44444"
    assert select_communes("VILLE-TÉMOIN", _communes()).code == "44444"
    # Without an EPCI list, never a SIREN: the EPCI is named after its largest commune.
    unnamed = resolve_territory("200000001", _communes(), _qpv())
    assert unnamed.name == "Intercommunalité de Ville-Témoin"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Angers", "d'Angers"),
        ("Le Mans", "du Mans"),
        ("Les Sables-d'Olonne", "des Sables-d'Olonne"),
        ("La Roche-sur-Yon", "de La Roche-sur-Yon"),
        ("Évreux", "d'Évreux"),
        ("Quimper", "de Quimper"),
    ],
)
def test_of_name_elides_and_contracts(name: str, expected: str) -> None:
    assert of_name(name) == expected


def test_homonyms_are_ambiguous() -> None:
    with pytest.raises(InputError) as err:
        select_communes("saint martin", _communes())
    msg = str(err.value)
    assert "ambigu" in msg and "11111" in msg and "22222" in msg


def test_unknown_code_siren_and_name_in_french() -> None:
    with pytest.raises(
        InputError, match=r"territoire '99999' introuvable : aucune commune de code INSEE 99999"
    ):
        resolve_territory("99999", _communes(), _qpv())
    with pytest.raises(InputError, match=r"aucune commune rattachée à l'EPCI de SIREN 123456789"):
        resolve_territory("123456789", _communes(), _qpv())
    with pytest.raises(InputError, match=r"noms proches : Ville-Témoin"):
        resolve_territory("Ville-Témion", _communes(), _qpv())


def test_bbox_3035_snapped_to_grid_and_margin() -> None:
    territory = build_territory(
        select_communes("44444", _communes()), _communes(), _qpv(), margin_m=0
    )
    assert all(v % 200 == 0 for v in territory.bbox_3035)
    box = gpd.GeoSeries([shapely.box(*territory.bbox_3035)], crs="EPSG:3035").to_crs(2154)
    assert box.iloc[0].contains(territory.geometry_2154)
    with pytest.raises(InputError, match="négative"):
        build_territory(select_communes("44444", _communes()), _communes(), _qpv(), margin_m=-1)


def test_wrong_crs_layer() -> None:
    with pytest.raises(InputError, match="attendu EPSG:2154"):
        build_territory(select_communes("44444", _communes()), _communes().to_crs(4326), _qpv())


def test_name_keys() -> None:
    assert "roche sur yon" in name_keys("La Roche-sur-Yon")
    keys = name_keys("CA de la Région Nazairienne et de l'Estuaire (CARENE)", epci=True)
    assert {"carene", "region nazairienne et de l estuaire"} <= keys


def test_real_territories(shared_data: Path) -> None:
    communes = read_communes(shared_data / "admin" / "communes_4epci.geojson")
    qpv = read_qpv(shared_data / "qpv" / "qpv2024_4territories.geojson")
    epci = read_epci_table(shared_data / "admin" / "epci_2026.csv")
    expected = {
        "85191": ("commune", 1, 3),
        "248500589": ("epci", 13, 3),
        "Angers": ("commune", 1, 8),
        "Angers Loire Métropole": ("epci", 29, 10),
        "CARENE": ("epci", 10, 3),
        "la roche sur yon": ("commune", 1, 3),
        "Quimper Bretagne Occidentale": ("epci", 14, 1),
    }
    for query, (kind, n_communes, n_qpv) in expected.items():
        territory = resolve_territory(query, communes, qpv, epci=epci)
        assert (territory.kind, len(territory.communes), len(territory.qpv)) == (
            kind,
            n_communes,
            n_qpv,
        ), query
        # Every QPV lies inside the clip box.
        assert shapely.box(*territory.bbox_2154).contains(shapely.union_all(territory.qpv.geometry))
    assert len(qpv) == 17
