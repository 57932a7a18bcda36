"""Comparison zones: QPV, rest of commune, rest of EPCI."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from _synthetic import SIREN, X0, Y0, communes_layer, qpv_layer
from quartiers.diagnostic._prepare import name_epci_rests
from quartiers.errors import InputError
from quartiers.spatial.zones import (
    build_zones,
    check_qpv_extent,
    comparison_groups,
    qpv_communes,
    to_cell_crs,
)


def test_rests_are_disjoint_from_qpv_and_complete_the_commune() -> None:
    q, c = qpv_layer(), communes_layer()
    zones = build_zones(q, c).set_index("zone_id")
    assert list(zones["zone_type"].unique()) == ["qpv", "reste_commune", "reste_epci"]
    west = c.geometry.iloc[0]
    rest = zones.loc["commune:99001", "geometry"]
    big = zones.loc["QN99901M", "geometry"]
    assert shapely.intersection(rest, big).area == pytest.approx(0, abs=1e-6)
    assert rest.area + big.area == pytest.approx(west.area, rel=1e-12)
    epci = zones.loc[f"epci:{SIREN}"]
    assert epci["reference_population"] == 39000
    assert epci["insee_com"] == "99001,99002"
    total = c.geometry.area.sum() - q.geometry.area.sum()
    assert epci["geometry"].area == pytest.approx(total, rel=1e-12)


def test_straddling_qpv_is_compared_with_both_rests() -> None:
    q = qpv_layer()
    q.loc[0, "insee_coms"] = "99001,99002"
    zones = build_zones(q, communes_layer())
    commune_groups, epci_groups = comparison_groups(zones)
    ids = zones["zone_id"].tolist()
    assert [ids[i] for i in commune_groups[0]] == ["commune:99001", "commune:99002"]
    assert [ids[i] for i in epci_groups[1]] == [f"epci:{SIREN}"]
    assert qpv_communes(q) == [["99001", "99002"], ["99002"]]


def test_extent_check_names_the_qpv() -> None:
    xy = np.array([[X0, Y0], [X0 + 200, Y0]], dtype=np.int64)
    inside = qpv_layer().iloc[[0]].copy()
    inside["geometry"] = [shapely.box(X0 + 10, Y0 + 10, X0 + 390, Y0 + 190)]
    check_qpv_extent(inside, xy, source="carreaux.csv")
    inside["geometry"] = [shapely.box(X0 + 10, Y0 + 10, X0 + 390, Y0 + 290)]
    with pytest.raises(InputError, match=r"carreaux\.csv.*QN99901M \(32 % hors emprise\)"):
        check_qpv_extent(inside, xy, source="carreaux.csv")


def test_layer_without_crs_is_refused() -> None:
    layer = qpv_layer().set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="QPV : système de coordonnées absent"):
        to_cell_crs(layer, name="QPV")


def test_rest_of_epci_is_named_from_the_official_list() -> None:
    """A SIREN the shipped EPCI list knows gets its official name, never the SIREN."""
    c = communes_layer()
    unknown = name_epci_rests(build_zones(qpv_layer(), c)).set_index("zone_id")
    assert unknown.loc[f"epci:{SIREN}", "label"] == f"Intercommunalité {SIREN} hors QPV"
    c["siren_epci"] = "248500589"  # La Roche-sur-Yon Agglomération
    zones = name_epci_rests(build_zones(qpv_layer(), c)).set_index("zone_id")
    label = zones.loc["epci:248500589", "label"]
    assert label.endswith(" hors QPV") and "248500589" not in label
    assert "Roche-sur-Yon" in label
